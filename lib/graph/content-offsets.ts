// Where each object's bytes are in the dump file, in 32 bits per object. Objects are numbered in file order, so
// their content offsets only grow: an offset is its low 32 bits (low[i]) plus 2^32 times the number of objects in
// highStart at or before i, highStart holding the first object index at or past each 4 GiB of the file (empty for a
// dump under 4 GiB). Half the memory of a Float64Array, read with one array access on dumps under 4 GiB.
import { ReservedUint32Array } from './growable.js';

const HIGH = 2 ** 32;

export class ContentOffsets {
  constructor(readonly low: Uint32Array, readonly highStart: Uint32Array) {}

  get length(): number {
    return this.low.length;
  }

  /** The file offset of object i's contents. */
  at(i: number): number {
    return ContentOffsets.offsetOf(i, this.low[i], this.highStart);
  }

  /** Object i's content offset from its low 32 bits `low` and highStart (for a low word read by position). */
  static offsetOf(i: number, low: number, highStart: Uint32Array): number {
    const hs = highStart;
    if (hs.length === 0) return low;
    let h = 0;
    while (h < hs.length && hs[h] <= i) h++;
    return low + h * HIGH;
  }

  /** Every offset in a Float64Array (for callers that index an array). */
  toFloat64Array(): Float64Array {
    const n = this.low.length;
    const out = new Float64Array(n);
    const hs = this.highStart;
    let h = 0;
    for (let i = 0; i < n; i++) {
      while (h < hs.length && hs[h] <= i) h++;
      out[i] = this.low[i] + h * HIGH;
    }
    return out;
  }
}

/** Collects content offsets in file order (each at least the one before) while the dump streams by. */
export class ContentOffsetsBuilder {
  private readonly low: ReservedUint32Array;
  private readonly highStart: number[] = [];
  private high = 0;

  /** For at most `capacity` objects. */
  constructor(capacity: number) {
    this.low = new ReservedUint32Array(capacity);
  }

  push(offset: number): void {
    const h = Math.floor(offset / HIGH);
    if (h < this.high) throw new Error(`content offset ${offset} before an earlier object's`);
    while (this.high < h) {
      this.highStart.push(this.low.length);
      this.high++;
    }
    this.low.push(offset - h * HIGH);
  }

  /** Pushes the offsets another builder collected (`built`), after these. */
  append(built: ContentOffsets): void {
    const { low, highStart } = built;
    if (highStart.length === 0 && this.high === 0) {
      this.low.pushAll(low);
      return;
    }
    let h = 0;
    for (let j = 0; j < low.length; j++) {
      while (h < highStart.length && highStart[h] <= j) h++;
      this.push(low[j] + h * HIGH);
    }
  }

  /** The offsets, over a SharedArrayBuffer (see growable.ts). */
  build(): ContentOffsets {
    const low = this.low.toArray();
    return new ContentOffsets(low, Uint32Array.from(this.highStart));
  }
}
