// The streaming heap dump decoder: reads every record of a go1.5/go1.6/go1.7 heap dump in one pass over the file
// and hands each to a visitor. Object contents are not kept: the visitor gets each object's file offset, and the
// number of its pointer slots whose value falls inside the heap's address range (for sizing the edge arrays), and
// on request those slots themselves are kept (heap-slots.ts) for resolving edges without a second pass.
import * as fs from 'node:fs';
import { ByteCursor } from './cursor.js';
import { DumpFileError, HeapDumpError } from './errors.js';
import { FileWindow } from './file-reader.js';
import { HeapSlots, KeptSlots } from './heap-slots.js';
import {
  DeferRecord, DumpParams, FinalizerRecord, GoroutineRecord, ItabRecord, MEMSTATS_FIELDS, MemProfBucketRecord,
  MemProfFrame, MemStatsRecord, OtherRootRecord, PanicRecord, PointerSlots, SegmentRecord, StackFrameRecord, TAG_COUNT,
  Tag, ThreadRecord, TypeRecord,
} from './records.js';

export const HEADER_BYTES = 16;
const SUPPORTED_FORMATS = ['1.5', '1.6', '1.7'];
/** Heap addresses stay far below 2^53 on every Go platform; a larger one means a damaged dump. */
const MAX_ADDRESS = Number.MAX_SAFE_INTEGER;
/** Objects are stored with 32-bit sizes. */
const MAX_OBJECT_BYTES = 0xffffffff;

/** Receives the records of a dump in file order. Objects come through `object`, the hot path. */
export interface DumpVisitor {
  params(p: DumpParams): void;
  /**
   * One heap object. `heapSlots` counts its pointer slots whose word lies in [heapStart, heapEnd);
   * `slotEntries` counts all fieldlist entries.
   */
  object(address: number, size: number, contentOffset: number, heapSlots: number, slotEntries: number): void;
  goroutine(g: GoroutineRecord): void;
  stackFrame(f: StackFrameRecord, slots: PointerSlots): void;
  segment(s: SegmentRecord, slots: PointerSlots): void;
  finalizer(f: FinalizerRecord): void;
  type(t: TypeRecord): void;
  itab(i: ItabRecord): void;
  thread(t: ThreadRecord): void;
  defer(d: DeferRecord): void;
  panic(p: PanicRecord): void;
  otherRoot(r: OtherRootRecord): void;
  memStats(m: MemStatsRecord): void;
  memProf(b: MemProfBucketRecord): void;
  allocSample(address: number, bucketId: number): void;
  /** Called now and then with the bytes decoded so far. */
  progress?(done: number, total: number): void;
}

/**
 * The address range whose words count as heap pointers: Params' [heapStart, heapEnd), or every nonzero word when
 * the dump gives no usable range.
 */
export function heapPointerRange(p: DumpParams): { lo: number; hi: number } {
  return p.heapEnd > p.heapStart ? { lo: p.heapStart, hi: p.heapEnd } : { lo: 1, hi: Number.MAX_SAFE_INTEGER };
}

/** Architecture characters of go1.5/go1.6 dumps ("thechar" in the runtime of that time). */
const ARCH_BY_CHAR: Record<string, string> = {
  '5': 'arm', '6': 'amd64', '7': 'arm64', '8': '386', '9': 'ppc64', 'z': 's390x', '0': 'mips64',
};

export interface DecodeResult {
  /** Number of records of each tag. */
  recordCounts: Float64Array;
  /** File offset just after the EOF record. */
  endOffset: number;
  params: DumpParams;
  /** With `keepSlots`: every object's heap pointer slots (heap-slots.ts), else null. */
  slots: KeptSlots | null;
}

export interface DecodeOptions {
  /** Size of the read window in bytes. */
  windowBytes?: number;
  /** Keep every object's heap pointer slots (returned as `slots`). */
  keepSlots?: boolean;
  /** Another thread that decodes a stretch of the object records meanwhile (see DecodeSplit). */
  split?: DecodeSplit;
}

