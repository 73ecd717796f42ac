// Seeded random graphs of varied shapes and brute-force oracles for the analysis tests.

import { type FlatGraph, NONE, flatGraphFromEdges } from '../../lib/analysis/index.js';

/** The base seed of a test run: ANALYSIS_SEED from the environment, or a fixed default. */
export const BASE_SEED = process.env.ANALYSIS_SEED !== undefined ? Number(process.env.ANALYSIS_SEED) >>> 0 : 20260611;

/** mulberry32: a small seeded 32-bit PRNG, so every failing graph can be rebuilt from its seed. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

export interface RandomCase {
  shape: string;
  seed: number;
  graph: FlatGraph;
  root: number;
  edges: Array<[number, number]>;
}

export const SHAPES = [
  'sparse',
  'dense',
  'tree+shared',
  'loops+dups',
  'unreachable',
  'chain',
  'layered-dag',
  'heap-like',
] as const;

/** Builds the random graph of one shape from one seed. */
export function randomCase(shape: (typeof SHAPES)[number], seed: number): RandomCase {
  const rng = new Rng(seed);
  const edges: Array<[number, number]> = [];
  let n: number;
  let root = 0;
  switch (shape) {
    case 'sparse': {
      n = rng.int(1, 40);
      const m = Math.floor(n * (0.5 + rng.next() * 1.8));
      for (let k = 0; k < m; k++) edges.push([rng.int(0, n - 1), rng.int(0, n - 1)]);
      root = rng.int(0, n - 1);
      break;
    }
    case 'dense': {
      n = rng.int(2, 18);
      const p = 0.2 + rng.next() * 0.7;
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (rng.chance(p)) edges.push([i, j]);
      break;
    }
    case 'tree+shared': {
      // A random tree, then extra edges into existing subtrees so that some subtrees are shared.
      n = rng.int(2, 60);
      for (let i = 1; i < n; i++) edges.push([rng.int(0, i - 1), i]);
      const extra = rng.int(0, Math.ceil(n / 3));
      for (let k = 0; k < extra; k++) {
        const a = rng.int(0, n - 1);
        const b = rng.int(1, n - 1);
        edges.push(rng.chance(0.7) ? [Math.min(a, b), Math.max(a, b)] : [a, b]);
      }
      break;
    }
    case 'loops+dups': {
      n = rng.int(1, 30);
      for (let i = 1; i < n; i++) edges.push([rng.int(0, i - 1), i]);
      const m = rng.int(0, 2 * n);
      for (let k = 0; k < m; k++) {
        const r = rng.next();
        if (r < 0.3) {
          const v = rng.int(0, n - 1);
          edges.push([v, v]);
        } else if (r < 0.6 && edges.length > 0) {
          edges.push(edges[rng.int(0, edges.length - 1)]);
        } else {
          edges.push([rng.int(0, n - 1), rng.int(0, n - 1)]);
        }
      }
      break;
    }
    case 'unreachable': {
      // A reachable part 0..r-1, then nodes that only point into it (or at each other).
      const r = rng.int(1, 25);
      n = r + rng.int(1, 15);
      for (let i = 1; i < r; i++) edges.push([rng.int(0, i - 1), i]);
      for (let k = 0; k < r; k++) edges.push([rng.int(0, r - 1), rng.int(0, r - 1)]);
      for (let k = 0; k < 2 * (n - r); k++) edges.push([rng.int(r, n - 1), rng.int(0, n - 1)]);
      break;
    }
    case 'chain': {
      // A long chain with a few forward skips and back edges: deep DFS trees and long compressions.
      n = rng.int(2, 300);
      for (let i = 1; i < n; i++) edges.push([i - 1, i]);
      const extra = rng.int(0, Math.ceil(n / 10));
      for (let k = 0; k < extra; k++) edges.push([rng.int(0, n - 1), rng.int(0, n - 1)]);
      break;
    }
    case 'layered-dag': {
      const layers = rng.int(2, 8);
      const width = rng.int(1, 6);
      n = 1 + layers * width;
      for (let w = 0; w < width; w++) if (rng.chance(0.6) || w === 0) edges.push([0, 1 + w]);
      for (let l = 1; l < layers; l++) {
        for (let w = 0; w < width; w++) {
          const to = 1 + l * width + w;
          const fanIn = rng.int(1, 2);
          for (let k = 0; k < fanIn; k++) edges.push([1 + (l - 1) * width + rng.int(0, width - 1), to]);
        }
      }
      break;
    }
    case 'heap-like': {
      // A super-root pointing at a few roots, a tree-ish object graph, ~20% cross edges, some garbage.
      n = rng.int(5, 120);
      const roots = rng.int(1, 4);
      for (let i = 1; i <= roots && i < n; i++) edges.push([0, i]);
      for (let i = roots + 1; i < n; i++) {
        if (rng.chance(0.9)) edges.push([rng.int(Math.max(1, i - 8), i - 1), i]);
      }
      const cross = Math.floor(edges.length * 0.25);
      for (let k = 0; k < cross; k++) edges.push([rng.int(1, n - 1), rng.int(1, n - 1)]);
      break;
    }
  }
  return { shape, seed, graph: flatGraphFromEdges(n, edges), root, edges };
}

