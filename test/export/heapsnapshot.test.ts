// The heap snapshot exporter checked by an independent reader: @memlab/core (Meta's heap snapshot library) parses
// the .heapsnapshot goheap writes and computes its own dominator tree (Lengauer-Tarjan, as Chrome DevTools does).
// Its node count, total size and retained sizes must equal goheap's; the one difference is the root model's:
// memlab hangs garbage (objects no root reaches) under the root, goheap leaves it outside the tree (retained 0).
// Tiny allocator blocks are split into their sub-objects (nodes of their own types) and the rest of their bytes: the
// parts of a block together retain what goheap's block does, under goheap's dominator of the block.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import memlab from '@memlab/core';
import { HeapSession } from '../../lib/session/index.js';
import { writeOutput } from '../../lib/export/output.js';
import { writeHeapSnapshot, rootGroupName, rootNodeSnapshotName } from '../../lib/export/heapsnapshot.js';
import { GO_VERSIONS, ROOT, addr, scratchDir, zooBinary, zooDump, zooFacts, SHARED_INDEX } from '../support/fixtures.js';

const CLI = path.join(ROOT, 'dist/cli/goheap.js');

interface MemlabNode {
  nodeIndex: number;
  id: number;
  name: string;
  type: string;
  self_size: number;
  retainedSize: number;
  dominatorNode: MemlabNode | null;
  references: { name_or_index: string | number; type: string; toNode: MemlabNode }[];
}

interface MemlabSnapshot {
  nodes: { length: number; get(i: number): MemlabNode; forEach(cb: (n: MemlabNode) => void | boolean): void };
}

/** Parses a .heapsnapshot with memlab and computes its dominators and retained sizes. */
async function memlabRead(file: string): Promise<MemlabSnapshot> {
  const m = memlab as unknown as {
    config: { muteConsole: boolean };
    utils: { getSnapshotFromFile(f: string, o: object): Promise<MemlabSnapshot> };
    TraceFinder: new () => { calculateAllNodesRetainedSizes(s: MemlabSnapshot): void };
  };
  m.config.muteConsole = true;
  const snap = await m.utils.getSnapshotFromFile(file, {});
  new m.TraceFinder().calculateAllNodesRetainedSizes(snap);
  return snap;
}

/** Exports with a small write buffer (16 KiB, flushed hundreds of times, mid-object for objects with many edges). */
async function exportSnapshot(dump: string, binary: string | undefined, out: string): Promise<{ s: HeapSession; firstRootNode: number; firstObject: number; subObjects: number }> {
  const s = await HeapSession.open(dump, { binary, cacheDir: SHARED_INDEX });
  let layout = { firstRootNode: 0, firstObject: 0, subObjects: 0 };
  await writeOutput(out, { inputs: [dump, binary] }, async (sink) => {
    layout = await writeHeapSnapshot(s, sink, { bufferSize: 16384 });
  });
  return { s, ...layout };
}

