// A deliberately plain second decoder of `go1.7 heap dump` files, for tests only.
// Written from docs/go-heapdump-format.md alone (not from lib/dump/), so the two can check each other:
// it reads the whole file into memory, decodes every record with BigInt uvarints, and tallies what it saw.
import { readFileSync } from 'node:fs';

/** Record tags of the go1.7 format. */
export const Tag = {
  Eof: 0, Object: 1, OtherRoot: 2, Type: 3, Goroutine: 4, StackFrame: 5, Params: 6, Finalizer: 7, Itab: 8,
  OSThread: 9, MemStats: 10, QueuedFinalizer: 11, Data: 12, Bss: 13, Defer: 14, Panic: 15, MemProf: 16,
  AllocSample: 17,
} as const;

export interface NaiveObject { address: bigint; size: number; }
export interface NaiveFrame { goroutine: bigint; depth: bigint; name: string; }

/** What the naive decoder found in one dump. */
export interface NaiveSummary {
  header: string;
  /** Number of records seen per tag (index = tag). */
  tagCounts: number[];
  objectCount: number;
  /** Sum of object content lengths. */
  objectBytes: number;
  /** Pointer-field entries over all object field lists. */
  objectPointerFields: number;
  goroutineCount: number;
  frameCount: number;
  params: { bigEndian: boolean; ptrSize: number; heapStart: bigint; heapEnd: bigint; arch: string; goVersion: string; ncpu: number };
  objects: NaiveObject[];
  /** Every stack frame, with the g address of the goroutine record it follows. */
  frames: NaiveFrame[];
  /** Object addresses of Finalizer (tag 7) and QueuedFinalizer (tag 11) records. */
  finalizerObjects: bigint[];
  queuedFinalizerObjects: bigint[];
  /** Byte offset just past the EOF record. */
  endOffset: number;
}

/** Thrown when the file is not a well-formed go1.7 heap dump. */
export class NaiveDecodeError extends Error {
  constructor(readonly file: string, readonly offset: number, what: string) {
    super(`${file}: ${what} at offset ${offset}`);
    this.name = 'NaiveDecodeError';
  }
}

const HEADER = 'go1.7 heap dump\n';

/** Decodes the heap dump at `file`, reading it whole. */
export function naiveDecode(file: string): NaiveSummary {
  const buf = readFileSync(file);
  let pos = 0;
  const fail = (what: string): never => { throw new NaiveDecodeError(file, pos, what); };

  const uvarint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (pos >= buf.length) fail('truncated uvarint');
      const b = buf[pos++];
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return result;
      shift += 7n;
    }
    return fail('uvarint longer than 10 bytes');
  };
  const num = (): number => {
    const v = uvarint();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail('value too large for a number');
    return Number(v);
  };
  const bool = (): boolean => {
    const v = uvarint();
    if (v > 1n) fail('bool not 0 or 1');
    return v === 1n;
  };
  const bytes = (): Buffer => {
    const n = num();
    if (pos + n > buf.length) fail('truncated byte string');
    const out = buf.subarray(pos, pos + n);
    pos += n;
    return out;
  };
  const str = (): string => bytes().toString('latin1');
  /** Reads a field list and returns how many pointer entries it had. */
  const fieldlist = (): number => {
    let n = 0;
    for (;;) {
      const kind = uvarint();
      if (kind === 0n) return n;
      if (kind > 3n) fail(`bad field kind ${kind}`);
      uvarint(); // offset
      n++;
    }
  };
  const skip = (n: number): void => { for (let i = 0; i < n; i++) uvarint(); };

  if (buf.length < HEADER.length || buf.toString('latin1', 0, HEADER.length) !== HEADER) fail('not a go1.7 heap dump header');
  pos = HEADER.length;

  const s: NaiveSummary = {
    header: HEADER.trimEnd(), tagCounts: new Array(18).fill(0), objectCount: 0, objectBytes: 0, objectPointerFields: 0,
    goroutineCount: 0, frameCount: 0,
    params: { bigEndian: false, ptrSize: 0, heapStart: 0n, heapEnd: 0n, arch: '', goVersion: '', ncpu: 0 },
    objects: [], frames: [], finalizerObjects: [], queuedFinalizerObjects: [], endOffset: 0,
  };
  let currentG = 0n;

  for (;;) {
    const tagAt = pos;
    const tag = num();
    if (tag > 17) { pos = tagAt; fail(`unknown tag ${tag}`); }
    s.tagCounts[tag]++;
    switch (tag) {
      case Tag.Eof:
        s.endOffset = pos;
        return s;
      case Tag.Object: {
        const address = uvarint();
        const size = bytes().length;
        s.objectPointerFields += fieldlist();
        s.objectCount++;
        s.objectBytes += size;
        s.objects.push({ address, size });
        break;
      }
      case Tag.OtherRoot: str(); uvarint(); break;
      case Tag.Type: uvarint(); uvarint(); str(); bool(); break;
      case Tag.Goroutine:
        currentG = uvarint();
        skip(4); // sp, goid, gopc, status
        bool(); bool(); uvarint(); // isSystem, isBackground, waitsince
        str(); // waitreason
        skip(4); // ctxt, m, defer, panic
        s.goroutineCount++;
        break;
      case Tag.StackFrame: {
        uvarint(); // sp
        const depth = uvarint();
        uvarint(); // child sp
        bytes();
        skip(3); // entry pc, pc, continpc
        const name = str();
        fieldlist();
        s.frames.push({ goroutine: currentG, depth, name });
        s.frameCount++;
        break;
      }
      case Tag.Params:
        s.params.bigEndian = bool();
        s.params.ptrSize = num();
        s.params.heapStart = uvarint();
        s.params.heapEnd = uvarint();
        s.params.arch = str();
        s.params.goVersion = str();
        s.params.ncpu = num();
        break;
      case Tag.Finalizer: s.finalizerObjects.push(uvarint()); skip(4); break;
      case Tag.QueuedFinalizer: s.queuedFinalizerObjects.push(uvarint()); skip(4); break;
      case Tag.Itab: skip(2); break;
      case Tag.OSThread: skip(3); break;
      case Tag.MemStats: skip(281); break;
      case Tag.Data:
      case Tag.Bss: uvarint(); bytes(); fieldlist(); break;
      case Tag.Defer: skip(7); break;
      case Tag.Panic: skip(6); break;
      case Tag.MemProf: {
        skip(2); // bucket id, size
        const nstk = num();
        for (let i = 0; i < nstk; i++) { str(); str(); uvarint(); }
        skip(2); // allocs, frees
        break;
      }
      case Tag.AllocSample: skip(2); break;
    }
  }
}