/** Nodes reachable from root when node removed is deleted (removed = NONE deletes nothing). */
export function reachableWithout(g: FlatGraph, root: number, removed: number): Uint8Array {
  const seen = new Uint8Array(g.nodeCount);
  if (root === removed) return seen;
  const todo = [root];
  seen[root] = 1;
  while (todo.length > 0) {
    const v = todo.pop()!;
    for (let e = g.firstEdge[v]; e < g.firstEdge[v + 1]; e++) {
      const w = g.edgeTarget[e];
      if (w !== removed && seen[w] === 0) {
        seen[w] = 1;
        todo.push(w);
      }
    }
  }
  return seen;
}

/**
 * Brute-force dominators straight from the definition: d dominates v iff v becomes unreachable from
 * root when d is removed; idom(v) is the strict dominator of v that every other strict dominator of v
 * dominates. Also returns retained sizes: self size of d plus that of every node d strictly dominates.
 */
export function bruteDominators(
  g: FlatGraph,
  root: number,
  selfSize: Float64Array,
): { idom: Uint32Array; retained: Float64Array } {
  const n = g.nodeCount;
  const reach = reachableWithout(g, root, NONE);
  // sdom[d * n + v] = 1 iff d strictly dominates v.
  const sdom = new Uint8Array(n * n);
  for (let d = 0; d < n; d++) {
    if (!reach[d]) continue;
    const r = reachableWithout(g, root, d);
    for (let v = 0; v < n; v++) if (v !== d && reach[v] && !r[v]) sdom[d * n + v] = 1;
  }
  const idom = new Uint32Array(n).fill(NONE);
  const retained = new Float64Array(n);
  for (let v = 0; v < n; v++) {
    if (!reach[v]) continue;
    if (v === root) {
      idom[v] = root;
    } else {
      const strict: number[] = [];
      for (let d = 0; d < n; d++) if (sdom[d * n + v]) strict.push(d);
      const candidates = strict.filter((d) => strict.every((o) => o === d || sdom[o * n + d] === 1));
      if (candidates.length !== 1) throw new Error(`oracle: node ${v} has ${candidates.length} idom candidates`);
      idom[v] = candidates[0];
    }
    let sum = selfSize[v];
    for (let w = 0; w < n; w++) if (sdom[v * n + w]) sum += selfSize[w];
    retained[v] = sum;
  }
  return { idom, retained };
}

/** Naive BFS distances by repeated relaxation over all edges (Bellman-Ford with unit weights). */
export function naiveDistances(g: FlatGraph, sources: ArrayLike<number>): Float64Array {
  const n = g.nodeCount;
  const dist = new Float64Array(n).fill(Infinity);
  for (let k = 0; k < sources.length; k++) dist[sources[k]] = 0;
  for (let round = 0; round < n; round++) {
    let changed = false;
    for (let v = 0; v < n; v++) {
      for (let e = g.firstEdge[v]; e < g.firstEdge[v + 1]; e++) {
        const w = g.edgeTarget[e];
        if (dist[v] + 1 < dist[w]) {
          dist[w] = dist[v] + 1;
          changed = true;
        }
      }
    }
    if (!changed) break;
  }
  return dist;
}