/** Asserts memlab's numbers equal goheap's for every node; returns memlab's nodes by ordinal. */
function checkAgainstGoheap(snap: MemlabSnapshot, s: HeapSession, firstRootNode: number, firstObject: number): MemlabNode[] {
  const nodes: MemlabNode[] = [];
  snap.nodes.forEach((n) => { nodes.push(n); });
  const n = s.objectCount;
  const R = s.rootNodes.count;
  // Nodes: the root, "(GC roots)", one group per kind of root, the root nodes, every object, then the tiny blocks'
  // sub-objects (session index n + k is node firstObject + n + k).
  const kinds = new Set(s.rootNodes.kind.map(rootGroupName)).size;
  const subs = s.subObjects.count;
  const parts = new Map<number, number[]>(); // block -> its sub-objects' session indices
  for (let k = 0; k < subs; k++) {
    const b = s.blockOf(n + k);
    const list = parts.get(b);
    if (list === undefined) parts.set(b, [n + k]);
    else list.push(n + k);
  }
  expect(firstRootNode).to.equal(2 + kinds);
  expect(nodes.length).to.equal(2 + kinds + R + n + subs);
  expect(firstObject).to.equal(2 + kinds + R);
  // Total size: every object's bytes, reachable or not.
  let total = 0;
  for (const x of nodes) total += x.self_size;
  expect(total).to.equal(s.graph.objectBytes);
  // Root model: memlab's root retains every node (garbage included), goheap's super-root the reachable bytes.
  let unreachable = 0;
  for (let i = 0; i < n; i++) if (!s.isReachable(i)) unreachable += s.size(i);
  expect(nodes[0].retainedSize).to.equal(s.graph.objectBytes);
  expect(nodes[0].retainedSize - s.reachableBytes).to.equal(unreachable);
  // Every root node and reachable object: memlab's retained size is goheap's.
  for (let k = 0; k < R; k++) {
    const x = nodes[firstRootNode + k];
    expect(x.name).to.equal(rootNodeSnapshotName(s.rootNodes.kind[k], s.rootNodes.name[k]));
    expect(x.retainedSize, x.name).to.equal(s.rootRetained(k));
  }
  // Memlab's node of goheap's dominator of object i.
  const dominatorNode = (i: number): number => {
    const d = s.dominator(i);
    return d.kind === 'object' ? firstObject + d.object : d.kind === 'root' ? firstRootNode + d.rootNode : 0;
  };
  for (let k = 0; k < subs; k++) {
    const x = nodes[firstObject + n + k];
    expect([x.name, x.self_size]).to.deep.equal([s.typeName(n + k), s.size(n + k)]);
  }
  for (const [b, mine] of parts) {
    // A tiny block: its node keeps the bytes no sub-object covers ("tiny block (rest)", or a hidden node of size 0).
    const x = nodes[firstObject + b];
    const rest = s.size(b) - mine.reduce((a, k) => a + s.size(k), 0);
    expect([x.name, x.self_size]).to.deep.equal([rest > 0 ? 'tiny block (rest)' : '(tiny block)', rest]);
    if (!s.isReachable(b)) continue;
    // Its parts are entered under goheap's dominator of the block, and those entered from there retain the block.
    const ordinals = new Set([firstObject + b, ...mine.map((k) => firstObject + k)]);
    let retained = 0;
    for (const o of ordinals) {
      const d = nodes[o].dominatorNode!.nodeIndex;
      if (ordinals.has(d)) continue;
      expect(d, `tiny block ${b}: part ${o}`).to.equal(dominatorNode(b));
      retained += nodes[o].retainedSize;
    }
    expect(retained, `tiny block ${b}`).to.equal(s.retained(b));
  }
  for (let i = 0; i < n; i++) {
    if (parts.has(i)) continue;
    const x = nodes[firstObject + i];
    expect(x.self_size).to.equal(s.size(i));
    expect(x.name).to.equal(s.typeName(i));
    if (s.isReachable(i)) {
      if (x.retainedSize !== s.retained(i)) expect.fail(`object ${i} (${x.name}): memlab ${x.retainedSize}, goheap ${s.retained(i)}`);
    } else {
      // Garbage: goheap says 0; memlab puts it under the root (or under other garbage) with at least its own size.
      expect(s.retained(i)).to.equal(0);
      expect(x.retainedSize).to.be.at.least(x.self_size);
      const d = x.dominatorNode!;
      expect(d.nodeIndex === 0 || (d.nodeIndex >= firstObject && !s.isReachable(d.nodeIndex - firstObject)), x.name).to.equal(true);
    }
  }
  // The 10 biggest nodes by memlab's retained size, as goheap ranks them (the root: reachable bytes plus garbage).
  const top = nodes.slice(1).sort((a, b) => b.retainedSize - a.retainedSize).slice(0, 10);
  for (const x of top) {
    const o = x.nodeIndex - firstObject;
    if (o >= n) continue; // a tiny sub-object
    const goheap = x.nodeIndex >= firstObject ? (s.isReachable(o) ? s.retained(o) : 0)
      : x.nodeIndex >= firstRootNode ? s.rootRetained(x.nodeIndex - firstRootNode) : 0;
    if (x.nodeIndex >= firstObject && !s.isReachable(o)) continue; // garbage: explained above
    expect(x.retainedSize, x.name).to.equal(goheap);
  }
  return nodes;
}

