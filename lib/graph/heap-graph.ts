// The object graph of one heap dump, held in typed arrays.
//
// Objects are numbered 0..objectCount-1 in file order (span order). Per object: its address and size (the size
// class, as the dump gives it), both read from the address index's runs (addressOf, sizeOf; objectAddress and
// objectSize lay them out in arrays on first use), and where its bytes are in the dump file (contentOffsets, 32 bits
// per object: content-offsets.ts; contents are read back on demand, never kept). Edges are CSR: see edges.ts.
// Reverse edges are built on first use.
// Roots, goroutines, frames and the other records of the dump are kept as they came.
import * as fs from 'node:fs';
import {
  DeferRecord, DumpParams, FinalizerRecord, GoroutineRecord, ItabRecord, MemProfBucketRecord, MemStatsRecord,
  OtherRootRecord, PanicRecord, TAG_NAMES, ThreadRecord, TypeRecord, MEMSTATS_FIELDS, HeapDumpError,
} from '../dump/index.js';
import { AddressIndex } from './address-index.js';
import { type Column, columnOf } from './column.js';
import { ContentOffsets } from './content-offsets.js';
import { Segment } from './builder.js';
import { EDGE_OFFSET_MASK, INTERIOR_EDGE } from './edges.js';
import { FrameTable } from './frames.js';
import { RootKind, RootTable } from './roots.js';
import { markReachable } from './reachability.js';

/** The type of a stack value (a runtime type address) and a slot's byte offset in it. */
export interface StackSlotType {
  type: number;
  offset: number;
}

/**
 * Reverse edges: the referrers of object i are source[start[i] .. start[i+1]), by source object, each as often as it
 * points at i: the k-th time a source is listed is its k-th edge into i, in edge order (edgesBetween).
 */
export interface ReverseEdges {
  start: Uint32Array;
  source: Uint32Array;
}

export interface HeapGraphParts {
  path: string;
  fileSize: number;
  fileMtimeMs: number;
  params: DumpParams;
  recordCounts: Float64Array;
  objectCount: number;
  objectBytes: number;
  pointerSlots: number;
  contentOffsets: ContentOffsets;
  /** Lets go of the per-edge arrays read from an index (they are read again when next used). */
  release?: () => void;
  /** The per-object arrays laid out on first use, shared by the graphs made from this one (withExtraRoots). */
  laidOut?: { address?: Float64Array; size?: Uint32Array; contentOffset?: Float64Array };
  edgeStart: Uint32Array;
  edgeTarget: Uint32Array;
  edgeField: Uint32Array;
  addressIndex: AddressIndex;
  roots: RootTable;
  reachable: Uint8Array;
  /** Stack-object root slots whose value's type the runtime names (a blocked send's channel element type). */
  stackSlotTypes?: ReadonlyMap<number, StackSlotType>;
  goroutines: GoroutineRecord[];
  frames: FrameTable;
  segments: Segment[];
  finalizers: FinalizerRecord[];
  types: TypeRecord[];
  itabs: ItabRecord[];
  threads: ThreadRecord[];
  defers: DeferRecord[];
  panics: PanicRecord[];
  otherRoots: OtherRootRecord[];
  memStats: MemStatsRecord | null;
  memProfBuckets: MemProfBucketRecord[];
  allocSampleAddress: Float64Array;
  allocSampleBucket: Float64Array;
  /** The number of edges, when known without reading edgeTarget (a graph read back from an index). */
  edgeCount?: number;
  /** stats() as computed when the graph was built, when known (a graph read back from an index). */
  stats?: HeapGraphStats;
  /** A per-object or per-edge array by position, a block at a time (a graph read back from an index). */
  column?: (name: GraphColumn) => Column;
  /** The content offsets' highStart (small), with column: one object's offset without reading contentLow whole. */
  contentHighStart?: () => Uint32Array;
}

