// The HPROF exporter (lib/export/hprof.ts) on every zoo fixture, checked with an independent reader: VisualVM's heap
// library (Debian's visualvm package, scripts/install-visualvm.sh) driven by test/java/HprofCheck.java on the
// machine's Java. Its class histogram must equal goheap's type histogram and the Go program's own counts, its
// retained sizes goheap's dominator tree, its GC roots name the globals and hold the goroutines as threads with their
// stacks. A small reader of our own (hprof-reader.ts) checks the byte layout: segments that end on sub-record
// boundaries, HEAP DUMP END, no reference to an object that is not in the file.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HeapSession } from '../../lib/session/index.js';
import { logicalFrames, typeHistogram } from '../../lib/typing/index.js';
import { OutputSink } from '../../lib/export/output.js';
import { writeHprof, type HprofStats } from '../../lib/export/hprof.js';
import { hprofClassName, splitQualified } from '../../lib/export/hprof-names.js';
import { MAX_FIELDS } from '../../lib/export/hprof-layout.js';
import { threadName } from '../../lib/export/hprof-threads.js';
import { GO_VERSIONS, ROOT, addr, scratchDir, zooBinary, zooDump, zooFacts, SHARED_INDEX } from '../support/fixtures.js';
import { type HprofFile, instanceFields, readHprof } from './hprof-reader.js';
import { hprofCheck } from '../support/visualvm.js';

/** What HprofCheck.java prints. */
interface VisualVmView {
  summary: { instances: number; bytes: number };
  classes: { name: string; id: number; count: number; bytes: number; instanceSize: number; array: boolean; fields: number; statics: { name: string; id: number }[] }[];
  /** [id, class index, shallow size, retained size, reachable 0/1] */
  instances: [number, number, number, number, number][];
  biggest: number[];
  roots: { kind: string; id: number; thread?: number; frame?: number }[];
  threads: { id: number; class: string; name: string; daemon: boolean; tid: number; retained: number; locals: number; frames: string[] }[];
}

function visualVm(hprof: string): VisualVmView {
  return hprofCheck<VisualVmView>(hprof, ['40']);
}

/** Exports `s` to `file` (small segments, so that even a fixture spans many). */
async function exportTo(s: HeapSession, file: string, live = false, segmentSize = 64 * 1024): Promise<HprofStats> {
  const sink = OutputSink.open(file, { inputs: [s.dumpPath, s.binaryPath] });
  try {
    const stats = await writeHprof(s, sink, { segmentSize, live });
    await sink.finish();
    return stats;
  } catch (e) {
    sink.abort();
    throw e;
  }
}

/** The bytes of the elements of array `id` in `f` (an object array's IDs, a primitive array's values). */
function arrayElementBytes(f: HprofFile, id: number): number {
  const o = f.objectArrays.get(id);
  if (o !== undefined) return o.elements.length * f.idSize;
  const p = f.primitiveArrays.get(id);
  if (p === undefined) throw new Error(`0x${id.toString(16)} is no array of the file`);
  return p.data.length;
}

const FACT_TYPES: [string, string][] = [
  ['Node', 'main.Node'], ['Big', 'main.Big'], ['Medium', 'main.Medium'], ['Rect', 'main.Rect'], ['Circle', 'main.Circle'],
  ['Finalized', 'main.Finalized'],
];

