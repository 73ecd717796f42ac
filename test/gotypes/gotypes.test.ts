// The Go type model on the zoo binaries of every Go version: sizes against the program's own
// unsafe.Sizeof facts, global addresses against its printed &ListHead/&LeakyCache, layouts against
// llvm-dwarfdump, runtime type addresses and pointer maps against the runtime type descriptors the
// Go linker wrote into .rodata (size, kind, name, GC pointer bitmap), plus 32-bit/big-endian builds.

import { expect } from 'chai';
import { GoKind, GoProgram, loadGoProgram } from '../../lib/gotypes/index.js';
import { CROSS_ARCHES, GO_VERSIONS, crossZoo, readelfSymbols, zooBinary, zooFacts } from '../elf/fixtures.js';
import { dwarfdumpInfo } from '../dwarf/dwarfdump.js';

/** A runtime type descriptor as the Go linker laid it out (runtime._type / internal/abi.Type). */
interface RuntimeType {
  size: number;
  ptrBytes: number;
  tflag: number;
  kind: number;
  gcdata: number;
  name: string;
}

/** Reads the runtime type descriptor at `addr` straight from the executable's bytes. */
function readRuntimeType(p: GoProgram, addr: number): RuntimeType | undefined {
  const w = p.ptrSize;
  const b = p.elf.readVirtual(addr, w === 8 ? 48 : 32);
  if (b === undefined) return undefined;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const le = !p.bigEndian;
  const word = (o: number): number =>
    w === 4 ? dv.getUint32(o, le) : le ? dv.getUint32(o + 4, le) * 2 ** 32 + dv.getUint32(o, le) : dv.getUint32(o, le) * 2 ** 32 + dv.getUint32(o + 4, le);
  const t = {
    size: word(0),
    ptrBytes: word(w),
    tflag: dv.getUint8(2 * w + 4),
    kind: dv.getUint8(2 * w + 7),
    gcdata: word(3 * w + 8),
    name: '',
  };
  const nameOff = dv.getInt32(4 * w + 8, le);
  // A name: flags byte, uvarint length, bytes (Go 1.17+ encoding).
  const nb = p.elf.readVirtual(p.runtimeTypesBase + nameOff, 1 + 10 + 4096)!;
  let len = 0;
  let i = 1;
  for (let shift = 0; ; shift += 7) {
    const c = nb[i++];
    len |= (c & 0x7f) << shift;
    if ((c & 0x80) === 0) break;
  }
  t.name = Buffer.from(nb.subarray(i, i + len)).toString('utf8');
  if ((t.tflag & 2) !== 0) t.name = t.name.slice(1); // tflagExtraStar
  return t;
}

/** The reflect kind the runtime stores for a goheap kind. */
function reflectKind(k: GoKind): number {
  return k === GoKind.Eface ? GoKind.Iface : k;
}

const MAIN_TYPES = ['main.Node', 'main.Session', 'main.Medium', 'main.Big', 'main.Circle', 'main.Rect', 'main.Garbage', 'main.Finalized', 'main.Doomed'];

