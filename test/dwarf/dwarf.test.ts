// The DWARF reader on the zoo binaries of every Go version (DWARF 4 and 5), compared DIE by DIE
// and row by row with llvm-dwarfdump; DWARF 5 forms Go does not use (strx, line_strp,
// implicit_const, split units) on gcc-built C programs; DwarfError on damaged sections.

import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ElfFile } from '../../lib/elf/index.js';
import {
  DW_AT,
  DW_TAG,
  Die,
  DwarfData,
  DwarfError,
  InfoReader,
  LINE_END_SEQUENCE,
  parseLineTable,
} from '../../lib/dwarf/index.js';
import { GO_VERSIONS, zooBinary } from '../elf/fixtures.js';
import { DumpDie, dwarfdumpInfo, dwarfdumpLines } from './dwarfdump.js';

const TAG_NUMBER: Record<string, number> = {};
for (const [k, v] of Object.entries(DW_TAG)) TAG_NUMBER['DW_TAG_' + k] = v;
// Tags gcc emits that goheap has no constant for.
Object.assign(TAG_NUMBER, {
  DW_TAG_enumeration_type: 0x04,
  DW_TAG_enumerator: 0x28,
  DW_TAG_union_type: 0x17,
  DW_TAG_const_type: 0x26,
  DW_TAG_volatile_type: 0x35,
  DW_TAG_label: 0x0a,
  DW_TAG_call_site: 0x48,
  DW_TAG_call_site_parameter: 0x49,
  DW_TAG_GNU_call_site: 0x4109,
  DW_TAG_restrict_type: 0x37,
});

function unquote(s: string | undefined): string | undefined {
  if (s === undefined) return undefined;
  return s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s;
}

/** Compares every DIE with llvm-dwarfdump: offset, tag, attribute count, name, and typical numbers. */
function compareDies(dwarf: DwarfData, want: DumpDie[]): void {
  const mine = dwarf.dies();
  expect(mine.length, 'DIE count').to.equal(want.length);
  for (let i = 0; i < want.length; i++) {
    const w = want[i];
    const d = mine[i];
    const where = `DIE 0x${w.offset.toString(16)}`;
    expect(d.offset, where).to.equal(w.offset);
    expect(TAG_NUMBER[w.tag], `${where} tag ${w.tag} known`).to.not.equal(undefined);
    expect(d.tag, where).to.equal(TAG_NUMBER[w.tag]);
    expect(d.attrs.length, `${where} attribute count`).to.equal(w.attrs.size);
    const name = unquote(w.attrs.get('DW_AT_name'));
    if (name !== undefined && !name.includes('\\')) expect(d.name, where).to.equal(name);
    for (const [at, key] of [
      [DW_AT.byte_size, 'DW_AT_byte_size'],
      [DW_AT.data_member_location, 'DW_AT_data_member_location'],
      [DW_AT.go_kind, 'DW_AT_GO_kind'],
      [DW_AT.go_runtime_type, 'DW_AT_GO_runtime_type'],
      [DW_AT.low_pc, 'DW_AT_low_pc'],
      [DW_AT.count, 'DW_AT_count'],
    ] as const) {
      const v = w.attrs.get(key);
      if (v === undefined || !/^0x[0-9a-f]+$|^\d+$/.test(v)) continue;
      expect(d.num(at), `${where} ${key}`).to.equal(Number(v));
    }
    const ty = w.attrs.get('DW_AT_type');
    if (ty !== undefined) expect(d.ref(DW_AT.type), `${where} DW_AT_type`).to.equal(parseInt(ty, 16));
  }
}

