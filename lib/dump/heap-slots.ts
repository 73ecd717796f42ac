// The heap pointer slots of every object, kept while the decoder streams the dump, so that pointers are resolved
// to edges from memory (lib/graph/edges.ts) instead of by reading every object's fieldlist a second time.
//
// Slot k (objects in file order, each object's slots in fieldlist order; only slots whose word lies in the heap
// range [lo, hi) are kept) is field[k], its byte offset in the object, and the word lo + low[k] + high[k] * 2^32.
// `high` exists only when hi - lo exceeds 2^32 (a dump without a usable heap range); on every real heap the word
// takes 4 bytes. The arrays are over SharedArrayBuffers reserved for as many slots as the dump can hold (file bytes
// / pointer size): pages are only backed once written, and fresh pages are what loading pays for (a page fault per
// 4 KiB, ~8 ms per MB on the bench machine), so nothing is written twice or copied. The resolver overwrites them in
// place with the edge columns: field[] becomes edgeField and low[] edgeTarget, so the kept slots cost no memory
// beyond the edges.

const TWO_POW_32 = 4294967296;

/** The kept slots (see the top of the file); the resolver takes ownership of the arrays. */
export interface KeptSlots {
  count: number;
  lo: number;
  field: Uint32Array;
  low: Uint32Array;
  high: Uint32Array | null;
}

export class HeapSlots {
  readonly lo: number;
  private readonly wide: boolean;
  private field: Uint32Array;
  private low: Uint32Array;
  private high: Uint32Array;
  count = 0;

  /**
   * Slots for words in [lo, hi), room reserved for `capacity` of them. Only the pages written are touched, so a
   * generous capacity costs address space, not memory; past it the arrays are copied into twice the room.
   */
  constructor(lo: number, hi: number, capacity: number) {
    this.lo = lo;
    this.wide = hi - lo > TWO_POW_32;
    const n = Math.max(capacity, 1024);
    this.field = sharedUint32(n);
    this.low = sharedUint32(n);
    this.high = this.wide ? sharedUint32(n) : new Uint32Array(0);
  }

  /** Keeps the slot at byte offset `off` holding `word` (lo <= word < hi). */
  push(off: number, word: number): void {
    const k = this.count;
    if (k === this.field.length) this.grow();
    const d = word - this.lo;
    this.field[k] = off;
    this.low[k] = d; // ToUint32: d modulo 2^32
    if (this.wide) this.high[k] = Math.floor(d / TWO_POW_32);
    this.count = k + 1;
  }

  /** Keeps the slots another HeapSlots of the same range took (take()), after these. */
  append(more: KeptSlots): void {
    if (more.lo !== this.lo || (more.high !== null) !== this.wide) throw new Error('heap slots of another heap range');
    const k = this.count;
    while (k + more.count > this.field.length) this.grow();
    this.field.set(more.field, k);
    this.low.set(more.low, k);
    if (this.wide && more.high) this.high.set(more.high, k);
    this.count = k + more.count;
  }

  private grow(): void {
    const n = 2 * this.field.length;
    this.field = copyInto(sharedUint32(n), this.field);
    this.low = copyInto(sharedUint32(n), this.low);
    if (this.wide) this.high = copyInto(sharedUint32(n), this.high);
  }

  /** The slots, as views of exactly `count` elements; the HeapSlots is empty afterwards. */
  take(): KeptSlots {
    const n = this.count;
    const out = {
      count: n, lo: this.lo, field: this.field.subarray(0, n), low: this.low.subarray(0, n),
      high: this.wide ? this.high.subarray(0, n) : null,
    };
    this.field = this.low = this.high = new Uint32Array(0);
    this.count = 0;
    return out;
  }
}

/** A zeroed Uint32Array over a SharedArrayBuffer (so that worker threads can share the edge columns). */
function sharedUint32(n: number): Uint32Array {
  return new Uint32Array(new SharedArrayBuffer(4 * n));
}

function copyInto(out: Uint32Array, from: Uint32Array): Uint32Array {
  out.set(from);
  return out;
}