/** The arrays a graph read back from an index can read by position. */
export type GraphColumn = 'edgeStart' | 'edgeTarget' | 'edgeField' | 'reachable' | 'contentLow';

export interface HeapGraphStats {
  format: string;
  goVersion: string | null;
  arch: string;
  ptrSize: number;
  bigEndian: boolean;
  dumpBytes: number;
  objects: number;
  objectBytes: number;
  pointerSlots: number;
  edges: number;
  interiorEdges: number;
  roots: number;
  reachableObjects: number;
  reachableBytes: number;
  unreachableObjects: number;
  unreachableBytes: number;
  goroutines: number;
  frames: number;
  threads: number;
  finalizers: number;
  queuedFinalizers: number;
  defers: number;
  panics: number;
  types: number;
  itabs: number;
  memProfBuckets: number;
  allocSamples: number;
  records: Record<string, number>;
  memstats: Record<string, number | string | (number | string)[]> | null;
}

export class HeapGraph {
  readonly path: string;
  readonly fileSize: number;
  readonly fileMtimeMs: number;
  readonly params: DumpParams;
  readonly objectCount: number;
  readonly objectBytes: number;
  /** Fieldlist entries of all objects (pointer slots, nil or not). */
  readonly pointerSlots: number;
  readonly roots: RootTable;
  readonly goroutines: GoroutineRecord[];
  readonly frames: FrameTable;
  readonly segments: Segment[];
  readonly finalizers: FinalizerRecord[];
  readonly types: TypeRecord[];
  readonly itabs: ItabRecord[];
  readonly threads: ThreadRecord[];
  readonly defers: DeferRecord[];
  readonly panics: PanicRecord[];
  readonly otherRoots: OtherRootRecord[];
  readonly memStats: MemStatsRecord | null;
  readonly memProfBuckets: MemProfBucketRecord[];
  /**
   * Slot address -> the runtime type address of the value holding the slot and the slot's offset in it, for the
   * stack-object roots (lib/graph/stack-objects.ts) a sudog's channel types; not persisted (recomputed on open).
   */
  readonly stackSlotTypes: ReadonlyMap<number, StackSlotType>;
  private reverse: ReverseEdges | null = null;
  private fd = -1;
  // The per-object and per-edge arrays stay in the parts and are reached through getters: parts read back from an
  // index (lib/store) read each array from the file on first use only.
  private readonly p: HeapGraphParts;

  constructor(p: HeapGraphParts) {
    this.p = p;
    if (p.laidOut === undefined) p.laidOut = {};
    this.path = p.path;
    this.fileSize = p.fileSize;
    this.fileMtimeMs = p.fileMtimeMs;
    this.params = p.params;
    this.objectCount = p.objectCount;
    this.objectBytes = p.objectBytes;
    this.pointerSlots = p.pointerSlots;
    this.roots = p.roots;
    this.stackSlotTypes = p.stackSlotTypes ?? new Map();
    this.goroutines = p.goroutines;
    this.frames = p.frames;
    this.segments = p.segments;
    this.finalizers = p.finalizers;
    this.types = p.types;
    this.itabs = p.itabs;
    this.threads = p.threads;
    this.defers = p.defers;
    this.panics = p.panics;
    this.otherRoots = p.otherRoots;
    this.memStats = p.memStats;
    this.memProfBuckets = p.memProfBuckets;
  }

  get recordCounts(): Float64Array {
    return this.p.recordCounts;
  }

  /** Every object's address (laid out from the runs on first use: 8 bytes per object; addressOf needs none). */
  get objectAddress(): Float64Array {
    const l = this.p.laidOut!;
    l.address ??= this.addressIndex.objectAddresses(this.objectCount);
    return l.address;
  }

  /** Every object's size (laid out from the runs on first use: 4 bytes per object; sizeOf needs none). */
  get objectSize(): Uint32Array {
    const l = this.p.laidOut!;
    l.size ??= this.addressIndex.objectSizes(this.objectCount);
    return l.size;
  }

