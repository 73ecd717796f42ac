// One type row's members found from the objects' typing ids alone, read a chunk at a time: how a page lists a type's
// instances on a heap too big for a pass over its grouping (rowMembers) while the whole instance index is being built
// elsewhere. It holds no per-object array: a 72 M-object heap's typing ids are 288 MB, read through a 4 MiB buffer.
// Only for a row of whole objects named by a Go type: not a tiny block's row, nor one with tiny blocks' sub-objects
// among its members, nor an untyped size class (those need the grouping). A row too crowded to list so (tens of
// millions of members) is answered from one pass that keeps its members' bitmap, their retained-size histogram and
// its first reachable members by retained size (typedRowHead): crowded-row.ts finds any page from those.
import type { Column, ColumnArray, HeapGraph } from '../graph/index.js';
import { type HeapTypes, histogramRowNames, TINY_BLOCK_NAME, TINY_REST_NAME } from '../typing/index.js';
import type { RowMembers } from './instances.js';
import { orderByKey } from './key-order.js';
import { RETAINED_BUCKETS, retainedBucket } from './crowded-row.js';
import { SCAN_OBJECTS, SCAN_SLACK } from './scan-chunk.js';

/**
 * The typing ids whose objects are a row `type` of the grouping (arrays split by length or not) as typeGroups names
 * it, flagged; undefined when that row is not one typedRowMembers can list: no typing has the name, or it is a tiny
 * block's row, or the row counts tiny blocks' sub-objects (`typeIds`: object i's typing id, for the first block's).
 */
export function typingsOfRow(types: HeapTypes, typeIds: Column, type: string, splitArrays: boolean): Uint8Array | undefined {
  if (type === TINY_BLOCK_NAME || type === TINY_REST_NAME) return undefined;
  const rowNames = histogramRowNames(types, splitArrays);
  const wanted = new Uint8Array(rowNames.length);
  let any = false;
  // Typing 0 is "no type": such objects are grouped by size, under names of their own.
  for (let t = 1; t < rowNames.length; t++) {
    if (rowNames[t] !== type) continue;
    wanted[t] = 1;
    any = true;
  }
  if (!any) return undefined;
  const tiny = types.tinyObjects;
  if (tiny !== undefined && tiny.object.length > 0) {
    // The row of the blocks' own typing is renamed "tiny block"; a sub-object's typing names its row.
    if (wanted[typeIds.at(tiny.object[0])] !== 0) return undefined;
    const typing = tiny.typing;
    for (let k = 0; k < typing.length; k++) if (wanted[typing[k]] !== 0) return undefined;
  }
  return wanted;
}

/**
 * The members of the row whose typings `wanted` flags (typingsOfRow): the objects of those typings in address order
 * with their sizes, as rowMembers gives that row. One pass over `typeIds` a chunk at a time, then a sort of the
 * members found when their indices are not in address order already.
 */
export function typedRowMembers(graph: HeapGraph, typeIds: Column, wanted: Uint8Array, chunkObjects = SCAN_OBJECTS): RowMembers {
  const n = graph.objectCount;
  const scratch = new ArrayBuffer(4 * chunkObjects + SCAN_SLACK);
  let found = new Uint32Array(1024);
  let m = 0;
  for (let lo = 0; lo < n; lo += chunkObjects) {
    const hi = Math.min(n, lo + chunkObjects);
    const ids = typeIds.range(lo, hi, scratch);
    for (let j = 0; j < hi - lo; j++) {
      const t = ids[j];
      if (t >= wanted.length || wanted[t] === 0) continue;
      if (m === found.length) {
        const more = new Uint32Array(2 * m);
        more.set(found);
        found = more;
      }
      found[m++] = lo + j;
    }
  }
  let member: Uint32Array = found.length === m ? found : found.slice(0, m);
  // Objects are numbered run by run, each run in address order: the members are sorted unless runs interleave.
  const address = new Float64Array(m);
  let sorted = true;
  for (let x = 0; x < m; x++) {
    address[x] = graph.addressOf(member[x]);
    if (x > 0 && address[x] < address[x - 1]) sorted = false;
  }
  if (!sorted) member = orderByKey(address, false, member);
  const bytes = new Uint32Array(m);
  for (let x = 0; x < m; x++) bytes[x] = graph.sizeOf(member[x]);
  return { member, bytes };
}

/**
 * A row's reachable totals, its reachable members and their retained sizes' histogram, and its first reachable members
 * by retained size (typedRowHead): what crowded-row.ts finds its pages from.
 */
export interface RowHead {
  /** The row's reachable members and their bytes (all of them, not only those held). */
  count: number;
  bytes: number;
  /** At most `k` reachable members by retained size, largest first (ties: lower address first). */
  byRetained: Uint32Array;
  /** The row's reachable members: bit i (word i >> 5, bit i & 31) for object i (crowded-row.ts reads it for deeper pages). */
  members: Uint32Array;
  /** Their count by retained size: retainedBucket's buckets, RETAINED_BUCKETS of them. */
  retainedBuckets: Uint32Array;
}

/** What typedRowHead reads of a session: each a chunk of objects at a time. */
export interface HeadSource {
  graph: HeapGraph;
  /** Object i's typing id. */
  typeIds: Column;
  /** Object i's reachability (non-zero: reachable). */
  reachable: Column;
  /** The retained sizes of objects [lo, hi), into `scratch` when it is long enough. */
  retained(lo: number, hi: number, scratch: ArrayBuffer): ColumnArray;
}

