// JsonChunks: writes the heap snapshot's JSON into a reused byte buffer (integers as ASCII digits, text as UTF-8)
// and hands the buffer to the output sink whenever it fills, so that no JSON string of the whole output is ever
// built. The writer calls room() before each line (so that an object with a million edges never overruns the
// buffer) and awaits flushIfFull() once per object (the sink's backpressure, for stdout).
import type { OutputSink } from './output.js';

/** "00" .. "99" as ASCII pairs: two digits per division. */
const PAIRS = new Uint8Array(200);
for (let k = 0; k < 100; k++) {
  PAIRS[2 * k] = 48 + Math.floor(k / 10);
  PAIRS[2 * k + 1] = 48 + (k % 10);
}

/** Decimal digits of v (v < 2^53). */
function digitCount(v: number): number {
  if (v < 100000) return v < 10 ? 1 : v < 100 ? 2 : v < 1000 ? 3 : v < 10000 ? 4 : 5;
  if (v < 10000000000) return v < 1000000 ? 6 : v < 10000000 ? 7 : v < 100000000 ? 8 : v < 1000000000 ? 9 : 10;
  return String(v).length;
}

export class JsonChunks {
  private readonly buf: Buffer;
  private pos = 0;
  private readonly limit: number;
  private waiting: Promise<void> | undefined;

  /** size: the buffer's size; larger than the sink's own buffer so that the sink writes it out without a copy. */
  constructor(private readonly sink: OutputSink, size: number = 4 << 20) {
    this.buf = Buffer.allocUnsafe(Math.max(size, 16384));
    // Room left for one node or edge line (a few numbers) or one string after the check.
    this.limit = this.buf.length - 4096;
  }

  /** A non-negative integer (up to 2^53). */
  uint(v: number): void {
    const buf = this.buf;
    const pos = this.pos;
    if (v < 10) {
      buf[pos] = 48 + v;
      this.pos = pos + 1;
      return;
    }
    const end = pos + digitCount(v);
    this.pos = end;
    let at = end;
    let x = v;
    if (x >= 2147483648) {
      while (x >= 2147483648) {
        const q = Math.floor(x / 100);
        const r = (x - q * 100) * 2;
        buf[--at] = PAIRS[r + 1];
        buf[--at] = PAIRS[r];
        x = q;
      }
    }
    while (x >= 100) {
      const q = (x / 100) | 0;
      const r = (x - q * 100) * 2;
      buf[--at] = PAIRS[r + 1];
      buf[--at] = PAIRS[r];
      x = q;
    }
    if (x >= 10) {
      buf[--at] = PAIRS[2 * x + 1];
      buf[--at] = PAIRS[2 * x];
    } else {
      buf[--at] = 48 + x;
    }
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

  /**
   * Makes room for one more line (a node, an edge: under 4 KiB): hands the buffer to the sink when it is nearly
   * full, without waiting; the next flushIfFull() returns the wait, if the sink asked for one.
   */
  room(): void {
    if (this.pos > this.limit) {
      const p = this.flush();
      if (p) this.waiting = p;
    }
  }

  /** Hands the buffer to the sink when it is nearly full; a promise when the sink asks to wait (stdout). */
  flushIfFull(): Promise<void> | undefined {
    const w = this.waiting;
    this.waiting = undefined;
    const p = this.pos > this.limit ? this.flush() : undefined;
    return w && p ? w.then(() => p) : w ?? p;
  }

  /** Hands what is buffered to the sink (which writes a file at once and copies for stdout). */
  flush(): Promise<void> | undefined {
    if (this.pos === 0) return undefined;
    const p = this.sink.write(this.buf.subarray(0, this.pos));
    this.pos = 0;
    return p;
  }
}
