// The records of a Go heap dump other than objects, as plain data. Field names follow runtime/heapdump.go.
// Addresses and other words are numbers (exact below 2^53, which holds for heap and text addresses on every
// supported platform); MemStats values may exceed 2^53 and are bigints.

/** Record tags of the `go1.7 heap dump` format (also used by go1.5/go1.6). */
export const enum Tag {
  Eof = 0,
  Object = 1,
  OtherRoot = 2,
  Type = 3,
  Goroutine = 4,
  StackFrame = 5,
  Params = 6,
  Finalizer = 7,
  Itab = 8,
  OSThread = 9,
  MemStats = 10,
  QueuedFinalizer = 11,
  Data = 12,
  Bss = 13,
  Defer = 14,
  Panic = 15,
  MemProf = 16,
  AllocSample = 17,
}

export const TAG_COUNT = 18;

export const TAG_NAMES: readonly string[] = [
  'eof', 'object', 'otherRoot', 'type', 'goroutine', 'stackFrame', 'params', 'finalizer', 'itab', 'osThread',
  'memStats', 'queuedFinalizer', 'data', 'bss', 'defer', 'panic', 'memProf', 'allocSample',
];

export interface DumpParams {
  /** The 16-byte header without its newline, e.g. "go1.7 heap dump". */
  format: string;
  /** "1.5", "1.6" or "1.7": the version named in the header. */
  formatVersion: string;
  bigEndian: boolean;
  ptrSize: number;
  heapStart: number;
  heapEnd: number;
  /** GOARCH ("amd64"); for go1.5/1.6 dumps, derived from the architecture character the runtime wrote. */
  arch: string;
  /** The exact Go version ("go1.19.8") for dumps of Go 1.17 and later, else null. */
  goVersion: string | null;
  /** GOEXPERIMENT for dumps of Go before 1.17 (same string slot), else null. */
  goExperiment: string | null;
  ncpu: number;
}

export interface GoroutineRecord {
  address: number;
  sp: number;
  goid: number;
  gopc: number;
  status: number;
  isSystem: boolean;
  isBackground: boolean;
  waitSince: number;
  waitReason: string;
  ctxt: number;
  m: number;
  deferHead: number;
  panicHead: number;
  /** File offset of the record. */
  offset: number;
}

export interface StackFrameRecord {
  sp: number;
  depth: number;
  childSp: number;
  /** File offset and length of the frame's contents (fp - sp bytes). */
  contentOffset: number;
  size: number;
  entryPc: number;
  pc: number;
  continuationPc: number;
  functionName: string;
}

/** The pointer slots of a frame, Data or BSS segment: offsets from its start and the words found there. */
export interface PointerSlots {
  offsets: number[];
  values: number[];
}

export interface SegmentRecord {
  kind: 'data' | 'bss';
  address: number;
  size: number;
  contentOffset: number;
}

export interface FinalizerRecord {
  object: number;
  fn: number;
  fnPc: number;
  fint: number;
  ot: number;
  /** True for a QueuedFinalizer record: the object is unreachable and its finalizer waits to run. */
  queued: boolean;
}

export interface TypeRecord {
  address: number;
  size: number;
  name: string;
  /** The runtime's `!directIface || hasPointers`. */
  indirect: boolean;
}

export interface ItabRecord {
  address: number;
  typeAddress: number;
}

export interface ThreadRecord {
  address: number;
  id: number;
  procId: number;
}

export interface DeferRecord {
  address: number;
  goroutine: number;
  sp: number;
  pc: number;
  fn: number;
  fnPc: number;
  link: number;
}

export interface PanicRecord {
  address: number;
  goroutine: number;
  argType: number;
  argData: number;
  link: number;
}

export interface OtherRootRecord {
  description: string;
  address: number;
}

export interface MemProfFrame {
  functionName: string;
  file: string;
  line: number;
}

export interface MemProfBucketRecord {
  id: number;
  size: number;
  stack: MemProfFrame[];
  allocs: number;
  frees: number;
}

/** Go's runtime.MemStats field order as the dump writes it. */
export const MEMSTATS_FIELDS: readonly string[] = [
  'Alloc', 'TotalAlloc', 'Sys', 'Lookups', 'Mallocs', 'Frees', 'HeapAlloc', 'HeapSys', 'HeapIdle', 'HeapInuse',
  'HeapReleased', 'HeapObjects', 'StackInuse', 'StackSys', 'MSpanInuse', 'MSpanSys', 'MCacheInuse', 'MCacheSys',
  'BuckHashSys', 'GCSys', 'OtherSys', 'NextGC', 'LastGC', 'PauseTotalNs',
];

export interface MemStatsRecord {
  /** Keyed by MEMSTATS_FIELDS. */
  fields: Record<string, bigint>;
  pauseNs: bigint[];
  numGC: bigint;
}
