// Units and DIEs of .debug_info (DWARF 2-5, 32- and 64-bit formats). Every form is decoded,
// including DWARF 5's strx*, addrx*, line_strp, implicit_const, data16 and the string/address
// indirections through .debug_str_offsets and .debug_addr. References become absolute .debug_info
// offsets. DIEs are kept as one flat array in file order; the tree is linked with index fields
// (parent, firstChild, nextSibling; -1 for none).

import { AbbrevTable, parseAbbrevTable } from './abbrev.js';
import { DW_AT, DW_FORM, DW_UT } from './constants.js';
import { Cursor, stringAt } from './cursor.js';
import { DwarfError } from './errors.js';

/** A decoded attribute value: numbers for constants, addresses and references (absolute .debug_info
 * offsets), bigint for 64-bit values beyond 2^53, string, boolean for flags, bytes for blocks,
 * exprlocs and data16. */
export type AttrValue = number | bigint | string | boolean | Uint8Array;

/** A unit header from .debug_info. */
export interface Unit {
  readonly index: number;
  /** Offset of the unit header in .debug_info. */
  readonly offset: number;
  /** Offset just past the unit. */
  readonly end: number;
  readonly version: number;
  readonly unitType: number;
  readonly addrSize: number;
  /** 4 for 32-bit DWARF, 8 for 64-bit DWARF. */
  readonly offsetSize: number;
  readonly abbrevOffset: number;
  /** Offset of the unit's first DIE. */
  readonly firstDie: number;
  /** Bases from the unit DIE (DWARF 5); filled when the unit DIE is read. */
  strOffsetsBase: number;
  addrBase: number;
  loclistsBase: number;
  rnglistsBase: number;
}

/** One debugging information entry. */
export class Die {
  /** Index of this DIE in the flat array. */
  index = -1;
  parent = -1;
  firstChild = -1;
  nextSibling = -1;

  constructor(
    readonly offset: number,
    readonly unit: Unit,
    readonly tag: number,
    readonly hasChildren: boolean,
    readonly depth: number,
    readonly attrs: Uint32Array,
    readonly forms: Uint32Array,
    readonly values: AttrValue[],
  ) {}

  /** The value of attribute `at`, or undefined if absent. */
  get(at: number): AttrValue | undefined {
    const a = this.attrs;
    for (let i = 0; i < a.length; i++) if (a[i] === at) return this.values[i];
    return undefined;
  }

  /** The form of attribute `at`, or 0 if absent. */
  form(at: number): number {
    const a = this.attrs;
    for (let i = 0; i < a.length; i++) if (a[i] === at) return this.forms[i];
    return 0;
  }

  has(at: number): boolean {
    return this.attrs.indexOf(at) >= 0;
  }

  /** A string attribute (undefined if absent or not a string). */
  str(at: number): string | undefined {
    const v = this.get(at);
    return typeof v === 'string' ? v : undefined;
  }

  /** A numeric attribute (undefined if absent or not a safe number). */
  num(at: number): number | undefined {
    const v = this.get(at);
    if (typeof v === 'number') return v;
    if (typeof v === 'boolean') return v ? 1 : 0;
    return undefined;
  }

  /** A reference attribute as an absolute .debug_info offset. */
  ref(at: number): number | undefined {
    const v = this.get(at);
    return typeof v === 'number' ? v : undefined;
  }

  /** A flag attribute (false if absent). */
  flag(at: number): boolean {
    const v = this.get(at);
    return v === true || (typeof v === 'number' && v !== 0);
  }

  /** A block or exprloc attribute. */
  block(at: number): Uint8Array | undefined {
    const v = this.get(at);
    return v instanceof Uint8Array ? v : undefined;
  }

  get name(): string | undefined {
    return this.str(DW_AT.name);
  }
}

/** Access to the debug sections a DWARF reader needs; returns undefined for a missing section. */
export type SectionSource = (name: string) => Uint8Array | undefined;

const EMPTY = new Uint8Array(0);

/** Reads the units and DIEs of .debug_info. Everything is parsed lazily, once. */
export class InfoReader {
  readonly info: Uint8Array;
  private readonly abbrevBytes: Uint8Array;
  private readonly abbrevCache = new Map<number, AbbrevTable>();
  private unitList: Unit[] | undefined;
  private dieList: Die[] | undefined;
  private byOffset: Map<number, number> | undefined;
  private strBytes: Uint8Array | undefined;
  private lineStrBytes: Uint8Array | undefined;
  private strOffBytes: Uint8Array | undefined;
  private addrBytes: Uint8Array | undefined;