/**
 * Another thread decoding a stretch of the object records while this decoder reads those before it
 * (lib/graph/load-split.ts). The stretch starts at a record boundary the other thread finds at or after an offset
 * proposed here (findObjectRecord); its records count as this decoder's only when this decoder, reading on, lands
 * exactly on that boundary. Decoding from a record boundary gives the same records, and the same errors at the same
 * offsets, whichever thread does it, so a split changes nothing but the time taken; a wrong guess costs only time.
 */
export interface DecodeSplit {
  /**
   * The Params record is read and the next record starts at `at`: returns the offset at which to call `reach` first
   * (the proposed start of the other thread's stretch), or Infinity for no split. `file` is the file as this decoder
   * has it open (the other thread opens it by its path, and must find the same file).
   */
  begin(params: DumpParams, formatVersion: string, at: number, fileSize: number, file: DumpFileIdentity): number;
  /**
   * This decoder's next record starts at `at`, at or past the offset the last call returned. `goOnAt` is where to
   * go on: `at`, or the end of the other thread's stretch when it starts at `at` (its `objects` object records were
   * then taken over, with their kept heap slots `slots`); `nextStop` is when to call again (Infinity: never). Throws
   * the other thread's decoding error when its stretch starts at `at` and it failed.
   */
  reach(at: number): { goOnAt: number; nextStop: number; objects: number; slots: KeptSlots | null };
}

/** Which file a decoder has open: another file at the same path (replaced meanwhile) differs in one of these. */
export interface DumpFileIdentity {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
}

/** A visitor that keeps nothing (for checking records without decoding them into anything). */
const IGNORING_VISITOR: DumpVisitor = {
  params() {}, object() {}, goroutine() {}, stackFrame() {}, segment() {}, finalizer() {}, type() {}, itab() {},
  thread() {}, defer() {}, panic() {}, otherRoot() {}, memStats() {}, memProf() {}, allocSample() {},
};

/**
 * Decodes the dump at `path`, calling `visitor` for every record. Throws HeapDumpError (with the byte offset)
 * for anything that is not a well-formed dump, DumpFileError when the file cannot be read.
 */
export function decodeHeapDump(path: string, visitor: DumpVisitor, options: DecodeOptions = {}): DecodeResult {
  const window = new FileWindow(path, options.windowBytes);
  try {
    return new Decoder(window, visitor, options.keepSlots === true, options.split).run();
  } finally {
    window.close();
  }
}

/**
 * Decodes the object records of the dump at `path` from `offset`, a record boundary past its Params record (`params`,
 * read by another decoder), up to the first record that is no object or the end of the file: its offset is
 * `endOffset`. The other thread of a DecodeSplit. Throws HeapDumpError as decodeHeapDump does at the same offset.
 */
export function decodeObjectRecords(path: string, params: DumpParams, formatVersion: string, offset: number,
  visitor: DumpVisitor, options: DecodeOptions = {}): DecodeResult {
  const window = new FileWindow(path, options.windowBytes);
  try {
    return new Decoder(window, visitor, options.keepSlots === true).objectRecords(params, formatVersion, offset);
  } finally {
    window.close();
  }
}

/** Object records that must follow one another from a candidate offset for it to count as a record boundary. */
const SYNC_RECORDS = 16;
/** Fewer do when a record of another kind follows them (the objects end soon after the candidate). */
const SYNC_RECORDS_BEFORE_OTHER = 4;
/** A candidate's objects larger than this are not checked (it is passed over: its contents are not read). */
const SYNC_MAX_OBJECT = 1 << 20;

/**
 * The first offset at or after `from` where SYNC_RECORDS well-formed object records follow one another (or at least
 * SYNC_RECORDS_BEFORE_OTHER, then a record of another kind): most likely a record boundary, which DecodeSplit
 * confirms. -1 when there is none before `until`.
 */
