// Summaries over the dominator tree: bytes and retained bytes per type, the objects and root nodes that retain most.
//
// A type's retained bytes count every byte once: the sum of the retained sizes of those of its instances that no
// other instance of the same type dominates (an instance inside another's retained set is already counted).
import type { HeapGraph } from '../graph/index.js';
import { NONE } from './flat-graph.js';
import type { HeapDominators } from './heap-dominators.js';
import { dominatorTreeChildren, type DominatorTree } from './retained.js';
import type { HeapTypes } from './heap-types.js';
import { TINY_REST_NAME, histogramRowNames } from '../typing/index.js';
import type { RootNodeKind } from './root-nodes.js';
import { grown } from './grown.js';

export interface TypeRow {
  type: string;
  /** Instances in the dump (reachable or not) and their bytes. */
  count: number;
  bytes: number;
  /** Reachable instances and their bytes. */
  reachableCount: number;
  reachableBytes: number;
  /** Bytes the instances keep alive together, each byte counted once. */
  retained: number;
}

export interface ObjectRow {
  object: number;
  address: number;
  type: string;
  size: number;
  retained: number;
}

export interface RootNodeRow {
  /** Root node number (analysis node number - 1). */
  rootNode: number;
  kind: RootNodeKind;
  name: string;
  address: number;
  retained: number;
}

/**
 * Groups objects: per object its row number, and the rows' names (typed objects by histogram row name, see
 * histogramRowNames in lib/typing: slice arrays by element type unless `splitArrays`; untyped by size class).
 */
export function typeGroups(graph: HeapGraph, types: HeapTypes, splitArrays = false): { rowOf: Uint32Array; names: string[] } {
  const n = graph.objectCount;
  const objectType = types.objectType;
  const rowNames = histogramRowNames(types, splitArrays);
  const rowOfType = new Int32Array(types.typeNames.length).fill(-1);
  const rowOfName = new Map<string, number>();
  const rowOfSize = new Map<number, number>();
  const names: string[] = [];
  const rowNamed = (name: string): number => {
    let r = rowOfName.get(name);
    if (r === undefined) {
      r = names.length;
      rowOfName.set(name, r);
      names.push(name);
    }
    return r;
  };
  const rowOf = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const t = objectType[i];
    let row: number;
    if (t !== 0) {
      row = rowOfType[t];
      if (row < 0) row = rowOfType[t] = rowNamed(rowNames[t]);
    } else {
      const s = graph.sizeOf(i);
      const r = rowOfSize.get(s);
      if (r === undefined) {
        row = rowNamed(types.objectTypeName(i));
        rowOfSize.set(s, row);
      } else {
        row = r;
      }
    }
    rowOf[i] = row;
  }
  return { rowOf, names };
}

/**
 * The row of a name among `names`: its index, else a new row appended for it (rows of tiny sub-objects' types,
 * shared by name with whole objects' rows).
 */
export function rowNamer(names: string[]): (name: string) => number {
  const byName = new Map(names.map((nm, r) => [nm, r]));
  return (nm: string): number => {
    let r = byName.get(nm);
    if (r === undefined) {
      r = names.length;
      names.push(nm);
      byName.set(nm, r);
    }
    return r;
  };
}

/**
 * Count, bytes and retained bytes per type, largest retained first. Tiny blocks' sub-objects count as instances
 * of their types (each retains its own bytes: it has no pointers); a block's other bytes are TINY_REST_NAME's.
 */