  /** Every object's content offset as a Float64Array (made on first use; contentOffsets holds them in half). */
  get objectContentOffset(): Float64Array {
    const l = this.p.laidOut!;
    l.contentOffset ??= this.contentOffsets.toFloat64Array();
    return l.contentOffset;
  }

  /** Where each object's contents are in the dump file. */
  get contentOffsets(): ContentOffsets {
    return this.p.contentOffsets;
  }

  /** The address of object i, from its run (objectAddress[i] without the array). */
  addressOf(i: number): number {
    return this.p.laidOut!.address?.[i] ?? this.addressIndex.addressOf(i);
  }

  /** The size of object i, from its run (objectSize[i] without the array). */
  sizeOf(i: number): number {
    return this.p.laidOut!.size?.[i] ?? this.addressIndex.sizeOf(i);
  }

  get edgeStart(): Uint32Array {
    return this.p.edgeStart;
  }

  get edgeTarget(): Uint32Array {
    return this.p.edgeTarget;
  }

  get edgeField(): Uint32Array {
    return this.p.edgeField;
  }

  /** 1 for objects reachable from the roots, 0 for garbage (allocated since the last GC and unreferenced). */
  get reachable(): Uint8Array {
    return this.p.reachable;
  }

  get allocSampleAddress(): Float64Array {
    return this.p.allocSampleAddress;
  }

  get allocSampleBucket(): Float64Array {
    return this.p.allocSampleBucket;
  }

  /** The span runs behind addresses and sizes (address-index.ts). */
  get addressIndex(): AddressIndex {
    return this.p.addressIndex;
  }

  /**
   * This graph with `extra` roots after its own and its reachability marked again from all of them (the goroutines'
   * stack objects, lib/graph/stack-objects.ts: found with the binary, so the graph index never holds them).
   */
  withExtraRoots(extra: RootTable, stackSlotTypes?: ReadonlyMap<number, StackSlotType>): HeapGraph {
    if (extra.count === 0) return this;
    const roots = concatRoots(this.roots, extra);
    // The extra roots' targets, searched from this graph's own marks: only what they add is walked.
    const reachable = markReachable(this.objectCount, this.edgeStart, this.edgeTarget, extra.target, this.reachable);
    return this.withParts(roots, () => reachable, stackSlotTypes);
  }

  /**
   * This graph with `extra` roots after its own and the reachability computed with them, as an analysis index
   * keeps them (lib/store): `reachable` is read on first use, so a warm open reads no per-object array for it.
   */
  withStoredRoots(extra: RootTable, reachable: () => Uint8Array, stats?: HeapGraphStats,
    stackSlotTypes?: ReadonlyMap<number, StackSlotType>, reachableColumn?: () => Column): HeapGraph {
    if (extra.count === 0) return this;
    return this.withParts(concatRoots(this.roots, extra), reachable, stackSlotTypes, stats, reachableColumn);
  }

  /** A graph over these parts but `roots` and `reachable` (its per-object arrays still read on first use). */
  private withParts(roots: RootTable, reachable: () => Uint8Array, stackSlotTypes?: ReadonlyMap<number, StackSlotType>, stats?: HeapGraphStats,
    reachableColumn?: () => Column): HeapGraph {
    const parts = Object.create(this.p) as HeapGraphParts;
    let flags: Uint8Array | undefined;
    const base = this.p.column;
    if (base !== undefined) {
      // The base graph's reachability is from its own roots: this graph's is `reachable`'s (or its column's).
      const value = (name: GraphColumn): Column => (name !== 'reachable' ? base(name)
        : reachableColumn !== undefined && flags === undefined ? reachableColumn() : columnOf(parts.reachable));
      Object.defineProperty(parts, 'column', { value, enumerable: true });
    }
    Object.defineProperty(parts, 'roots', { value: roots, enumerable: true });
    Object.defineProperty(parts, 'reachable', { enumerable: true, get: () => (flags ??= reachable()) });
    Object.defineProperty(parts, 'stackSlotTypes', { value: stackSlotTypes, enumerable: true });
    // The base graph's stats count its own roots and reachability: these are given, or computed again.
    Object.defineProperty(parts, 'stats', { value: stats, enumerable: true });
    return new HeapGraph(parts);
  }

