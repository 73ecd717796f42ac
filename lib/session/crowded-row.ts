// A crowded row's pages at any offset while the builder writes the instance lists (a big heap's first start), from
// what the head's one pass (typedRowHead) keeps beside the head: the row's reachable members as a bitmap over object
// numbers (one bit per object of the heap), and a histogram of their retained sizes. Nothing is held per member.
// - By address or by size: the heap's runs in that order (by address; by size, largest first, then by address), each
//   run's members counted a bitmap word at a time up to the page's first rank.
// - By retained size: the histogram's buckets the page's ranks fall in, then one pass over the members' retained sizes
//   that keeps those buckets' members: sorted when they are few, else (a bucket of one retained size, whose ties go
//   by address) as a bitmap walked like a page by address. A page whose ranks fall in a crowded bucket of several
//   retained sizes is not answered here (it waits for the instance lists).
// Pages come out as the instance index lists them (instances.ts): largest first, ties by the lower address.
import type { AddressIndex } from '../graph/index.js';
import { bitCount } from '../analysis/index.js';
import { orderByKey } from './key-order.js';
import { SCAN_SLACK } from './scan-chunk.js';
import type { HeadSource } from './typed-row.js';

/** Retained sizes below this many bytes have a histogram bucket each. */
const EXACT_BUCKETS = 8192;
/** Above EXACT_BUCKETS, each power of two is cut into 2^MANTISSA_BITS buckets (the float's top mantissa bits). */
const MANTISSA_BITS = 12;
/** Buckets of the retained-size histogram: up to 2^53 bytes. */
export const RETAINED_BUCKETS = EXACT_BUCKETS + (53 - 13) * (1 << MANTISSA_BITS);

/** The most members a page by retained size collects and sorts (20 bytes each while it is made). */
const COLLECT_MAX = 1 << 20;
/** Above this many members, a bucket of one retained size is kept as a bitmap rather than collected. */
const BITMAP_MIN = 1 << 16;

const floatWord = new Float64Array(1);
// The float's high word (sign, exponent, top mantissa bits) on a little-endian machine, as Node's platforms are.
const floatWords = new Uint32Array(floatWord.buffer);

/** The histogram bucket of a retained size of `v` bytes (an integer): larger sizes, higher buckets. */
export function retainedBucket(v: number): number {
  if (v < EXACT_BUCKETS) return v >>> 0;
  floatWord[0] = v;
  const hi = floatWords[1];
  const exponent = Math.min(52, (hi >>> 20) - 1023);
  return EXACT_BUCKETS + ((exponent - 13) << MANTISSA_BITS) + ((hi >>> (20 - MANTISSA_BITS)) & ((1 << MANTISSA_BITS) - 1));
}

/**
 * The members a bitmap marks at ranks [from, to) of a listing, fed positions in listing order a range at a time
 * (take): it counts them a word at a time until the window, then keeps them.
 */
class RankWindow {
  rank = 0;
  private count = 0;
  private readonly members: Uint32Array;

  constructor(private readonly from: number, private readonly to: number) {
    this.members = new Uint32Array(Math.max(0, to - from));
  }

  /** The members kept (fewer than to - from when the listing ends before `to`). */
  get kept(): Uint32Array {
    return this.members.subarray(0, this.count);
  }

  get done(): boolean {
    return this.rank >= this.to;
  }

  /** Lists the members `bits` marks among object numbers [lo, hi), in that order. */
  take(bits: Uint32Array, lo: number, hi: number): void {
    let i = lo;
    while (i < hi && this.rank < this.to) {
      const w = i >>> 5;
      const wordEnd = Math.min(hi, (w + 1) << 5);
      let word = bits[w] & (-1 << (i & 31));
      if ((wordEnd & 31) !== 0) word &= (1 << (wordEnd & 31)) - 1;
      i = wordEnd;
      const c = bitCount(word);
      if (this.rank + c <= this.from) {
        this.rank += c;
        continue;
      }
      while (word !== 0 && this.rank < this.to) {
        const low = word & -word;
        if (this.rank >= this.from) this.members[this.count++] = (w << 5) + 31 - Math.clz32(low);
        this.rank++;
        word ^= low;
      }
    }
  }
}

/** The heap's runs (AddressIndex) by address, or by object size (largest first, ties by address). */
export function runsInOrder(runs: AddressIndex, by: 'address' | 'size'): Uint32Array {
  const byAddress = orderByKey(runs.runStart, false);
  if (by === 'address') return byAddress;
  const size = Uint32Array.from(byAddress, (r) => runs.runObjectSize[r]);
  return orderByKey(size, true, byAddress);
}

/**
 * The members `bits` marks at ranks [from, to) when listed run by run in `runOrder` (runsInOrder), each run in object
 * order, which is its address order.
 */
export function membersInRunOrder(bits: Uint32Array, runs: AddressIndex, runOrder: Uint32Array, from: number, to: number): Uint32Array {
  const window = new RankWindow(from, to);
  const { runFirst, runCount } = runs;
  for (let x = 0; x < runOrder.length && !window.done; x++) {
    const r = runOrder[x];
    window.take(bits, runFirst[r], runFirst[r] + runCount[r]);
  }
  return window.kept;
}

