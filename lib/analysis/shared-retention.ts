// Shared retention: the memory no single root node keeps alive. In the dominator tree the super-root's children are
// the root nodes and the "shared" objects (reachable from two root nodes or more, so dominated by no one of them);
// together their retained sizes partition the reachable heap. This file answers, for those top-level nodes, which
// root nodes reach a shared object, and how much each top-level node can reach (its reachable size).
//
// Both come from a small condensed graph over the top-level nodes only, built in one pass over the heap's edges:
// an edge u -> w between two different dominator subtrees always lands on a top-level node w (were w inside the
// subtree of a top-level node T != w, every path to u would pass T, so u would be in T's subtree too). So the
// condensed graph has an edge top(u) -> w for each heap edge u -> w into a shared object, and root node k -> w for
// each root of k pointing at one. Root nodes have no incoming edges, so what root k reaches is its own subtree
// plus the subtrees of the shared objects it reaches in the condensed graph:
//   reachable(k) = retained(k) + sum of retained(x) over shared x reachable from k.
// Reachable sizes are computed per asked node (a breadth-first walk of the condensed graph, cached), not for all:
// a heap with many roots and many shared objects would make all of them quadratic in the condensed graph's size.
import type { HeapGraph } from '../graph/index.js';
import type { HeapDominators } from './heap-dominators.js';

/**
 * Top-level nodes are numbered 0..R-1 for the root nodes (root node k) and R..R+S-1 for the shared objects
 * (sharedObject[j] is top-level node R + j).
 */
export interface SharedRetention {
  rootNodeCount: number;
  /** Object indices of the shared objects, most retained first (ties: lower object index first). */
  sharedObject: Uint32Array;
  /** Condensed edges, CSR over top-level nodes: targets are always shared nodes (>= R). */
  firstEdge: Uint32Array;
  edgeTarget: Uint32Array;
  /** The reverse edges. */
  firstReverse: Uint32Array;
  reverseSource: Uint32Array;
  /** Retained bytes of each top-level node. */
  retained: Float64Array;
}

/** Objects whose edges sharedRetention's scan reads at a time (with theirs: a MiB of edgeStart, about as much again of edges). */
const EDGE_SCAN_OBJECTS = 1 << 18;
/** Room in the scan's buffers for the whole blocks a chunk's elements lie in (twice lib/store's 16 KiB blocks). */
const EDGE_SCAN_SLACK = 64 << 10;

/**
 * Builds the condensed graph of the top-level nodes of `dom` (one pass over objects, roots and edges; the edges read
 * `chunkObjects` objects at a time).
 */