describe('gotypes: zoo binaries', () => {
  for (const v of GO_VERSIONS) {
    describe(`go${v}`, () => {
      const facts = zooFacts(v);
      let p: GoProgram;
      before(() => {
        const t0 = performance.now();
        p = loadGoProgram(zooBinary(v));
        console.log(`      go${v}: loadGoProgram ${(performance.now() - t0).toFixed(0)} ms, ${p.types.length} types, ${p.globals.length} globals, ${p.functions.length} functions`);
      });
      after(() => p.close());

      it('program facts: pointer size, arch, Go version, byte order', () => {
        expect(p.ptrSize).to.equal(facts.ptrSize);
        expect(p.arch).to.equal(facts.goarch);
        expect(p.goVersion).to.equal(facts.goVersion);
        expect(p.bigEndian).to.equal(false);
      });

      it('struct sizes equal unsafe.Sizeof as the program printed them', () => {
        for (const [k, size] of Object.entries(facts.sizes)) {
          const t = p.typeByName('main.' + k);
          expect(t, k).to.not.equal(undefined);
          expect(t!.kind, k).to.equal(GoKind.Struct);
          expect(t!.size, k).to.equal(size);
        }
      });

      it('globals ListHead and LeakyCache sit where the program printed &ListHead and &LeakyCache', () => {
        const lh = p.globalByName('main.ListHead')!;
        const lc = p.globalByName('main.LeakyCache')!;
        expect(lh.address).to.equal(parseInt(facts.addresses.ListHeadGlobal as string, 16));
        expect(lc.address).to.equal(parseInt(facts.addresses.LeakyCacheGlobal as string, 16));
        expect(lh.type?.name).to.equal('*main.Node');
        expect(lh.type?.elem?.name).to.equal('main.Node');
        expect(lc.type?.kind).to.equal(GoKind.Map);
        expect(lc.type?.key?.name).to.equal('string');
        expect(lc.type?.elem?.name).to.equal('*main.Session');
        const sec = p.sections.bss;
        expect(lh.address >= sec.addr && lh.address < sec.addr + sec.size).to.equal(true);
      });

      it('every main.* global matches its .symtab symbol (address and size)', () => {
        const syms = new Map(readelfSymbols(zooBinary(v)).map((s) => [s.name, s]));
        let n = 0;
        for (const g of p.globals) {
          if (!g.name.startsWith('main.')) continue;
          const s = syms.get(g.name);
          if (s === undefined) continue;
          expect(g.address, g.name).to.equal(s.value);
          expect(g.size, g.name).to.equal(s.size);
          n++;
        }
        expect(n).to.be.greaterThan(8);
      });

      it('struct members of main.Node, main.Session, main.Medium match llvm-dwarfdump', () => {
        const dies = dwarfdumpInfo(zooBinary(v)).dies;
        for (const name of ['main.Node', 'main.Session', 'main.Medium']) {
          const at = dies.findIndex((d) => d.tag === 'DW_TAG_structure_type' && d.attrs.get('DW_AT_name') === `"${name}"`);
          const members = [];
          for (let i = at + 1; i < dies.length && dies[i].tag === 'DW_TAG_member'; i++) members.push(dies[i]);
          const t = p.typeByName(name)!;
          expect(t.fields!.map((f) => f.name), name).to.deep.equal(members.map((m) => m.attrs.get('DW_AT_name')!.slice(1, -1)));
          expect(t.fields!.map((f) => f.offset), name).to.deep.equal(members.map((m) => Number(m.attrs.get('DW_AT_data_member_location'))));
          // llvm prints member types C-style ("main.Node *"); compare the referenced DIE offsets instead.
          const typeOffsets = members.map((m) => parseInt(m.attrs.get('DW_AT_type')!, 16));
          for (let i = 0; i < typeOffsets.length; i++) {
            expect(p.types[t.fields![i].type.id]).to.equal(t.fields![i].type);
            const target = dies.find((d) => d.offset === typeOffsets[i])!;
            const targetName = target.attrs.get('DW_AT_name')!.slice(1, -1);
            expect(t.fields![i].type.name, `${name}.${t.fields![i].name}`).to.equal(targetName);
          }
        }
      });

      it('the runtime type address of every type with one points at a descriptor of the same size and kind', () => {
        let checked = 0;
        let named = 0;
        for (const t of p.types) {
          if (t.runtimeTypeAddress === undefined) continue;
          const rt = readRuntimeType(p, t.runtimeTypeAddress);
          expect(rt, t.name).to.not.equal(undefined);
          expect(rt!.size, `${t.name} size`).to.equal(t.size);
          expect(rt!.kind & 0x1f, `${t.name} kind`).to.equal(reflectKind(t.kind));
          if (t.name.includes('main.')) {
            // DWARF prefixes compiler-made map/group types with "noalg."; the runtime name has no prefix.
            expect(rt!.name, 'runtime name').to.equal(t.name.replace(/^noalg\./, ''));
            named++;
          }
          expect(p.typeByRuntimeAddress(t.runtimeTypeAddress)?.runtimeTypeAddress).to.equal(t.runtimeTypeAddress);
          checked++;
        }
        expect(checked).to.be.greaterThan(400);
        expect(named).to.be.greaterThan(10);
        for (const n of [...MAIN_TYPES, '*main.Node', 'main.Shape', 'map[string]*main.Session', 'chan *main.Node', 'uintptr']) {
          const t = p.typeByName(n)!;
          expect(t.runtimeTypeAddress, n).to.be.a('number');
          expect(p.typeByRuntimeAddress(t.runtimeTypeAddress!)?.name, n).to.equal(n);
        }
      });

      it('pointer maps equal the GC bitmaps of the runtime type descriptors', () => {
        const TFLAG_GC_MASK_ON_DEMAND = 1 << 4; // Go 1.24+: mask built at run time
        const KIND_GC_PROG = 1 << 6; // before Go 1.24: gcdata is a GC program
        let checked = 0;
        const mismatches: string[] = [];
        for (const t of p.types) {
          if (t.runtimeTypeAddress === undefined) continue;
          const rt = readRuntimeType(p, t.runtimeTypeAddress)!;
          const words = rt.ptrBytes / p.ptrSize;
          const want: number[] = [];
          if (words > 0) {
            const gcProg = Number(v.split('.')[1]) < 24 && (rt.kind & KIND_GC_PROG) !== 0;
            if (gcProg || (rt.tflag & TFLAG_GC_MASK_ON_DEMAND) !== 0 || rt.gcdata === 0) continue;
            const mask = p.elf.readVirtual(rt.gcdata, Math.ceil(words / 8))!;
            for (let i = 0; i < words; i++) if ((mask[i >> 3] >> (i & 7)) & 1) want.push(i * p.ptrSize);
          }
          const got = [...p.pointerMap(t)];
          if (JSON.stringify(got) !== JSON.stringify(want)) mismatches.push(`${t.name}: ${JSON.stringify(got)} vs ${JSON.stringify(want)}`);
          checked++;
        }
        expect(mismatches).to.deep.equal([]);
        expect(checked).to.be.greaterThan(300);
        expect([...p.pointerMap(p.typeByName('main.Node')!)]).to.deep.equal([0, 16]);
        expect([...p.pointerMap(p.typeByName('main.Session')!)]).to.deep.equal([8, 24, 48, 56]);
        expect(p.pointerMap(p.typeByName('main.Big')!).length).to.equal(5000);
      });

      it('map layout: hmap/bmap before Go 1.24, Swiss table types from 1.24', () => {
        const m = p.typeByName('map[string]*main.Session')!;
        expect(m.size).to.equal(p.ptrSize);
        const dies = dwarfdumpInfo(zooBinary(v)).dies;
        const sizeOf = (name: string): number =>
          Number(dies.find((d) => d.attrs.get('DW_AT_name') === `"${name}"` && d.attrs.has('DW_AT_byte_size'))!.attrs.get('DW_AT_byte_size'));
        if (Number(v.split('.')[1]) < 24) {
          expect(m.map!.swiss).to.equal(false);
          expect(m.map!.header.name).to.equal('hash<string,*main.Session>');
          expect(m.map!.bucket!.name).to.equal('bucket<string,*main.Session>');
          expect(m.map!.bucket!.size).to.equal(sizeOf('bucket<string,*main.Session>'));
          expect(m.map!.bucket!.fields!.map((f) => f.name)).to.deep.equal(['tophash', 'keys', 'values', 'overflow']);
        } else {
          expect(m.map!.swiss).to.equal(true);
          expect(m.map!.header.name).to.equal('map<string,*main.Session>');
          expect(m.map!.table!.name).to.equal('table<string,*main.Session>');
          expect(m.map!.bucket!.name).to.equal('noalg.map.group[string]*main.Session');
          // A group: 8-byte control word, then 8 slots of {key string; elem *Session}.
          expect(m.map!.bucket!.size).to.equal(sizeOf('noalg.map.group[string]*main.Session'));
          expect(m.map!.bucket!.size).to.equal(8 + 8 * (16 + 8));
          expect(m.map!.header.fields!.map((f) => f.name)).to.include.members(['used', 'dirPtr', 'dirLen']);
        }
        expect(m.map!.header.size).to.equal(sizeOf(m.map!.header.name));
      });

      it('chan, interface, string, slice and func layouts', () => {
        const ch = p.typeByName('chan *main.Node')!;
        expect(ch.kind).to.equal(GoKind.Chan);
        expect(ch.elem!.name).to.equal('*main.Node');
        expect(ch.chanHeader!.name).to.equal('hchan<*main.Node>');
        expect(ch.chanHeader!.fields!.map((f) => f.name)).to.include.members(['qcount', 'dataqsiz', 'buf', 'elemsize', 'recvq']);
        const shape = p.typeByName('main.Shape')!;
        expect(shape.kind).to.equal(GoKind.Iface);
        expect(shape.size).to.equal(2 * p.ptrSize);
        expect(shape.fields!.map((f) => f.name)).to.deep.equal(['tab', 'data']);
        const eface = p.typeByName('interface {}')!;
        expect(eface.kind).to.equal(GoKind.Eface);
        expect(eface.fields!.map((f) => f.name)).to.deep.equal(['_type', 'data']);
        const s = p.typeByName('string')!;
        expect(s.kind).to.equal(GoKind.String);
        expect(s.fields!.map((f) => [f.name, f.offset])).to.deep.equal([['str', 0], ['len', p.ptrSize]]);
        const sl = p.typeByName('[]main.Shape')!;
        expect(sl.kind).to.equal(GoKind.Slice);
        expect(sl.elem).to.equal(shape);
        expect(sl.fields!.map((f) => f.name)).to.deep.equal(['array', 'len', 'cap']);
        const fn = p.typeByName('func() int')!;
        expect(fn.kind).to.equal(GoKind.Func);
        expect(fn.size).to.equal(p.ptrSize);
        expect(p.funcval!.fields![0].name).to.equal('fn');
        expect(p.globalByName('main.Counter')!.type).to.equal(fn);
        const arr = p.typeByName('main.Medium')!.fields![1].type;
        expect(arr.kind).to.equal(GoKind.Array);
        expect(arr.len).to.equal(100);
        expect(arr.elem!.name).to.equal('*main.Node');
      });

      it('main.recurse: pc range, parameters, locals and line table agree with llvm-dwarfdump', () => {
        const f = p.functionByName(facts.recurseFunc)!;
        const dies = dwarfdumpInfo(zooBinary(v)).dies;
        const w = dies.find((d) => d.tag === 'DW_TAG_subprogram' && d.attrs.get('DW_AT_name') === '"main.recurse"')!;
        expect(f.lowPc).to.equal(parseInt(w.attrs.get('DW_AT_low_pc')!, 16));
        expect(f.highPc).to.equal(parseInt(w.attrs.get('DW_AT_high_pc')!, 16));
        expect(f.params.filter((x) => !x.isResult).map((x) => [x.name, x.type?.name])).to.deep.equal([
          ['n', 'int'],
          ['ready', '*sync.WaitGroup'],
        ]);
        const pad = f.locals.find((x) => x.name === 'pad')!;
        expect(pad.type!.name).to.equal('[4]int64');
        // Where llvm-dwarfdump shows "DW_OP_fbreg N" for pad, we give a frame offset N.
        const dump = run_dwarfdump_pad(v);
        if (dump !== undefined) {
          const locs = [pad.location, ...(pad.locationList ?? []).map((e) => e.location)];
          expect(locs.some((l) => l?.kind === 'frame' && l.offset === dump)).to.equal(true);
        }
        expect(p.functionAt(f.lowPc + 1)).to.equal(f);
        expect(p.lineAt(f.lowPc)!.file).to.match(/main\.go$/);
        expect(p.lineAt(f.lowPc)!.line).to.equal(118);
      });
    });
  }
});