  constructor(
    private readonly source: SectionSource,
    readonly littleEndian = true,
    /** The binary's path, named by every DwarfError ('' when unknown). */
    readonly file = '',
  ) {
    const info = source('.debug_info');
    if (info === undefined) throw new DwarfError('.debug_info', 0, 'no .debug_info section', file);
    this.info = info;
    this.abbrevBytes = source('.debug_abbrev') ?? EMPTY;
  }

  private cursor(offset: number): Cursor {
    return new Cursor('.debug_info', this.info, offset, this.littleEndian, this.file);
  }

  /** All unit headers, in file order. */
  units(): readonly Unit[] {
    if (this.unitList !== undefined) return this.unitList;
    const out: Unit[] = [];
    const c = this.cursor(0);
    while (c.remaining > 0) {
      const offset = c.pos;
      let length = c.u32();
      let offsetSize = 4;
      if (length === 0xffffffff) {
        length = c.u64n();
        offsetSize = 8;
      } else if (length >= 0xfffffff0) {
        c.fail(`reserved unit length 0x${length.toString(16)}`, offset);
      }
      const end = c.pos + length;
      if (end > this.info.length) c.fail(`unit length ${length} runs past end of section`, offset);
      const version = c.u16();
      if (version < 2 || version > 5) c.fail(`unsupported DWARF version ${version}`, offset + 4);
      let unitType: number = DW_UT.compile;
      let addrSize: number;
      let abbrevOffset: number;
      if (version >= 5) {
        unitType = c.u8();
        addrSize = c.u8();
        abbrevOffset = c.offset(offsetSize);
        if (unitType === DW_UT.skeleton || unitType === DW_UT.split_compile) c.skip(8);
        else if (unitType === DW_UT.type || unitType === DW_UT.split_type) c.skip(8 + offsetSize);
      } else {
        abbrevOffset = c.offset(offsetSize);
        addrSize = c.u8();
      }
      out.push({
        index: out.length,
        offset,
        end,
        version,
        unitType,
        addrSize,
        offsetSize,
        abbrevOffset,
        firstDie: c.pos,
        strOffsetsBase: -1,
        addrBase: -1,
        loclistsBase: -1,
        rnglistsBase: -1,
      });
      c.pos = end;
    }
    this.unitList = out;
    return out;
  }

  private abbrevs(offset: number): AbbrevTable {
    let t = this.abbrevCache.get(offset);
    if (t === undefined) {
      t = parseAbbrevTable(this.abbrevBytes, offset, this.file);
      this.abbrevCache.set(offset, t);
    }
    return t;
  }

  /** Every DIE of every unit, flat, in file order (null entries are not included). */
  dies(): readonly Die[] {
    if (this.dieList !== undefined) return this.dieList;
    const out: Die[] = [];
    for (const u of this.units()) this.parseUnit(u, out);
    this.dieList = out;
    return out;
  }

  /** The DIE at a .debug_info offset, if one starts there. */
  dieAt(offset: number): Die | undefined {
    if (this.byOffset === undefined) {
      const m = new Map<number, number>();
      const d = this.dies();
      for (let i = 0; i < d.length; i++) m.set(d[i].offset, i);
      this.byOffset = m;
    }
    const i = this.byOffset.get(offset);
    return i === undefined ? undefined : this.dieList![i];
  }

  /** The children of a DIE, in order. */
  children(die: Die): Die[] {
    const d = this.dies();
    const out: Die[] = [];
    for (let i = die.firstChild; i >= 0; i = d[i].nextSibling) out.push(d[i]);
    return out;
  }