export function sharedRetention(graph: HeapGraph, dom: HeapDominators, chunkObjects = EDGE_SCAN_OBJECTS): SharedRetention {
  const idom = dom.idom;
  const first = dom.firstObjectNode;
  const R = dom.rootNodes.count;
  const n = graph.objectCount;
  let S = 0;
  for (let i = 0; i < n; i++) if (idom[first + i] === 0) S++;
  const sharedObject = new Uint32Array(S);
  for (let i = 0, j = 0; i < n; i++) if (idom[first + i] === 0) sharedObject[j++] = i;
  const retainedOf = dom.retained;
  sharedObject.sort((a, b) => retainedOf[first + b] - retainedOf[first + a] || a - b);
  // Top-level node of each shared object's analysis node; the top of any node is found by walking its idom chain,
  // memoized in `top` (analysis node -> top-level node + 1, 0 = not yet known).
  const top = new Uint32Array(dom.nodeCount);
  for (let k = 0; k < R; k++) top[k + 1] = k + 1;
  for (let j = 0; j < S; j++) top[first + sharedObject[j]] = R + j + 1;
  const path: number[] = [];
  const topOf = (v: number): number => {
    let x = v;
    while (top[x] === 0) {
      path.push(x);
      x = idom[x];
    }
    const t = top[x];
    for (const p of path) top[p] = t;
    path.length = 0;
    return t - 1;
  };
  // Condensed edges as pairs (from, to), in typed arrays: a pair met again right away is dropped now, the others once
  // the pairs are sorted into rows (condensedRows). A heap whose indexes share most of its objects has millions.
  const T = R + S;
  // Room for a few pairs per top-level node to begin with (grown as needed).
  let from: Uint32Array = new Uint32Array(Math.max(1 << 16, 4 * T));
  let to: Uint32Array = new Uint32Array(from.length);
  let pairs = 0;
  let lastFrom = -1;
  let lastTo = -1;
  const edge = (a: number, b: number): void => {
    if (a === lastFrom && b === lastTo) return;
    lastFrom = a;
    lastTo = b;
    if (pairs === from.length) {
      from = grown(from);
      to = grown(to);
    }
    from[pairs] = a;
    to[pairs++] = b;
  };
  const roots = graph.roots;
  for (let r = 0; r < roots.count; r++) {
    const w = first + roots.target[r];
    if (idom[w] === 0) {
      edge(dom.rootNodes.rootNode[r], top[w] - 1);
    }
  }
  if (S > 0) {
    // The edge scan tests each target against a byte per object (much smaller than idom: fewer cache misses).
    const isShared = new Uint8Array(n);
    for (let j = 0; j < S; j++) isShared[sharedObject[j]] = 1;
    // The edges are read by position, chunkObjects objects at a time (lib/graph Column: views of arrays in
    // memory, else blocks of an index read and checked as the scan reaches them), so that a graph read from an index
    // is never held whole for this pass.
    // Each chunk is read into the same buffers (grown for a chunk with more edges), not into new ones: freed
    // buffers of a few MB each, many of them, would stay in the process' heap (glibc keeps them: measured +35 MB
    // of RSS on a 14 M-object dump).
    const edgeStart = graph.column('edgeStart');
    const edgeTarget = graph.column('edgeTarget');
    const reachableColumn = graph.column('reachable');
    const startScratch = new ArrayBuffer(4 * (chunkObjects + 1) + EDGE_SCAN_SLACK);
    const reachableScratch = new ArrayBuffer(chunkObjects + EDGE_SCAN_SLACK);
    let targetScratch = new ArrayBuffer(8 * chunkObjects + EDGE_SCAN_SLACK);
    for (let lo = 0; lo < n; lo += chunkObjects) {
      const hi = Math.min(n, lo + chunkObjects);
      const starts = edgeStart.range(lo, hi + 1, startScratch);
      const reachable = reachableColumn.range(lo, hi, reachableScratch);
      const base = starts[0];
      const edges = starts[hi - lo] - base;
      if (4 * edges + EDGE_SCAN_SLACK > targetScratch.byteLength) targetScratch = new ArrayBuffer(8 * edges + EDGE_SCAN_SLACK);
      const target = edgeTarget.range(base, starts[hi - lo], targetScratch);
      for (let u = lo; u < hi; u++) {
        if (reachable[u - lo] === 0) continue;
        const end = starts[u - lo + 1] - base;
        let tu = -1;
        for (let e = starts[u - lo] - base; e < end; e++) {
          const x = target[e];
          if (isShared[x] === 0 || x === u) continue;
          if (tu < 0) tu = topOf(first + u);
          const tw = top[first + x] - 1;
          if (tw !== tu) edge(tu, tw);
        }
      }
    }
  }
  const fwd = condensedRows(T, from.subarray(0, pairs), to.subarray(0, pairs));
  const rev = reverseRows(T, fwd.start, fwd.item);
  const retained = new Float64Array(T);
  for (let k = 0; k < R; k++) retained[k] = dom.retained[k + 1];
  for (let j = 0; j < S; j++) retained[R + j] = dom.retained[first + sharedObject[j]];
  return {
    rootNodeCount: R, sharedObject, firstEdge: fwd.start, edgeTarget: fwd.item, firstReverse: rev.start,
    reverseSource: rev.item, retained,
  };
}

