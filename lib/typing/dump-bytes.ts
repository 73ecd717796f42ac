// DumpBytes: random-access reads of words and fieldlists from a heap dump file, through a bounded cache (16 MiB)
// of 64 KiB pages read on first use, first in first out. Type recovery reads the dump once in file order (each
// object's words through window()) and then only scattered words (closure code pointers, map directories, channel
// buffers, fieldlists of objects offered two typings): a small cache serves the first as well as a cache of the whole
// file would, and small pages keep the cost of the second low. Evicted pages' buffers are reused.
import * as fs from 'node:fs';

const PAGE_SHIFT = 16;
const PAGE = 1 << PAGE_SHIFT;
const PAGE_MASK = PAGE - 1;

/** Default cache size: 16 MiB. */
const DEFAULT_BUDGET = 16 * 1024 * 1024;

/** Reads words and pointer-slot lists at file offsets of a dump. */
export class DumpBytes {
  private fd: number;
  private readonly pages: (Buffer | undefined)[];
  /** DataViews over the loaded pages (the same memory), for fast unaligned word reads. */
  private readonly views: (DataView | undefined)[];
  /** Loaded page numbers in load order, a ring of maxPages entries: loadedCount of them from loadedHead on. */
  private readonly loaded: Int32Array;
  private loadedHead = 0;
  private loadedCount = 0;
  private readonly maxPages: number;
  readonly fileSize: number;
  /** Pages read from the file so far (a measure of the cache's effectiveness). */
  pageReads = 0;

  /** `budgetBytes`: at most this much of the file is kept in memory (default 16 MiB, at least 4 pages). */
  constructor(
    readonly path: string,
    private readonly ptrSize: number,
    private readonly littleEndian: boolean,
    budgetBytes = DEFAULT_BUDGET,
  ) {
    this.fd = fs.openSync(path, 'r');
    this.fileSize = fs.fstatSync(this.fd).size;
    this.pages = new Array<Buffer | undefined>(Math.ceil(this.fileSize / PAGE) + 1).fill(undefined);
    this.views = new Array<DataView | undefined>(this.pages.length).fill(undefined);
    this.maxPages = Math.max(4, Math.min(this.pages.length, Math.floor(budgetBytes / PAGE)));
    this.loaded = new Int32Array(this.maxPages);
  }

  private page(p: number): Buffer {
    const have = this.pages[p];
    if (have !== undefined) return have;
    let b: Buffer;
    let view: DataView;
    if (this.loadedCount === this.maxPages) {
      // Evict the oldest page and reuse its buffer.
      const old = this.loaded[this.loadedHead];
      b = this.pages[old]!;
      view = this.views[old]!;
      this.pages[old] = undefined;
      this.views[old] = undefined;
      this.loadedHead = this.loadedHead + 1 === this.maxPages ? 0 : this.loadedHead + 1;
      this.winEnd = this.winStart;
      this.loadedCount--;
    } else {
      b = Buffer.allocUnsafe(PAGE);
      view = new DataView(b.buffer, b.byteOffset, PAGE);
    }
    const start = p * PAGE;
    const n = Math.max(0, Math.min(PAGE, this.fileSize - start));
    let done = 0;
    while (done < n) {
      const k = fs.readSync(this.fd, b, done, n - done, start + done);
      if (k <= 0) break;
      done += k;
    }
    if (done < PAGE) b.fill(0, done);
    this.pageReads++;
    this.pages[p] = b;
    this.views[p] = view;
    let tail = this.loadedHead + this.loadedCount;
    if (tail >= this.maxPages) tail -= this.maxPages;
    this.loaded[tail] = p;
    this.loadedCount++;
    return b;
  }

  /** The byte at file offset `at` (0 past the end of the file). */
  byte(at: number): number {
    const pn = Math.floor(at * (1 / PAGE));
    return this.page(pn)[at - pn * PAGE];
  }

