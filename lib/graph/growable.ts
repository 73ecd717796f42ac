// Append-only typed-array columns for building the graph while the dump streams by: values go into fixed-size
// blocks (no copy on growth), and `toArray` flattens them into one exact-length typed array, dropping each block
// as it is copied so the peak stays near the final size. With `shared`, the array is over a SharedArrayBuffer, so
// that a worker thread can read it without a copy (lib/session writes the graph's index from one).

const BLOCK_SHIFT = 20;
const BLOCK = 1 << BLOCK_SHIFT;

export class GrowableFloat64Array {
  private blocks: Float64Array[] = [];
  private cur: Float64Array = new Float64Array(0);
  private fill = 0;
  length = 0;

  push(v: number): void {
    if (this.fill === this.cur.length) this.addBlock();
    this.cur[this.fill++] = v;
    this.length++;
  }

  private addBlock(): void {
    this.cur = new Float64Array(BLOCK);
    this.blocks.push(this.cur);
    this.fill = 0;
  }

  /** One array of exactly `length` (+ `extra` zeroed) elements. The column is empty afterwards. */
  toArray(extra = 0, shared = false): Float64Array {
    const out = shared ? sharedFloat64Array(this.length + extra) : new Float64Array(this.length + extra);
    flatten(this.blocks, out, this.length);
    this.reset();
    return out;
  }

  private reset(): void {
    this.blocks = [];
    this.cur = new Float64Array(0);
    this.fill = 0;
    this.length = 0;
  }
}

export class GrowableUint32Array {
  private blocks: Uint32Array[] = [];
  private cur: Uint32Array = new Uint32Array(0);
  private fill = 0;
  length = 0;

  push(v: number): void {
    if (this.fill === this.cur.length) this.addBlock();
    this.cur[this.fill++] = v;
    this.length++;
  }

  /** Adds `d` to the last value pushed. */
  addToLast(d: number): void {
    this.cur[this.fill - 1] += d;
  }

  private addBlock(): void {
    this.cur = new Uint32Array(BLOCK);
    this.blocks.push(this.cur);
    this.fill = 0;
  }

  /** One array of `offset + length + extra` elements with the values at [offset, offset + length). */
  toArray(extra = 0, offset = 0, shared = false): Uint32Array {
    const n = offset + this.length + extra;
    const out = shared ? sharedUint32Array(n) : new Uint32Array(n);
    flatten(this.blocks, offset === 0 ? out : out.subarray(offset), this.length);
    this.blocks = [];
    this.cur = new Uint32Array(0);
    this.fill = 0;
    this.length = 0;
    return out;
  }
}

/**
 * A column of at most `capacity` values pushed in order, in one array over a SharedArrayBuffer reserved for all of
 * them, after `offset` zeroed elements. Only the pages written are backed by memory, so a generous capacity costs
 * address space only, and nothing is copied: on the bench machine a page touched for the first time costs more
 * than copying it (a fault per 4 KiB, ~8 ms per MB), so blocks flattened into a new array cost twice.
 */
export class ReservedUint32Array {
  private readonly values: Uint32Array;
  private readonly offset: number;
  private readonly capacity: number;
  length = 0;

  constructor(capacity: number, offset = 0) {
    this.capacity = capacity;
    this.offset = offset;
    this.values = sharedUint32Array(offset + capacity);
  }

  push(v: number): void {
    const n = this.length;
    if (n === this.capacity) throw new Error(`more than the ${this.capacity} values reserved`);
    this.values[this.offset + n] = v;
    this.length = n + 1;
  }

  /** Pushes every value of `more`, in order. */
  pushAll(more: Uint32Array): void {
    const n = this.length;
    if (n + more.length > this.capacity) throw new Error(`more than the ${this.capacity} values reserved`);
    this.values.set(more, this.offset + n);
    this.length = n + more.length;
  }

  /** The `offset` zeroed elements and the values, as a view of the reserved array. */
  toArray(): Uint32Array {
    return this.values.subarray(0, this.offset + this.length);
  }
}

/** A zeroed Uint32Array of n elements over a SharedArrayBuffer. */
export function sharedUint32Array(n: number): Uint32Array {
  return new Uint32Array(new SharedArrayBuffer(4 * n));
}

/** A zeroed Float64Array of n elements over a SharedArrayBuffer. */
export function sharedFloat64Array(n: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(8 * n));
}

function flatten<T extends Float64Array | Uint32Array>(blocks: T[], out: T, length: number): void {
  let at = 0;
  for (let b = 0; b < blocks.length; b++) {
    const n = Math.min(BLOCK, length - at);
    out.set(n === BLOCK ? blocks[b] : blocks[b].subarray(0, n) as T, at);
    at += n;
    (blocks as unknown as (T | null)[])[b] = null; // let the block go before the next is copied
  }
}