/** `a` with twice the room. */
function grown(a: Uint32Array): Uint32Array {
  const b = new Uint32Array(2 * a.length);
  b.set(a);
  return b;
}

/** CSR rows of the pairs (from[p], to[p]) over T nodes: each row's items in increasing order, each once. */
function condensedRows(T: number, from: Uint32Array, to: Uint32Array): { start: Uint32Array; item: Uint32Array } {
  const start = new Uint32Array(T + 1);
  for (let p = 0; p < from.length; p++) start[from[p] + 1]++;
  for (let k = 0; k < T; k++) start[k + 1] += start[k];
  const fill = start.slice(0, T);
  const item = new Uint32Array(from.length);
  for (let p = 0; p < from.length; p++) item[fill[from[p]]++] = to[p];
  // Each row sorted, its repeats dropped, and the rows moved down over the room they left.
  let m = 0;
  for (let k = 0; k < T; k++) {
    const lo = start[k];
    const hi = start[k + 1];
    start[k] = m;
    if (hi - lo > 1) item.subarray(lo, hi).sort();
    for (let q = lo; q < hi; q++) if (q === lo || item[q] !== item[q - 1]) item[m++] = item[q];
  }
  start[T] = m;
  return { start, item: item.slice(0, m) };
}

/** The reverse of CSR rows (start, item) over T nodes: each row's sources in increasing order. */
function reverseRows(T: number, start: Uint32Array, item: Uint32Array): { start: Uint32Array; item: Uint32Array } {
  const first = new Uint32Array(T + 1);
  for (let q = 0; q < item.length; q++) first[item[q] + 1]++;
  for (let k = 0; k < T; k++) first[k + 1] += first[k];
  const fill = first.slice(0, T);
  const source = new Uint32Array(item.length);
  // Sources in increasing order: the rows are read in that order.
  for (let k = 0; k < T; k++) for (let q = start[k]; q < start[k + 1]; q++) source[fill[item[q]]++] = k;
  return { start: first, item: source };
}

/** Walks the condensed graph from top-level node `start` (forward, or backward with `reverse`), calling visit on each node reached, start included. */
function walk(firstEdge: Uint32Array, edge: Uint32Array, start: number, visit: (t: number) => void): void {
  const seen = new Set<number>([start]);
  const queue = [start];
  for (let q = 0; q < queue.length; q++) {
    const t = queue[q];
    visit(t);
    for (let e = firstEdge[t]; e < firstEdge[t + 1]; e++) {
      const x = edge[e];
      if (!seen.has(x)) {
        seen.add(x);
        queue.push(x);
      }
    }
  }
}

/** Bytes reachable from top-level node t: its own retained bytes and those of every shared object it reaches. */
export function reachableBytes(s: SharedRetention, t: number): number {
  let sum = 0;
  walk(s.firstEdge, s.edgeTarget, t, (x) => { sum += s.retained[x]; });
  return sum;
}

/** The root nodes (numbers 0..R-1) from which top-level node t can be reached, in increasing order. */
export function rootNodesReaching(s: SharedRetention, t: number): number[] {
  const out: number[] = [];
  walk(s.firstReverse, s.reverseSource, t, (x) => { if (x < s.rootNodeCount) out.push(x); });
  return out.sort((a, b) => a - b);
}

/** The top-level node of shared object `object`, or -1 when the object is not a shared one. */
export function sharedNode(s: SharedRetention, object: number): number {
  // sharedObject is sorted by retained size, not index: a linear search (callers ask for a few).
  const j = s.sharedObject.indexOf(object);
  return j < 0 ? -1 : s.rootNodeCount + j;
}

/** For every shared object, the root nodes that reach it; for every root node, the bytes it reaches. */
export interface RootSets {
  /** CSR over shared objects j (top-level node R + j): root nodes in increasing order. */
  firstRoot: Uint32Array;
  root: Uint32Array;
  /** Per root node k: reachableBytes(s, k), computed in the same walks. */
  reachable: Float64Array;
}