export function findObjectRecord(path: string, params: DumpParams, formatVersion: string, from: number, until: number): number {
  const window = new FileWindow(path);
  try {
    return new Decoder(window, IGNORING_VISITOR, false).firstObjectChain(params, formatVersion, from, until);
  } finally {
    window.close();
  }
}

/** Reads and checks the 16-byte header; returns the format version ("1.7"). */
export function readHeader(c: ByteCursor): string {
  c.need(HEADER_BYTES);
  const w = c.w;
  const n = Math.min(HEADER_BYTES, w.end - c.pos);
  const text = Buffer.from(w.buf.subarray(c.pos, c.pos + n)).toString('latin1');
  const m = /^go1\.(\d+) heap dump\n$/.exec(text);
  if (!m) {
    if (n < HEADER_BYTES && /^go1\.\d+ heap dump\n$/.test(text + 'go1.7 heap dump\n'.slice(n))) {
      throw c.error(`the 16-byte header "go1.7 heap dump\\n", found end of file after ${n} bytes`);
    }
    if (text.startsWith('\x7fELF')) {
      throw c.error(`the 16-byte header "go1.7 heap dump\\n", found an ELF executable (are DUMP and BINARY swapped?)`);
    }
    throw c.error(`the 16-byte header "go1.7 heap dump\\n" of a Go heap dump (runtime/debug.WriteHeapDump), found "${printable(text)}"`);
  }
  const version = `1.${m[1]}`;
  if (!SUPPORTED_FORMATS.includes(version)) {
    throw c.error(`a supported dump version (go1.5, go1.6 or go1.7 heap dump): unsupported dump version go${version}`);
  }
  c.pos += HEADER_BYTES;
  return version;
}

/** Shows bytes as text, with anything outside printable ASCII as \\n or \\xNN. */
export function printable(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 10) out += '\\n';
    else if (ch === 0x5c) out += '\\\\';
    else if (ch === 0x22) out += '\\"';
    else if (ch >= 0x20 && ch < 0x7f) out += text[i];
    else out += `\\x${ch.toString(16).padStart(2, '0')}`;
  }
  return out;
}

class Decoder {
  private readonly c: ByteCursor;
  private readonly v: DumpVisitor;
  private readonly counts = new Float64Array(TAG_COUNT);
  private formatVersion = '1.7';
  private params: DumpParams | null = null;
  private ptrSize = 8;
  private littleEndian = true;
  private heapStart = 0;
  private heapEnd = Number.MAX_SAFE_INTEGER;
  private readonly keepSlots: boolean;
  private kept: HeapSlots | null = null;

  private readonly split: DecodeSplit | undefined;

  constructor(window: FileWindow, visitor: DumpVisitor, keepSlots: boolean, split?: DecodeSplit) {
    this.c = new ByteCursor(window);
    this.v = visitor;
    this.keepSlots = keepSlots;
    this.split = split;
  }

  /** The object records from `offset` on (decodeObjectRecords). */
  objectRecords(params: DumpParams, formatVersion: string, offset: number): DecodeResult {
    const c = this.c;
    this.formatVersion = formatVersion;
    c.seek(offset, 16);
    this.useParams(params);
    const total = c.w.fileSize;
    let nextProgress = offset + (64 << 20);
    const v = this.v;
    for (;;) {
      c.keep = c.pos;
      const at = c.offset;
      if (at >= nextProgress && v.progress) {
        v.progress(at, total);
        nextProgress = at + (64 << 20);
      }
      // The end of the file and any other record are left to the decoder that goes on from here.
      if (c.remaining === 0) return this.result(at);
      const tag = c.uvarint('a record tag');
      if (tag !== Tag.Object) return this.result(at);
      this.counts[tag]++;
      this.object();
    }
  }

