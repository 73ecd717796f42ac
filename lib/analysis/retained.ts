// The dominator tree as a CSR of children (by node id, or sorted by retained size: sortedDominatorTree), its
// breadth-first order, and retained sizes summed over it.
//
// Layout: the children of node i in the dominator tree are child[firstChild[i] .. firstChild[i+1]),
// sorted by node id (dominatorTreeChildren). The root (the one node with idom[root] = root) is nobody's child; nodes with
// idom = NONE (unreachable) are in no list. Retained sizes are a single pass over the tree's
// breadth-first order read backwards: every node is finished before its immediate dominator.

import { NONE, GraphShapeError } from './flat-graph.js';

/** The dominator tree, children by node id: child[firstChild[i] .. firstChild[i+1]). */
export interface DominatorTree {
  readonly root: number;
  /** Length nodeCount + 1. */
  readonly firstChild: Uint32Array;
  /** One entry per reachable node other than the root. */
  readonly child: Uint32Array;
}

/** Finds the root of an idom array: the one node that is its own immediate dominator. */
function findRoot(idom: Uint32Array): number {
  const n = idom.length;
  let root = NONE;
  for (let i = 0; i < n; i++) {
    if (idom[i] === i) {
      if (root !== NONE) throw new GraphShapeError(`idom has two roots, ${root} and ${i}`);
      root = i;
    }
  }
  if (root === NONE && n > 0) throw new GraphShapeError('idom has no root (no node with idom[v] = v)');
  return root;
}

/**
 * Builds the children lists of the dominator tree given by idom (as computeDominators returns it), in
 * three passes: count, prefix sum, fill. Children come out sorted by node id. `newArray` makes the two arrays
 * (zeroed), e.g. over SharedArrayBuffers.
 */
export function dominatorTreeChildren(idom: Uint32Array, newArray: (length: number) => Uint32Array = (k) => new Uint32Array(k)): DominatorTree {
  const n = idom.length;
  const root = findRoot(idom);
  // Count into firstChild[d], take inclusive prefix sums (firstChild[d] = end of d's range), then fill
  // backwards so that each firstChild[d] walks down to the start of its range.
  const firstChild = newArray(n + 1);
  for (let i = 0; i < n; i++) {
    const d = idom[i];
    if (d !== NONE && d !== i) {
      if (d >= n) throw new GraphShapeError(`idom[${i}] = ${d} is not a node id`);
      firstChild[d]++;
    }
  }
  for (let i = 1; i <= n; i++) firstChild[i] += firstChild[i - 1];
  const child = newArray(firstChild[n]);
  for (let i = n - 1; i >= 0; i--) {
    const d = idom[i];
    if (d !== NONE && d !== i) child[--firstChild[d]] = i;
  }
  return { root, firstChild, child };
}

/**
 * The dominator tree of `idom` with each node's children sorted by retained size, largest first (ties: node id): the
 * order in which the analyses that walk the tree (histograms, suspects) and the viewer's dominator pages read it.
 */
export function sortedDominatorTree(idom: Uint32Array, retained: Float64Array, newArray?: (length: number) => Uint32Array): DominatorTree {
  const t = dominatorTreeChildren(idom, newArray);
  const { firstChild, child } = t;
  const sortMany = manyChildrenSort(retained);
  for (let v = 0; v + 1 < firstChild.length; v++) {
    const s = firstChild[v];
    const e = firstChild[v + 1];
    if (e - s > 16) {
      sortMany(child, s, e);
      continue;
    }
    // Most nodes have a few children: sorted by insertion, without a comparator call per step.
    for (let k = s + 1; k < e; k++) {
      const x = child[k];
      const rx = retained[x];
      let j = k - 1;
      for (; j >= s; j--) {
        const y = child[j];
        const ry = retained[y];
        if (ry > rx || (ry === rx && y < x)) break;
        child[j + 1] = y;
      }
      child[j + 1] = x;
    }
  }
  return t;
}