/**
 * The root sets of every shared object and the reachable size of every root node, in one forward walk of the
 * condensed graph per root node (each walk visits only the shared objects that root reaches). With `stop` (per
 * top-level node: 1 for a runtime structure, a P, an M, a g) and `runtimeRoot` (per root node), a program root's
 * walk for root sets does not go on through a runtime structure: a parked goroutine's g reaches every channel the
 * runtime's timers and sudogs point at, which says nothing of who holds them. Reachable sizes walk everything.
 */
export function rootSets(s: SharedRetention, stop?: Uint8Array, runtimeRoot?: Uint8Array): RootSets {
  const R = s.rootNodeCount;
  const T = s.retained.length;
  const S = T - R;
  const reachable = new Float64Array(R);
  let pairNode = new Uint32Array(1024);
  let pairRoot = new Uint32Array(1024);
  let pairs = 0;
  const mark = new Int32Array(T).fill(-1);
  const queue = new Uint32Array(T);
  let stamp = 0;
  // One walk from root node k; records (shared object, k) pairs when `record`; returns the bytes visited and
  // whether a stop node was passed by.
  const walk = (k: number, record: boolean, stops: boolean): { sum: number; stopped: boolean } => {
    const id = stamp++;
    let head = 0;
    let tail = 0;
    queue[tail++] = k;
    mark[k] = id;
    let sum = 0;
    let stopped = false;
    while (head < tail) {
      const t = queue[head++];
      sum += s.retained[t];
      if (t >= R && record) {
        if (pairs === pairNode.length) {
          const a = new Uint32Array(pairs * 2);
          a.set(pairNode);
          pairNode = a;
          const b = new Uint32Array(pairs * 2);
          b.set(pairRoot);
          pairRoot = b;
        }
        pairNode[pairs] = t - R;
        pairRoot[pairs++] = k;
      }
      if (stops && stop![t] === 1) {
        stopped = true;
        continue;
      }
      for (let e = s.firstEdge[t]; e < s.firstEdge[t + 1]; e++) {
        const x = s.edgeTarget[e];
        if (mark[x] !== id) {
          mark[x] = id;
          queue[tail++] = x;
        }
      }
    }
    return { sum, stopped };
  };
  for (let k = 0; k < R; k++) {
    const stops = stop !== undefined && (runtimeRoot === undefined || runtimeRoot[k] === 0);
    const w = walk(k, true, stops);
    reachable[k] = w.stopped ? walk(k, false, false).sum : w.sum;
  }
  // Counting sort by shared object; root nodes come in increasing order (they were walked in that order).
  const firstRoot = new Uint32Array(S + 1);
  for (let p = 0; p < pairs; p++) firstRoot[pairNode[p] + 1]++;
  for (let j = 0; j < S; j++) firstRoot[j + 1] += firstRoot[j];
  const fill = firstRoot.slice(0, S);
  const root = new Uint32Array(pairs);
  for (let p = 0; p < pairs; p++) root[fill[pairNode[p]]++] = pairRoot[p];
  return { firstRoot, root, reachable };
}

/** Bytes reachable from a set of top-level nodes together (each byte once). */
export function reachableBytesFrom(s: SharedRetention, starts: ArrayLike<number>): number {
  const seen = new Set<number>();
  const queue: number[] = [];
  for (let k = 0; k < starts.length; k++) if (!seen.has(starts[k])) { seen.add(starts[k]); queue.push(starts[k]); }
  let sum = 0;
  for (let q = 0; q < queue.length; q++) {
    const t = queue[q];
    sum += s.retained[t];
    for (let e = s.firstEdge[t]; e < s.firstEdge[t + 1]; e++) {
      const x = s.edgeTarget[e];
      if (!seen.has(x)) {
        seen.add(x);
        queue.push(x);
      }
    }
  }
  return sum;
}
