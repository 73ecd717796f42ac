// Pass 1 of loading: a DumpVisitor that turns the record stream into object columns, span runs, raw roots and
// the other records. Object pointers are resolved in pass 2 (edges.ts), once every object's address is known.
import {
  DeferRecord, DumpParams, DumpVisitor, FinalizerRecord, GoroutineRecord, ItabRecord, MemProfBucketRecord,
  MemStatsRecord, OtherRootRecord, PanicRecord, PointerSlots, SegmentRecord, StackFrameRecord, ThreadRecord, TypeRecord,
} from '../dump/index.js';
import { GrowableFloat64Array, ReservedUint32Array } from './growable.js';
import { RunBuilder, type RunArrays } from './address-index.js';
import { type ContentOffsets, ContentOffsetsBuilder } from './content-offsets.js';
import { FrameTableBuilder } from './frames.js';
import { RootCollector, RootKind } from './roots.js';

/** Data or BSS segment with the number of its pointer slots. */
export interface Segment extends SegmentRecord {
  pointerSlots: number;
}

/** Object records another thread decoded (load-split.ts): their columns, numbered from 0, over SharedArrayBuffers. */
export interface ObjectColumns {
  objects: number;
  objectBytes: number;
  pointerSlots: number;
  contentOffsets: ContentOffsets;
  /** Per object, its heap slots. */
  heapSlots: Uint32Array;
  runs: RunArrays;
}

export class GraphBuilder implements DumpVisitor {
  params_: DumpParams | null = null;
  // Addresses and sizes are the runs' (address-index.ts): no per-object column for them.
  readonly contentOffset: ContentOffsetsBuilder;
  /** Per object i at [i + 1], its pointer slots whose word is in the heap range: an upper bound of its edges. */
  readonly heapSlots: ReservedUint32Array;
  readonly runs = new RunBuilder();
  objectCount = 0;
  objectBytes = 0;
  pointerSlots = 0;
  readonly roots = new RootCollector();
  readonly frames = new FrameTableBuilder();
  readonly goroutines: GoroutineRecord[] = [];
  readonly segments: Segment[] = [];
  readonly finalizers: FinalizerRecord[] = [];
  readonly types: TypeRecord[] = [];
  readonly itabs: ItabRecord[] = [];
  readonly threads: ThreadRecord[] = [];
  readonly defers: DeferRecord[] = [];
  readonly panics: PanicRecord[] = [];
  readonly otherRoots: OtherRootRecord[] = [];
  memStatsRecord: MemStatsRecord | null = null;
  readonly memProfBuckets: MemProfBucketRecord[] = [];
  readonly allocSampleAddress = new GrowableFloat64Array();
  readonly allocSampleBucket = new GrowableFloat64Array();
  private readonly goroutineByAddress = new Map<number, number>();
  private onProgress: ((done: number, total: number) => void) | undefined;

  /** For a dump of `fileBytes`: an object record takes at least 4 bytes (tag, address, length, fieldlist end). */
  constructor(fileBytes: number, onProgress?: (done: number, total: number) => void) {
    this.onProgress = onProgress;
    const capacity = Math.ceil(fileBytes / 4);
    this.contentOffset = new ContentOffsetsBuilder(capacity);
    this.heapSlots = new ReservedUint32Array(capacity, 1);
  }

  params(p: DumpParams): void {
    this.params_ = p;
  }

  /** The objects as another builder takes them over (appendObjects); this builder then has none. */
  takeObjects(): ObjectColumns {
    return {
      objects: this.objectCount, objectBytes: this.objectBytes, pointerSlots: this.pointerSlots,
      contentOffsets: this.contentOffset.build(), heapSlots: this.heapSlots.toArray().subarray(1), runs: this.runs.arrays(),
    };
  }

  /** Adds objects another builder decoded (takeObjects), the records that follow this builder's last object. */
  appendObjects(part: ObjectColumns): void {
    this.contentOffset.append(part.contentOffsets);
    this.heapSlots.pushAll(part.heapSlots);
    this.runs.append(part.runs, this.objectCount);
    this.objectCount += part.objects;
    this.objectBytes += part.objectBytes;
    this.pointerSlots += part.pointerSlots;
  }

  object(address: number, size: number, contentOffset: number, heapSlots: number, entries: number): void {
    const i = this.objectCount++;
    this.contentOffset.push(contentOffset);
    this.heapSlots.push(heapSlots);
    this.runs.add(i, address, size);
    this.objectBytes += size;
    this.pointerSlots += entries;
  }

  goroutine(g: GoroutineRecord): void {
    const index = this.goroutines.length;
    this.goroutines.push(g);
    this.goroutineByAddress.set(g.address, index);
    this.roots.add(RootKind.Goroutine, g.address, g.address, index);
    this.roots.add(RootKind.GoroutineContext, g.address, g.ctxt, index);
  }

  stackFrame(f: StackFrameRecord, slots: PointerSlots): void {
    const g = this.goroutines.length - 1;
    const frame = this.frames.add(g, f.depth, f.sp, f.childSp, f.contentOffset, f.size, f.entryPc, f.pc,
      f.continuationPc, f.functionName, slots.offsets);
    for (let k = 0; k < slots.offsets.length; k++) {
      this.roots.add(RootKind.StackFrame, f.sp + slots.offsets[k], slots.values[k], frame);
    }
  }

  segment(s: SegmentRecord, slots: PointerSlots): void {
    this.segments.push({ ...s, pointerSlots: slots.offsets.length });
    const kind = s.kind === 'data' ? RootKind.Data : RootKind.Bss;
    for (let k = 0; k < slots.offsets.length; k++) {
      this.roots.add(kind, s.address + slots.offsets[k], slots.values[k], slots.offsets[k]);
    }
  }

  finalizer(f: FinalizerRecord): void {
    const index = this.finalizers.length;
    this.finalizers.push(f);
    this.roots.add(f.queued ? RootKind.QueuedFinalizer : RootKind.Finalizer, f.object, f.object, index);
    this.roots.add(f.queued ? RootKind.QueuedFinalizerFunc : RootKind.FinalizerFunc, f.object, f.fn, index);
  }

  type(t: TypeRecord): void {
    this.types.push(t);
  }

  itab(i: ItabRecord): void {
    this.itabs.push(i);
  }

  thread(t: ThreadRecord): void {
    this.threads.push(t);
    this.roots.add(RootKind.Thread, t.address, t.address, this.threads.length - 1);
  }

  defer(d: DeferRecord): void {
    this.defers.push(d);
    const g = this.goroutineByAddress.get(d.goroutine) ?? -1;
    this.roots.add(RootKind.Defer, d.address, d.address, g);
    this.roots.add(RootKind.DeferFunc, d.address, d.fn, g);
  }

  panic(p: PanicRecord): void {
    this.panics.push(p);
    const g = this.goroutineByAddress.get(p.goroutine) ?? -1;
    this.roots.add(RootKind.Panic, p.address, p.address, g);
    this.roots.add(RootKind.PanicArg, p.address, p.argData, g);
  }

  otherRoot(r: OtherRootRecord): void {
    this.otherRoots.push(r);
    this.roots.add(RootKind.Other, 0, r.address, this.otherRoots.length - 1);
  }

  memStats(m: MemStatsRecord): void {
    this.memStatsRecord = m;
  }

  memProf(b: MemProfBucketRecord): void {
    this.memProfBuckets.push(b);
  }

  allocSample(address: number, bucketId: number): void {
    this.allocSampleAddress.push(address);
    this.allocSampleBucket.push(bucketId);
  }

  progress(done: number, total: number): void {
    this.onProgress?.(done, total);
  }
}
