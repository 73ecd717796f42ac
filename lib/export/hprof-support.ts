// Small pieces the HPROF export shares: synthetic IDs (class objects, strings, threads: numbers that are not heap
// addresses), a window that reads object contents in file order, a word reader, the pointer-layout hash of untyped
// classes, and the global that holds an address.
import * as fs from 'node:fs';
import type { HeapGraph } from '../graph/index.js';
import { HeapDumpError } from '../dump/index.js';

/** Object class IDs, thread objects, their names: numbers that are not heap addresses. */
export class SyntheticIds {
  private next: number;
  private readonly limit: number;

  constructor(graph: HeapGraph, needed: number, idSize: number) {
    let lo = Infinity;
    let hi = 0;
    const a = graph.objectAddress;
    const s = graph.objectSize;
    for (let i = 0; i < graph.objectCount; i++) {
      if (a[i] < lo) lo = a[i];
      if (a[i] + s[i] > hi) hi = a[i] + s[i];
    }
    const span = (needed + 16) * 8;
    // Below the heap when there is room (every 64-bit Go heap is far above 4 KiB), else just above it.
    if (lo === Infinity || lo > 0x1000 + span) {
      this.next = 0x1000;
      this.limit = lo === Infinity ? 2 ** 52 : lo;
    } else {
      this.next = Math.ceil(hi / 8) * 8 + 0x1000;
      this.limit = idSize === 4 ? 2 ** 32 : 2 ** 52;
      if (this.next + span > this.limit) throw new RangeError('hprof: no room for synthetic IDs beside the heap');
    }
  }

  take(): number {
    const id = this.next;
    this.next += 8;
    if (this.next > this.limit) throw new RangeError('hprof: out of synthetic IDs');
    return id;
  }
}

/** Reads object contents in file order through one window (objects are numbered in file order). */
export class ContentWindow {
  private readonly fd: number;
  private buf: Buffer;
  private start = 0;
  private end = 0;

  constructor(private readonly graph: HeapGraph, size = 8 << 20) {
    this.fd = fs.openSync(graph.path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    const st = fs.fstatSync(this.fd);
    if (!st.isFile() || st.size !== graph.fileSize || st.mtimeMs !== graph.fileMtimeMs) {
      fs.closeSync(this.fd);
      throw new HeapDumpError(graph.path, 0, 'file changed since it was loaded');
    }
    this.buf = Buffer.allocUnsafe(size);
  }

  /** Where the bytes of the last read() start in the buffer it returned. */
  at = 0;

  /** A buffer holding the `length` bytes at file `offset` from byte `at` on (valid until the next call). */
  read(offset: number, length: number): Buffer {
    if (offset >= this.start && offset + length <= this.end) {
      this.at = offset - this.start;
      return this.buf;
    }
    const want = Math.max(length, this.buf.length);
    if (want > this.buf.length) this.buf = Buffer.allocUnsafe(want);
    const n = Math.min(want, this.graph.fileSize - offset);
    let done = 0;
    while (done < n) {
      const k = fs.readSync(this.fd, this.buf, done, n - done, offset + done);
      if (k <= 0) break;
      done += k;
    }
    if (done < length) throw new HeapDumpError(this.graph.path, offset + done, 'file changed since it was loaded');
    this.start = offset;
    this.end = offset + done;
    this.at = 0;
    return this.buf;
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}

/** 32-bit FNV-1a over a pointer layout (size, then offsets). */
export function layoutHash(size: number, edgeField: Uint32Array, mask: number, from: number, to: number): number {
  let h = 0x811c9dc5 ^ size;
  h = Math.imul(h, 0x01000193);
  for (let e = from; e < to; e++) {
    h ^= edgeField[e] & mask;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A pointer-sized word of `b` at `off`. */
export function readWord(b: Uint8Array, off: number, ptrSize: number, little: boolean): number {
  if (ptrSize === 4) {
    return little ? (b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24)) >>> 0
      : ((b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]) >>> 0;
  }
  const lo = little ? (b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24)) >>> 0
    : ((b[off + 4] << 24) | (b[off + 5] << 16) | (b[off + 6] << 8) | b[off + 7]) >>> 0;
  const hi = little ? (b[off + 4] | (b[off + 5] << 8) | (b[off + 6] << 16) | (b[off + 7] << 24)) >>> 0
    : ((b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]) >>> 0;
  return hi * 4294967296 + lo;
}

