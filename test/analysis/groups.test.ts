// Goroutine groups and shared retention (lib/analysis/goroutine-groups.ts, shared-retention.ts) on real dumps,
// against brute-force oracles: a group node retains what removing all its goroutines' roots frees; a shared
// object is reached by exactly the root nodes a reverse search finds; a top-level node reaches exactly the bytes a
// forward search from it finds.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  buildRootNodes, computeHeapDominators, firstGroupNode, goroutineGroups, goroutineKey, type HeapDominators,
  reachableBytes, rootNodesReaching, rootsKeepingAlive, type RootNodes, sharedRetention, type SharedRetention,
} from '../../lib/analysis/index.js';
import { type HeapGraph, loadHeapGraph } from '../../lib/graph/index.js';
import { loadGoProgram } from '../../lib/gotypes/index.js';
import { ROOT, zooBinary, zooDump } from '../support/fixtures.js';

/** Objects reachable from the roots of root nodes `from` (all root nodes when undefined) not in `without`. */
function reachable(graph: HeapGraph, rn: RootNodes, keep: (node: number) => boolean, start?: number[]): Uint8Array {
  const seen = new Uint8Array(graph.objectCount);
  const stack: number[] = [];
  const push = (t: number): void => {
    if (!seen[t]) {
      seen[t] = 1;
      stack.push(t);
    }
  };
  if (start) start.forEach(push);
  else for (let r = 0; r < graph.roots.count; r++) if (keep(rn.rootNode[r])) push(graph.roots.target[r]);
  while (stack.length > 0) {
    const v = stack.pop()!;
    for (let e = graph.edgeStart[v]; e < graph.edgeStart[v + 1]; e++) push(graph.edgeTarget[e]);
  }
  return seen;
}

function bytesOf(graph: HeapGraph, seen: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < graph.objectCount; i++) if (seen[i]) s += graph.objectSize[i];
  return s;
}

const fixtures = [
  { name: 'leak go1.26 heap2', dump: path.join(ROOT, '.cache/fixtures/leak/go1.26/heap2.dump'), binary: path.join(ROOT, '.cache/fixtures/leak/go1.26/leak') },
  { name: 'leak go1.19 heap1', dump: path.join(ROOT, '.cache/fixtures/leak/go1.19/heap1.dump'), binary: path.join(ROOT, '.cache/fixtures/leak/go1.19/leak') },
  { name: 'zoo go1.22 heap1', dump: zooDump('1.22'), binary: zooBinary('1.22') },
];

for (const fx of fixtures) {
  describe(`goroutine groups and shared retention: ${fx.name}`, function () {
    this.timeout(300000);
    let graph: HeapGraph;
    let rn: RootNodes;
    let dom: HeapDominators;
    let sh: SharedRetention;
    before(function () {
      if (!fs.existsSync(fx.dump)) throw new Error(`${fx.dump}: fixtures are not unpacked; run 'make unpack'`);
      graph = loadHeapGraph(fx.dump);
      rn = buildRootNodes(graph, loadGoProgram(fx.binary).globals);
      dom = computeHeapDominators(graph, rn);
      sh = sharedRetention(graph, dom);
    });
    after(() => graph.close());

    it('groups: every goroutine in one group, equal keys within a group and different keys across, nodes consecutive', function () {
      const { groups, groupOf } = goroutineGroups(graph);
      const seen = new Set<number>();
      groups.forEach((g, k) => {
        for (const m of g.members) {
          expect(groupOf[m]).to.equal(k);
          expect(goroutineKey(graph, m)).to.equal(g.key);
          expect(graph.goroutines[m]).to.include({ status: g.status, waitReason: g.waitReason });
          seen.add(m);
        }
      });
      expect(seen.size).to.equal(graph.goroutines.length);
      expect(groups.length).to.be.below(graph.goroutines.length); // some goroutines share a stack (leak: main.handle; zoo: main.recurse)
      expect(new Set(groups.map((g) => g.key)).size).to.equal(groups.length);
      // Same key, same frames: function and pc, frame by frame.
      const fr = graph.frames;
      for (const g of groups) {
        const a = g.members[0];
        for (const b of g.members.slice(1)) {
          expect(fr.goroutineFrameCount[b]).to.equal(fr.goroutineFrameCount[a]);
          for (let k = 0; k < fr.goroutineFrameCount[a]; k++) {
            const x = fr.goroutineFirstFrame[a] + k;
            const y = fr.goroutineFirstFrame[b] + k;
            expect([fr.functionId[y], fr.pc[y]]).to.deep.equal([fr.functionId[x], fr.pc[x]]);
          }
        }
      }
      const first = firstGroupNode(rn);
      groups.forEach((g, k) => expect(rn.kind[first + k]).to.equal(g.members.length > 1 ? 'goroutines' : 'goroutine'));
    });

    it('a group node retains what removing all its goroutines frees (removal oracle)', function () {
      const all = bytesOf(graph, reachable(graph, rn, () => true));
      const first = firstGroupNode(rn);
      const { groups } = goroutineGroups(graph);
      groups.forEach((g, k) => {
        const node = first + k;
        const freed = all - bytesOf(graph, reachable(graph, rn, (x) => x !== node));
        expect(dom.retained[node + 1], `${rn.name[node]} (${g.members.length} goroutines)`).to.equal(freed);
      });
    });

    it('top-level nodes: root nodes and shared objects partition the reachable bytes', function () {
      let sum = 0;
      for (let t = 0; t < sh.retained.length; t++) sum += sh.retained[t];
      expect(sum).to.equal(dom.retained[0]);
      expect(sh.sharedObject.length).to.be.above(5);
      for (const i of sh.sharedObject) expect(dom.idom[dom.firstObjectNode + i]).to.equal(0);
      for (let k = 1; k < sh.sharedObject.length; k++) expect(sh.retained[sh.rootNodeCount + k - 1]).to.be.at.least(sh.retained[sh.rootNodeCount + k]);
    });

    it('the roots reaching a shared object are those a reverse search finds (the 60 largest)', function () {
      for (let j = 0; j < Math.min(60, sh.sharedObject.length); j++) {
        const i = sh.sharedObject[j];
        const got = rootNodesReaching(sh, sh.rootNodeCount + j);
        expect(got, `shared object ${i}`).to.deep.equal(rootsKeepingAlive(graph, rn, i).rootNodes);
        expect(got.length).to.be.at.least(2);
      }
    });

    it('every root node reaches the bytes a forward search from its roots finds; shared objects too (60 largest)', function () {
      for (let k = 0; k < rn.count; k++) {
        expect(reachableBytes(sh, k), rn.name[k]).to.equal(bytesOf(graph, reachable(graph, rn, (x) => x === k)));
      }
      for (let j = 0; j < Math.min(60, sh.sharedObject.length); j++) {
        const i = sh.sharedObject[j];
        expect(reachableBytes(sh, sh.rootNodeCount + j)).to.equal(bytesOf(graph, reachable(graph, rn, () => false, [i])));
      }
    });
  });
}
