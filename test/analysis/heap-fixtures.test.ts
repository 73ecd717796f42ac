// The heap analyses on the zoo fixtures: retained sizes of known globals against what fixtures/zoo/main.go implies,
// computed from the dump's own object sizes and pointers, and every root node's and a sample of objects' retained
// sizes against a removal oracle (reachable bytes minus bytes still reachable without that node).
import { expect } from 'chai';
import {
  type HeapDominators, NONE, type RootNodes, buildRootNodes, firstGroupNode, goroutineGroups, computeHeapDominators, diffRootNodes, diffTypes, findSuspects,
  rootNodeRows, rootsKeepingAlive, shortestRootPath, typeHistogram, topObjects, SubObjectRanges,
} from '../../lib/analysis/index.js';
import { type HeapGraph, loadHeapGraph } from '../../lib/graph/index.js';
import { loadGoProgram } from '../../lib/gotypes/index.js';
import { histogramRowNames, recoverTypes } from '../../lib/typing/index.js';
import { GO_VERSIONS, addr, zooBinary, zooDump, zooFacts } from '../support/fixtures.js';

/** Objects reachable from the roots of every root node except `without` (and never through object `skip`). */
function reachableWithout(graph: HeapGraph, rn: RootNodes, without: number, skip: number): Uint8Array {
  const seen = new Uint8Array(graph.objectCount);
  const stack: number[] = [];
  for (let r = 0; r < graph.roots.count; r++) {
    const t = graph.roots.target[r];
    if (rn.rootNode[r] === without || t === skip || seen[t]) continue;
    seen[t] = 1;
    stack.push(t);
  }
  while (stack.length > 0) {
    const v = stack.pop()!;
    for (let e = graph.edgeStart[v]; e < graph.edgeStart[v + 1]; e++) {
      const w = graph.edgeTarget[e];
      if (w !== skip && !seen[w]) {
        seen[w] = 1;
        stack.push(w);
      }
    }
  }
  return seen;
}

function bytesOf(graph: HeapGraph, seen: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < graph.objectCount; i++) if (seen[i]) s += graph.objectSize[i];
  return s;
}

/** The pointer words of object i, read from the dump's bytes (little-endian, 8-byte words). */
function words(graph: HeapGraph, i: number): number[] {
  const b = graph.objectContent(i);
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: number[] = [];
  for (let o = 0; o + 8 <= b.length; o += 8) out.push(Number(v.getBigUint64(o, true)));
  return out;
}

function rootNodeNamed(rn: RootNodes, name: string): number {
  const k = rn.name.indexOf(name);
  expect(k, name).to.be.at.least(0);
  return k;
}

