// A read cursor over a FileWindow: uvarints, bools, strings, raw words, with bounds checks that name the offset.
//
// `pos` is a window index; `keep` is the window index of the oldest byte the caller still needs (a record's start
// or an object's contents). Every refill of the window shifts both, and `mark` (a second saved index, used for the
// start of an object's contents while its fieldlist is read) along with them.
import { FileWindow } from './file-reader.js';
import { HeapDumpError } from './errors.js';

const TWO_POW_32 = 4294967296;
const utf8 = new TextDecoder('utf-8');

export class ByteCursor {
  readonly w: FileWindow;
  pos = 0;
  keep = 0;
  mark = 0;

  constructor(window: FileWindow) {
    this.w = window;
  }

  /** File offset of the cursor. */
  get offset(): number {
    return this.w.base + this.pos;
  }

  /** Bytes left in the file after the cursor. */
  get remaining(): number {
    return this.w.fileSize - (this.w.base + this.pos);
  }

  /** Ensures `n` bytes are in the window from pos (fewer at the end of the file). */
  need(n: number): void {
    const w = this.w;
    if (w.end - this.pos >= n) return;
    const d = w.fill(this.keep, this.pos, n);
    if (d !== 0) {
      this.pos -= d;
      this.keep -= d;
      this.mark -= d;
    }
  }

  /** Moves the cursor to file offset `offset`, with `n` bytes available there if the file has them. */
  seek(offset: number, n: number): void {
    this.w.seek(offset, n);
    this.pos = offset - this.w.base;
    this.keep = this.pos;
    this.mark = this.pos;
  }

  error(expected: string, at = this.offset): HeapDumpError {
    return new HeapDumpError(this.w.path, at, expected);
  }

  /** An unsigned varint as a double: exact below 2^53, rounded above (see uvarintBig for exact values). */
  uvarint(what: string): number {
    // Fast path, small enough to inline in the decoders' loops: one- and two-byte values with 10 bytes at hand.
    const p = this.pos;
    const w = this.w;
    if (w.end - p >= 10) {
      const buf = w.buf;
      const b = buf[p];
      if (b < 0x80) {
        this.pos = p + 1;
        return b;
      }
      const b1 = buf[p + 1];
      if (b1 < 0x80) {
        this.pos = p + 2;
        return (b & 0x7f) | (b1 << 7);
      }
    }
    return this.uvarintSlow(what);
  }

  private uvarintSlow(what: string): number {
    if (this.w.end - this.pos < 10) this.need(10);
    // Up to 7 bytes (49 bits: every heap address) without a power per byte: 28 low bits, then 21 high bits.
    if (this.w.end - this.pos >= 10) {
      const buf = this.w.buf;
      const p = this.pos;
      let lo = 0;
      let k = 0;
      let b = 0;
      for (; k < 4; k++) {
        b = buf[p + k];
        lo |= (b & 0x7f) << (7 * k);
        if (b < 0x80) break;
      }
      if (k < 4) {
        this.pos = p + k + 1;
        return lo;
      }
      let hi = 0;
      for (k = 0; k < 3; k++) {
        b = buf[p + 4 + k];
        hi |= (b & 0x7f) << (7 * k);
        if (b < 0x80) break;
      }
      if (k < 3) {
        this.pos = p + 4 + k + 1;
        return (lo >>> 0) + hi * 268435456;
      }
    }
    const buf = this.w.buf;
    const end = this.w.end;
    let p = this.pos;
    if (p >= end) throw this.error(`${what} (a uvarint), found end of file`);
    let b = buf[p++];
    if (b < 0x80) {
      this.pos = p;
      return b;
    }
    let v = b & 0x7f;
    let shift = 7;
    for (;;) {
      if (p >= end) throw this.error(`${what} (a uvarint), found end of file`, this.w.base + p);
      b = buf[p++];
      if (shift < 28) v |= (b & 0x7f) << shift;
      else v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) break;
      shift += 7;
      if (shift > 63) throw this.error(`${what} (a uvarint of at most 10 bytes)`, this.w.base + this.pos);
    }
    if (shift === 63 && b > 1) throw this.error(`${what} (a uvarint below 2^64)`, this.w.base + this.pos);
    this.pos = p;
    return v;
  }

  /** An unsigned varint, exact, as a bigint. */
  uvarintBig(what: string): bigint {
    this.need(10);
    const buf = this.w.buf;
    const end = this.w.end;
    let p = this.pos;
    let v = 0n;
    let shift = 0n;
    for (let i = 0; ; i++) {
      if (p >= end) throw this.error(`${what} (a uvarint), found end of file`, this.w.base + p);
      if (i === 10) throw this.error(`${what} (a uvarint of at most 10 bytes)`, this.w.base + this.pos);
      const b = buf[p++];
      v |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) break;
      shift += 7n;
    }
    if (v >= 1n << 64n) throw this.error(`${what} (a uvarint below 2^64)`, this.w.base + this.pos);
    this.pos = p;
    return v;
  }

  bool(what: string): boolean {
    const at = this.offset;
    const v = this.uvarint(what);
    if (v > 1) throw this.error(`${what} (a bool, 0 or 1), found ${v}`, at);
    return v === 1;
  }

  /** Checks that a length read at `at` fits in the rest of the file. */
  checkLength(length: number, what: string, at: number): void {
    if (length > this.remaining) {
      throw this.error(`${what}: length ${length} runs past the end of the file (${this.remaining} bytes left)`, at);
    }
  }

  /** A length-prefixed byte string, decoded as UTF-8 (invalid bytes become U+FFFD). */
  string(what: string): string {
    const at = this.offset;
    const n = this.uvarint(`${what} length`);
    this.checkLength(n, what, at);
    this.need(n);
    const s = utf8.decode(this.w.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return s;
  }

  /** A length-prefixed byte string, copied out. */
  bytes(what: string): Uint8Array {
    const at = this.offset;
    const n = this.uvarint(`${what} length`);
    this.checkLength(n, what, at);
    this.need(n);
    const out = this.w.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** A pointer-sized word at window index `i` (bounds already checked by the caller). Exact below 2^53. */
  word(i: number, ptrSize: number, littleEndian: boolean): number {
    const view = this.w.view;
    if (ptrSize === 8) {
      if (littleEndian) return view.getUint32(i + 4, true) * TWO_POW_32 + view.getUint32(i, true);
      return view.getUint32(i, false) * TWO_POW_32 + view.getUint32(i + 4, false);
    }
    return view.getUint32(i, littleEndian);
  }
}
