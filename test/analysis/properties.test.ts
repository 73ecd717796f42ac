// Property tests: the analysis algorithms against brute-force oracles on thousands of seeded random graphs.
// Rerun one failing graph with ANALYSIS_SEED=<base seed printed below>.

import { expect } from 'chai';
import {
  NONE,
  computeDominators,
  computeRetainedSizes,
  dominatorTreeChildren,
  dominatorTreeOrder,
  markReachable,
  pathTo,
  reverseEdges,
  shortestPathParents,
  shortestPathEdges,
  edgeSource,
  sortedDominatorTree,
} from '../../lib/analysis/index.js';
import { BASE_SEED, Rng, SHAPES, bruteDominators, naiveDistances, randomCase } from './random-graphs.js';

const GRAPHS_PER_SHAPE = 500; // 8 shapes: 4000 graphs per property

function caseSeed(shapeIndex: number, k: number): number {
  return (BASE_SEED + shapeIndex * 1_000_003 + k * 7919) >>> 0;
}

describe('analysis properties on random graphs', function () {
  before(function () {
    console.log(`      base seed ${BASE_SEED} (set ANALYSIS_SEED to change), ${GRAPHS_PER_SHAPE} graphs per shape`);
  });

  SHAPES.forEach((shape, si) => {
    it(`dominators, dominator tree and retained sizes match brute force: ${shape}`, function () {
      for (let k = 0; k < GRAPHS_PER_SHAPE; k++) {
        const seed = caseSeed(si, k);
        const c = randomCase(shape, seed);
        const where = `shape ${shape}, graph seed ${seed}, base seed ${BASE_SEED}, root ${c.root}, edges ${JSON.stringify(c.edges)}`;
        const n = c.graph.nodeCount;
        const rng = new Rng(seed ^ 0x5bd1e995);
        const self = new Float64Array(n);
        for (let i = 0; i < n; i++) self[i] = rng.int(0, 1000);
        const want = bruteDominators(c.graph, c.root, self);

        const idom = computeDominators(c.graph, c.root);
        expect(Array.from(idom), `idom, ${where}`).to.deep.equal(Array.from(want.idom));

        const tree = dominatorTreeChildren(idom);
        expect(tree.root, where).to.equal(c.root);
        for (let d = 0; d < n; d++) {
          const kids = Array.from(tree.child.subarray(tree.firstChild[d], tree.firstChild[d + 1]));
          const expected: number[] = [];
          for (let v = 0; v < n; v++) if (v !== d && want.idom[v] === d) expected.push(v);
          expect(kids, `children of ${d}, ${where}`).to.deep.equal(expected);
        }
        const order = dominatorTreeOrder(tree);
        const pos = new Int32Array(n).fill(-1);
        order.forEach((v, i) => (pos[v] = i));
        for (let v = 0; v < n; v++) {
          if (want.idom[v] === NONE) expect(pos[v], where).to.equal(-1);
          else if (v !== c.root) expect(pos[want.idom[v]], where).to.be.lessThan(pos[v]);
        }

        const retained = computeRetainedSizes(idom, self, c.root);
        expect(Array.from(retained), `retained, ${where}`).to.deep.equal(Array.from(want.retained));
        const again = computeRetainedSizes(idom, self, c.root, tree);
        expect(Array.from(again), where).to.deep.equal(Array.from(want.retained));
      }
    });
  });

  SHAPES.forEach((shape, si) => {
    it(`BFS distances, parents, paths and reachability match a naive oracle: ${shape}`, function () {
      for (let k = 0; k < GRAPHS_PER_SHAPE; k++) {
        const seed = caseSeed(si, k) ^ 0x9e3779b9;
        const c = randomCase(shape, seed);
        const g = c.graph;
        const n = g.nodeCount;
        const rng = new Rng(seed);
        const sourceCount = rng.int(1, Math.min(3, n));
        const sources = new Uint32Array(sourceCount);
        for (let i = 0; i < sourceCount; i++) sources[i] = rng.int(0, n - 1); // duplicates allowed
        const where = `shape ${shape}, graph seed ${seed}, base seed ${BASE_SEED}, sources ${Array.from(sources)}, edges ${JSON.stringify(c.edges)}`;

        const dist = naiveDistances(g, sources);
        const sp = shortestPathParents(g, sources);
        expect(Array.from(shortestPathEdges(g, sources)), where).to.deep.equal(Array.from(sp.parentEdge));
        const sourceOf = edgeSource(n, g.edgeTarget.length, (v) => g.firstEdge[v]);
        const reach = markReachable(g, sources);
        const isSource = new Set(Array.from(sources));
        const edgeSet = new Set(c.edges.map(([a, b]) => a * n + b));
        for (let v = 0; v < n; v++) {
          if (dist[v] === Infinity) {
            expect(sp.distance[v], where).to.equal(NONE);
            expect(sp.parent[v], where).to.equal(NONE);
            expect(sp.parentEdge[v], where).to.equal(NONE);
            expect(reach[v], where).to.equal(0);
            expect(pathTo(sp.parent, v), where).to.deep.equal([]);
            continue;
          }
          expect(reach[v], where).to.equal(1);
          expect(sp.distance[v], `distance of ${v}, ${where}`).to.equal(dist[v]);
          if (isSource.has(v)) {
            expect(sp.parent[v], where).to.equal(v);
            expect(sp.parentEdge[v], where).to.equal(NONE);
          } else {
            const p = sp.parent[v];
            const e = sp.parentEdge[v];
            expect(e, where).to.be.at.least(g.firstEdge[p]).and.lessThan(g.firstEdge[p + 1]);
            expect(sourceOf(e), where).to.equal(p);
            expect(g.edgeTarget[e], where).to.equal(v);
            expect(dist[p] + 1, where).to.equal(dist[v]);
          }
          const path = pathTo(sp.parent, v);
          expect(path.length, where).to.equal(dist[v] + 1);
          expect(isSource.has(path[0]), where).to.equal(true);
          expect(path[path.length - 1], where).to.equal(v);
          for (let i = 1; i < path.length; i++) {
            const a = path[i - 1];
            if (!edgeSet.has(a * n + path[i])) expect.fail(`path edge ${a}->${path[i]} is not an edge, ${where}`);
          }
        }
      }
    });
  });

  it('sortedDominatorTree orders every node\'s children by retained size, largest first, ties by id: short and long lists, sizes up to 2^53', function () {
    // Trees of up to 12,000 nodes, most under a few hubs (thousands of children each), the others under any earlier
    // node (a few children each); the sizes drawn from a few values (many ties) or
    // from a wide range, near 2^53 in some (the long lists' exact keys no longer fit: the comparator's way).
    for (let k = 0; k < 60; k++) {
      const seed = (BASE_SEED + k * 104_729) >>> 0;
      const rng = new Rng(seed);
      const n = rng.int(2, 12_000);
      const idom = new Uint32Array(n);
      idom[0] = 0;
      const hubs = rng.int(1, 6);
      for (let v = 1; v < n; v++) {
        // Most nodes under a few hubs (long lists), the others under any earlier node (short ones); some unreachable.
        if (rng.int(0, 20) === 0) idom[v] = NONE;
        else idom[v] = rng.int(0, 3) === 0 ? rng.int(0, v - 1) : Math.min(v - 1, rng.int(0, hubs - 1));
      }
      const kind = k % 3;
      const retained = new Float64Array(n);
      for (let v = 0; v < n; v++) {
        retained[v] = kind === 0 ? rng.int(0, 4) * 1000 : kind === 1 ? rng.int(0, 1_000_000_000) : 2 ** 52 + rng.int(0, 8) * 2 ** 40;
      }
      const where = `base seed ${BASE_SEED}, tree ${k}, ${n} nodes`;
      const plain = dominatorTreeChildren(idom);
      const got = sortedDominatorTree(idom, retained);
      expect(got.root, where).to.equal(plain.root);
      expect(Array.from(got.firstChild), where).to.deep.equal(Array.from(plain.firstChild));
      for (let d = 0; d < n; d++) {
        const want = Array.from(plain.child.subarray(plain.firstChild[d], plain.firstChild[d + 1]))
          .map((v) => ({ v, r: retained[v] }))
          .sort((a, b) => (a.r !== b.r ? (a.r > b.r ? -1 : 1) : a.v - b.v))
          .map((x) => x.v);
        const kids = Array.from(got.child.subarray(got.firstChild[d], got.firstChild[d + 1]));
        if (kids.length !== want.length || kids.some((x, i) => x !== want[i])) {
          expect.fail(`children of ${d} (${want.length}) out of order, ${where}`);
        }
      }
    }
  });

  it('reverseEdges lists every edge once, under its target, in original edge order', function () {
    for (let si = 0; si < SHAPES.length; si++) {
      for (let k = 0; k < 200; k++) {
        const seed = caseSeed(si, k) ^ 0x1234567;
        const c = randomCase(SHAPES[si], seed);
        const g = c.graph;
        const where = `shape ${SHAPES[si]}, graph seed ${seed}`;
        const { graph: r, originalEdge } = reverseEdges(g);
        expect(r.nodeCount, where).to.equal(g.nodeCount);
        expect(r.firstEdge.length, where).to.equal(g.nodeCount + 1);
        expect(r.edgeTarget.length, where).to.equal(g.edgeTarget.length);
        // Expected: for every target t, the (source, edge) pairs of edges into t, by edge index.
        const expected: Array<Array<[number, number]>> = Array.from({ length: g.nodeCount }, () => []);
        for (let v = 0; v < g.nodeCount; v++) {
          for (let e = g.firstEdge[v]; e < g.firstEdge[v + 1]; e++) expected[g.edgeTarget[e]].push([v, e]);
        }
        for (let t = 0; t < g.nodeCount; t++) {
          const got: Array<[number, number]> = [];
          for (let x = r.firstEdge[t]; x < r.firstEdge[t + 1]; x++) got.push([r.edgeTarget[x], originalEdge[x]]);
          expect(got, `reverse edges of ${t}, ${where}`).to.deep.equal(expected[t]);
        }
      }
    }
  });
});