  /** Parses one unit's DIE tree, appending to `out`. */
  private parseUnit(u: Unit, out: Die[]): void {
    const abbrevs = this.abbrevs(u.abbrevOffset);
    const c: Cursor = this.cursor(u.firstDie);
    // First read the unit DIE's base attributes, which strx/addrx forms (even in the unit DIE) need.
    if (c.pos < u.end) this.readBases(u, abbrevs, c.pos);
    // parents[d] = index of the open DIE at depth d; lastChild[d] = index of its latest child (-1: none yet).
    const parents: number[] = [];
    const lastChild: number[] = [];
    let depth = 0;
    while (c.pos < u.end) {
      const offset = c.pos;
      const code = c.ulebn();
      if (code === 0) {
        if (depth === 0) continue; // padding after the unit DIE's children
        depth--;
        parents.pop();
        lastChild.pop();
        continue;
      }
      const ab = abbrevs[code];
      if (ab === undefined) c.fail(`unknown abbreviation code ${code}`, offset);
      const n = ab.attrs.length;
      const values: AttrValue[] = new Array(n);
      let forms = ab.forms;
      let copied = false;
      for (let i = 0; i < n; i++) {
        let form = ab.forms[i];
        if (form === DW_FORM.indirect) {
          form = c.ulebn();
          if (!copied) {
            forms = forms.slice();
            copied = true;
          }
          forms[i] = form;
        }
        values[i] = this.readValue(c, u, form, ab.implicitConst[i]);
      }
      const die = new Die(offset, u, ab.tag, ab.hasChildren, depth, ab.attrs, forms, values);
      die.index = out.length;
      out.push(die);
      if (depth > 0) {
        const p = parents[depth - 1];
        die.parent = p;
        const prev = lastChild[depth - 1];
        if (prev < 0) out[p].firstChild = die.index;
        else out[prev].nextSibling = die.index;
        lastChild[depth - 1] = die.index;
      }
      if (ab.hasChildren) {
        parents.push(die.index);
        lastChild.push(-1);
        depth++;
      } else if (depth === 0) {
        break; // a unit DIE without children ends the unit
      }
    }
  }

  /** Reads DW_AT_str_offsets_base / addr_base / loclists_base / rnglists_base from the unit DIE. */
  private readBases(u: Unit, abbrevs: AbbrevTable, at: number): void {
    const c: Cursor = this.cursor(at);
    const code = c.ulebn();
    const ab = abbrevs[code];
    if (ab === undefined) c.fail(`unknown abbreviation code ${code}`, at);
    for (let i = 0; i < ab.attrs.length; i++) {
      let form = ab.forms[i];
      if (form === DW_FORM.indirect) form = c.ulebn();
      const a = ab.attrs[i];
      const isBase =
        a === DW_AT.str_offsets_base || a === DW_AT.addr_base || a === DW_AT.loclists_base || a === DW_AT.rnglists_base;
      if (!isBase) {
        this.skipValue(c, u, form);
        continue;
      }
      const v = c.offset(form === DW_FORM.sec_offset ? u.offsetSize : 4);
      if (a === DW_AT.str_offsets_base) u.strOffsetsBase = v;
      else if (a === DW_AT.addr_base) u.addrBase = v;
      else if (a === DW_AT.loclists_base) u.loclistsBase = v;
      else u.rnglistsBase = v;
    }
    // Defaults for a producer that uses the indexed forms without the base attributes: just past
    // the (32- or 64-bit) header of the first contribution.
    const hdr = u.offsetSize === 8 ? 16 : 8;
    if (u.strOffsetsBase < 0) u.strOffsetsBase = hdr;
    if (u.addrBase < 0) u.addrBase = hdr;
    if (u.loclistsBase < 0) u.loclistsBase = u.offsetSize === 8 ? 20 : 12;
    if (u.rnglistsBase < 0) u.rnglistsBase = u.offsetSize === 8 ? 20 : 12;
  }

  private skipValue(c: Cursor, u: Unit, form: number): void {
    this.readValue(c, u, form, 0, true);
  }