/** How a page by retained size takes each histogram bucket its ranks fall in (planRetainedPage). */
export interface RetainedPlan {
  /** The buckets, largest sizes first, with the rank of each one's first member and its count of members. */
  bucket: Uint32Array;
  firstRank: Float64Array;
  count: Float64Array;
  /** 1: kept as a bitmap (one retained size: ties by address); 0: collected and sorted. */
  asBitmap: Uint8Array;
  /** Members the collected buckets hold. */
  collected: number;
}

/**
 * How ranks [from, to) of a row by retained size are found from its histogram (`buckets`, RETAINED_BUCKETS long), or
 * undefined when they fall in a bucket of several retained sizes holding more than `collectMax` members with the
 * others to collect.
 */
export function planRetainedPage(buckets: Uint32Array, from: number, to: number, collectMax = COLLECT_MAX, bitmapMin = BITMAP_MIN): RetainedPlan | undefined {
  const bucket: number[] = [];
  const firstRank: number[] = [];
  const count: number[] = [];
  const asBitmap: number[] = [];
  let collected = 0;
  let rank = 0;
  for (let b = buckets.length - 1; b >= 0 && rank < to; b--) {
    const h = buckets[b];
    if (h === 0) continue;
    if (rank + h > from) {
      bucket.push(b);
      firstRank.push(rank);
      count.push(h);
      const bitmap = b < EXACT_BUCKETS && h > bitmapMin;
      asBitmap.push(bitmap ? 1 : 0);
      if (!bitmap) collected += h;
    }
    rank += h;
  }
  if (collected > collectMax) return undefined;
  return { bucket: Uint32Array.from(bucket), firstRank: Float64Array.from(firstRank), count: Float64Array.from(count), asBitmap: Uint8Array.from(asBitmap), collected };
}

/**
 * The members at ranks [from, to) of the row whose reachable members `members` marks, by retained size (largest first,
 * ties by the lower address), as `plan` (planRetainedPage) takes them: one pass over the members' retained sizes a
 * chunk at a time, then a sort of the collected ones and a walk by address (`addressOrder`: runsInOrder) of each
 * bitmap.
 */
export function retainedPage(src: HeadSource, members: Uint32Array, plan: RetainedPlan, addressOrder: Uint32Array,
  from: number, to: number, chunkObjects: number): Uint32Array {
  const runs = src.graph.addressIndex;
  const n = src.graph.objectCount;
  const planned = plan.bucket.length;
  // A bucket's place in the plan (+1; 0: not in it), over the range of buckets the plan spans.
  const low = planned === 0 ? 0 : plan.bucket[planned - 1];
  const high = planned === 0 ? -1 : plan.bucket[0];
  const place = new Uint32Array(high - low + 1);
  const bitmaps: (Uint32Array | undefined)[] = [];
  for (let p = 0; p < planned; p++) {
    place[plan.bucket[p] - low] = p + 1;
    bitmaps.push(plan.asBitmap[p] === 1 ? new Uint32Array(members.length) : undefined);
  }
  const member = new Uint32Array(plan.collected);
  const key = new Float64Array(plan.collected);
  let m = 0;
  const scratch = new ArrayBuffer(8 * chunkObjects + SCAN_SLACK);
  for (let lo = 0; lo < n && planned > 0; lo += chunkObjects) {
    const hi = Math.min(n, lo + chunkObjects);
    let kept: ReturnType<HeadSource['retained']> | undefined;
    for (let w = lo >>> 5; w <= (hi - 1) >>> 5; w++) {
      let word = members[w];
      if (word === 0) continue;
      while (word !== 0) {
        const bit = word & -word;
        word ^= bit;
        const i = (w << 5) + 31 - Math.clz32(bit);
        if (i < lo || i >= hi) continue;
        kept ??= src.retained(lo, hi, scratch);
        const v = kept[i - lo];
        const b = retainedBucket(v);
        if (b < low || b > high) continue;
        const p = place[b - low];
        if (p === 0) continue;
        const bitmap = bitmaps[p - 1];
        if (bitmap !== undefined) {
          bitmap[w] |= bit;
        } else {
          member[m] = i;
          key[m++] = v;
        }
      }
    }
  }
  if (m !== plan.collected) throw new Error(`the retained-size pass found ${m} members in the page's buckets, the histogram ${plan.collected}`);
  // The collected members by retained size, largest first, ties by address: bucket by bucket, in the plan's order.
  const address = new Float64Array(m);
  for (let x = 0; x < m; x++) address[x] = src.graph.addressOf(member[x]);
  const byAddress = orderByKey(address, false);
  const keyByAddress = Float64Array.from(byAddress, (x) => key[x]);
  const sorted = orderByKey(keyByAddress, true, byAddress);
  const out = new Uint32Array(Math.max(0, to - from));
  let o = 0;
  let segment = 0;
  for (let p = 0; p < planned; p++) {
    const first = plan.firstRank[p];
    const size = plan.count[p];
    const a = Math.max(from, first) - first;
    const z = Math.min(to, first + size) - first;
    const bitmap = bitmaps[p];
    if (bitmap !== undefined) {
      out.set(membersInRunOrder(bitmap, runs, addressOrder, a, z), o);
    } else {
      for (let x = a; x < z; x++) out[o + x - a] = member[sorted[segment + x]];
      segment += size;
    }
    o += z - a;
  }
  return out.subarray(0, o);
}
