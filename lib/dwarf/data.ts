// DwarfData: the one entry point to a binary's DWARF. Holds a section source and builds, lazily and
// once each, the DIE array, per-unit line tables, the pc -> line index, location lists and range lists.

import { DW_AT, DW_FORM } from './constants.js';
import { Die, InfoReader, SectionSource, Unit } from './info.js';
import { LineIndex, LineInfo, LineTable, parseLineTable } from './line.js';
import { LocationListEntry, readLocationList } from './location.js';
import { readRangeList } from './ranges.js';

/** A binary's DWARF data. */
export class DwarfData {
  readonly info: InfoReader;
  private lineTables = new Map<number, LineTable>();
  private index: LineIndex | undefined;

  constructor(
    private readonly source: SectionSource,
    readonly littleEndian = true,
    /** The binary's path: every DwarfError names it ('' when unknown). */
    readonly file = '',
  ) {
    this.info = new InfoReader(source, littleEndian, file);
  }

  units(): readonly Unit[] {
    return this.info.units();
  }

  /** Every DIE, flat in file order (parsed on first call). */
  dies(): readonly Die[] {
    return this.info.dies();
  }

  dieAt(offset: number): Die | undefined {
    return this.info.dieAt(offset);
  }

  children(die: Die): Die[] {
    return this.info.children(die);
  }

  /** The unit DIE (compile unit) of a unit. */
  unitDie(unit: Unit): Die | undefined {
    return this.info.dieAt(unit.firstDie);
  }

  /** The line table of a unit (via its unit DIE's DW_AT_stmt_list), or undefined if it has none. */
  lineTable(unit: Unit): LineTable | undefined {
    const cu = this.unitDie(unit);
    const off = cu?.num(DW_AT.stmt_list);
    if (off === undefined) return undefined;
    let t = this.lineTables.get(off);
    if (t === undefined) {
      const bytes = this.source('.debug_line');
      if (bytes === undefined) return undefined;
      t = parseLineTable(
        bytes,
        off,
        { str: this.source('.debug_str'), lineStr: this.source('.debug_line_str') },
        this.littleEndian,
        this.file,
      );
      this.lineTables.set(off, t);
    }
    return t;
  }

  /** The merged pc index of every unit's line table. */
  lineIndex(): LineIndex {
    if (this.index === undefined) {
      const tables: LineTable[] = [];
      for (const u of this.units()) {
        const t = this.lineTable(u);
        if (t !== undefined) tables.push(t);
      }
      this.index = new LineIndex(tables);
    }
    return this.index;
  }

  /** The file:line of `pc` from .debug_line. */
  lookupPc(pc: number): LineInfo | undefined {
    return this.lineIndex().lookup(pc);
  }

  /**
   * The location list of attribute `at` (usually DW_AT_location) of a DIE, if the attribute refers
   * to one (sec_offset or loclistx form); undefined otherwise.
   */
  locationList(die: Die, at: number = DW_AT.location): LocationListEntry[] | undefined {
    const form = die.form(at);
    if (form !== DW_FORM.sec_offset && form !== DW_FORM.loclistx && form !== DW_FORM.data4 && form !== DW_FORM.data8) {
      return undefined;
    }
    const value = die.num(at);
    if (value === undefined) return undefined;
    const base = this.unitDie(die.unit)?.num(DW_AT.low_pc) ?? 0;
    return readLocationList(
      {
        loc: this.source('.debug_loc'),
        loclists: this.source('.debug_loclists'),
        littleEndian: this.littleEndian,
        file: this.file,
        address: (u, i) => this.info.indexedAddress(u, i),
      },
      die.unit,
      form,
      value,
      base,
    );
  }

  /**
   * The pc ranges [low, high) of a DIE as flat pairs: DW_AT_low_pc with DW_AT_high_pc (an address, or in DWARF 4+
   * a length when of constant class), or DW_AT_ranges; empty when it has neither.
   */
  ranges(die: Die): number[] {
    const low = die.get(DW_AT.low_pc);
    if (typeof low === 'number') {
      const form = die.form(DW_AT.high_pc);
      const hi = die.num(DW_AT.high_pc);
      if (hi === undefined) return [];
      const isAddress = form === DW_FORM.addr || form === DW_FORM.addrx || (form >= DW_FORM.addrx1 && form <= DW_FORM.addrx4);
      return [low, isAddress ? hi : low + hi];
    }
    const form = die.form(DW_AT.ranges);
    const value = die.num(DW_AT.ranges);
    if (form === 0 || value === undefined) return [];
    const base = this.unitDie(die.unit)?.num(DW_AT.low_pc) ?? 0;
    return readRangeList(
      {
        ranges: this.source('.debug_ranges'),
        rnglists: this.source('.debug_rnglists'),
        littleEndian: this.littleEndian,
        file: this.file,
        address: (u, i) => this.info.indexedAddress(u, i),
      },
      die.unit,
      form,
      value,
      base,
    );
  }
}