describe('export: heap snapshot, read by @memlab/core', function () {
  const dir = scratchDir('export-heapsnapshot');

  for (const version of GO_VERSIONS) {
    it(`go${version}: memlab's node count, total size and retained sizes equal goheap's; the program's objects and fields are there`, async function () {
      const f = zooFacts(version);
      const out = path.join(dir, `zoo-${version}.heapsnapshot`);
      const { s, firstRootNode, firstObject } = await exportSnapshot(zooDump(version), zooBinary(version), out);
      try {
        const nodes = checkAgainstGoheap(await memlabRead(out), s, firstRootNode, firstObject);
        // The program's own numbers: its types by name with their counts and sizes.
        const count = (name: string): number => nodes.filter((x) => x.name === name).length;
        expect(count('main.Node')).to.equal(f.counts.Node);
        expect(nodes.filter((x) => x.name === 'main.Node').every((x) => x.self_size === f.sizes.Node)).to.equal(true);
        expect(count('main.Session')).to.equal(f.counts.Session1);
        expect(count('main.Big')).to.equal(f.counts.Big);
        // main.Circle (8 bytes, pointer-free) lives in tiny blocks: a node each, pointed at by the interfaces of
        // main.Shapes, whose block keeps it alive.
        const circles = nodes.filter((x) => x.name === 'main.Circle');
        expect(circles.length).to.equal(f.counts.Circle);
        expect(circles.every((x) => x.self_size === f.sizes.Circle && x.nodeIndex >= firstObject + s.objectCount)).to.equal(true);
        const shapes = nodes.find((x) => x.name === 'global main.Shapes')!.references[0].toNode;
        expect(shapes.references.filter((e) => e.toNode.name === 'main.Circle').length).to.equal(f.counts.Circle);
        expect(circles.every((x) => x.references.some((e) => e.name_or_index === '(tiny block)'))).to.equal(true);
        // main.ListHead: a property edge from its root node to the list head at the program's address, whose "Next"
        // edges run through the whole list.
        const global = nodes.find((x) => x.name === 'global main.ListHead')!;
        expect(global, 'root node global main.ListHead').to.not.equal(undefined);
        const headEdge = global.references.find((e) => e.toNode.name === 'main.Node')!;
        expect(headEdge.name_or_index).to.equal('main.ListHead');
        const head = headEdge.toNode;
        // Stack slots are named after the frame's function and variable, as goheap's referrers name them.
        const stackNames = nodes.filter((x) => x.name.startsWith('goroutine ')).flatMap((x) => x.references.map((e) => String(e.name_or_index)));
        expect(stackNames.some((x) => /^main\.[\w.]+: \w+/.test(x)), stackNames.join(', ')).to.equal(true);
        expect(head.nodeIndex - firstObject).to.equal(s.findObject(addr(f.addresses.ListHead)));
        let cur: MemlabNode | undefined = head;
        let length = 0;
        while (cur !== undefined && length <= f.counts.Node) {
          length++;
          cur = cur.references.find((e) => e.type === 'property' && e.name_or_index === 'Next')?.toNode;
        }
        expect(length).to.equal(f.counts.Node);
        // Root groups under "(GC roots)", reached from the root.
        expect(nodes[1].name).to.equal('(GC roots)');
        expect(nodes[0].references.map((e) => e.toNode.name)).to.include.members(['(GC roots)', 'global main.LeakyCache']);
        expect(nodes[1].references.map((e) => e.toNode.name)).to.include.members(['(Go globals)', '(Goroutines)']);
        // A pointer array's slots are element edges with their index: main.Mediums is a [16]*main.Medium.
        const mediums = nodes.find((x) => x.name === 'global main.Mediums')!.references[0].toNode;
        const elements = mediums.references.filter((e) => e.type === 'element');
        expect(elements.map((e) => e.toNode.name)).to.deep.equal(Array(f.counts.Medium).fill('main.Medium'));
        expect(elements.map((e) => e.toNode.nodeIndex - firstObject)).to.deep.equal(f.addresses.Mediums.map((a) => s.findObject(addr(a))));
      } finally {
        s.close();
      }
    });
  }

  it('shapes go1.26 and the zoo without its binary (objects named by size class): memlab agrees with goheap', async function () {
    const cases: [string, string | undefined][] = [
      [path.join(ROOT, '.cache/fixtures/shapes/go1.26/heap1.dump'), path.join(ROOT, '.cache/fixtures/shapes/go1.26/shapes')],
      [zooDump('1.22'), undefined],
    ];
    for (const [dump, binary] of cases) {
      const out = path.join(dir, `${path.basename(path.dirname(dump))}-${binary ? 'typed' : 'untyped'}.heapsnapshot`);
      const { s, firstRootNode, firstObject } = await exportSnapshot(dump, binary, out);
      try {
        checkAgainstGoheap(await memlabRead(out), s, firstRootNode, firstObject);
      } finally {
        s.close();
      }
    }
  });

  for (const version of ['1.19', '1.22', '1.26']) {
    it(`realtypes go${version}: boxed 1-, 2-, 4- and 8-byte values are nodes of their types, counted as goheap types counts them`, async function () {
      const dir0 = path.join(ROOT, '.cache/fixtures/realtypes', `go${version}`);
      const facts = JSON.parse(fs.readFileSync(path.join(ROOT, 'fixtures/realtypes', `go${version}`, 'facts.json'), 'utf8'));
      const out = path.join(dir, `realtypes-${version}.heapsnapshot`);
      const { s, firstRootNode, firstObject } = await exportSnapshot(path.join(dir0, 'heap1.dump'), path.join(dir0, 'realtypes'), out);
      try {
        const nodes = checkAgainstGoheap(await memlabRead(out), s, firstRootNode, firstObject);
        const byName = new Map<string, MemlabNode[]>();
        for (const x of nodes) {
          const list = byName.get(x.name);
          if (list === undefined) byName.set(x.name, [x]);
          else list.push(x);
        }
        // The program's own counts of its boxed values, each with its own size.
        for (const name of ['main.Flag', 'main.Half', 'main.Dot', 'main.Num']) {
          const list = byName.get(name) ?? [];
          expect([name, list.length]).to.deep.equal([name, facts.counts[name]]);
          expect(list.every((x) => x.self_size === facts.sizes[name]), name).to.equal(true);
        }
        // Every row of goheap types --all --by-length is memlab's count of the nodes of that name.
        const rows = s.typeCounts(false, true);
        expect(rows.some((r) => r.name === 'tiny block (rest)')).to.equal(true);
        for (const r of rows) expect([r.name, byName.get(r.name)?.length ?? 0]).to.deep.equal([r.name, r.count]);
        // main.Shapes's interfaces point at the boxed values themselves.
        const shapes = nodes.find((x) => x.name === 'global main.Shapes')!.references[0].toNode;
        const pointed = new Map<string, number>();
        for (const e of shapes.references) pointed.set(e.toNode.name, (pointed.get(e.toNode.name) ?? 0) + 1);
        for (const name of ['main.Flag', 'main.Half', 'main.Dot', 'main.Num']) expect([name, pointed.get(name)]).to.deep.equal([name, facts.counts[name]]);
      } finally {
        s.close();
      }
    });
  }

  for (const version of ['1.19', '1.26']) {
    it(`go${version} --live: only reachable objects; memlab's root retains goheap's reachable bytes and every retained size is goheap's`, async function () {
      const s = await HeapSession.open(zooDump(version), { binary: zooBinary(version), cacheDir: SHARED_INDEX });
      const out = path.join(dir, `zoo-${version}-live.heapsnapshot`);
      try {
        let st = { firstRootNode: 0, firstObject: 0, objects: 0, subObjects: 0 };
        await writeOutput(out, { inputs: [s.dumpPath] }, async (sink) => { st = await writeHeapSnapshot(s, sink, { live: true }); });
        const nodes: MemlabNode[] = [];
        (await memlabRead(out)).nodes.forEach((x) => { nodes.push(x); });
        const live: number[] = [];
        for (let i = 0; i < s.objectCount; i++) if (s.isReachable(i)) live.push(i);
        expect(st.objects).to.equal(live.length);
        let liveSubs = 0;
        const blocks = new Set<number>();
        for (let k = 0; k < s.subObjects.count; k++) {
          blocks.add(s.blockOf(s.objectCount + k));
          if (s.isReachable(s.objectCount + k)) liveSubs++;
        }
        expect(st.subObjects).to.equal(liveSubs);
        expect(nodes.length).to.equal(st.firstObject + live.length + liveSubs);
        let total = 0;
        for (const x of nodes) total += x.self_size;
        expect(total).to.equal(s.reachableBytes);
        expect(nodes[0].retainedSize).to.equal(s.reachableBytes);
        for (let k = 0; k < s.rootNodes.count; k++) expect(nodes[st.firstRootNode + k].retainedSize).to.equal(s.rootRetained(k));
        live.forEach((i, k) => {
          const x = nodes[st.firstObject + k];
          if (blocks.has(i)) return; // a tiny block's node is the rest of its bytes (checked on every object above)
          if (x.name !== s.typeName(i) || x.retainedSize !== s.retained(i)) expect.fail(`object ${i}: memlab ${x.name} ${x.retainedSize}, goheap ${s.typeName(i)} ${s.retained(i)}`);
        });
      } finally {
        s.close();
      }
    });
  }

  it('goheap snapshot: DUMP BINARY OUT and DUMP OUT write the file; - writes stdout; it refuses to write over the dump', function () {
    const env = { ...process.env, GOHEAP_CACHE_DIR: path.join(dir, 'index') };
    const runCli = (...args: string[]) => spawnSync(process.execPath, [CLI, 'snapshot', ...args], { encoding: 'utf8', env, maxBuffer: 256 << 20 });
    const out = path.join(dir, 'cli.heapsnapshot');
    let r = runCli(zooDump('1.26'), zooBinary('1.26'), out, '--json');
    expect(r.status, r.stderr).to.equal(0);
    const summary = JSON.parse(r.stdout);
    const parsed = JSON.parse(fs.readFileSync(out, 'utf8'));
    expect(summary.bytes).to.equal(fs.statSync(out).size);
    expect(parsed.snapshot.node_count).to.equal(summary.nodes).and.to.equal(parsed.nodes.length / 7);
    expect(parsed.snapshot.edge_count).to.equal(summary.edges).and.to.equal(parsed.edges.length / 3);
    expect(parsed.strings).to.include('main.Session');
    r = runCli(zooDump('1.26'), '-', '-q');
    expect(r.status, r.stderr).to.equal(0);
    const untyped = JSON.parse(r.stdout);
    // Without the binary the globals are Data/BSS slots, so the root nodes differ; the objects are the same.
    expect(untyped.nodes.length / 7).to.equal(untyped.snapshot.node_count);
    expect(untyped.nodes.filter((_: number, k: number) => k % 7 === 1 && untyped.strings[untyped.nodes[k]].startsWith('untyped (size class ')).length)
      .to.equal(summary.objects);
    expect(untyped.strings).to.not.include('main.Session');
    // Never over the input: the dump named as the output is refused, and the dump is unchanged.
    const copy = path.join(dir, 'copy.dump');
    fs.copyFileSync(zooDump('1.26'), copy);
    const before = fs.readFileSync(copy);
    r = runCli(copy, zooBinary('1.26'), copy);
    expect(r.status).to.equal(1);
    expect(r.stderr.trim().split('\n'), r.stderr).to.have.length(1);
    expect(r.stderr).to.match(/refusing to write over the input/);
    expect(fs.readFileSync(copy).equals(before)).to.equal(true);
    expect(fs.readdirSync(dir).filter((x) => x.endsWith('.tmp'))).to.deep.equal([]);
    // A file that is not a dump: one line naming it and the offset, exit 1, and no output left behind.
    const bad = path.join(dir, 'bad.dump');
    fs.writeFileSync(bad, 'not a heap dump at all\n');
    const badOut = path.join(dir, 'bad.heapsnapshot');
    r = runCli(bad, badOut);
    expect(r.status).to.equal(1);
    expect(r.stderr).to.match(/^goheap: .*bad\.dump: offset 0: .*\n$/);
    expect(fs.existsSync(badOut)).to.equal(false);
    expect(fs.readdirSync(dir).filter((x) => x.endsWith('.tmp'))).to.deep.equal([]);
  });
});
