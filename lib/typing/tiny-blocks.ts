// Tiny allocator blocks (runtime/malloc.go: noscan allocations under 16 bytes share 16-byte blocks). Type
// recovery notes each sub-object it finds (a pointer with a small pointer-free type into such a block) as one
// 64-bit record, block * 2^32 + offset * 2^28 + size * 2^23 + typing, kept as two 32-bit halves so that a
// BigUint64Array over the same memory sorts them natively by block, then offset; sortSubObjects turns the records
// into RecoveredTypes.tinyObjects.
import type { TinyObjects } from './heap-types.js';

/** The tiny allocator's block size (maxTinySize). */
export const TINY_BLOCK = 16;
/** Where the low and high 32-bit halves of a 64-bit number lie in a Uint32Array over the same memory. */
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const SUB_LO = LITTLE_ENDIAN_HOST ? 0 : 1;
const SUB_HI = LITTLE_ENDIAN_HOST ? 1 : 0;

/** Records per block of SubObjectRecords. */
const BLOCK_RECORDS = 1 << 19;

/**
 * The sub-object records as they are found, in blocks (no copy as they grow), a record equal to the one before
 * dropped; take() joins them into one array for sortSubObjects.
 */
export class SubObjectRecords {
  private blocks: Uint32Array[] = [];
  private cur = new Uint32Array(0);
  private fill = 0;
  private lastHi = -1;
  private lastLo = -1;
  count = 0;

  /** Adds the sub-object of `size` bytes at `off` in block t, typing tid, unless it is the record added last. */
  add(t: number, off: number, size: number, tid: number): void {
    const lo = ((off << 28) | (size << 23) | tid) >>> 0;
    if (t === this.lastHi && lo === this.lastLo) return;
    if (this.fill === this.cur.length) {
      this.cur = new Uint32Array(2 * BLOCK_RECORDS);
      this.blocks.push(this.cur);
      this.fill = 0;
    }
    this.cur[this.fill + SUB_HI] = t;
    this.cur[this.fill + SUB_LO] = lo;
    this.fill += 2;
    this.count++;
    this.lastHi = t;
    this.lastLo = lo;
  }

  /** Every record in one array (two words each), each block let go once copied; empties the collection. */
  take(): Uint32Array {
    const out = new Uint32Array(2 * this.count);
    let at = 0;
    for (let b = 0; b < this.blocks.length; b++) {
      const words = Math.min(2 * BLOCK_RECORDS, out.length - at);
      out.set(words === 2 * BLOCK_RECORDS ? this.blocks[b] : this.blocks[b].subarray(0, words), at);
      at += words;
      (this.blocks as (Uint32Array | null)[])[b] = null;
    }
    this.blocks = [];
    this.cur = new Uint32Array(0);
    this.fill = 0;
    this.count = 0;
    this.lastHi = -1;
    this.lastLo = -1;
    return out;
  }
}

/**
 * Sorts the n records of w by block and offset, drops duplicates, merges string data (typing sd) that overlaps
 * (substrings of one string), and sets objectType of each block holding sub-objects to the typing `block()` gives.
 */
export function sortSubObjects(w: Uint32Array, n: number, sd: number, blockTyping: () => number, objectType: Uint32Array): TinyObjects {
  // By block, then offset, size and typing.
  new BigUint64Array(w.buffer, 0, n).sort();
  // Compacts in place: record m of the result at words 2m, 2m + 1 (never ahead of the record read).
  let m = 0;
  for (let k = 0; k < n; k++) {
    const o = w[2 * k + SUB_HI];
    const lo = w[2 * k + SUB_LO];
    const off = lo >>> 28;
    const size = (lo >>> 23) & 31;
    const tid = lo & 0x7fffff;
    if (m > 0 && w[2 * (m - 1) + SUB_HI] === o) {
      const plo = w[2 * (m - 1) + SUB_LO];
      const poff = plo >>> 28;
      const pend = poff + ((plo >>> 23) & 31);
      const ptid = plo & 0x7fffff;
      if (tid === sd && ptid === sd && off < pend) {
        // Overlapping string data: one string and its substrings.
        const end = Math.max(pend, off + size);
        w[2 * (m - 1) + SUB_LO] = ((poff << 28) | ((end - poff) << 23) | sd) >>> 0;
        continue;
      }
      if (poff === off && ptid === tid) continue; // the same sub-object, another length: keep the first
    }
    w[2 * m + SUB_HI] = o;
    w[2 * m + SUB_LO] = lo;
    m++;
  }
  const object = new Uint32Array(m);
  const place = new Uint32Array(m);
  const typing = new Uint32Array(m);
  const block = m > 0 ? blockTyping() : 0;
  for (let k = 0; k < m; k++) {
    const lo = w[2 * k + SUB_LO];
    object[k] = w[2 * k + SUB_HI];
    place[k] = (lo >>> 28) + ((lo >>> 23) & 31) * 256;
    typing[k] = lo & 0x7fffff;
    objectType[object[k]] = block;
  }
  return { object, place, typing };
}