  private result(endOffset: number): DecodeResult {
    return { recordCounts: this.counts, endOffset, params: this.params!, slots: this.kept?.take() ?? null };
  }

  /** See findObjectRecord. */
  firstObjectChain(params: DumpParams, formatVersion: string, from: number, until: number): number {
    const c = this.c;
    this.formatVersion = formatVersion;
    c.seek(from, 16);
    this.useParams(params);
    const end = Math.min(until, c.w.fileSize);
    for (let p = from; p < end;) {
      // The next byte that may be an object record's tag, in the window; a window without one is passed over whole.
      c.seek(p, 16);
      const buf = c.w.buf;
      const base = c.w.base;
      const stop = Math.min(c.w.end, end - base);
      let i = p - base;
      while (i < stop && buf[i] !== Tag.Object) i++;
      if (i < stop && this.objectChainAt(base + i)) return base + i;
      p = base + Math.min(i + 1, stop);
    }
    return -1;
  }

  /** Whether well-formed object records follow one another from `p` (see findObjectRecord). */
  private objectChainAt(p: number): boolean {
    const c = this.c;
    c.seek(p, 16);
    try {
      for (let k = 0; ; k++) {
        if (k === SYNC_RECORDS) return true;
        c.keep = c.pos;
        if (c.remaining === 0) return k >= SYNC_RECORDS_BEFORE_OTHER;
        const tag = c.uvarint('a record tag');
        if (tag !== Tag.Object) return k >= SYNC_RECORDS_BEFORE_OTHER && tag < TAG_COUNT && tag !== Tag.Params;
        // Most candidates fail here, without the cost of an error.
        const bodyAt = c.pos;
        const address = c.uvarint('object address');
        const size = c.uvarint('object contents length');
        if (address < this.heapStart || address + size > this.heapEnd || size > SYNC_MAX_OBJECT || size > c.remaining) return false;
        c.pos = bodyAt;
        this.object();
      }
    } catch (e) {
      if (e instanceof HeapDumpError) return false;
      throw e;
    }
  }

  run(): DecodeResult {
    const c = this.c;
    if (c.w.fileSize === 0) throw new HeapDumpError(c.w.path, 0, 'the 16-byte header "go1.7 heap dump\\n", found an empty file');
    this.formatVersion = readHeader(c);
    const total = c.w.fileSize;
    let nextProgress = 64 << 20;
    const v = this.v;
    const split = this.split;
    let nextStop = Infinity;
    for (;;) {
      c.keep = c.pos;
      const at = c.offset;
      if (at >= nextStop) {
        const r = split!.reach(at);
        nextStop = r.nextStop;
        if (r.goOnAt !== at) {
          this.counts[Tag.Object] += r.objects;
          if (r.slots && this.kept) this.kept.append(r.slots);
          c.seek(r.goOnAt, 16);
          continue;
        }
      }
      if (at >= nextProgress && v.progress) {
        v.progress(at, total);
        nextProgress = at + (64 << 20);
      }
      if (c.remaining === 0) throw c.error('a record tag, found end of file (the dump was cut short: no EOF record)');
      const tag = c.uvarint('a record tag');
      if (tag >= TAG_COUNT) throw c.error(`a record tag (0-17), found ${tag}`, at);
      if (tag !== Tag.Params && tag !== Tag.Eof && this.params === null) {
        throw c.error(`the Params record (tag 6) before any other, found tag ${tag}`, at);
      }
      this.counts[tag]++;
      switch (tag) {
        case Tag.Eof: {
          if (c.remaining !== 0) throw c.error(`end of file after the EOF record, found ${c.remaining} more bytes`);
          if (this.params === null) throw c.error('a Params record before EOF', at);
          v.progress?.(total, total);
          return { recordCounts: this.counts, endOffset: c.offset, params: this.params, slots: this.kept?.take() ?? null };
        }
        case Tag.Object: this.object(); break;
        case Tag.OtherRoot: v.otherRoot({ description: c.string('otherRoot description'), address: c.uvarint('otherRoot address') }); break;
        case Tag.Type: this.typeRecord(); break;
        case Tag.Goroutine: this.goroutine(at); break;
        case Tag.StackFrame: this.stackFrame(); break;
        case Tag.Params:
          this.paramsRecord(at);
          if (split) {
            const st = fs.fstatSync(c.w.fd);
            nextStop = split.begin(this.params!, this.formatVersion, c.offset, total, { dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs });
          }
          break;
        case Tag.Finalizer: this.finalizer(false); break;
        case Tag.Itab: v.itab({ address: c.uvarint('itab address'), typeAddress: c.uvarint('itab type address') }); break;
        case Tag.OSThread: v.thread({ address: c.uvarint('thread m address'), id: c.uvarint('thread id'), procId: c.uvarint('thread procid') }); break;
        case Tag.MemStats: this.memStats(); break;
        case Tag.QueuedFinalizer: this.finalizer(true); break;
        case Tag.Data: this.segment('data'); break;
        case Tag.Bss: this.segment('bss'); break;
        case Tag.Defer: this.deferRecord(); break;
        case Tag.Panic: this.panicRecord(); break;
        case Tag.MemProf: this.memProf(); break;
        case Tag.AllocSample: v.allocSample(c.uvarint('allocSample object address'), c.uvarint('allocSample bucket id')); break;
      }
    }
  }