for (const version of GO_VERSIONS) {
  describe(`heap analyses on zoo go${version}`, function () {
    const facts = zooFacts(version);
    let graph: HeapGraph;
    let dom: HeapDominators;
    let rn: RootNodes;
    let all: number;
    before(function () {
      graph = loadHeapGraph(zooDump(version, 'heap1'));
      rn = buildRootNodes(graph, loadGoProgram(zooBinary(version)).globals);
      dom = computeHeapDominators(graph, rn);
      all = bytesOf(graph, reachableWithout(graph, rn, -1, -1));
    });
    after(() => graph.close());

    it('the super-root retains every reachable byte; unreachable objects are outside the tree', function () {
      expect(dom.retained[0]).to.equal(all);
      expect(dom.retained[0]).to.equal(graph.stats().reachableBytes);
      const g = graph.findObject(addr(facts.addresses.GarbageHead));
      expect(dom.idom[dom.firstObjectNode + g]).to.equal(NONE);
      expect(dom.retained[dom.firstObjectNode + g]).to.equal(0);
    });

    it('main.BigObj retains exactly the Big object: every list node it points to is also on the list', function () {
      const big = graph.findObject(addr(facts.addresses.BigObj));
      expect(graph.objectSize[big]).to.be.at.least(facts.sizes.Big);
      // The list, by its Next words (offset 0) read from the dump, from ListHead.
      const list = new Set<number>();
      let a = addr(facts.addresses.ListHead);
      while (a !== 0) {
        const i = graph.findObject(a);
        list.add(i);
        a = words(graph, i)[0];
      }
      expect(list.size).to.equal(facts.counts.Node);
      const slots = words(graph, big).filter((w) => w !== 0).map((w) => graph.findObject(w));
      expect(new Set(slots)).to.deep.equal(list);
      expect(dom.retained[1 + rootNodeNamed(rn, 'main.BigObj')]).to.equal(graph.objectSize[big]);
      expect(dom.retained[dom.firstObjectNode + big]).to.equal(graph.objectSize[big]);
    });

    it('main.ListHead retains nothing: BigObj.Slots holds every node, Mediums and Pipe hold the head too', function () {
      expect(dom.retained[1 + rootNodeNamed(rn, 'main.ListHead')]).to.equal(0);
      const head = graph.findObject(addr(facts.addresses.ListHead));
      expect(dom.idom[dom.firstObjectNode + head]).to.equal(0);
      const alive = rootsKeepingAlive(graph, rn, head);
      for (const name of ['main.ListHead', 'main.BigObj', 'main.Mediums', 'main.Pipe']) {
        expect(alive.rootNodes, name).to.include(rootNodeNamed(rn, name));
      }
    });

    it('main.LeakyCache retains its map and every session: the objects only it reaches', function () {
      const k = rootNodeNamed(rn, 'main.LeakyCache');
      const only = reachableWithout(graph, rn, k, -1);
      const reach = reachableWithout(graph, rn, -1, -1);
      let expected = 0;
      for (let i = 0; i < graph.objectCount; i++) if (reach[i] && !only[i]) expected += graph.objectSize[i];
      expect(dom.retained[1 + k]).to.equal(expected);
      // At least the sessions, each with its 100-byte Data array (112-byte size class).
      expect(expected).to.be.at.least(facts.counts.Session1 * (facts.sizes.Session + facts.counts.SessionData));
      for (const s of facts.addresses.Sessions) {
        let v = dom.firstObjectNode + graph.findObject(addr(s));
        while (dom.idom[v] !== 0) v = dom.idom[v];
        expect(v, s).to.equal(1 + k);
      }
    });

    it('every root node retains what would be freed without it (removal oracle)', function () {
      for (let k = 0; k < rn.count; k++) {
        const freed = all - bytesOf(graph, reachableWithout(graph, rn, k, -1));
        expect(dom.retained[1 + k], rn.name[k]).to.equal(freed);
      }
    });

    it('objects retain what would be freed without them (removal oracle, every 7th object)', function () {
      for (let i = 0; i < graph.objectCount; i += 7) {
        if (!graph.reachable[i]) continue;
        const freed = all - bytesOf(graph, reachableWithout(graph, rn, -1, i));
        expect(dom.retained[dom.firstObjectNode + i], `object ${i}`).to.equal(freed);
      }
    });

    it('groups goroutines by identical stack: the parked recursers are one node named after their top user frame', function () {
      const k = rn.name.indexOf(facts.recurseFunc);
      expect(rn.kind[k]).to.equal('goroutines');
      const { groups } = goroutineGroups(graph);
      expect(groups[k - firstGroupNode(rn)].members).to.have.length(facts.counts.Parked);
      // A goroutine alone in its group is named after its id and top user frame.
      for (let x = 0; x < rn.count; x++) if (rn.kind[x] === 'goroutine') expect(rn.name[x]).to.match(/^goroutine \d+ \(.+\)$/);
      expect(rn.kind.filter((x) => x === 'finalizer')).to.have.length(1);
    });
  });
}