/**
 * The head of the row whose typings `wanted` flags (typingsOfRow): the row's reachable count and bytes, its members'
 * bitmap and their retained sizes' histogram, and its first `k` reachable members by retained size as the row's
 * instance index orders them. One pass over the typing ids, reachability and retained sizes a chunk at a time, the
 * largest retained sizes kept in a heap of `k` members: nothing per member of the row but its bit. (By address and
 * by size, a page walks the bitmap: crowded-row.ts.) Objects are numbered run by run (a run's objects laid end to
 * end), so each member's size and address come from its run.
 */
export function typedRowHead(src: HeadSource, wanted: Uint8Array, k: number, chunkObjects = SCAN_OBJECTS): RowHead {
  const { graph, typeIds, reachable } = src;
  const n = graph.objectCount;
  const runs = graph.addressIndex;
  const idScratch = new ArrayBuffer(4 * chunkObjects + SCAN_SLACK);
  const reachScratch = new ArrayBuffer(chunkObjects + SCAN_SLACK);
  const retainedScratch = new ArrayBuffer(8 * chunkObjects + SCAN_SLACK);
  const byRetained = new BoundedHeap(k);
  const members = new Uint32Array((n + 31) >>> 5);
  const retainedBuckets = new Uint32Array(RETAINED_BUCKETS);
  let count = 0;
  let bytes = 0;
  const { runFirst, runCount, runObjectSize, runStart } = runs;
  // The run of the member last seen: objects [runBegin, runEnd) of `size` bytes from address `base`.
  let run = -1;
  let runBegin = 0;
  let runEnd = 0;
  let size = 0;
  let base = 0;
  for (let lo = 0; lo < n; lo += chunkObjects) {
    const hi = Math.min(n, lo + chunkObjects);
    const ids = typeIds.range(lo, hi, idScratch);
    // Read when the chunk first has a member.
    let reach: ColumnArray | undefined;
    let kept: ColumnArray | undefined;
    for (let j = 0; j < hi - lo; j++) {
      const t = ids[j];
      if (t >= wanted.length || wanted[t] === 0) continue;
      reach ??= reachable.range(lo, hi, reachScratch);
      if (reach[j] === 0) continue;
      const i = lo + j;
      if (i >= runEnd) {
        do run++; while (runFirst[run] + runCount[run] <= i);
        runBegin = runFirst[run];
        runEnd = runBegin + runCount[run];
        size = runObjectSize[run];
        base = runStart[run];
      }
      count++;
      bytes += size;
      members[i >>> 5] |= 1 << (i & 31);
      kept ??= src.retained(lo, hi, retainedScratch);
      const v = kept[j];
      retainedBuckets[retainedBucket(v)]++;
      if (byRetained.admits(v)) byRetained.offer(i, v, base + (i - runBegin) * size);
    }
  }
  return { count, bytes, byRetained: byRetained.sorted(), members, retainedBuckets };
}

/** The `k` members with the largest keys (ties: the lower address): a heap whose root is the worst member held. */
class BoundedHeap {
  private readonly member: Uint32Array;
  private readonly key: Float64Array;
  private readonly address: Float64Array;
  private size = 0;

  constructor(private readonly k: number) {
    this.member = new Uint32Array(k);
    this.key = new Float64Array(k);
    this.address = new Float64Array(k);
  }

  /** False when a member of this key cannot rank among the k best so far (most members of a long row, at once). */
  admits(key: number): boolean {
    return this.size < this.k || key >= this.key[0];
  }

  /** Holds the member if it ranks among the k best so far (a full heap turns most members away here, at once). */
  offer(member: number, key: number, address: number): void {
    if (this.size === this.k && !(this.key[0] < key || (this.key[0] === key && this.address[0] > address))) return;
    this.take(member, key, address);
  }

  private take(member: number, key: number, address: number): void {
    if (this.k === 0) return;
    let j: number;
    if (this.size < this.k) {
      // Sift up from the new leaf.
      j = this.size++;
      while (j > 0) {
        const p = (j - 1) >> 1;
        if (!this.worse(key, address, this.key[p], this.address[p])) break;
        this.move(p, j);
        j = p;
      }
    } else {
      // In the root's place (it ranks above the root: offer), sifted down.
      j = 0;
      for (;;) {
        const l = 2 * j + 1;
        if (l >= this.size) break;
        const r = l + 1;
        const c = r < this.size && this.worse(this.key[r], this.address[r], this.key[l], this.address[l]) ? r : l;
        if (!this.worse(this.key[c], this.address[c], key, address)) break;
        this.move(c, j);
        j = c;
      }
    }
    this.member[j] = member;
    this.key[j] = key;
    this.address[j] = address;
  }

  /** The members held, best first: largest key, ties by the lower address. */
  sorted(): Uint32Array {
    const order = Array.from({ length: this.size }, (_, x) => x);
    order.sort((a, b) => this.key[b] - this.key[a] || this.address[a] - this.address[b]);
    return Uint32Array.from(order, (x) => this.member[x]);
  }

  /** Whether (key ka, address aa) ranks below (kb, ab): a smaller key, or the same key at a higher address. */
  private worse(ka: number, aa: number, kb: number, ab: number): boolean {
    return ka < kb || (ka === kb && aa > ab);
  }

  private move(from: number, to: number): void {
    this.member[to] = this.member[from];
    this.key[to] = this.key[from];
    this.address[to] = this.address[from];
  }
}
