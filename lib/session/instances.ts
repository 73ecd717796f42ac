// The instances of each type row (typed objects by type, untyped ones by size class, as typeGroups groups them):
// one CSR over all objects (members of row r are member[start[r] .. start[r+1]), in object order), built once and
// kept as a derived index; then pages sorted by retained size, size or address. A page near the top is a top-k
// selection over the row; deeper pages sort the whole row once and keep that order.
//
// Rows are named as `goheap types` names them, by default (`[]*main.Node`, `map[K]V buckets`) or split by length
// (`[37]*main.Node`, the name objects carry): an index is built per grouping, the split one on first use. Tiny
// blocks' sub-objects are instances of their own types' rows: a member m >= objectCount is sub-object
// m - objectCount of HeapTypes.tinyObjects. The blocks are the rows `tiny block` (all) and `tiny block (rest)`
// (those with bytes no sub-object covers), as the histogram counts them.
import type { HeapGraph } from '../graph/index.js';
import { type HeapTypes, TINY_BLOCK_NAME, TINY_REST_NAME } from '../typing/index.js';
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

  private start_: Uint32Array | undefined;
  private member_: Uint32Array | undefined;
  private bytes_: Float64Array | undefined;

  /** `arrays` gives the rows' start, member and bytes arrays, when first needed (a warm index reads them then). */
  private constructor(
    private readonly names: string[],
    private readonly arrays: () => { start: Uint32Array; member: Uint32Array; bytes: Float64Array },
  ) {
    names.forEach((n, r) => this.rowOfName.set(n, r));
  }

  private get start(): Uint32Array {
    this.start_ ??= this.arrays().start;
    return this.start_;
  }

  private get member(): Uint32Array {
    this.member_ ??= this.arrays().member;
    return this.member_;
  }

  private get bytes(): Float64Array {
    this.bytes_ ??= this.arrays().bytes;
    return this.bytes_;
  }

  /** Builds the index of `graph`'s objects grouped as typeGroups groups them (arrays split by length or not). */
  static build(graph: HeapGraph, types: HeapTypes, splitArrays = false): InstanceIndex {
    const { rowOf, names } = typeGroups(graph, types, splitArrays);
    const n = graph.objectCount;
    const size = graph.objectSize;
    // Members: (row, member) pairs, objects first, then sub-objects and the blocks' rest row.
    const rowsOfMember: number[] = [];
    const extra: number[] = [];
    const tiny = types.tinyObjects;
    if (tiny !== undefined && tiny.object.length > 0) {
      const rowNames = types.rowNames !== undefined ? types.rowNames(splitArrays) : types.typeNames;
      const byName = new Map(names.map((nm, r) => [nm, r]));
      const named = (nm: string): number => {
        let r = byName.get(nm);
        if (r === undefined) {
          r = names.length;
          names.push(nm);
          byName.set(nm, r);
        }
        return r;
      };
      // The blocks' own row is "tiny block" whatever the grouping.
      const blockRow = rowOf[tiny.object[0]];
      if (names[blockRow] !== TINY_BLOCK_NAME) names[blockRow] = TINY_BLOCK_NAME;
      const restRow = named(TINY_REST_NAME);
      let k = 0;
      while (k < tiny.object.length) {
        const b = tiny.object[k];
        let used = 0;
        for (; k < tiny.object.length && tiny.object[k] === b; k++) {
          used += tiny.place[k] >>> 8;
          rowsOfMember.push(named(rowNames[tiny.typing[k]]));
          extra.push(n + k);
        }
        if (used < size[b]) {
          rowsOfMember.push(restRow);
          extra.push(b);
        }
      }
    }
    const rows = names.length;
    const start = new Uint32Array(rows + 1);
    const bytes = new Float64Array(rows);
    const memberSize = (m: number): number => (m < n ? size[m] : tiny!.place[m - n] >>> 8);
    for (let i = 0; i < n; i++) {
      start[rowOf[i] + 1]++;
      bytes[rowOf[i]] += size[i];
    }
    for (let x = 0; x < extra.length; x++) {
      start[rowsOfMember[x] + 1]++;
      bytes[rowsOfMember[x]] += memberSize(extra[x]);
    }
    for (let r = 0; r < rows; r++) start[r + 1] += start[r];
    const fill = start.slice(0, rows);
    const member = new Uint32Array(n + extra.length);
    for (let i = 0; i < n; i++) member[fill[rowOf[i]]++] = i;
    for (let x = 0; x < extra.length; x++) member[fill[rowsOfMember[x]]++] = extra[x];
    return new InstanceIndex(names, () => ({ start, member, bytes }));
  }

  encode(): EncodedPart {
    return { meta: { names: this.names }, arrays: { start: this.start, member: this.member, bytes: this.bytes } };
  }

  /**
   * The index `encode` encoded, or undefined when its parts do not fit. Read from an index file, the row names come
   * from its header and the arrays are read when a row's members are first asked for (has() reads none).
   */
  static decode(p: EncodedPart, objectCount: number): InstanceIndex | undefined {
    const names = (p.meta as { names?: string[] }).names;
    const length = (k: string): number | undefined => (p.sections ? p.sections.length(k) : p.arrays[k]?.length);
    const starts = length('start');
    const members = length('member');
    if (!Array.isArray(names) || starts === undefined || members === undefined || length('bytes') !== names.length ||
      starts !== names.length + 1 || members < objectCount) return undefined;
    return new InstanceIndex(names, () => ({ start: p.arrays.start as Uint32Array, member: p.arrays.member as Uint32Array, bytes: p.arrays.bytes as Float64Array }));
  }

  /** Every member of row `type` (reachable or not), in index order; undefined for an unknown type. */
  members(type: string): Uint32Array | undefined {
    const r = this.rowOfName.get(type);
    return r === undefined ? undefined : this.member.subarray(this.start[r], this.start[r + 1]);
  }

  /** True when `type` names a row. */
  has(type: string): boolean {
    return this.rowOfName.has(type);
  }

  /**
   * Instances of row `type` from `offset`, at most `limit` (0: all), largest `key` first (ties: lower address
   * first), with the row's count and bytes; undefined for an unknown type. `key` is per member: retained size,
   * size, or minus the address; `address` per member.
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
      const addr = new Float64Array(total);
      for (let k = 0; k < total; k++) {
        keys[k] = key(all[k]);
        addr[k] = address(all[k]);
      }
      const pos = new Uint32Array(total);
      for (let k = 0; k < total; k++) pos[k] = k;
      pos.sort((a, b) => keys[b] - keys[a] || addr[a] - addr[b]);
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