/** Compares every line table with llvm-dwarfdump. */
function compareLines(dwarf: DwarfData, file: string): void {
  const want = dwarfdumpLines(file);
  const tables = new Map(dwarf.units().map((u) => [dwarf.lineTable(u)?.offset, dwarf.lineTable(u)]));
  let rows = 0;
  for (const w of want) {
    const t = tables.get(w.offset);
    expect(t, `table at 0x${w.offset.toString(16)}`).to.not.equal(undefined);
    expect(t!.version).to.equal(w.version);
    expect(t!.count, `rows of table 0x${w.offset.toString(16)}`).to.equal(w.rows.length);
    for (let r = 0; r < w.rows.length; r++) {
      const x = w.rows[r];
      const where = `table 0x${w.offset.toString(16)} row ${r}`;
      expect(t!.address[r], where).to.equal(x.address);
      expect(t!.line[r], where).to.equal(x.line);
      expect(t!.column[r], where).to.equal(x.column);
      expect(t!.file[r], where).to.equal(x.file);
      expect((t!.flags[r] & LINE_END_SEQUENCE) !== 0, where).to.equal(x.endSequence);
    }
    // File names: llvm lists them from index 0 (DWARF 5) or 1 (earlier).
    const first = w.version >= 5 ? 0 : 1;
    for (let i = 0; i < w.fileNames.length; i++) {
      expect(t!.files[first + i].endsWith(w.fileNames[i]), `file ${first + i}`).to.equal(true);
    }
    rows += w.rows.length;
  }
  expect(rows).to.be.greaterThan(1000);
}

function openDwarf(file: string): { elf: ElfFile; dwarf: DwarfData } {
  const elf = ElfFile.open(file);
  return { elf, dwarf: new DwarfData((n) => elf.sectionData(n), !elf.bigEndian) };
}

describe('dwarf: zoo binaries against llvm-dwarfdump', () => {
  for (const v of GO_VERSIONS) {
    describe(`go${v}`, () => {
      const { elf, dwarf } = openDwarf(zooBinary(v));
      after(() => elf.close());

      it('parses all of .debug_info quickly (timed)', () => {
        // A fresh reader so that the time includes decompression and the whole DIE parse.
        const e2 = ElfFile.open(zooBinary(v));
        const t0 = performance.now();
        const d2 = new DwarfData((n) => e2.sectionData(n));
        const n = d2.dies().length;
        const ms = performance.now() - t0;
        e2.close();
        console.log(`      go${v}: ${n} DIEs, .debug_info ${d2.info.info.length} bytes, parsed in ${ms.toFixed(0)} ms`);
        expect(ms).to.be.lessThan(1000);
      });

      it('unit headers match', () => {
        const want = dwarfdumpInfo(zooBinary(v)).units;
        const units = dwarf.units();
        expect(units.length).to.equal(want.length);
        for (let i = 0; i < want.length; i++) {
          expect(units[i].offset).to.equal(want[i].offset);
          expect(units[i].version).to.equal(want[i].version);
          expect(units[i].addrSize).to.equal(want[i].addrSize);
          expect(units[i].abbrevOffset).to.equal(want[i].abbrOffset);
        }
        expect(units[0].version).to.equal(Number(v.split('.')[1]) >= 25 ? 5 : 4);
      });

      it('every DIE matches (offset, tag, attribute count, name, sizes, offsets, kinds, types)', () => {
        compareDies(dwarf, dwarfdumpInfo(zooBinary(v)).dies);
      });

      it('main.Node DIE: members and Go attributes as llvm-dwarfdump prints them', () => {
        const dump = dwarfdumpInfo(zooBinary(v)).dies;
        const w = dump.find((d) => d.tag === 'DW_TAG_structure_type' && d.attrs.get('DW_AT_name') === '"main.Node"')!;
        const die = dwarf.dieAt(w.offset)!;
        expect(die.num(DW_AT.go_kind)).to.equal(25);
        expect(die.num(DW_AT.go_runtime_type)).to.equal(parseInt(w.attrs.get('DW_AT_GO_runtime_type')!, 16));
        const members = dwarf.children(die);
        const wm = dump.filter((d) => d.offset > w.offset && d.offset < members[members.length - 1].offset + 1);
        expect(members.map((m) => m.name)).to.deep.equal(wm.map((m) => unquote(m.attrs.get('DW_AT_name'))));
        expect(members.map((m) => m.num(DW_AT.data_member_location))).to.deep.equal(
          wm.map((m) => Number(m.attrs.get('DW_AT_data_member_location'))),
        );
        expect(members.every((m: Die) => m.parent === die.index)).to.equal(true);
      });

      it('every line table row matches llvm-dwarfdump --debug-line', () => {
        compareLines(dwarf, zooBinary(v));
      });

      it('pc lookup inside main.recurse gives the rows llvm-dwarfdump lists', () => {
        const fn = dwarf.dies().find((d) => d.tag === DW_TAG.subprogram && d.name === 'main.recurse')!;
        const low = fn.num(DW_AT.low_pc)!;
        const dump = dwarfdumpInfo(zooBinary(v)).dies.find((d) => d.offset === fn.offset)!;
        const high = parseInt(dump.attrs.get('DW_AT_high_pc')!, 16);
        const rows = dwarfdumpLines(zooBinary(v))
          .flatMap((t) => t.rows.map((r) => ({ ...r, fileName: t.fileNames[r.file - (t.version >= 5 ? 0 : 1)] })))
          .filter((r) => r.address >= low && r.address < high && !r.endSequence);
        expect(rows.length).to.be.greaterThan(5);
        // Row r covers its address when it is the last row at that address.
        let checked = 0;
        for (let i = 0; i < rows.length; i++) {
          if (i + 1 < rows.length && rows[i + 1].address === rows[i].address) continue;
          const info = dwarf.lookupPc(rows[i].address)!;
          expect(info.line, `pc 0x${rows[i].address.toString(16)}`).to.equal(rows[i].line);
          expect(info.file.endsWith(rows[i].fileName), info.file).to.equal(true);
          checked++;
        }
        expect(checked).to.be.greaterThan(5);
        // The source lines of recurse (118-128 in fixtures/zoo/main.go) cover its body.
        const lines = new Set(rows.map((r) => r.line));
        expect(lines.has(119) || lines.has(120)).to.equal(true);
        expect(dwarf.lookupPc(low)!.file).to.match(/main\.go$/);
        expect(dwarf.lookupPc(0)).to.equal(undefined);
      });
    });
  }
});

