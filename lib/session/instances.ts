// The instances of each type row (typed objects by type, untyped ones by size class, as typeGroups groups them):
// one CSR over all objects built on first use (members of row r are member[start[r] .. start[r+1]), in object
// order), then pages sorted by size, retained size or address. A page near the top is a top-k selection; deeper
// pages sort the whole row once and keep the order.
import type { HeapGraph } from '../graph/index.js';
import type { HeapTypes } from '../typing/index.js';
import { typeGroups } from '../analysis/index.js';

export type InstanceSort = 'retained' | 'size' | 'address';

export class InstanceIndex {
  private readonly rowOfName = new Map<string, number>();
  private readonly start: Uint32Array;
  private readonly member: Uint32Array;
  private readonly bytes: Float64Array;
  private readonly sorted = new Map<string, Uint32Array>();

  constructor(private readonly graph: HeapGraph, types: HeapTypes) {
    const { rowOf, names } = typeGroups(graph, types);
    names.forEach((n, r) => this.rowOfName.set(n, r));
    const n = graph.objectCount;
    const rows = names.length;
    const start = new Uint32Array(rows + 1);
    const bytes = new Float64Array(rows);
    const size = graph.objectSize;
    for (let i = 0; i < n; i++) {
      start[rowOf[i] + 1]++;
      bytes[rowOf[i]] += size[i];
    }
    for (let r = 0; r < rows; r++) start[r + 1] += start[r];
    const fill = start.slice(0, rows);
    const member = new Uint32Array(n);
    for (let i = 0; i < n; i++) member[fill[rowOf[i]]++] = i;
    this.start = start;
    this.member = member;
    this.bytes = bytes;
  }

  /** Instances of row `type` from `offset`, at most `limit` (0: all), with the row's count and bytes; undefined for an unknown type. */
  page(type: string, sort: InstanceSort, offset: number, limit: number, retained: (i: number) => number):
    { total: number; offset: number; items: number[]; count: number; bytes: number } | undefined {
    const r = this.rowOfName.get(type);
    if (r === undefined) return undefined;
    const all = this.member.subarray(this.start[r], this.start[r + 1]);
    const total = all.length;
    const want = limit <= 0 ? total - offset : Math.min(limit, total - offset);
    const base = { total, offset, count: total, bytes: this.bytes[r] };
    if (want <= 0) return { ...base, items: [] };
    const key = sort === 'retained' ? retained : sort === 'size' ? (i: number) => this.graph.objectSize[i] : (i: number) => -this.graph.objectAddress[i];
    // Largest key first; ties by address, lower first.
    const addr = this.graph.objectAddress;
    const before = (a: number, b: number): boolean => key(a) > key(b) || (key(a) === key(b) && addr[a] < addr[b]);
    const cacheKey = `${r}:${sort}`;
    let order = this.sorted.get(cacheKey);
    if (!order && offset + want <= 1000 && total > 4 * (offset + want)) {
      return { ...base, items: topK(all, offset + want, before).slice(offset) };
    }
    if (!order) {
      order = Uint32Array.from(all).sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
      this.sorted.set(cacheKey, order);
    }
    return { ...base, items: Array.from(order.subarray(offset, offset + want)) };
  }
}

/** The k first elements of `items` in the order `before` defines, in that order (a bounded binary heap). */
function topK(items: Uint32Array, k: number, before: (a: number, b: number) => boolean): number[] {
  // heap[0] is the worst kept element: a heap where a parent comes after its children in `before` order.
  const heap: number[] = [];
  const down = (j: number): void => {
    for (;;) {
      const l = 2 * j + 1;
      const r = l + 1;
      let m = j;
      if (l < heap.length && before(heap[m], heap[l])) m = l;
      if (r < heap.length && before(heap[m], heap[r])) m = r;
      if (m === j) return;
      [heap[j], heap[m]] = [heap[m], heap[j]];
      j = m;
    }
  };
  for (let x = 0; x < items.length; x++) {
    const i = items[x];
    if (heap.length < k) {
      heap.push(i);
      let j = heap.length - 1;
      while (j > 0) {
        const p = (j - 1) >> 1;
        if (!before(heap[p], heap[j])) break;
        [heap[j], heap[p]] = [heap[p], heap[j]];
        j = p;
      }
    } else if (before(i, heap[0])) {
      heap[0] = i;
      down(0);
    }
  }
  return heap.sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
}