/** The DW_OP_fbreg offset llvm-dwarfdump prints for main.recurse's local pad, if it has one. */
function run_dwarfdump_pad(v: string): number | undefined {
  const dies = dwarfdumpInfo(zooBinary(v)).dies;
  const at = dies.findIndex((d) => d.tag === 'DW_TAG_subprogram' && d.attrs.get('DW_AT_name') === '"main.recurse"');
  for (let i = at + 1; i < dies.length && dies[i].tag !== 'DW_TAG_subprogram'; i++) {
    if (dies[i].attrs.get('DW_AT_name') !== '"pad"') continue;
    const loc = dies[i].attrs.get('DW_AT_location') ?? '';
    const m = /DW_OP_fbreg (-?\d+)/.exec(loc);
    return m ? Number(m[1]) : undefined;
  }
  return undefined;
}

describe('gotypes: 32-bit and big-endian builds of zoo (cross-compiled with Go 1.26)', function () {
  this.timeout(600000);
  const bins = new Map<string, string | undefined>();
  before(async () => {
    for (const arch of CROSS_ARCHES) bins.set(arch, await crossZoo(arch));
  });
  const want: Record<string, { ptrSize: number; bigEndian: boolean }> = {
    '386': { ptrSize: 4, bigEndian: false },
    mips: { ptrSize: 4, bigEndian: true },
    s390x: { ptrSize: 8, bigEndian: true },
  };
  for (const arch of CROSS_ARCHES) {
    it(`${arch}: pointer size, byte order, layouts and runtime type descriptors`, function () {
      const file = bins.get(arch);
      if (file === undefined) this.skip();
      const p = loadGoProgram(file!);
      expect(p.ptrSize).to.equal(want[arch].ptrSize);
      expect(p.bigEndian).to.equal(want[arch].bigEndian);
      expect(p.arch).to.equal(arch);
      const dies = dwarfdumpInfo(file!).dies;
      const node = p.typeByName('main.Node')!;
      const w = dies.find((d) => d.tag === 'DW_TAG_structure_type' && d.attrs.get('DW_AT_name') === '"main.Node"')!;
      expect(node.size).to.equal(Number(w.attrs.get('DW_AT_byte_size')));
      expect(node.fields![0].offset).to.equal(0);
      expect(node.fields![2].offset).to.equal(node.size - 2 * p.ptrSize); // Name string is last
      const syms = new Map(readelfSymbols(file!).map((s) => [s.name, s]));
      expect(p.globalByName('main.ListHead')!.address).to.equal(syms.get('main.ListHead')!.value);
      let checked = 0;
      for (const t of p.types) {
        if (t.runtimeTypeAddress === undefined) continue;
        const rt = readRuntimeType(p, t.runtimeTypeAddress)!;
        expect(rt.size, t.name).to.equal(t.size);
        expect(rt.kind & 0x1f, t.name).to.equal(reflectKind(t.kind));
        if (t.name.startsWith('main.') || t.name.startsWith('*main.')) expect(rt.name).to.equal(t.name);
        checked++;
      }
      expect(checked).to.be.greaterThan(400);
      p.close();
    });
  }
});