  /** The pointer-sized word at file offset `at`, as a number (exact below 2^53). */
  word(at: number): number {
    const pn = Math.floor(at * (1 / PAGE));
    const off = at - pn * PAGE;
    if (off + 8 <= PAGE && this.ptrSize === 8) {
      let v = this.views[pn];
      if (v === undefined) {
        this.page(pn);
        v = this.views[pn]!;
      }
      if (this.littleEndian) return v.getUint32(off, true) + v.getUint32(off + 4, true) * 4294967296;
      return v.getUint32(off, false) * 4294967296 + v.getUint32(off + 4, false);
    }
    let v = 0;
    const n = this.ptrSize;
    for (let k = 0; k < n; k++) {
      const byte = this.byte(at + (this.littleEndian ? n - 1 - k : k));
      v = v * 256 + byte;
    }
    return v;
  }

  /** The view `window` last made readable (a page's, or a copy in `scratch`). */
  win: DataView = new DataView(new ArrayBuffer(0));
  /** `win` holds the file's bytes [winStart, winEnd) at [0, winEnd - winStart) (empty once a page is evicted). */
  winStart = 0;
  winEnd = 0;
  private scratch = Buffer.alloc(0);

  /**
   * Makes the `length` bytes at file offset `at` readable through `this.win`, and returns where they start in it:
   * a loaded page's own view when they lie in one page, else a copy. Valid until the next read; a caller may use
   * win directly for any bytes within [winStart, winEnd) until then.
   */
  window(at: number, length: number): number {
    const pn = Math.floor(at * (1 / PAGE));
    const off = at - pn * PAGE;
    if (off + length <= PAGE) {
      let v = this.views[pn];
      if (v === undefined) {
        this.page(pn);
        v = this.views[pn]!;
      }
      this.win = v;
      this.winStart = at - off;
      this.winEnd = this.winStart + PAGE;
      return off;
    }
    if (this.scratch.length < length) {
      this.scratch = Buffer.alloc(Math.max(length, 2 * this.scratch.length));
      this.scratchView = new DataView(this.scratch.buffer, this.scratch.byteOffset, this.scratch.length);
    }
    let done = 0;
    while (done < length) {
      const a = at + done;
      const po = a & PAGE_MASK;
      const b = this.page(Math.floor(a / PAGE));
      const n = Math.min(length - done, PAGE - po);
      b.copy(this.scratch, done, po, po + n);
      done += n;
    }
    this.win = this.scratchView;
    this.winStart = at;
    this.winEnd = at + length;
    return 0;
  }

  private scratchView = new DataView(new ArrayBuffer(0));

  /** `length` bytes at file offset `at` (a copy). */
  bytes(at: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const a = at + done;
      const off = a & PAGE_MASK;
      const b = this.page(Math.floor(a / PAGE));
      const n = Math.min(length - done, PAGE - off);
      out.set(b.subarray(off, off + n), done);
      done += n;
    }
    return out;
  }

  /** Decodes a uvarint at `at`; the value goes to `this.uv`, the returned number is the offset after it. */
  uv = 0;
  private uvarint(at: number): number {
    let v = 0;
    let mul = 1;
    for (let k = 0; k < 10; k++) {
      const b = this.byte(at++);
      v += (b & 0x7f) * mul;
      if (b < 0x80) break;
      mul *= 128;
    }
    this.uv = v;
    return at;
  }

  /**
   * The pointer-slot offsets of the fieldlist that starts at file offset `at` (for an object record, right after
   * its contents), written to `out` (grown when needed); returns their number, at most `max`.
   */
  fieldList(at: number, out: { offsets: Uint32Array }, max = 1 << 24): number {
    let n = 0;
    for (;;) {
      at = this.uvarint(at);
      const kind = this.uv;
      if (kind === 0 || n >= max) return n;
      at = this.uvarint(at);
      if (n === out.offsets.length) {
        const bigger = new Uint32Array(out.offsets.length * 2 + 16);
        bigger.set(out.offsets);
        out.offsets = bigger;
      }
      out.offsets[n++] = this.uv;
    }
  }

  close(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
    this.pages.fill(undefined);
    this.views.fill(undefined);
  }
}