  /** Decodes one attribute value of `form`. With `raw`, indirections are not followed. */
  private readValue(c: Cursor, u: Unit, form: number, implicitConst: number, raw = false): AttrValue {
    switch (form) {
      case DW_FORM.addr:
        return u.addrSize === 8 ? c.u64() : c.uN(u.addrSize);
      case DW_FORM.data1:
      case DW_FORM.ref1:
      case DW_FORM.flag:
      case DW_FORM.strx1:
      case DW_FORM.addrx1: {
        const v = c.u8();
        return this.finish(c, u, form, v, raw);
      }
      case DW_FORM.data2:
      case DW_FORM.ref2:
      case DW_FORM.strx2:
      case DW_FORM.addrx2: {
        const v = c.u16();
        return this.finish(c, u, form, v, raw);
      }
      case DW_FORM.strx3:
      case DW_FORM.addrx3: {
        const v = c.u24();
        return this.finish(c, u, form, v, raw);
      }
      case DW_FORM.data4:
      case DW_FORM.ref4:
      case DW_FORM.ref_sup4:
      case DW_FORM.strx4:
      case DW_FORM.addrx4: {
        const v = c.u32();
        return this.finish(c, u, form, v, raw);
      }
      case DW_FORM.data8:
      case DW_FORM.ref_sig8:
        return c.u64();
      case DW_FORM.ref8:
      case DW_FORM.ref_sup8:
        return this.finish(c, u, form, c.u64n(), raw);
      case DW_FORM.data16:
        return c.bytesN(16);
      case DW_FORM.sdata:
        return c.sleb();
      case DW_FORM.udata:
        return c.uleb();
      case DW_FORM.ref_udata:
      case DW_FORM.strx:
      case DW_FORM.addrx:
      case DW_FORM.loclistx:
      case DW_FORM.rnglistx:
      case DW_FORM.GNU_addr_index:
      case DW_FORM.GNU_str_index:
        return this.finish(c, u, form, c.ulebn(), raw);
      case DW_FORM.string:
        return c.cstring();
      case DW_FORM.strp:
      case DW_FORM.line_strp:
      case DW_FORM.strp_sup:
      case DW_FORM.ref_addr:
      case DW_FORM.sec_offset: {
        // DWARF 2 wrote ref_addr with the address size.
        const size = form === DW_FORM.ref_addr && u.version <= 2 ? u.addrSize : u.offsetSize;
        return this.finish(c, u, form, c.uN(size), raw);
      }
      case DW_FORM.block1:
        return c.bytesN(c.u8());
      case DW_FORM.block2:
        return c.bytesN(c.u16());
      case DW_FORM.block4:
        return c.bytesN(c.u32());
      case DW_FORM.block:
      case DW_FORM.exprloc:
        return c.bytesN(c.ulebn());
      case DW_FORM.flag_present:
        return true;
      case DW_FORM.implicit_const:
        return implicitConst;
      case DW_FORM.indirect:
        return this.readValue(c, u, c.ulebn(), implicitConst, raw);
      default:
        return c.fail(`unknown attribute form 0x${form.toString(16)}`);
    }
  }

  /** Turns a raw fixed-size value into its final meaning for its form. */
  private finish(c: Cursor, u: Unit, form: number, v: number, raw: boolean): AttrValue {
    if (raw) return v;
    switch (form) {
      case DW_FORM.flag:
        return v !== 0;
      case DW_FORM.ref1:
      case DW_FORM.ref2:
      case DW_FORM.ref4:
      case DW_FORM.ref8:
      case DW_FORM.ref_udata:
        return u.offset + v;
      case DW_FORM.strp:
        return stringAt('.debug_str', (this.strBytes ??= this.source('.debug_str') ?? EMPTY), v, this.file);
      case DW_FORM.line_strp:
        return stringAt('.debug_line_str', (this.lineStrBytes ??= this.source('.debug_line_str') ?? EMPTY), v, this.file);
      case DW_FORM.strx:
      case DW_FORM.strx1:
      case DW_FORM.strx2:
      case DW_FORM.strx3:
      case DW_FORM.strx4:
      case DW_FORM.GNU_str_index:
        return this.indexedString(c, u, v);
      case DW_FORM.addrx:
      case DW_FORM.addrx1:
      case DW_FORM.addrx2:
      case DW_FORM.addrx3:
      case DW_FORM.addrx4:
      case DW_FORM.GNU_addr_index:
        return this.indexedAddress(u, v);
      default:
        return v;
    }
  }

  private indexedString(c: Cursor, u: Unit, index: number): string {
    const offs = (this.strOffBytes ??= this.source('.debug_str_offsets') ?? EMPTY);
    const at = u.strOffsetsBase + index * u.offsetSize;
    const oc = new Cursor('.debug_str_offsets', offs, at, this.littleEndian, this.file);
    if (at + u.offsetSize > offs.length) c.fail(`string index ${index} outside .debug_str_offsets`);
    const off = oc.offset(u.offsetSize);
    return stringAt('.debug_str', (this.strBytes ??= this.source('.debug_str') ?? EMPTY), off, this.file);
  }

  /**
   * Reads entry `index` of the unit's .debug_addr contribution; NaN when there is no such entry
   * (e.g. a split unit read without its skeleton's .debug_addr).
   */
  indexedAddress(u: Unit, index: number): number | bigint {
    const addrs = (this.addrBytes ??= this.source('.debug_addr') ?? EMPTY);
    if (u.addrBase + (index + 1) * u.addrSize > addrs.length) return Number.NaN;
    const ac = new Cursor('.debug_addr', addrs, u.addrBase + index * u.addrSize, this.littleEndian, this.file);
    return u.addrSize === 8 ? ac.u64() : ac.uN(u.addrSize);
  }
}