  private paramsRecord(at: number): void {
    const c = this.c;
    if (this.params !== null) throw c.error('one Params record, found a second', at);
    const bigEndian = c.bool('params bigEndian');
    const ptrAt = c.offset;
    const ptrSize = c.uvarint('params ptrSize');
    if (ptrSize !== 4 && ptrSize !== 8) throw c.error(`params ptrSize 4 or 8, found ${ptrSize}`, ptrAt);
    const heapStart = c.uvarint('params heapStart');
    const heapEnd = c.uvarint('params heapEnd');
    let arch: string;
    if (this.formatVersion === '1.7') {
      arch = c.string('params GOARCH');
    } else {
      const ch = String.fromCharCode(c.uvarint('params architecture character'));
      arch = ARCH_BY_CHAR[ch] ?? `thechar '${ch}'`;
    }
    const versionOrExperiment = c.string('params Go version or GOEXPERIMENT');
    const ncpu = c.uvarint('params ncpu');
    const isVersion = /^go\d/.test(versionOrExperiment) || versionOrExperiment.startsWith('devel');
    const p: DumpParams = {
      format: `go${this.formatVersion} heap dump`,
      formatVersion: this.formatVersion,
      bigEndian, ptrSize, heapStart, heapEnd, arch,
      goVersion: isVersion ? versionOrExperiment : null,
      goExperiment: isVersion ? null : versionOrExperiment,
      ncpu,
    };
    this.useParams(p);
    this.v.params(p);
  }

  /** Decodes what follows with the dump's Params. */
  private useParams(p: DumpParams): void {
    this.params = p;
    this.ptrSize = p.ptrSize;
    this.littleEndian = !p.bigEndian;
    const range = heapPointerRange(p);
    this.heapStart = range.lo;
    this.heapEnd = range.hi;
    // A well-formed dump has at most one slot per pointer-sized word of object contents.
    if (this.keepSlots) this.kept = new HeapSlots(range.lo, range.hi, Math.ceil(this.c.remaining / p.ptrSize));
  }