  /** The parts this graph was built from, as the constructor takes them (for persisting it: lib/store). */
  toParts(): HeapGraphParts {
    return {
      path: this.path, fileSize: this.fileSize, fileMtimeMs: this.fileMtimeMs, params: this.params,
      recordCounts: this.recordCounts, objectCount: this.objectCount, objectBytes: this.objectBytes,
      pointerSlots: this.pointerSlots, contentOffsets: this.contentOffsets, edgeStart: this.edgeStart, edgeTarget: this.edgeTarget,
      edgeField: this.edgeField, addressIndex: this.addressIndex, roots: this.roots, reachable: this.reachable,
      goroutines: this.goroutines, frames: this.frames, segments: this.segments, finalizers: this.finalizers,
      types: this.types, itabs: this.itabs, threads: this.threads, defers: this.defers, panics: this.panics,
      otherRoots: this.otherRoots, memStats: this.memStats, memProfBuckets: this.memProfBuckets,
      allocSampleAddress: this.allocSampleAddress, allocSampleBucket: this.allocSampleBucket,
    };
  }

  get edgeCount(): number {
    return this.p.edgeCount ?? this.edgeTarget.length;
  }

  /** The object containing `address` (at its start or inside it), or -1. */
  findObject(address: number): number {
    return this.addressIndex.find(address);
  }

  /** Every object index in address order (the address index's runs, by start). */
  objectsByAddress(): Uint32Array {
    return this.addressIndex.objectsByAddress(this.objectCount);
  }

  /** Number of span runs behind the address index (a measure of heap fragmentation). */
  get runCount(): number {
    return this.addressIndex.runTotal;
  }

  /**
   * A per-object or per-edge array by position: read a block at a time from the index when the graph came from one
   * and the array is not in memory, else the array itself. For the few elements one page's query reads.
   */
  column(name: GraphColumn): Column {
    if (this.p.column !== undefined) return this.p.column(name);
    return columnOf(name === 'contentLow' ? this.contentOffsets.low : this[name]);
  }

  /** The edges of object `source` that point at object `target`, in edge order: read by position (see column()). */
  edgesBetween(source: number, target: number): number[] {
    const { first, end } = this.edgesOf(source);
    const targets = this.column('edgeTarget').range(first, end);
    const out: number[] = [];
    for (let k = 0; k < targets.length; k++) if (targets[k] === target) out.push(first + k);
    return out;
  }

  /** Object i's outgoing edges are [first, end): read by position (see column()). */
  edgesOf(i: number): { first: number; end: number } {
    const c = this.column('edgeStart');
    return { first: c.at(i), end: c.at(i + 1) };
  }

  /** The target of edge e, read by position. */
  edgeTargetAt(e: number): number {
    return this.column('edgeTarget').at(e);
  }

  /** The byte offset of edge e's pointer slot, read by position. */
  edgeOffsetAt(e: number): number {
    return this.column('edgeField').at(e) & EDGE_OFFSET_MASK;
  }

  /** True when edge e points inside its target, read by position. */
  edgeIsInteriorAt(e: number): boolean {
    return (this.column('edgeField').at(e) & INTERIOR_EDGE) !== 0;
  }

  /** True when object i is reachable, read by position. */
  isReachableAt(i: number): boolean {
    return this.column('reachable').at(i) !== 0;
  }

  /** Byte offset in its object of the pointer slot of edge `e`. */
  edgeOffset(e: number): number {
    return this.edgeField[e] & EDGE_OFFSET_MASK;
  }

  /** True when edge `e` points inside its target rather than at its start. */
  edgeIsInterior(e: number): boolean {
    return (this.edgeField[e] & INTERIOR_EDGE) !== 0;
  }