/**
 * Sorts child[s .. e), node ids in ascending order, by retained size, largest first (ties: node id, as they are).
 * Sorting numbers with a comparator calls it some k log k times, each reading two retained sizes at random: on a
 * 14 M-object heap with 3.3 M children under 21,000 nodes of more than 16, that was half of the tree's time (0.5 of
 * 1 s). Instead each child gets one number, (top - its retained size) * K + its place, where top is the range's
 * largest size and K the power of two above its length: these numbers sort as the children should (ties by place,
 * which is by id), and a Float64Array sorts numbers natively. Exact while top * K stays below 2^53 (a range of a
 * million children under 8 TB); otherwise, the comparator.
 */
function manyChildrenSort(retained: Float64Array): (child: Uint32Array, s: number, e: number) => void {
  let keys = new Float64Array(0);
  let ids = new Uint32Array(0);
  const byRetained = (a: number, b: number): number => retained[b] - retained[a] || a - b;
  return (child, s, e) => {
    const k = e - s;
    let top = 0;
    for (let j = s; j < e; j++) top = Math.max(top, retained[child[j]]);
    const K = 2 ** Math.ceil(Math.log2(k));
    if ((top + 1) * K > Number.MAX_SAFE_INTEGER) {
      child.subarray(s, e).sort(byRetained);
      return;
    }
    if (keys.length < k) {
      keys = new Float64Array(k);
      ids = new Uint32Array(k);
    }
    for (let j = 0; j < k; j++) {
      const c = child[s + j];
      ids[j] = c;
      keys[j] = (top - retained[c]) * K + j;
    }
    const sorted = keys.subarray(0, k).sort();
    // The place is the number's remainder by K, taken as x - floor(x / K) * K: exact (K is a power of two), and
    // cheaper than %, which is a library call on numbers that are not small integers.
    for (let j = 0; j < k; j++) {
      const x = sorted[j];
      child[s + j] = ids[x - Math.floor(x / K) * K];
    }
  };
}

/**
 * Lists the nodes of the dominator tree in breadth-first order from its root (the root first, children
 * in node-id order). Every node appears after its immediate dominator.
 */
export function dominatorTreeOrder(tree: DominatorTree): Uint32Array {
  const { root, firstChild, child } = tree;
  const order = new Uint32Array(child.length + (root === NONE ? 0 : 1));
  if (root === NONE) return order;
  order[0] = root;
  let tail = 1;
  for (let head = 0; head < tail; head++) {
    const v = order[head];
    const end = firstChild[v + 1];
    for (let c = firstChild[v]; c < end; c++) order[tail++] = child[c];
  }
  return order;
}

/**
 * Computes the retained size of every node: its own size plus the sizes of all nodes it dominates, which
 * is the total size that would be freed if it were removed. Nodes that root does not reach (idom NONE)
 * are outside the dominator tree and get 0. Pass a tree from dominatorTreeChildren to skip rebuilding it.
 */
export function computeRetainedSizes(
  idom: Uint32Array,
  selfSize: Float64Array,
  root: number,
  tree?: DominatorTree,
): Float64Array {
  const n = idom.length;
  if (selfSize.length !== n) throw new GraphShapeError(`selfSize has ${selfSize.length} entries, idom ${n}`);
  if (n === 0) return new Float64Array(0);
  if (!(root >= 0 && root < n && idom[root] === root)) {
    throw new GraphShapeError(`root ${root} is not the root of idom`);
  }
  const t = tree ?? dominatorTreeChildren(idom);
  if (t.root !== root) throw new GraphShapeError(`dominator tree is rooted at ${t.root}, not ${root}`);
  const order = dominatorTreeOrder(t);
  const retained = new Float64Array(n);
  for (let k = 0; k < order.length; k++) {
    const v = order[k];
    retained[v] = selfSize[v];
  }
  for (let k = order.length - 1; k > 0; k--) {
    const v = order[k];
    retained[idom[v]] += retained[v];
  }
  return retained;
}