  /** Tag 1: address, contents, fieldlist. The hot path: no allocation. */
  private object(): void {
    const c = this.c;
    const addrAt = c.offset;
    const address = c.uvarint('object address');
    const lenAt = c.offset;
    const size = c.uvarint('object contents length');
    c.checkLength(size, 'object contents', lenAt);
    if (address === 0 || address + size > MAX_ADDRESS) {
      throw c.error(`an object address between 1 and 2^53 - size, found ${address}`, addrAt);
    }
    if (size > MAX_OBJECT_BYTES) throw c.error(`an object under 4 GiB, found ${size} bytes`, lenAt);
    const lo = this.heapStart;
    const hi = this.heapEnd;
    // Params gives the bounds of the heap's arenas: an object outside them is in no span of this heap.
    if (address < lo || address + size > hi) {
      throw c.error(`an object inside the heap [0x${lo.toString(16)}, 0x${hi.toString(16)}) of the Params record, ` +
        `found 0x${address.toString(16)} (${size} bytes)`, addrAt);
    }
    const contentOffset = c.offset;
    c.keep = c.pos;
    c.need(size + 24);
    c.mark = c.pos;
    c.pos += size;
    const ptrSize = this.ptrSize;
    const le = this.littleEndian;
    const limit = size - ptrSize;
    const kept = this.kept;
    let heapSlots = 0;
    let entries = 0;
    for (;;) {
      const kindAt = c.offset;
      const kind = c.uvarint('a fieldlist kind');
      if (kind === 0) break;
      if (kind > 3) throw c.error(`a fieldlist kind (0-3), found ${kind}`, kindAt);
      const offAt = c.offset;
      const off = c.uvarint('a fieldlist offset');
      if (off > limit) throw c.error(`a pointer offset inside the ${size}-byte object at 0x${address.toString(16)}, found ${off}`, offAt);
      entries++;
      const word = c.word(c.mark + off, ptrSize, le);
      if (word >= lo && word < hi) {
        heapSlots++;
        if (kept !== null) kept.push(off, word);
      }
    }
    this.v.object(address, size, contentOffset, heapSlots, entries);
  }

  /** A fieldlist whose slots lie in contents at window index c.mark (kept in the window), of `size` bytes. */
  private slots(size: number, what: string): PointerSlots {
    const c = this.c;
    const offsets: number[] = [];
    const values: number[] = [];
    const limit = size - this.ptrSize;
    for (;;) {
      const kindAt = c.offset;
      const kind = c.uvarint(`${what} fieldlist kind`);
      if (kind === 0) break;
      if (kind > 3) throw c.error(`${what} fieldlist kind (0-3), found ${kind}`, kindAt);
      const offAt = c.offset;
      const off = c.uvarint(`${what} fieldlist offset`);
      if (off > limit) throw c.error(`${what} pointer offset inside its ${size} bytes, found ${off}`, offAt);
      offsets.push(off);
      values.push(c.word(c.mark + off, this.ptrSize, this.littleEndian));
    }
    return { offsets, values };
  }

  private contents(what: string): { size: number; contentOffset: number } {
    const c = this.c;
    const lenAt = c.offset;
    const size = c.uvarint(`${what} contents length`);
    c.checkLength(size, `${what} contents`, lenAt);
    const contentOffset = c.offset;
    c.keep = c.pos;
    c.need(size + 24);
    c.mark = c.pos;
    c.pos += size;
    return { size, contentOffset };
  }

  private typeRecord(): void {
    const c = this.c;
    const address = c.uvarint('type address');
    const size = c.uvarint('type size');
    const name = c.string('type name');
    const indirect = c.bool('type indirect flag');
    this.v.type({ address, size, name, indirect });
  }

  private goroutine(offset: number): void {
    const c = this.c;
    const g: GoroutineRecord = {
      address: c.uvarint('goroutine address'),
      sp: c.uvarint('goroutine sp'),
      goid: c.uvarint('goroutine id'),
      gopc: c.uvarint('goroutine gopc'),
      status: c.uvarint('goroutine status'),
      isSystem: c.bool('goroutine isSystem'),
      isBackground: c.bool('goroutine isBackground'),
      waitSince: c.uvarint('goroutine waitsince'),
      waitReason: c.string('goroutine waitreason'),
      ctxt: c.uvarint('goroutine ctxt'),
      m: c.uvarint('goroutine m'),
      deferHead: c.uvarint('goroutine defer'),
      panicHead: c.uvarint('goroutine panic'),
      offset,
    };
    this.v.goroutine(g);
  }