  /** Reads the contents of object `i` from the dump file. */
  objectContent(i: number): Uint8Array {
    return this.readFile(this.contentOffsetOf(i), this.sizeOf(i));
  }

  /** The file offset of object i's contents (read by position from an index: one block of contentLow). */
  contentOffsetOf(i: number): number {
    const high = this.p.contentHighStart;
    return high !== undefined && this.p.column !== undefined ? ContentOffsets.offsetOf(i, this.p.column('contentLow').at(i), high())
      : this.contentOffsets.at(i);
  }

  /** Reads the contents of frame `f` from the dump file. */
  frameContent(f: number): Uint8Array {
    return this.readFile(this.frames.contentOffset[f], this.frames.size[f]);
  }

  private readFile(offset: number, length: number): Uint8Array {
    if (this.fd < 0) {
      // Without blocking (the name may now be a FIFO), and only the file that was loaded: same kind, size, mtime.
      let fd: number;
      try {
        fd = fs.openSync(this.path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      } catch (e) {
        throw new HeapDumpError(this.path, offset, `file changed since it was loaded (${(e as NodeJS.ErrnoException).code ?? 'unreadable'})`);
      }
      const st = fs.fstatSync(fd);
      if (!st.isFile() || st.size !== this.fileSize || st.mtimeMs !== this.fileMtimeMs) {
        fs.closeSync(fd);
        throw new HeapDumpError(this.path, offset, 'file changed since it was loaded');
      }
      this.fd = fd;
    }
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const n = fs.readSync(this.fd, out, done, length - done, offset + done);
      if (n <= 0) throw new HeapDumpError(this.path, offset + done, 'file changed since it was loaded');
      done += n;
    }
    return out;
  }

  /**
   * Lets go of the arrays that can be had again: those laid out from the runs and the content offsets, and the
   * per-edge arrays of a graph read from an index (read again when next used). For a long pass that needs none.
   */
  releaseArrays(): void {
    const l = this.p.laidOut!;
    l.address = undefined;
    l.size = undefined;
    l.contentOffset = undefined;
    this.p.release?.();
  }

  /** Releases the file handle used for reading contents. */
  close(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
  }

  /** Uses reverse edges built earlier (read back from a persisted index) instead of building them. */
  adoptReverseEdges(r: ReverseEdges): void {
    if (r.start.length !== this.objectCount + 1 || r.source.length !== this.edgeTarget.length) {
      throw new RangeError('reverse edges of another graph');
    }
    this.reverse = r;
  }

  /** Lets go of the reverse edges (built again, or adopted again, when next asked for). */
  dropReverseEdges(): void {
    this.reverse = null;
  }

  /** Reverse edges, built on first use in three passes (count, prefix sum, fill). */
  reverseEdges(): ReverseEdges {
    if (this.reverse) return this.reverse;
    const n = this.objectCount;
    const edgeStart = this.edgeStart;
    const edgeTarget = this.edgeTarget;
    const m = edgeTarget.length;
    const start = new Uint32Array(n + 1);
    for (let e = 0; e < m; e++) start[edgeTarget[e] + 1]++;
    for (let i = 0; i < n; i++) start[i + 1] += start[i];
    // The sources only: which of a source's edges each is, is found from its own edges (edgesBetween), and a column of
    // edge indices would be as large again (504 MB on a 72 M-object heap, and a random write per edge to build).
    // start[t] is t's fill position meanwhile (no copy of it: 288 MB there), and ends at t's end, start[t + 1]; then
    // every entry moves up one place.
    const source = new Uint32Array(m);
    for (let o = 0; o < n; o++) {
      const end = edgeStart[o + 1];
      for (let e = edgeStart[o]; e < end; e++) source[start[edgeTarget[e]]++] = o;
    }
    start.copyWithin(1, 0, n);
    start[0] = 0;
    this.reverse = { start, source };
    return this.reverse;
  }