describe('dwarf: DWARF 4/5 forms from gcc (strp, line_strp, implicit_const, strx in split units)', function () {
  this.timeout(60000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'goheap-dwarf-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  let haveGcc = true;
  before(() => {
    fs.writeFileSync(
      path.join(tmp, 't.c'),
      [
        'struct point { int x; long y; char *name; };',
        'struct point origin = { 1, 2, "o" };',
        'static int counter;',
        'int add(struct point *p, int k) { int z = p->x + k; counter += z; return z * 2; }',
        'int main(void) { return add(&origin, 3); }',
        '',
      ].join('\n'),
    );
    try {
      execFileSync('gcc', ['-gdwarf-5', '-O0', '-o', 't5', 't.c'], { cwd: tmp });
      execFileSync('gcc', ['-gdwarf-4', '-O0', '-o', 't4', 't.c'], { cwd: tmp });
      execFileSync('gcc', ['-gdwarf-5', '-gsplit-dwarf', '-O0', '-o', 't5s', 't.c'], { cwd: tmp });
    } catch {
      haveGcc = false;
    }
  });

  for (const name of ['t4', 't5']) {
    it(`${name}: DIEs and line rows match llvm-dwarfdump`, function () {
      if (!haveGcc) this.skip();
      const file = path.join(tmp, name);
      const { elf, dwarf } = openDwarf(file);
      compareDies(dwarf, dwarfdumpInfo(file).dies);
      const want = dwarfdumpLines(file);
      const t = dwarf.lineTable(dwarf.units()[0])!;
      expect(t.version).to.equal(name === 't5' ? 5 : 4);
      expect(t.count).to.equal(want[0].rows.length);
      for (let r = 0; r < t.count; r++) expect(t.line[r]).to.equal(want[0].rows[r].line);
      const origin = dwarf.dies().find((d) => d.name === 'origin')!;
      expect(origin.tag).to.equal(DW_TAG.variable);
      const add = dwarf.dies().find((d) => d.name === 'add')!;
      expect(dwarf.lookupPc(add.num(DW_AT.low_pc)!)?.file).to.match(/t\.c$/);
      elf.close();
    });
  }

  it('t5s .dwo: strx names through .debug_str_offsets.dwo match llvm-dwarfdump', function () {
    if (!haveGcc) this.skip();
    const dwo = fs.readdirSync(tmp).find((f) => f.endsWith('.dwo'))!;
    const file = path.join(tmp, dwo);
    const elf = ElfFile.open(file);
    const dwarf = new DwarfData((n) => elf.sectionData(n + '.dwo'));
    const want = dwarfdumpInfo(file).dies;
    compareDies(dwarf, want);
    const names = dwarf.dies().map((d) => d.name).filter((n) => n !== undefined);
    expect(names).to.include.members(['point', 'origin', 'add', 'main', 'counter']);
    elf.close();
  });
});

describe('dwarf: damaged sections give DwarfError with section and offset', () => {
  const { elf, dwarf } = openDwarf(zooBinary('1.26'));
  after(() => elf.close());

  it('a .debug_info cut inside its second unit', () => {
    const u1 = dwarf.units()[1];
    const info = elf.sectionData('.debug_info')!.subarray(0, u1.offset + 20);
    const r = new InfoReader((n) => (n === '.debug_info' ? info : elf.sectionData(n)));
    expect(() => r.units()).to.throw(DwarfError, /runs past end of section/);
    try {
      r.units();
    } catch (e) {
      expect((e as DwarfError).section).to.equal('.debug_info');
      expect((e as DwarfError).offset).to.equal(u1.offset);
    }
  });

  it('an unknown abbreviation code', () => {
    const info = Uint8Array.from(elf.sectionData('.debug_info')!);
    const u0 = dwarf.units()[0];
    info[u0.firstDie] = 0x7f; // no abbreviation 127 in Go's table
    const r = new InfoReader((n) => (n === '.debug_info' ? info : elf.sectionData(n)));
    try {
      r.dies();
      throw new Error('expected a DwarfError');
    } catch (e) {
      expect(e).to.be.instanceOf(DwarfError);
      expect((e as DwarfError).offset).to.equal(u0.firstDie);
      expect((e as DwarfError).message).to.match(/abbreviation code 127/);
    }
  });

  it('a line program cut short', () => {
    const line = elf.sectionData('.debug_line')!;
    expect(() => parseLineTable(line.subarray(0, 40), 0, {})).to.throw(DwarfError, /\.debug_line/);
  });

  it('given the binary\'s path, every error names it: "BINARY: SECTION: offset 0x..: detail"', () => {
    const bin = zooBinary('1.26');
    const info = Uint8Array.from(elf.sectionData('.debug_info')!);
    const u0 = dwarf.units()[0];
    info[u0.firstDie] = 0x7f;
    const d = new DwarfData((n) => (n === '.debug_info' ? info : elf.sectionData(n)), true, bin);
    expect(() => d.dies()).to.throw(DwarfError,
      new RegExp(`^${bin.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: \\.debug_info: offset 0x${u0.firstDie.toString(16)}: unknown abbreviation code 127$`));
    const line = elf.sectionData('.debug_line')!;
    try {
      parseLineTable(line.subarray(0, 40), 0, {}, true, bin);
      throw new Error('expected a DwarfError');
    } catch (e) {
      expect(e).to.be.instanceOf(DwarfError);
      expect((e as DwarfError).file).to.equal(bin);
      expect((e as DwarfError).message.startsWith(`${bin}: .debug_line: offset 0x`)).to.equal(true);
    }
    const noInfo = (): DwarfData => new DwarfData(() => undefined, true, bin);
    expect(noInfo).to.throw(DwarfError, `${bin}: .debug_info: offset 0x0: no .debug_info section`);
  });
});
