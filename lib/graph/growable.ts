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