  /** Counts and totals of everything in the dump. */
  stats(): HeapGraphStats {
    if (this.p.stats !== undefined) return structuredClone(this.p.stats);
    const n = this.objectCount;
    const reachable = this.reachable;
    let reachableObjects = 0;
    let reachableBytes = 0;
    // Run by run, an object's size being its run's: laying out a size per object here (a cold open asks for the
    // stats as it starts writing the graph's index) cost 57 MB and 0.2 s at 14 M objects, and kept the array through
    // the type recovery.
    const runs = this.addressIndex;
    for (let r = 0; r < runs.runTotal; r++) {
      const end = runs.runFirst[r] + runs.runCount[r];
      let live = 0;
      for (let i = runs.runFirst[r]; i < end; i++) if (reachable[i] !== 0) live++;
      reachableObjects += live;
      reachableBytes += live * runs.runObjectSize[r];
    }
    let interiorEdges = 0;
    const field = this.edgeField;
    for (let e = 0; e < field.length; e++) if ((field[e] & INTERIOR_EDGE) !== 0) interiorEdges++;
    const records: Record<string, number> = {};
    for (let t = 0; t < TAG_NAMES.length; t++) records[TAG_NAMES[t]] = this.recordCounts[t];
    const queued = this.finalizers.filter((f) => f.queued).length;
    return {
      format: this.params.format,
      goVersion: this.params.goVersion,
      arch: this.params.arch,
      ptrSize: this.params.ptrSize,
      bigEndian: this.params.bigEndian,
      dumpBytes: this.fileSize,
      objects: n,
      objectBytes: this.objectBytes,
      pointerSlots: this.pointerSlots,
      edges: this.edgeCount,
      interiorEdges,
      roots: this.roots.count,
      reachableObjects,
      reachableBytes,
      unreachableObjects: n - reachableObjects,
      unreachableBytes: this.objectBytes - reachableBytes,
      goroutines: this.goroutines.length,
      frames: this.frames.count,
      threads: this.threads.length,
      finalizers: this.finalizers.length - queued,
      queuedFinalizers: queued,
      defers: this.defers.length,
      panics: this.panics.length,
      types: this.types.length,
      itabs: this.itabs.length,
      memProfBuckets: this.memProfBuckets.length,
      allocSamples: this.allocSampleAddress.length,
      records,
      memstats: this.memStats ? memStatsToJson(this.memStats) : null,
    };
  }

  /** Number of roots of one kind. */
  rootCount(kind: RootKind): number {
    let k = 0;
    for (let r = 0; r < this.roots.count; r++) if (this.roots.kind[r] === kind) k++;
    return k;
  }
}

/** MemStats as JSON: numbers, or decimal strings for values above 2^53 (LastGC in ns since 1970 is one). */
export function memStatsToJson(m: MemStatsRecord): Record<string, number | string | (number | string)[]> {
  const out: Record<string, number | string | (number | string)[]> = {};
  for (const name of MEMSTATS_FIELDS) out[name] = jsonInt(m.fields[name]);
  out.PauseNs = m.pauseNs.map(jsonInt);
  out.NumGC = jsonInt(m.numGC);
  return out;
}

function jsonInt(v: bigint): number | string {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
}

/** Roots `a` then roots `b`, as one table. */
function concatRoots(a: RootTable, b: RootTable): RootTable {
  const cat = <T extends Uint8Array | Uint32Array | Float64Array | Int32Array>(x: T, y: T): T => {
    const c = new (x.constructor as { new(n: number): T })(x.length + y.length);
    c.set(x);
    c.set(y, x.length);
    return c;
  };
  return {
    count: a.count + b.count, kind: cat(a.kind, b.kind), target: cat(a.target, b.target),
    slotAddress: cat(a.slotAddress, b.slotAddress), value: cat(a.value, b.value), owner: cat(a.owner, b.owner),
  };
}