  private stackFrame(): void {
    const c = this.c;
    const sp = c.uvarint('frame sp');
    const depth = c.uvarint('frame depth');
    const childSp = c.uvarint('frame child sp');
    const { size, contentOffset } = this.contents('frame');
    // The fieldlist comes after the function name: remember where the contents are while reading the pcs and name.
    const entryPc = c.uvarint('frame entry pc');
    const pc = c.uvarint('frame pc');
    const continuationPc = c.uvarint('frame continuation pc');
    const functionName = c.string('frame function name');
    const slots = this.slots(size, 'frame');
    this.v.stackFrame({ sp, depth, childSp, contentOffset, size, entryPc, pc, continuationPc, functionName }, slots);
  }

  private segment(kind: 'data' | 'bss'): void {
    const c = this.c;
    const address = c.uvarint(`${kind} address`);
    const { size, contentOffset } = this.contents(kind);
    const slots = this.slots(size, kind);
    this.v.segment({ kind, address, size, contentOffset }, slots);
  }

  private finalizer(queued: boolean): void {
    const c = this.c;
    const what = queued ? 'queued finalizer' : 'finalizer';
    this.v.finalizer({
      object: c.uvarint(`${what} object`),
      fn: c.uvarint(`${what} funcval`),
      fnPc: c.uvarint(`${what} code pc`),
      fint: c.uvarint(`${what} fint type`),
      ot: c.uvarint(`${what} ot type`),
      queued,
    });
  }

  private deferRecord(): void {
    const c = this.c;
    this.v.defer({
      address: c.uvarint('defer address'),
      goroutine: c.uvarint('defer goroutine'),
      sp: c.uvarint('defer sp'),
      pc: c.uvarint('defer pc'),
      fn: c.uvarint('defer funcval'),
      fnPc: c.uvarint('defer code pc'),
      link: c.uvarint('defer link'),
    });
  }

  private panicRecord(): void {
    const c = this.c;
    const address = c.uvarint('panic address');
    const goroutine = c.uvarint('panic goroutine');
    const argType = c.uvarint('panic arg type');
    const argData = c.uvarint('panic arg data');
    c.uvarint('panic defer (always 0)');
    const link = c.uvarint('panic link');
    this.v.panic({ address, goroutine, argType, argData, link });
  }

  private memStats(): void {
    const c = this.c;
    const fields: Record<string, bigint> = {};
    for (const name of MEMSTATS_FIELDS) fields[name] = c.uvarintBig(`memstats ${name}`);
    const pauseNs: bigint[] = [];
    for (let i = 0; i < 256; i++) pauseNs.push(c.uvarintBig('memstats PauseNs'));
    const numGC = c.uvarintBig('memstats NumGC');
    this.v.memStats({ fields, pauseNs, numGC });
  }

  private memProf(): void {
    const c = this.c;
    const id = c.uvarint('memprof bucket id');
    const size = c.uvarint('memprof size');
    const nAt = c.offset;
    const nstk = c.uvarint('memprof stack depth');
    // Each frame takes at least 3 bytes (two empty strings and a line).
    if (nstk * 3 > c.remaining) throw c.error(`a memprof stack depth that fits in the file, found ${nstk}`, nAt);
    const stack: MemProfFrame[] = [];
    for (let i = 0; i < nstk; i++) {
      stack.push({
        functionName: c.string('memprof frame function'),
        file: c.string('memprof frame file'),
        line: c.uvarint('memprof frame line'),
      });
    }
    const allocs = c.uvarint('memprof allocs');
    const frees = c.uvarint('memprof frees');
    this.v.memProf({ id, size, stack, allocs, frees });
  }
}

export { DumpFileError, HeapDumpError };