describe('typed analyses on zoo go1.26 (lib/typing)', function () {
  const version = '1.26';
  const facts = zooFacts(version);
  let graph: HeapGraph;
  let graph2: HeapGraph;
  before(function () {
    graph = loadHeapGraph(zooDump(version, 'heap1'));
    graph2 = loadHeapGraph(zooDump(version, 'heap2'));
  });
  after(() => { graph.close(); graph2.close(); });
  const open = (g: HeapGraph) => {
    const program = loadGoProgram(zooBinary(version));
    const rn = buildRootNodes(g, program.globals);
    return { rn, dom: computeHeapDominators(g, rn), types: recoverTypes(g, program) };
  };

  it('type histogram: counts from the program, retained counted once (brute force over idom chains)', function () {
    const { dom, types } = open(graph);
    const rows = typeHistogram(graph, types, dom);
    const session = rows.find((r) => r.type === 'main.Session')!;
    expect(session.count).to.equal(facts.counts.Session1);
    expect(rows.find((r) => r.type === 'main.Node')!.count).to.equal(facts.counts.Node);
    // Rows group type ids by their row name (histogramRowNames); rows holding tiny blocks' sub-objects are
    // checked in test/typing/histogram.test.ts.
    const names = histogramRowNames(types);
    const rowName = (i: number): string => (types.objectType[i] !== 0 ? names[types.objectType[i]] : types.objectTypeName(i));
    const tinyRows = new Set(Array.from(types.tinyObjects!.typing, (id) => names[id]));
    for (const row of rows.slice(0, 30)) {
      if (tinyRows.has(row.type) || row.type === 'tiny block (rest)') continue;
      let expected = 0;
      for (let i = 0; i < graph.objectCount; i++) {
        const v = dom.firstObjectNode + i;
        if (rowName(i) !== row.type || dom.idom[v] === NONE) continue;
        let d = dom.idom[v];
        let covered = false;
        while (d !== 0 && !covered) {
          if (d >= dom.firstObjectNode && rowName(d - dom.firstObjectNode) === row.type) covered = true;
          d = dom.idom[d];
        }
        if (!covered) expected += dom.retained[v];
      }
      expect(row.retained, row.type).to.equal(expected);
    }
  });

  it('sub-object ranges: each object gets exactly the sub-objects of its tiny block, as a scan finds them', function () {
    const { types } = open(graph);
    const block = types.tinyObjects!.object;
    expect(block.length).to.be.above(100);
    const ranges = new SubObjectRanges(block, graph.objectCount);
    const blocks = new Set(block);
    for (let i = 0; i < graph.objectCount; i++) {
      const b = ranges.block(i);
      if (!blocks.has(i)) {
        expect(b, `object ${i}`).to.equal(-1);
        continue;
      }
      const want: number[] = [];
      for (let k = 0; k < block.length; k++) if (block[k] === i) want.push(k);
      const got: number[] = [];
      for (let k = ranges.start(b); k < ranges.end(b); k++) got.push(k);
      expect(got, `object ${i}`).to.deep.equal(want);
    }
    // Blocks on both sides of word boundaries, bit 31 among them, and the last object.
    const edge = new SubObjectRanges(Uint32Array.of(0, 0, 31, 32, 32, 32, 63, 64, 95), 96);
    const spans = [0, 31, 32, 63, 64, 95].map((i) => { const b = edge.block(i); return [edge.start(b), edge.end(b)]; });
    expect(spans).to.deep.equal([[0, 2], [2, 3], [3, 6], [6, 7], [7, 8], [8, 9]]);
    for (const i of [1, 30, 33, 62, 65, 94]) expect(edge.block(i)).to.equal(-1);
  });

  it('top objects are sorted by retained size and led by the cache map', function () {
    const { dom, types } = open(graph);
    const top = topObjects(graph, types, dom, 10);
    expect(top).to.have.length(10);
    for (let k = 1; k < top.length; k++) expect(top[k - 1].retained).to.be.at.least(top[k].retained);
    expect(top[0].type).to.match(/^map/);
    expect(top[0].retained).to.equal(dom.retained[1 + dom.rootNodes.name.indexOf('main.LeakyCache')]);
  });

  it('path to a session: LeakyCache, the map, its buckets, the session; every hop is a pointer of the dump', function () {
    const { rn, types } = open(graph);
    const s = graph.findObject(addr(facts.addresses.Sessions[0]));
    const hops = shortestRootPath(graph, types, rn, s);
    expect(hops[0]).to.include({ kind: 'global', name: 'main.LeakyCache' });
    expect(hops[hops.length - 1]).to.include({ object: s, type: 'main.Session' });
    expect(hops[1].type).to.match(/^map/);
    for (let k = 2; k < hops.length; k++) {
      const from = hops[k - 1].object!;
      const targets = Array.from(graph.edgeTarget.subarray(graph.edgeStart[from], graph.edgeStart[from + 1]));
      expect(targets).to.include(hops[k].object);
      expect(hops[k].field).to.be.a('string');
    }
    expect(rootsKeepingAlive(graph, rn, s).kinds).to.deep.equal(['global']);
    for (const q of facts.addresses.Queued) {
      expect(rootsKeepingAlive(graph, rn, graph.findObject(addr(q))).kinds).to.include('finalizer');
    }
  });

  it('suspects: LeakyCache, accumulating in the map buckets whose children are the sessions', function () {
    const { dom, types } = open(graph2);
    const s = findSuspects(graph2, types, dom);
    expect(s[0]).to.include({ kind: 'global', name: 'main.LeakyCache' });
    expect(s[0].share).to.be.above(0.1);
    const sessions = s[0].accumulation!.childGroups.find((g) => g.type === 'main.Session')!;
    expect(sessions.count).to.equal(facts.counts.Session2);
    expect(s[0].path[s[0].path.length - 1].object).to.equal(s[0].accumulation!.object);
  });

  it('diff heap1 -> heap2: 300 more sessions, growth under main.LeakyCache', function () {
    const a = open(graph);
    const b = open(graph2);
    const types = diffTypes(typeHistogram(graph, a.types, a.dom), typeHistogram(graph2, b.types, b.dom));
    const session = types.find((r) => r.type === 'main.Session')!;
    expect(session.countDelta).to.equal(facts.counts.Session2 - facts.counts.Session1);
    expect(session.bytesDelta).to.equal((facts.counts.Session2 - facts.counts.Session1) * facts.sizes.Session);
    const roots = diffRootNodes(rootNodeRows(a.dom), rootNodeRows(b.dom));
    expect(roots[0]).to.include({ kind: 'global', name: 'main.LeakyCache' });
    expect(roots[0].retainedDelta).to.be.above(0);
  });
});
