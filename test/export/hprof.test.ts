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
import { RootKind } from '../../lib/graph/index.js';
import { typeHistogram } from '../../lib/typing/index.js';
import { OutputSink } from '../../lib/export/output.js';
import { writeHprof, type HprofStats } from '../../lib/export/hprof.js';
import { hprofClassName, splitQualified } from '../../lib/export/hprof-names.js';
import { GO_VERSIONS, ROOT, addr, scratchDir, zooBinary, zooDump, zooFacts } from '../support/fixtures.js';
import { instanceFields, readHprof } from './hprof-reader.js';

const JAR = path.join(ROOT, '.toolchains/visualvm/org-graalvm-visualvm-lib-jfluid-heap.jar');
const CHECKER = path.join(ROOT, 'test/java/HprofCheck.java');

/** What HprofCheck.java prints. */
interface VisualVmView {
  summary: { instances: number; bytes: number };
  classes: { name: string; id: number; count: number; bytes: number; instanceSize: number; array: boolean; fields: number; statics: { name: string; id: number }[] }[];
  /** [id, class index, shallow size, retained size, reachable 0/1] */
  instances: [number, number, number, number, number][];
  biggest: number[];
  roots: { kind: string; id: number; thread?: number; frame?: number }[];
  threads: { id: number; frames: string[] }[];
}

function visualVm(hprof: string): VisualVmView {
  if (!fs.existsSync(JAR)) throw new Error(`${JAR} is missing: run scripts/install-visualvm.sh`);
  const r = spawnSync('java', ['-cp', JAR, CHECKER, hprof, '40'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`HprofCheck failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as VisualVmView;
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
        let compared = 0;
        for (const r of rows) {
          if (r.name.startsWith('untyped') || r.name.startsWith('tiny block')) continue;
          const classes = byName.get(hprofClassName(r.name));
          if (r.name.includes('main.')) expect(classes, `class for ${r.name}`).to.not.equal(undefined);
          if (!classes || classes.some((c) => c.array)) continue;
          const count = classes.reduce((a, c) => a + c.count, 0);
          const bytes = classes.reduce((a, c) => a + c.bytes, 0);
          expect([r.name, count, bytes]).to.deep.equal([r.name, r.count, r.bytes]);
          compared++;
        }
        expect(compared).to.be.greaterThan(30);
        // Untyped objects: one class per size class and pointer layout, together goheap's row.
        for (const r of rows.filter((x) => x.name.startsWith('untyped (size class '))) {
          const prefix = r.name.slice(0, -1);
          const classes = vv.classes.filter((c) => c.name === r.name || c.name.startsWith(`${prefix},`));
          expect([r.name, classes.reduce((a, c) => a + c.count, 0), classes.reduce((a, c) => a + c.bytes, 0)]).to.deep.equal([r.name, r.count, r.bytes]);
        }
        // The Go program's own counts.
        for (const [fact, type] of FACT_TYPES) {
          expect([type, byName.get(type)?.[0]?.count]).to.deep.equal([type, facts.counts[fact]]);
        }
        expect(byName.get('main.Session')?.[0]?.count).to.equal(facts.counts.Session1);
        expect(byName.get('main.Node')?.[0]?.instanceSize).to.equal(facts.sizes.Node);
        expect(byName.get('main.Big')?.[0]?.instanceSize).to.equal(s.size(s.findObject(addr(facts.addresses.BigObj))));
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
        const expected = (x: number): { hprof: number; arrays: number; tiny: number } => {
          const subtree = new Set<number>();
          const stack = [x];
          let hprof = 0;
          let arrays = 0;
          let tinyBytes = 0;
          while (stack.length > 0) {
            const o = stack.pop()!;
            subtree.add(s.address(o));
            if (isTiny(o)) tinyBytes += s.size(o);
            else {
              const v = byId.get(s.address(o));
              expect(v, `instance 0x${s.address(o).toString(16)}`).to.not.equal(undefined);
              hprof += v![2];
              arrays += v![2] - s.size(o);
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
          const [pkg, name] = splitQualified(r.name);
          const c = byName.get(hprofClassName(pkg))?.[0];
          expect(c, `class ${pkg}`).to.not.equal(undefined);
          expect(c!.statics.some((x) => x.name === name || x.name.startsWith(`${name}.`) || x.name.startsWith(`${name}[`)), r.name).to.equal(true);
          globals++;
        }
        expect(globals).to.be.greaterThan(10);
        // Every goroutine is a thread; the parked recursion shows its frames with file:line from the binary.
        const threadRoots = vv.roots.filter((r) => r.kind === 'thread object');
        expect(threadRoots.length).to.equal(s.graph.goroutines.length);
        expect(new Set(threadRoots.map((r) => r.id))).to.deep.equal(new Set(s.graph.goroutines.map((g) => g.address)));
        const deepest = vv.threads.map((t) => t.frames.filter((f) => f.startsWith(`${facts.recurseFunc}(`)).length);
        expect(Math.max(...deepest)).to.be.at.least(facts.counts.Depth);
        const recurse = vv.threads.find((t) => t.frames.some((f) => f.startsWith(`${facts.recurseFunc}(`)))!;
        expect(recurse.frames.find((f) => f.startsWith(`${facts.recurseFunc}(`))).to.match(/^main\.recurse\(zoo\/main\.go:\d+\)$/);
        expect(recurse.frames[recurse.frames.length - 1]).to.match(/^runtime\.goexit\(/);
        // Frame slots are Java frame roots of their goroutine's thread.
        const frameRoots = vv.roots.filter((r) => r.kind === 'Java frame');
        let stackRoots = 0;
        for (let r = 0; r < s.graph.roots.count; r++) if (s.graph.roots.kind[r] === RootKind.StackFrame) stackRoots++;
        expect(frameRoots.length).to.equal(stackRoots);
        expect(frameRoots.every((r) => s.graph.goroutines.some((g) => g.address === r.thread))).to.equal(true);
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
          expect(c.instanceSize).to.equal(inst.data.length);
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
    const s = await HeapSession.open(dump, { binary, noCache: true });
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
        expect([name, c.count, c.bytes]).to.deep.equal([name, r.count, r.bytes]);
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
