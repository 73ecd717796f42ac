// Positional, chunked reading of a dump file: a sliding window over the file that decoders scan with an index.
//
// The window is `buf[0 .. end)`, holding file bytes `[base, base + end)`. Decoders read `buf` directly with an
// integer index `pos` (hot loops copy these into locals); when they need more bytes they call `fill`, which keeps
// the bytes from `keepFrom` on, moves them to the front and reads more after them. Records that cross a chunk
// boundary are thus handled by keeping the record's start in the window. A record larger than half the window grows
// the window to fit it; the window shrinks back at the next fill.
import * as fs from 'node:fs';
import { DumpFileError } from './errors.js';

export const DEFAULT_WINDOW_BYTES = 8 << 20;

export class FileWindow {
  readonly path: string;
  readonly fd: number;
  readonly fileSize: number;
  /** The window's bytes. Replaced (not resized) when a record needs a larger window. */
  buf: Uint8Array;
  /** A DataView over `buf`, kept in step with it. */
  view: DataView;
  /** File offset of buf[0]. */
  base = 0;
  /** Number of valid bytes in buf. */
  end = 0;
  private readonly windowBytes: number;

  constructor(path: string, windowBytes = DEFAULT_WINDOW_BYTES) {
    this.path = path;
    let fd: number;
    try {
      // Never blocks: a FIFO opens at once (and is refused below as not a regular file).
      fd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    } catch (e) {
      throw new DumpFileError(path, describeFsError(e));
    }
    const st = fs.fstatSync(fd);
    if (!st.isFile()) {
      fs.closeSync(fd);
      throw new DumpFileError(path, 'not a regular file');
    }
    this.fd = fd;
    this.fileSize = st.size;
    this.windowBytes = windowBytes;
    this.buf = new Uint8Array(Math.min(windowBytes, Math.max(st.size, 64)));
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  /** True when the window holds the last byte of the file. */
  get atEof(): boolean {
    return this.base + this.end >= this.fileSize;
  }

  /**
   * Makes at least `need` bytes available from window index `pos`, keeping window bytes from `keepFrom` (<= pos).
   * Returns how far existing bytes moved towards the front (subtract it from any window index you hold).
   * Near the end of the file fewer bytes may be available: callers bound-check against `end`.
   */
  fill(keepFrom: number, pos: number, need: number): number {
    if (this.end - pos >= need || this.atEof) return 0;
    const keep = this.end - keepFrom;
    const wanted = pos - keepFrom + need;
    let buf = this.buf;
    if (wanted > buf.length || (buf.length > this.windowBytes && wanted <= this.windowBytes)) {
      // Grow with a window's worth of headroom: a record larger than the window (a big segment, frame or object
      // with a long fieldlist) is then refilled a window at a time, not a few bytes at a time.
      const size = wanted > buf.length ? wanted + this.windowBytes : this.windowBytes;
      const grown = new Uint8Array(Math.min(size, Math.max(this.fileSize - (this.base + keepFrom), 64)));
      grown.set(buf.subarray(keepFrom, this.end), 0);
      buf = grown;
      this.buf = grown;
      this.view = new DataView(grown.buffer, grown.byteOffset, grown.byteLength);
    } else if (keepFrom > 0) {
      buf.copyWithin(0, keepFrom, this.end);
    }
    this.base += keepFrom;
    this.end = keep;
    this.readMore();
    return keepFrom;
  }

  /** Positions the window so that it starts at file offset `offset` with at least `need` bytes (if the file has them). */
  seek(offset: number, need: number): void {
    if (offset >= this.base && offset + need <= this.base + this.end) return;
    if (offset >= this.base && offset <= this.base + this.end) {
      this.fill(offset - this.base, offset - this.base, need);
      return;
    }
    if (need > this.buf.length) {
      this.buf = new Uint8Array(need);
      this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    }
    this.base = offset;
    this.end = 0;
    this.readMore();
  }

  private readMore(): void {
    const buf = this.buf;
    while (this.end < buf.length) {
      const pos = this.base + this.end;
      if (pos >= this.fileSize) break;
      const n = fs.readSync(this.fd, buf, this.end, buf.length - this.end, pos);
      if (n <= 0) break;
      this.end += n;
    }
  }

  /** Reads `length` bytes at file offset `offset` into a new array (for content read back on demand). */
  readAt(offset: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const n = fs.readSync(this.fd, out, done, length - done, offset + done);
      if (n <= 0) break;
      done += n;
    }
    return done === length ? out : out.subarray(0, done);
  }

  close(): void {
    try {
      fs.closeSync(this.fd);
    } catch {
      /* already closed */
    }
  }
}

/** A short reason for a failed open/read: "no such file", "permission denied", ... */
export function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT': return 'no such file';
    case 'EACCES': return 'permission denied';
    case 'EISDIR': return 'is a directory';
    default: return (e as Error)?.message ?? String(e);
  }
}