describe('export/hprof: VisualVM reads the HPROF of every zoo fixture', function () {
  this.timeout(300000);
  const scratch = scratchDir(`hprof-${process.pid}`);
  after(() => fs.rmSync(scratch, { recursive: true, force: true }));

  for (const version of GO_VERSIONS) {
    describe(`zoo go${version}`, () => {
      let s: HeapSession;
      let vv: VisualVmView;
      /** The default file as this file's own reader reads it. */
      let fileRead: HprofFile;
      let stats: HprofStats;
      /** The export of every object (the default), and of the reachable ones (--live). */
      const file = path.join(scratch, `zoo-go${version}.hprof`);
      const liveFile = path.join(scratch, `zoo-go${version}-live.hprof`);
      let liveVv: VisualVmView;
      const byName = new Map<string, VisualVmView['classes'][number][]>();
      const byId = new Map<number, [number, number, number, number, number]>();

      before(async () => {
        s = await HeapSession.open(zooDump(version), { binary: zooBinary(version), cacheDir: path.join(scratch, 'index') });
        stats = await exportTo(s, file);
        vv = visualVm(file);
        fileRead = readHprof(file);
        for (const c of vv.classes) {
          const list = byName.get(c.name) ?? [];
          list.push(c);
          byName.set(c.name, list);
        }
        await exportTo(s, liveFile, true);
        liveVv = visualVm(liveFile);
        for (const i of liveVv.instances) byId.set(i[0], i);
      });
      after(() => s?.close());

      it('the class histogram equals goheap types for every Go type that is an instance class, and the program\'s counts', () => {
        const facts = zooFacts(version);
        // goheap types --by-length: arrays split by length, as the HPROF has them (a class per length).
        const rows = typeHistogram(s.graph, s.types, false, true);
        // The bytes of a Go object that VisualVM counts with the synthetic arrays inside it (IDs inside the object, not
        // its address), by the object's class: each array's elements (as the file has them), its shallow size in
        // VisualVM being those and a Java array header.
        const inArrays = new Map<string, number>();
        let synthetic = 0;
        for (const [id, , shallow] of vv.instances) {
          const o = s.findObject(id);
          if (o < 0 || s.address(o) === id || s.typeName(o) === 'tiny block') continue;
          const elements = arrayElementBytes(fileRead, id);
          expect(shallow - elements, `synthetic array 0x${id.toString(16)}: VisualVM's header`).to.be.within(1, 32);
          expect(elements, `synthetic array 0x${id.toString(16)}`).to.be.within(0, s.size(o));
          inArrays.set(s.typeName(o), (inArrays.get(s.typeName(o)) ?? 0) + elements);
          synthetic++;
        }
        expect(synthetic).to.be.greaterThan(0);
        let compared = 0;
        let withArrays = 0;
        for (const r of rows) {
          if (r.name.startsWith('untyped') || r.name.startsWith('tiny block')) continue;
          const classes = byName.get(hprofClassName(r.name));
          if (r.name.includes('main.')) expect(classes, `class for ${r.name}`).to.not.equal(undefined);
          if (!classes || classes.some((c) => c.array)) continue;
          const count = classes.reduce((a, c) => a + c.count, 0);
          const bytes = classes.reduce((a, c) => a + c.bytes, 0) + (inArrays.get(r.name) ?? 0);
          expect([r.name, count, bytes]).to.deep.equal([r.name, r.count, r.bytes]);
          compared++;
          if (inArrays.has(r.name)) withArrays++;
        }
        expect(compared).to.be.greaterThan(30);
        expect(withArrays).to.be.greaterThan(0);
        // Untyped objects: one class per size class and pointer layout, together goheap's row.
        for (const r of rows.filter((x) => x.name.startsWith('untyped (size class '))) {
          const prefix = r.name.slice(0, -1);
          const classes = vv.classes.filter((c) => !c.array && (c.name === r.name || c.name.startsWith(`${prefix},`)));
          const bytes = classes.reduce((a, c) => a + c.bytes, 0) + (inArrays.get(r.name) ?? 0);
          expect([r.name, classes.reduce((a, c) => a + c.count, 0), bytes]).to.deep.equal([r.name, r.count, r.bytes]);
        }
        // The Go program's own counts.
        for (const [fact, type] of FACT_TYPES) {
          expect([type, byName.get(type)?.[0]?.count]).to.deep.equal([type, facts.counts[fact]]);
        }
        expect(byName.get('main.Session')?.[0]?.count).to.equal(facts.counts.Session1);
        expect(byName.get('main.Node')?.[0]?.instanceSize).to.equal(facts.sizes.Node);
        // main.Big's inline arrays are synthetic arrays: the instance counts the rest of its Go size.
        const big = s.findObject(addr(facts.addresses.BigObj));
        const bigArrays = vv.instances.filter(([id]) => id !== s.address(big) && s.findObject(id) === big).reduce((a, [id]) => a + arrayElementBytes(fileRead, id), 0);
        expect(bigArrays).to.be.greaterThan(0);
        expect(byName.get('main.Big')![0].instanceSize + bigArrays).to.equal(s.size(big));
      });

      it('retained sizes (--live): VisualVM\'s are goheap\'s dominator tree summed with VisualVM\'s shallow sizes', () => {
        // goheap and VisualVM agree on what dominates what: VisualVM's retained size of an object X is the sum of
        // VisualVM's shallow sizes over goheap's dominator subtree of X. The numbers differ from goheap's only where
        // the models do: VisualVM sizes an array as a Java array (header + elements), and a tiny block is split into
        // its sub-objects (leaves: each is retained by X when every reference to it comes from X's subtree; the bytes
        // no sub-object covers are an object nobody points to). Without --live they differ more: VisualVM counts a
        // reference from an unreachable object as a path from the roots.
        const f = readHprof(liveFile);
        const isTiny = (i: number): boolean => s.typeName(i) === 'tiny block';
        // Tiny parts: the instances and arrays inside a tiny block, with who references them.
        const parts = new Map<number, number[]>();
        const rootIds = new Set(f.roots.map((r) => r.id));
        for (const [id] of byId) {
          const o = s.findObject(id);
          if (o >= 0 && isTiny(o)) parts.set(id, []);
        }
        const noteRef = (from: number, to: number): void => { parts.get(to)?.push(from); };
        for (const [id, inst] of f.instances) {
          const c = f.classes.get(inst.classId)!;
          let p = 0;
          for (const fld of c.fields) {
            if (fld.type === 2) noteRef(id, f.idSize === 8 ? inst.data.readUInt32BE(p) * 4294967296 + inst.data.readUInt32BE(p + 4) : inst.data.readUInt32BE(p));
            p += fld.type === 2 ? f.idSize : ({ 4: 1, 5: 2, 6: 4, 7: 8, 8: 1, 9: 2, 10: 4, 11: 8 } as Record<number, number>)[fld.type];
          }
        }
        for (const [id, arr] of f.objectArrays) for (const v of arr.elements) noteRef(id, v);
        // Synthetic arrays (an inline array, or a big padding, of a Go object): IDs inside a Go object that are not
        // its address nor a tiny part; the object retains them, and VisualVM counts them in full.
        const synthetic = new Map<number, number>();
        const syntheticIds = new Map<number, number[]>();
        for (const [id, v] of byId) {
          const o = s.findObject(id);
          if (o < 0 || isTiny(o) || s.address(o) === id) continue;
          synthetic.set(o, (synthetic.get(o) ?? 0) + v[2]);
          syntheticIds.set(o, [...(syntheticIds.get(o) ?? []), id]);
        }
        expect(synthetic.size).to.be.greaterThan(0);
        const expected = (x: number): { hprof: number; arrays: number; tiny: number } => {
          const subtree = new Set<number>();
          const stack = [x];
          let hprof = 0;
          let arrays = 0;
          let tinyBytes = 0;
          while (stack.length > 0) {
            const o = stack.pop()!;
            subtree.add(s.address(o));
            for (const id of syntheticIds.get(o) ?? []) subtree.add(id);
            if (isTiny(o)) tinyBytes += s.size(o);
            else {
              const v = byId.get(s.address(o));
              expect(v, `instance 0x${s.address(o).toString(16)}`).to.not.equal(undefined);
              hprof += v![2] + (synthetic.get(o) ?? 0);
              arrays += v![2] - s.size(o) + (synthetic.get(o) ?? 0);
            }
            for (const c of s.dominated({ kind: 'object', object: o }, 0, 1e9).items) if (c.kind === 'object') stack.push(c.object);
          }
          let tiny = 0;
          for (const [id, from] of parts) {
            if (rootIds.has(id) || from.length === 0 || !from.every((a) => subtree.has(a))) continue;
            tiny += byId.get(id)![2];
          }
          return { hprof: hprof + tiny, arrays, tiny: tiny - tinyBytes };
        };
        const top = s.topObjects(10);
        expect(top.length).to.equal(10);
        for (const t of top) {
          const v = byId.get(t.address)!;
          const e = expected(t.object);
          expect([t.type, v[3]]).to.deep.equal([t.type, e.hprof]);
          // The difference from goheap's number, explained: array headers and the tiny blocks' split.
          expect(v[3] - t.retained).to.equal(e.arrays + e.tiny);
        }
        // VisualVM's own biggest objects (Go objects among them; class objects hold the globals) obey the same rule.
        const goBiggest = liveVv.biggest.filter((id) => s.findObject(id) >= 0 && s.address(s.findObject(id)) === id).slice(0, 10);
        expect(goBiggest.length).to.equal(10);
        for (const id of goBiggest) expect(byId.get(id)![3]).to.equal(expected(s.findObject(id)).hprof);
        // The same objects are alive: VisualVM reaches every object goheap reaches (tiny blocks aside), and with
        // --live nothing else is written.
        let checked = 0;
        for (let i = 0; i < s.objectCount; i++) {
          if (isTiny(i)) continue;
          const v = byId.get(s.address(i));
          expect([s.address(i), v?.[4] ?? 0]).to.deep.equal([s.address(i), s.isReachable(i) ? 1 : 0]);
          checked++;
        }
        expect(checked).to.be.greaterThan(1000);
      });

      it('GC roots: globals by name as static fields of their package class, goroutines as threads with their stacks', () => {
        const facts = zooFacts(version);
        const main = byName.get('main')![0];
        const statics = new Map(main.statics.map((x) => [x.name, x.id]));
        expect(statics.get('ListHead')).to.equal(addr(facts.addresses.ListHead));
        expect(statics.get('BigObj')).to.equal(addr(facts.addresses.BigObj));
        expect(statics.has('LeakyCache')).to.equal(true);
        // Every global goheap names as a root is a static field of its package's class.
        let globals = 0;
        for (const r of s.rootRows()) {
          if (r.kind !== 'global' || /^(data|bss)\+/.test(r.name)) continue;
          // A value the linker allocated for a pointer global ("*main.X") is the static field "*X" of class main.
          const pointee = r.name.startsWith('*');
          const [pkg, member] = splitQualified(pointee ? r.name.slice(1) : r.name);
          const name = pointee ? `*${member}` : member;
          const c = byName.get(hprofClassName(pkg))?.[0];
          expect(c, `class ${pkg}`).to.not.equal(undefined);
          expect(c!.statics.some((x) => x.name === name || x.name.startsWith(`${name}.`) || x.name.startsWith(`${name}[`)), r.name).to.equal(true);
          globals++;
        }
        expect(globals).to.be.greaterThan(10);
        expect(vv.classes.filter((c) => c.statics.length > 0 && c.name.startsWith('*')).map((c) => c.name), 'package classes named with a star').to.deep.equal([]);
        // Every goroutine is a java.lang.Thread, read through VisualVM's thread API (ThreadObjectGCRoot): its name,
        // daemon flag and id as the Threads view shows them, its stack frame by frame; the parked recursion shows its
        // frames with file:line from the binary.
        const threadRoots = vv.roots.filter((r) => r.kind === 'thread object');
        expect(threadRoots.length).to.equal(s.graph.goroutines.length);
        expect(vv.threads.length).to.equal(s.graph.goroutines.length);
        const byGoid = new Map(s.graph.goroutines.map((g, k) => [g.goid, k]));
        for (const t of vv.threads) {
          const k = byGoid.get(t.tid)!;
          expect(k, `thread ${t.tid}`).to.not.equal(undefined);
          const gr = s.graph.goroutines[k];
          expect([t.class, t.name, t.daemon]).to.deep.equal(['java.lang.Thread', threadName(s.graph, k), gr.isSystem]);
          expect(t.name).to.match(new RegExp(`^goroutine ${gr.goid} \\S+ \\[[^\\]]+\\]$`));
          // Its frames as Go's traceback prints them: each physical frame, preceded by the calls inlined in it.
          const fr = s.graph.frames;
          let logical = 0;
          for (let r = fr.goroutineFirstFrame[k]; r < fr.goroutineFirstFrame[k] + fr.goroutineFrameCount[k]; r++) {
            if (fr.goroutine[r] === k) logical += logicalFrames(s.program, s.graph, r).length;
          }
          expect(t.frames.length).to.equal(logical);
          expect(logical).to.be.at.least(fr.goroutineFrameCount[k]);
          expect(t.frames[t.frames.length - 1]).to.match(/^runtime\.goexit\(/);
        }
        const mainThread = vv.threads.find((t) => t.name.startsWith('goroutine 1 main.main ['))!;
        expect(mainThread.frames.some((f) => f.startsWith('main.main('))).to.equal(true);
        const deepest = vv.threads.map((t) => t.frames.filter((f) => f.startsWith(`${facts.recurseFunc}(`)).length);
        expect(Math.max(...deepest)).to.be.at.least(facts.counts.Depth);
        const recurse = vv.threads.find((t) => t.frames.some((f) => f.startsWith(`${facts.recurseFunc}(`)))!;
        expect(recurse.frames.find((f) => f.startsWith(`${facts.recurseFunc}(`))).to.match(/^main\.recurse\(zoo\/main\.go:\d+\)$/);
        expect(recurse.name).to.match(/^goroutine \d+ main\.recurse \[/);
        // What a goroutine holds hangs below its thread object (no object is a root of its own): VisualVM's
        // retained size of the thread covers every object goheap says the goroutine alone retains (a group of one
        // goroutine), besides the thread's own objects (the Thread, its name String and char[], its held array).
        expect(vv.roots.filter((r) => r.kind === 'Java frame').length).to.equal(0);
        // (--live: VisualVM counts a reference from garbage as a path from the roots.)
        const f = readHprof(liveFile);
        let groups = 0;
        for (const row of s.rootRows()) {
          if (row.kind !== 'goroutine' || row.retained === 0) continue;
          const goid = Number(/^goroutine (\d+)/.exec(row.name)![1]);
          const t = liveVv.threads.find((x) => x.tid === goid)!;
          const own = f.instances.get(t.id)!;
          const fields = instanceFields(f, t.id);
          const held = f.objectArrays.get(fields.get('held')!);
          expect(held, `held array of goroutine ${goid}`).to.not.equal(undefined);
          expect(own.classId).to.equal(liveVv.classes.find((c) => c.name === 'java.lang.Thread')!.id);
          expect(t.retained, row.name).to.be.greaterThan(row.retained);
          groups++;
        }
        expect(groups).to.be.greaterThan(0);
        // No class has more fields than the exporter allows (VisualVM reads the count as a signed 16-bit number).
        expect(Math.max(...vv.classes.map((c) => c.fields))).to.be.at.most(MAX_FIELDS);
        // Finalizers are JNI globals.
        expect(vv.roots.filter((r) => r.kind === 'JNI global').length).to.be.greaterThan(facts.counts.Finalized - 1);
        expect(stats.unplacedPointers).to.equal(0);
      });

      it('byte layout: segments end on sub-record boundaries, END last, every reference is an object in the file', () => {
        const f = readHprof(file);
        expect(f.idSize).to.equal(s.graph.params.ptrSize);
        expect(f.segments.length).to.equal(stats.segments);
        expect(f.segments.length).to.be.greaterThan(3);
        expect(Math.max(...f.segments)).to.be.at.most(64 * 1024 + 9);
        expect(f.tags[f.tags.length - 1]).to.equal(0x2c);
        expect(f.tags.filter((t) => t === 0x2c).length).to.equal(1);
        const exists = (id: number): boolean => id === 0 || f.instances.has(id) || f.objectArrays.has(id) || f.primitiveArrays.has(id) || f.classes.has(id);
        let refs = 0;
        for (const [, inst] of f.instances) {
          const c = f.classes.get(inst.classId)!;
          let p = 0;
          for (const fld of c.fields) {
            if (fld.type === 2) {
              const v = f.idSize === 8 ? inst.data.readUInt32BE(p) * 4294967296 + inst.data.readUInt32BE(p + 4) : inst.data.readUInt32BE(p);
              expect(exists(v), `reference 0x${v.toString(16)} in ${c.name}.${fld.name}`).to.equal(true);
              refs++;
            }
            p += fld.type === 2 ? f.idSize : ({ 4: 1, 5: 2, 6: 4, 7: 8, 8: 1, 9: 2, 10: 4, 11: 8 } as Record<number, number>)[fld.type];
          }
          expect(p).to.equal(inst.data.length);
        }
        for (const [, arr] of f.objectArrays) for (const v of arr.elements) { expect(exists(v)).to.equal(true); refs++; }
        expect(refs).to.be.greaterThan(5000);
        for (const r of f.roots) expect(exists(r.id)).to.equal(true);
        // Contents, big-endian: the list head's fields, its name's bytes, the marker string.
        const facts = zooFacts(version);
        const head = instanceFields(f, addr(facts.addresses.ListHead));
        expect(head.get('Value')).to.equal(0);
        expect(head.get('Name.len')).to.equal('node-0'.length);
        const name = f.primitiveArrays.get(head.get('Name')!)!;
        expect(name.data.toString('latin1', 0, 6)).to.equal('node-0');
        const next = instanceFields(f, head.get('Next')!);
        expect(next.get('Value')).to.equal(1);
        const mainClass = [...f.classes.values()].find((c) => c.name === 'main')!;
        const marker = f.primitiveArrays.get(mainClass.statics.find((x) => x.name === 'Marker')!.value)!;
        expect(marker.data.toString('latin1', 0, facts.marker.length)).to.equal(facts.marker);
      });
    });
  }
});

describe('export/hprof: a 32-bit dump (4-byte IDs), from the zoo cross-built for 386 and run here', function () {
  this.timeout(300000);
  const dir = scratchDir(`hprof-386-${process.pid}`);
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const binary = path.join(ROOT, '.cache/fixtures/zoo-cross/386/zoo');
  const dump = path.join(dir, 'heap1.dump');
  let facts: ReturnType<typeof zooFacts>;

  before(function () {
    // The committed 386 executable writes its dumps and facts here (an amd64 Linux runs 386 programs).
    const r = spawnSync(binary, [dump, path.join(dir, 'heap2.dump')], { encoding: 'utf8', cwd: dir, timeout: 60000 });
    if (r.error || r.status !== 0) this.skip();
    facts = JSON.parse(r.stdout) as ReturnType<typeof zooFacts>;
  });

  it('VisualVM reads it: 4-byte IDs, the program\'s list nodes with their Go size, the goroutines as threads', async () => {
    const s = await HeapSession.open(dump, { binary, cacheDir: SHARED_INDEX });
    try {
      expect(s.graph.params.ptrSize).to.equal(4);
      const file = path.join(dir, 'heap1.hprof');
      await exportTo(s, file);
      const f = readHprof(file);
      expect(f.idSize).to.equal(4);
      const vv = visualVm(file);
      const node = vv.classes.find((c) => c.name === 'main.Node')!;
      expect([node.count, node.instanceSize]).to.deep.equal([facts.counts.Node, 24]);
      const rows = typeHistogram(s.graph, s.types, false, true);
      for (const name of ['main.Node', 'main.Big', 'main.Finalized']) {
        const r = rows.find((x) => x.name === name)!;
        const c = vv.classes.find((x) => x.name === name)!;
        // main.Big's inline arrays are synthetic arrays, which count their bytes (IDs inside the object).
        let inArrays = 0;
        for (const [id] of vv.instances) {
          const o = s.findObject(id);
          if (o >= 0 && s.address(o) !== id && s.typeName(o) === name) inArrays += arrayElementBytes(f, id);
        }
        if (name === 'main.Big') expect(inArrays).to.be.greaterThan(0);
        expect([name, c.count, c.bytes + inArrays]).to.deep.equal([name, r.count, r.bytes]);
      }
      expect(vv.classes.find((c) => c.name === 'main')!.statics.find((x) => x.name === 'ListHead')!.id).to.equal(addr(facts.addresses.ListHead));
      expect(vv.threads.length).to.equal(s.graph.goroutines.length);
      expect(vv.summary.instances).to.equal(f.instances.size + f.objectArrays.size + f.primitiveArrays.size);
      // The list head's fields, big-endian in 4-byte words.
      const head = instanceFields(f, addr(facts.addresses.ListHead));
      expect([head.get('Value'), head.get('Name.len')]).to.deep.equal([0, 'node-0'.length]);
    } finally {
      s.close();
    }
  });
});

describe('export/hprof: big inline arrays (fixtures/bigarray, Go 1.26) and goroutines as threads', function () {
  this.timeout(300000);
  const dir = path.join(ROOT, '.cache/fixtures/bigarray/go1.26');
  const scratch = scratchDir(`hprof-big-${process.pid}`);
  after(() => fs.rmSync(scratch, { recursive: true, force: true }));

  it('VisualVM loads it: no class over MAX_FIELDS fields, each big array one field holding a synthetic array, workers as named threads', async () => {
    const facts = JSON.parse(fs.readFileSync(path.join(dir, 'facts.json'), 'utf8')) as {
      addresses: Record<string, string>; counts: Record<string, number>; body: number[]; workerFunc: string;
    };
    const s = await HeapSession.open(path.join(dir, 'heap1.dump'), { binary: path.join(dir, 'bigarray'), cacheDir: path.join(scratch, 'index') });
    try {
      const file = path.join(scratch, 'big.hprof');
      const stats = await exportTo(s, file);
      expect(stats.unplacedPointers).to.equal(0);
      expect(stats.syntheticArrays).to.be.greaterThan(3);
      const vv = visualVm(file);
      expect(Math.max(...vv.classes.map((c) => c.fields))).to.be.at.most(MAX_FIELDS);
      const f = readHprof(file);
      // The object holding a global's value (it starts before it when it has a malloc header).
      const obj = (name: string): number => s.address(s.findObject(addr(facts.addresses[name])));
      // main.Bytes: ID, Body (a byte[] of the 32 KiB array, the program's bytes), Tail, and its size class's slack.
      const bytes = instanceFields(f, obj('BigBytes'));
      expect([...bytes.keys()].slice(0, 3)).to.deep.equal(['ID', 'Body', 'Tail']);
      expect(bytes.get('ID')).to.equal(7);
      const body = f.primitiveArrays.get(bytes.get('Body')!)!;
      expect([body.type, body.count]).to.deep.equal([8, facts.counts.BodyLen]);
      expect([body.data[0], body.data[1], body.data[facts.counts.BodyLen - 1]]).to.deep.equal(facts.body);
      expect(f.instances.has(bytes.get('Tail')!)).to.equal(true);
      // main.Pointers: Count, Slots (an object array of the 4,096 pointers, every other one set).
      const ptrs = instanceFields(f, obj('BigPtrs'));
      expect(ptrs.get('Count')).to.equal(facts.counts.SlotsSet);
      const slots = f.objectArrays.get(ptrs.get('Slots')!)!;
      expect(slots.elements.length).to.equal(facts.counts.Slots);
      expect(slots.elements.filter((e) => e !== 0).length).to.equal(facts.counts.SlotsSet);
      expect(f.classes.get(slots.classId)!.name).to.equal('*main.Leaf[4096] (inline)');
      // main.Pairs: an array of small structs is one field holding its words (the pointers kept).
      const pairs = instanceFields(f, obj('BigPairs'));
      const ps = f.objectArrays.get(pairs.get('Ps')!)!;
      expect(ps.elements.filter((e) => e !== 0).length).to.equal(facts.counts.Pairs);
      // VisualVM sees the same: the classes with their few fields, the arrays as arrays.
      for (const name of ['main.Bytes', 'main.Pointers', 'main.Pairs']) expect(vv.classes.find((c) => c.name === name)!.fields, name).to.be.below(8);
      expect(vv.classes.find((c) => c.name === '*main.Leaf[4096] (inline)')!.count).to.equal(1);
      // The parked workers are threads named after their goroutine, function and wait reason, with their stacks.
      const workers = vv.threads.filter((t) => t.name.includes(` ${facts.workerFunc} `));
      expect(workers.length).to.equal(facts.counts.Workers);
      for (const t of workers) {
        expect(t.name).to.match(/^goroutine \d+ main\.worker \[chan receive\]$/);
        expect(t.daemon).to.equal(false);
        expect(t.frames.some((fr) => /^main\.worker\(bigarray\/main\.go:\d+\)$/.test(fr))).to.equal(true);
      }
      expect(vv.threads.filter((t) => t.daemon).length).to.equal(s.graph.goroutines.filter((g) => g.isSystem).length);
    } finally {
      s.close();
    }
  });
});
