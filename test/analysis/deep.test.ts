// Deep and wide graphs: a million-node chain and its variants, and a near-complete graph. These prove
// that nothing recurses on graph depth and that path compression copes with long forest paths; the
// expected values are closed forms of the graphs' shapes.

import { expect } from 'chai';
import {
  type FlatGraph,
  NONE,
  computeDominators,
  computeRetainedSizes,
  dominatorTreeChildren,
  markReachable,
  pathTo,
  reverseEdges,
  shortestPathParents,
} from '../../lib/analysis/index.js';

const N = 1_000_000;

/** Builds a CSR graph where node v has degree(v) edges and its k-th edge goes to target(v, k). */
function build(n: number, degree: (v: number) => number, target: (v: number, k: number) => number): FlatGraph {
  const firstEdge = new Uint32Array(n + 1);
  for (let v = 0; v < n; v++) firstEdge[v + 1] = firstEdge[v] + degree(v);
  const edgeTarget = new Uint32Array(firstEdge[n]);
  for (let v = 0; v < n; v++) {
    const d = firstEdge[v + 1] - firstEdge[v];
    for (let k = 0; k < d; k++) edgeTarget[firstEdge[v] + k] = target(v, k);
  }
  return { nodeCount: n, firstEdge, edgeTarget };
}

/** First index where got differs from want(i), or -1; keeps failures readable on million-entry arrays. */
function firstMismatch(got: ArrayLike<number>, want: (i: number) => number): number {
  for (let i = 0; i < got.length; i++) if (got[i] !== want(i)) return i;
  return -1;
}

describe('analysis on deep and wide graphs', function () {
  const self = new Float64Array(N);
  for (let i = 0; i < N; i++) self[i] = i + 1;

  it('a 1,000,000-node chain: idom i-1, retained suffix sums, BFS depth i, reverse edges', function () {
    const g = build(N, (v) => (v < N - 1 ? 1 : 0), (v) => v + 1);
    const idom = computeDominators(g, 0);
    expect(firstMismatch(idom, (i) => (i === 0 ? 0 : i - 1))).to.equal(-1);
    const tree = dominatorTreeChildren(idom);
    expect(firstMismatch(tree.child, (i) => i + 1)).to.equal(-1);
    const retained = computeRetainedSizes(idom, self, 0, tree);
    // sum of (j + 1) for j = i .. N-1
    expect(firstMismatch(retained, (i) => (N * (N + 1) - i * (i + 1)) / 2)).to.equal(-1);
    const sp = shortestPathParents(g, new Uint32Array([0]));
    expect(firstMismatch(sp.distance, (i) => i)).to.equal(-1);
    const path = pathTo(sp.parent, N - 1);
    expect(path.length).to.equal(N);
    expect(firstMismatch(path, (i) => i)).to.equal(-1);
    expect(markReachable(g, new Uint32Array([0])).every((x) => x === 1)).to.equal(true);
    const r = reverseEdges(g);
    expect(firstMismatch(r.graph.firstEdge, (i) => (i === 0 ? 0 : i - 1))).to.equal(-1);
    expect(firstMismatch(r.graph.edgeTarget, (i) => i)).to.equal(-1);
  });

  it('a 1,000,000-node chain with back edges to 0 and to v/2 (long compressions): still idom i-1', function () {
    const g = build(
      N,
      (v) => (v < N - 1 ? 3 : 2),
      (v, k) => (k === 0 ? v >>> 1 : k === 1 ? 0 : v + 1),
    );
    const idom = computeDominators(g, 0);
    expect(firstMismatch(idom, (i) => (i === 0 ? 0 : i - 1))).to.equal(-1);
  });

  it('a 1,000,000-node chain with the root also pointing at every even node', function () {
    // Even v > 0 is reached from 0 directly and from v-1: idom 0. Odd v is reached only from v-1.
    const g = build(
      N,
      (v) => (v === 0 ? N >>> 1 : v < N - 1 ? 1 : 0), // 0 -> 1, 2, 4, ..., N - 2
      (v, k) => (v === 0 ? (k === 0 ? 1 : 2 * k) : v + 1),
    );
    const idom = computeDominators(g, 0);
    expect(firstMismatch(idom, (i) => (i === 0 ? 0 : i % 2 === 0 ? 0 : i - 1))).to.equal(-1);
    const retained = computeRetainedSizes(idom, self, 0);
    let total = 0;
    for (let i = 0; i < N; i++) total += self[i];
    expect(
      firstMismatch(retained, (i) => (i === 0 ? total : i % 2 === 0 && i + 1 < N ? self[i] + self[i + 1] : self[i])),
    ).to.equal(-1);
    const sp = shortestPathParents(g, new Uint32Array([0]));
    expect(firstMismatch(sp.distance, (i) => (i === 0 ? 0 : i % 2 === 0 ? 1 : i === 1 ? 1 : 2))).to.equal(-1);
  });

  it('a star over a 1,000,000-deep DFS: the root points at every node and node v at v+1', function () {
    const g = build(N, (v) => (v === 0 ? N - 1 : v < N - 1 ? 2 : 1), (v, k) => (v === 0 ? k + 1 : k === 0 && v < N - 1 ? v + 1 : 0));
    const idom = computeDominators(g, 0);
    expect(firstMismatch(idom, () => 0)).to.equal(-1);
    const retained = computeRetainedSizes(idom, self, 0);
    expect(firstMismatch(retained, (i) => (i === 0 ? (N * (N + 1)) / 2 : i + 1))).to.equal(-1);
  });

  it('a near-complete graph of 2,000 nodes (3.7 M edges): every idom is the root', function () {
    const n = 2000;
    // v -> w for every w with (7v + w) % 13 != 0; so 0 misses the multiples of 13, reached in two steps.
    const g = build(
      n,
      (v) => {
        let d = 0;
        for (let w = 0; w < n; w++) if ((7 * v + w) % 13 !== 0) d++;
        return d;
      },
      (v, k) => {
        // the k-th w with (7v + w) % 13 != 0: skip the one residue class that is excluded
        const bad = (13 - ((7 * v) % 13)) % 13;
        const full = Math.floor(k / 12);
        const rem = k % 12;
        return full * 13 + rem + (rem >= bad ? 1 : 0);
      },
    );
    expect(g.edgeTarget.length).to.be.greaterThan(3_600_000);
    const idom = computeDominators(g, 0);
    expect(firstMismatch(idom, () => 0)).to.equal(-1);
    const sp = shortestPathParents(g, new Uint32Array([0]));
    expect(firstMismatch(sp.distance, (w) => (w === 0 ? 0 : w % 13 === 0 ? 2 : 1))).to.equal(-1);
    const s = new Float64Array(n).fill(1);
    const retained = computeRetainedSizes(idom, s, 0);
    expect(firstMismatch(retained, (w) => (w === 0 ? n : 1))).to.equal(-1);
  });

  it('leaves a million garbage nodes unreached', function () {
    // Node 0 -> 1, node 1 -> 1; every other node points at node 1 but nothing points at it.
    const h = build(N, () => 1, () => 1);
    const idom2 = computeDominators(h, 0);
    expect(firstMismatch(idom2, (i) => (i === 0 || i === 1 ? 0 : NONE))).to.equal(-1);
    expect(firstMismatch(markReachable(h, new Uint32Array([0])), (i) => (i < 2 ? 1 : 0))).to.equal(-1);
  });
});