export function typeHistogram(graph: HeapGraph, types: HeapTypes, dom: HeapDominators, splitArrays = false,
  tree?: DominatorTree | (() => DominatorTree)): TypeRow[] {
  const { rowOf, names } = typeGroups(graph, types, splitArrays);
  const tiny = types.tinyObjects;
  const tinyRows = tiny !== undefined && tiny.object.length > 0;
  const rowNames = tinyRows ? histogramRowNames(types, splitArrays) : [];
  const subRow = new Int32Array(tinyRows ? rowNames.length : 0).fill(-1);
  let restRow = -1;
  if (tinyRows) {
    // Blocks are the rest row's; each sub-object's typing gets its row (by name, shared with whole objects).
    const named = rowNamer(names);
    restRow = named(TINY_REST_NAME);
    for (let k = 0; k < tiny.object.length; k++) {
      rowOf[tiny.object[k]] = restRow;
      const id = tiny.typing[k];
      if (subRow[id] < 0) subRow[id] = named(rowNames[id]);
    }
  }
  const rows = names.length;
  const count = new Float64Array(rows);
  const bytes = new Float64Array(rows);
  const reachableCount = new Float64Array(rows);
  const reachableBytes = new Float64Array(rows);
  const retainedBytes = new Float64Array(rows);
  const idom = dom.idom;
  const first = dom.firstObjectNode;
  // Run by run: an object's size is its run's (no per-object size array).
  const runs = graph.addressIndex;
  for (let k = 0; k < runs.runTotal; k++) {
    const size = runs.runObjectSize[k];
    const end = runs.runFirst[k] + runs.runCount[k];
    for (let i = runs.runFirst[k]; i < end; i++) {
      const r = rowOf[i];
      count[r]++;
      bytes[r] += size;
      if (idom[first + i] !== NONE) {
        reachableCount[r]++;
        reachableBytes[r] += size;
      }
    }
  }
  // Depth-first walk of the dominator tree (the caller's, in any child order, else built here); active[r] =
  // instances of row r on the current tree path. A caller that gives a function has it called only now: the rows
  // above need no tree (a cold open's tree is built meanwhile on another thread).
  const { firstChild, child } = (typeof tree === 'function' ? tree() : tree) ?? dominatorTreeChildren(idom);
  const retained = dom.retained;
  const active = new Uint32Array(rows);
  // The walk's stack, a node and its next child per level, grown as the tree proves deep (most are shallow: two
  // words per node up front would be hundreds of MB on a large heap).
  let walk = new Uint32Array(8192);
  let sp = 0;
  walk[0] = 0;
  walk[1] = firstChild[0];
  sp++;
  while (sp > 0) {
    const top = 2 * (sp - 1);
    const v = walk[top];
    const c = walk[top + 1];
    if (c < firstChild[v + 1]) {
      walk[top + 1] = c + 1;
      const w = child[c];
      if (w >= first) {
        const r = rowOf[w - first];
        if (active[r] === 0) retainedBytes[r] += retained[w];
        active[r]++;
      }
      if (top + 3 >= walk.length) {
        walk = grown(walk);
      }
      walk[top + 2] = w;
      walk[top + 3] = firstChild[w];
      sp++;
    } else {
      sp--;
      if (v >= first) active[rowOf[v - first]]--;
    }
  }
  if (tinyRows) {
    // The sub-objects move from their blocks' rest row to their own rows.
    let k = 0;
    while (k < tiny.object.length) {
      const b = tiny.object[k];
      const live = idom[first + b] !== NONE;
      let used = 0;
      for (; k < tiny.object.length && tiny.object[k] === b; k++) {
        const r = subRow[tiny.typing[k]];
        const sz = tiny.place[k] >>> 8;
        used += sz;
        count[r]++;
        bytes[r] += sz;
        if (live) {
          reachableCount[r]++;
          reachableBytes[r] += sz;
          retainedBytes[r] += sz;
        }
      }
      bytes[restRow] -= used;
      if (live) reachableBytes[restRow] -= used;
      if (live) retainedBytes[restRow] -= Math.min(used, retained[first + b]);
      if (used >= graph.sizeOf(b)) {
        count[restRow]--;
        if (live) reachableCount[restRow]--;
      }
    }
  }
  const out: TypeRow[] = [];
  for (let r = 0; r < rows; r++) {
    if (count[r] === 0) continue;
    out.push({ type: names[r], count: count[r], bytes: bytes[r], reachableCount: reachableCount[r], reachableBytes: reachableBytes[r], retained: retainedBytes[r] });
  }
  out.sort((a, b) => b.retained - a.retained || b.bytes - a.bytes || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
  return out;
}

/** The `limit` objects with the largest retained sizes, largest first (ties: lower address first). */
export function topObjects(graph: HeapGraph, types: HeapTypes, dom: HeapDominators, limit: number): ObjectRow[] {
  const n = graph.objectCount;
  const retained = dom.retained;
  const first = dom.firstObjectNode;
  const k = Math.max(0, Math.min(limit, n));
  // A min-heap of object indices by retained size, k entries.
  const heap = new Uint32Array(k);
  let size = 0;
  const less = (a: number, b: number): boolean =>
    retained[first + a] < retained[first + b] ||
    (retained[first + a] === retained[first + b] && graph.addressOf(a) > graph.addressOf(b));
  for (let i = 0; i < n && k > 0; i++) {
    if (retained[first + i] === 0) continue;
    if (size < k) {
      let j = size++;
      heap[j] = i;
      while (j > 0) {
        const p = (j - 1) >> 1;
        if (!less(heap[j], heap[p])) break;
        [heap[j], heap[p]] = [heap[p], heap[j]];
        j = p;
      }
    } else if (less(heap[0], i)) {
      heap[0] = i;
      let j = 0;
      for (;;) {
        const l = 2 * j + 1;
        const r = l + 1;
        let m = j;
        if (l < size && less(heap[l], heap[m])) m = l;
        if (r < size && less(heap[r], heap[m])) m = r;
        if (m === j) break;
        [heap[j], heap[m]] = [heap[m], heap[j]];
        j = m;
      }
    }
  }
  const picked = Array.from(heap.subarray(0, size));
  picked.sort((a, b) => (less(a, b) ? 1 : less(b, a) ? -1 : 0));
  return picked.map((i) => ({
    object: i, address: graph.addressOf(i), type: types.objectTypeName(i), size: graph.sizeOf(i),
    retained: retained[first + i],
  }));
}

/** Every root node with its retained size, largest first (ties by name). */
export function rootNodeRows(dom: HeapDominators): RootNodeRow[] {
  const rn = dom.rootNodes;
  const rows: RootNodeRow[] = [];
  for (let k = 0; k < rn.count; k++) {
    rows.push({ rootNode: k, kind: rn.kind[k], name: rn.name[k], address: rn.address[k], retained: dom.retained[k + 1] });
  }
  rows.sort((a, b) => b.retained - a.retained || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return rows;
}
