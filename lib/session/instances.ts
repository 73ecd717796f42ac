// The instances of each type row (typed objects by type, untyped ones by size class, as typeGroups groups them):
// one CSR over all objects (members of row r are member[start[r] .. start[r+1]), in object order), built once and
// kept as a derived index (tiny blocks' sub-objects are members too, objectCount + k); then pages sorted by retained size, size or address. A page near the top is a top-k
// selection over the row; deeper pages sort the whole row once and keep that order.
import type { HeapGraph } from '../graph/index.js';
import { histogramRowNames, type HeapTypes } from '../typing/index.js';
import { typeGroups } from '../analysis/index.js';
import type { EncodedPart } from '../store/index.js';

export type InstanceSort = 'retained' | 'size' | 'address';

export interface InstancePage {
  total: number;
  offset: number;
  items: number[];
  count: number;
  bytes: number;
}

export class InstanceIndex {
  private readonly rowOfName = new Map<string, number>();
  private readonly sorted = new Map<string, Uint32Array>();

  private constructor(
    private readonly names: string[],
    private readonly start: Uint32Array,
    private readonly member: Uint32Array,
    private readonly bytes: Float64Array,
  ) {
    names.forEach((n, r) => this.rowOfName.set(n, r));
  }

  /**
   * Builds the index of `graph`'s objects grouped as typeGroups groups them, and of the tiny blocks' sub-objects
   * (members objectCount + k, in their types' rows, as the histogram counts them).
   */
  static build(graph: HeapGraph, types: HeapTypes): InstanceIndex {
    const { rowOf: objectRow, names } = typeGroups(graph, types);
    const n = graph.objectCount;
    const tiny = types.tinyObjects;
    const subs = tiny?.object.length ?? 0;
    const rowOf = new Uint32Array(n + subs);
    rowOf.set(objectRow);
    const subSize = new Uint32Array(subs);
    if (subs > 0) {
      const rowNames = histogramRowNames(types);
      const rowOfName = new Map<string, number>();
      names.forEach((name, r) => rowOfName.set(name, r));
      for (let k = 0; k < subs; k++) {
        const name = rowNames[tiny!.typing[k]];
        let r = rowOfName.get(name);
        if (r === undefined) {
          r = names.length;
          names.push(name);
          rowOfName.set(name, r);
        }
        rowOf[n + k] = r;
        subSize[k] = tiny!.place[k] >>> 8;
      }
    }
    const rows = names.length;
    const start = new Uint32Array(rows + 1);
    const bytes = new Float64Array(rows);
    const size = graph.objectSize;
    for (let i = 0; i < n + subs; i++) {
      start[rowOf[i] + 1]++;
      bytes[rowOf[i]] += i < n ? size[i] : subSize[i - n];
    }
    for (let r = 0; r < rows; r++) start[r + 1] += start[r];
    const fill = start.slice(0, rows);
    const member = new Uint32Array(n + subs);
    for (let i = 0; i < n + subs; i++) member[fill[rowOf[i]]++] = i;
    return new InstanceIndex(names, start, member, bytes);
  }

  encode(): EncodedPart {
    return { meta: { names: this.names }, arrays: { start: this.start, member: this.member, bytes: this.bytes } };
  }

  /** `instanceCount`: objects and tiny sub-objects together. */
  static decode(p: EncodedPart, instanceCount: number): InstanceIndex | undefined {
    const names = (p.meta as { names?: string[] }).names;
    const start = p.arrays.start as Uint32Array;
    const member = p.arrays.member as Uint32Array;
    const bytes = p.arrays.bytes as Float64Array;
    if (!Array.isArray(names) || !start || !member || !bytes || start.length !== names.length + 1 || member.length !== instanceCount) return undefined;
    return new InstanceIndex(names, start, member, bytes);
  }

  /**
   * Instances of row `type` from `offset`, at most `limit` (0: all), largest `key` first (ties: lower address
   * first), with the row's count and bytes; undefined for an unknown type. `key` is per object: retained size, size,
   * or minus the address.
   */
  page(type: string, sort: InstanceSort, offset: number, limit: number, key: (i: number) => number, address: (i: number) => number,
    reachable?: { isReachable: (i: number) => boolean; size: (i: number) => number }): InstancePage | undefined {
    const r = this.rowOfName.get(type);
    if (r === undefined) return undefined;
    let all = this.member.subarray(this.start[r], this.start[r + 1]);
    let rowBytes = this.bytes[r];
    if (reachable) {
      // Reachable instances only: the row's members without the unreachable ones, and their bytes.
      const before = all.length;
      all = all.filter((i) => reachable.isReachable(i));
      if (all.length < before) {
        let b = 0;
        for (let k = 0; k < all.length; k++) b += reachable.size(all[k]);
        rowBytes = Math.min(rowBytes, b);
      }
    }
    const total = all.length;
    const want = limit <= 0 ? total - offset : Math.min(limit, total - offset);
    const base = { total, offset, count: total, bytes: rowBytes };
    if (want <= 0) return { ...base, items: [] };
    const cacheKey = `${r}:${sort}:${reachable ? 'r' : 'a'}`;
    let order = this.sorted.get(cacheKey);
    if (!order && offset + want <= 1000 && total > 4 * (offset + want)) {
      return { ...base, items: topK(all, offset + want, key, address).slice(offset) };
    }
    if (!order) {
      const keys = new Float64Array(total);
      for (let k = 0; k < total; k++) keys[k] = key(all[k]);
      const pos = new Uint32Array(total);
      for (let k = 0; k < total; k++) pos[k] = k;
      pos.sort((a, b) => keys[b] - keys[a] || address(all[a]) - address(all[b]));
      order = new Uint32Array(total);
      for (let k = 0; k < total; k++) order[k] = all[pos[k]];
      this.sorted.set(cacheKey, order);
    }
    return { ...base, items: Array.from(order.subarray(offset, offset + want)) };
  }
}

/**
 * The k items with the largest keys (ties: lower address), in that order: one pass that keeps the best k in a
 * small sorted array and skips, with one comparison, every item below the current k-th.
 */
function topK(items: Uint32Array, k: number, key: (i: number) => number, address: (i: number) => number): number[] {
  const best: number[] = [];
  const bestKey: number[] = [];
  let floor = -Infinity;
  for (let x = 0; x < items.length; x++) {
    const i = items[x];
    const v = key(i);
    if (best.length === k && v < floor) continue;
    // Insertion point: after every kept item that comes first.
    let at = best.length;
    while (at > 0 && (bestKey[at - 1] < v || (bestKey[at - 1] === v && address(best[at - 1]) > address(i)))) at--;
    if (at >= k) continue;
    best.splice(at, 0, i);
    bestKey.splice(at, 0, v);
    if (best.length > k) {
      best.pop();
      bestKey.pop();
    }
    if (best.length === k) floor = bestKey[k - 1];
  }
  return best;
}
