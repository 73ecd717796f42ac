// A streaming record counter for go1.7 heap dumps, used by the "naive-count" bench stage.
// It reads the file in fixed-size chunks (never whole), skips every record field by field, and returns
// record counts per tag plus object totals. It exists to exercise the bench pipeline independently of lib/.
import { closeSync, openSync, readSync } from 'node:fs';

const HEADER = 'go1.7 heap dump\n';
const CHUNK = 8 << 20;
/** Longest uvarint: a value is only decoded once this many bytes (or the file's end) are buffered. */
const MAX_VARINT = 10;

/** What the streaming counter found. */
export interface StreamCounts {
  records: number;
  tagCounts: number[];
  objects: number;
  objectBytes: number;
  pointerFields: number;
  goroutines: number;
  frames: number;
  bytesRead: number;
}

/** Thrown when the dump is malformed or cut short. */
export class StreamCountError extends Error {
  constructor(readonly file: string, readonly offset: number, what: string) {
    super(`${file}: ${what} at offset ${offset}`);
    this.name = 'StreamCountError';
  }
}

/** Counts the records of the dump at `path`, reading CHUNK bytes at a time. */
export function streamCount(path: string, onProgress?: (done: number) => void, chunkSize = CHUNK): StreamCounts {
  if (chunkSize < HEADER.length) throw new RangeError(`chunk size ${chunkSize} is below ${HEADER.length} bytes`);
  const fd = openSync(path, 'r');
  try {
    return new ChunkedCounter(path, fd, chunkSize, onProgress).run();
  } finally {
    closeSync(fd);
  }
}

class ChunkedCounter {
  private readonly buf: Buffer;
  /** Bytes of the file before buf[0]. */
  private base = 0;
  private pos = 0;
  private end = 0;
  private eof = false;
  private nextProgress = 0;

  constructor(private readonly file: string, private readonly fd: number, chunkSize: number, private readonly onProgress?: (done: number) => void) {
    this.buf = Buffer.allocUnsafe(chunkSize);
  }

  private fail(what: string): never {
    throw new StreamCountError(this.file, this.base + this.pos, what);
  }

  /** Makes at least n bytes available at pos, unless the file ends first. */
  private fill(n: number): void {
    if (this.end - this.pos >= n || this.eof) return;
    this.buf.copyWithin(0, this.pos, this.end);
    this.base += this.pos;
    this.end -= this.pos;
    this.pos = 0;
    while (this.end < n && !this.eof) {
      const got = readSync(this.fd, this.buf, this.end, this.buf.length - this.end, this.base + this.end);
      if (got === 0) this.eof = true;
      this.end += got;
    }
    if (this.onProgress && this.base >= this.nextProgress) {
      this.onProgress(this.base);
      this.nextProgress = this.base + (256 << 20);
    }
  }

  /** Reads a uvarint as a number; values above 2^53 lose precision, which only matters for fields we skip. */
  private uvarint(): number {
    if (this.end - this.pos < MAX_VARINT) this.fill(MAX_VARINT);
    const buf = this.buf;
    let pos = this.pos;
    const end = this.end;
    let result = 0;
    let mul = 1;
    for (let i = 0; i < MAX_VARINT; i++) {
      if (pos >= end) { this.pos = pos; this.fail('truncated uvarint'); }
      const b = buf[pos++];
      result += (b & 0x7f) * mul;
      if (b < 0x80) { this.pos = pos; return result; }
      mul *= 128;
    }
    this.pos = pos;
    return this.fail('uvarint longer than 10 bytes');
  }

  private skipUvarints(n: number): void {
    for (let i = 0; i < n; i++) this.uvarint();
  }

  /** Skips n raw bytes, jumping over whatever is not buffered. */
  private skipBytes(n: number): void {
    const avail = this.end - this.pos;
    if (n <= avail) { this.pos += n; return; }
    this.base += this.end + (n - avail);
    this.pos = 0;
    this.end = 0;
    this.fill(1);
    if (this.eof && this.end === 0) this.fail('truncated byte string');
  }

  /** Skips a length-prefixed string or byte slice and returns its length. */
  private skipString(): number {
    const n = this.uvarint();
    this.skipBytes(n);
    return n;
  }

  /** Skips a field list and returns how many entries it had. */
  private skipFieldList(): number {
    let n = 0;
    for (;;) {
      const kind = this.uvarint();
      if (kind === 0) return n;
      if (kind > 3) this.fail(`bad field kind ${kind}`);
      this.uvarint();
      n++;
    }
  }

  run(): StreamCounts {
    this.fill(HEADER.length);
    if (this.end < HEADER.length || this.buf.toString('latin1', 0, HEADER.length) !== HEADER) this.fail('not a go1.7 heap dump');
    this.pos = HEADER.length;
    const c: StreamCounts = { records: 0, tagCounts: new Array(18).fill(0), objects: 0, objectBytes: 0, pointerFields: 0, goroutines: 0, frames: 0, bytesRead: 0 };
    for (;;) {
      const tag = this.uvarint();
      if (tag > 17) this.fail(`unknown tag ${tag}`);
      c.records++;
      c.tagCounts[tag]++;
      switch (tag) {
        case 0: c.bytesRead = this.base + this.pos; return c;
        case 1: this.uvarint(); c.objectBytes += this.skipString(); c.pointerFields += this.skipFieldList(); c.objects++; break;
        case 2: this.skipString(); this.uvarint(); break;
        case 3: this.skipUvarints(2); this.skipString(); this.uvarint(); break;
        case 4: this.skipUvarints(8); this.skipString(); this.skipUvarints(4); c.goroutines++; break;
        case 5: this.skipUvarints(3); this.skipString(); this.skipUvarints(3); this.skipString(); this.skipFieldList(); c.frames++; break;
        case 6: this.skipUvarints(4); this.skipString(); this.skipString(); this.uvarint(); break;
        case 7: case 11: this.skipUvarints(5); break;
        case 8: this.skipUvarints(2); break;
        case 9: this.skipUvarints(3); break;
        case 10: this.skipUvarints(281); break;
        case 12: case 13: this.uvarint(); this.skipString(); this.skipFieldList(); break;
        case 14: this.skipUvarints(7); break;
        case 15: this.skipUvarints(6); break;
        case 16: {
          this.skipUvarints(2);
          const nstk = this.uvarint();
          for (let i = 0; i < nstk; i++) { this.skipString(); this.skipString(); this.uvarint(); }
          this.skipUvarints(2);
          break;
        }
        case 17: this.skipUvarints(2); break;
      }
    }
  }
}
