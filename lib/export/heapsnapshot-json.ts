// JsonChunks: writes the heap snapshot's JSON into a reused byte buffer (integers as ASCII digits, text as UTF-8)
// and hands the buffer to the output sink whenever it fills, so that no JSON string of the whole output is ever
// built. The hot loops call uint()/byte() per number and await flushIfFull() once per node.
import type { OutputSink } from './output.js';

const DIGITS = new Uint8Array(24);

export class JsonChunks {
  private readonly buf: Buffer;
  private pos = 0;
  private readonly limit: number;

  /** size: the buffer's size; larger than the sink's own buffer so that the sink writes it out without a copy. */
  constructor(private readonly sink: OutputSink, size = 4 << 20) {
    this.buf = Buffer.allocUnsafe(size);
    // Room left for one node or edge line (a few numbers) or one string after the check.
    this.limit = size - 4096;
  }

  /** A non-negative integer (up to 2^53). */
  uint(v: number): void {
    const buf = this.buf;
    let pos = this.pos;
    if (v < 10) {
      buf[pos++] = 48 + v;
      this.pos = pos;
      return;
    }
    let n = 0;
    if (v < 2147483648) {
      let x = v | 0;
      while (x > 0) {
        const q = (x / 10) | 0;
        DIGITS[n++] = 48 + x - q * 10;
        x = q;
      }
    } else {
      let x = v;
      while (x > 0) {
        const q = Math.floor(x / 10);
        DIGITS[n++] = 48 + x - q * 10;
        x = q;
      }
    }
    while (n > 0) buf[pos++] = DIGITS[--n];
    this.pos = pos;
  }

  /** One ASCII character by its code. */
  byte(c: number): void {
    this.buf[this.pos++] = c;
  }

  /** ASCII or UTF-8 text, as is (JSON punctuation, quoted strings). */
  text(s: string): void {
    if (s.length * 3 > this.buf.length - this.pos) {
      this.flush();
      if (s.length * 3 > this.buf.length) {
        this.sink.write(Buffer.from(s, 'utf8'));
        return;
      }
    }
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  /** Hands the buffer to the sink when it is nearly full; a promise when the sink asks to wait (stdout). */
  flushIfFull(): Promise<void> | undefined {
    return this.pos > this.limit ? this.flush() : undefined;
  }

  /** Hands what is buffered to the sink (which writes a file at once and copies for stdout). */
  flush(): Promise<void> | undefined {
    if (this.pos === 0) return undefined;
    const p = this.sink.write(this.buf.subarray(0, this.pos));
    this.pos = 0;
    return p;
  }
}
