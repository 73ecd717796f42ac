// Loading a large dump on two threads: while this thread decodes the first half of the object records, a worker
// (load-worker.ts) finds a record boundary near the middle of the file and decodes the object records from there; this
// thread takes its objects over when it reaches that boundary itself, then both resolve half of the edges.
//
// Correctness never rests on the worker's guess: decoding from a record boundary gives the same records (and the same
// errors at the same offsets) whichever thread does it, and the worker's records are taken only when this thread
// lands exactly on the offset it started from (lib/dump DecodeSplit). A guess that is no boundary is passed over, the
// worker is stopped and this thread decodes on alone. Its errors are thrown only then too: an error past the boundary
// is the one a single decoder would have met there.
//
// The worker opens the dump by its path: it checks, before it looks for a boundary and once it has decoded, that the
// file there is the one this thread has open (a dump replaced meanwhile is decoded by this thread alone).
//
// The worker writes nothing of this thread's: its columns are its own (over SharedArrayBuffers, so nothing is
// copied to send them), appended here at the boundary. The edges are then resolved in place over this thread's slot
// columns by both threads at once, each over its own objects (lib/graph/edges.ts resolveObjectEdges), and the
// worker's edges moved down behind this thread's.
import { existsSync } from 'node:fs';
import { MessageChannel, type MessagePort, type Worker } from 'node:worker_threads';
import type { DecodeSplit, DumpFileIdentity, DumpParams, KeptSlots } from '../dump/index.js';
import { HeapDumpError } from '../dump/index.js';
import { compiledFile } from '../package-files.js';
import { awaitWord, startWorker, takeMessage } from '../worker-thread.js';
import type { AddressIndex, RunArrays } from './address-index.js';
import type { GraphBuilder, ObjectColumns } from './builder.js';
import { edgeColumns, type EdgeColumns, resolveEdges, resolveObjectEdges } from './edges.js';
import { markReachable } from './reachability.js';

/** Below this many bytes of records after the Params record, a dump is decoded on one thread. */
export const SPLIT_MIN_BYTES = 64 << 20;

/** How far past the middle of the file the worker looks for a record boundary (past a large object, say). */
const SEARCH_BYTES = 64 << 20;

/** The status words the worker sets (and notifies) as it goes. */
export const enum SplitWord {
  /** 1: a boundary was found (numbers[SplitNumber.Boundary]); 2: none (the worker is done). */
  Boundary = 0,
  /** 1: the objects' message is on the port; 2: the decoding error's message is (or that the file changed). */
  Objects = 1,
  /** 1: the edges' message is on the port; 2: the resolving error's message is. */
  Edges = 2,
  /** 1: the reachability is marked (in the request's shared array); 2: the error's message is on the port. */
  Reach = 3,
}

/** The numbers the worker shares: where its records start, and how far it has decoded (for progress). */
export const enum SplitNumber {
  Boundary = 0,
  Decoded = 1,
}

/** What the worker is started with. */
export interface LoadWorkerData {
  path: string;
  /** The file as this thread has it open: the worker decodes nothing of another file at the same path. */
  identity: DumpFileIdentity;
  params: DumpParams;
  formatVersion: string;
  fileSize: number;
  /** Where to look for a boundary, and where to stop looking. */
  from: number;
  until: number;
  status: Int32Array;
  numbers: Float64Array;
  port: MessagePort;
}

/** What the worker sends back. */
export type LoadWorkerMessage =
  | { type: 'objects'; endOffset: number; columns: ObjectColumns; slots: KeptSlots | null }
  | { type: 'edges'; slotEnd: number; edgeEnd: number }
  | { type: 'error'; heapDump: boolean; file: string; offset: number; expected: string; message: string }
  /** The file at the path is not the one this thread decodes (replaced meanwhile): its records are not taken. */
  | { type: 'changed' };

/** What the worker is asked, once its objects are taken: resolve the edges of objects [from, to), slots from firstSlot. */
export interface ResolveRequest {
  type: 'resolve';
  runs: RunArrays;
  edgeStart: Uint32Array;
  slots: KeptSlots;
  from: number;
  to: number;
  firstSlot: number;
}

/** What the worker is asked once the edges are resolved: mark the objects reachable from the roots (reachability.ts). */
export interface ReachRequest {
  type: 'reach';
  objectCount: number;
  edgeStart: Uint32Array;
  edgeTarget: Uint32Array;
  rootTargets: Uint32Array;
  /** Where the marks go: a byte per object, shared. */
  reachable: Uint8Array;
}

const workerFile = compiledFile('lib/graph/load-worker.js');

/** How a load was split (LoadOptions.onSplit). */
export interface SplitReport {
  /** Where the worker found a record boundary; -1 when it found none, or none was looked for (one thread). */
  boundary: number;
  /** Whether its objects were taken (this thread landed on the boundary), and how many. */
  taken: boolean;
  objects: number;
  /** Objects whose edges it resolved. */
  resolved: number;
  /** Whether it was asked to mark the reachable objects (the graph's first reader of `reachable` waits for them). */
  marksReachable: boolean;
}

/** A DecodeSplit over a GraphBuilder (see the top of the file); close() stops the worker whatever happened. */
export class LoadSplit implements DecodeSplit {
  private worker: Worker | undefined;
  private port: MessagePort | undefined;
  private readonly status = new Int32Array(new SharedArrayBuffer(16));
  private readonly numbers = new Float64Array(new SharedArrayBuffer(16));
  /** Whether the worker's objects were taken (it then resolves edges too). */
  private joined = false;
  private readonly summary: SplitReport = { boundary: -1, taken: false, objects: 0, resolved: 0, marksReachable: false };

  constructor(private readonly path: string, private readonly builder: GraphBuilder, private readonly minBytes = SPLIT_MIN_BYTES) {}

  begin(params: DumpParams, formatVersion: string, at: number, fileSize: number, identity: DumpFileIdentity): number {
    if (fileSize - at < this.minBytes || !existsSync(workerFile)) return Infinity;
    const from = Math.floor((at + fileSize) / 2);
    const { port1, port2 } = new MessageChannel();
    const data: LoadWorkerData = {
      path: this.path, identity, params, formatVersion, fileSize, from, until: Math.min(fileSize, from + SEARCH_BYTES),
      status: this.status, numbers: this.numbers, port: port2,
    };
    try {
      this.worker = startWorker(workerFile, { workerData: data, transferList: [port2] });
    } catch {
      return Infinity;
    }
    this.worker.unref();
    this.worker.on('error', () => undefined); // seen through the status words
    this.port = port1;
    return from;
  }

  reach(at: number): { goOnAt: number; nextStop: number; objects: number; slots: KeptSlots | null } {
    const alone = { goOnAt: at, nextStop: Infinity, objects: 0, slots: null };
    if (!this.worker) return alone;
    this.waitFor(SplitWord.Boundary);
    const boundary = Atomics.load(this.status, SplitWord.Boundary) === 1 ? this.numbers[SplitNumber.Boundary] : -1;
    this.summary.boundary = boundary;
    if (boundary < 0 || at > boundary) {
      // No boundary, or this thread's records pass over it: the worker's guess was inside a record.
      this.close();
      return alone;
    }
    if (at < boundary) return { goOnAt: at, nextStop: boundary, objects: 0, slots: null };
    this.waitFor(SplitWord.Objects);
    const m = this.message();
    if (m.type === 'changed') {
      this.close();
      return alone;
    }
    if (m.type !== 'objects') {
      this.close();
      throw m.type === 'error' && m.heapDump ? new HeapDumpError(m.file, m.offset, m.expected)
        : new Error(`the second decoding thread failed: ${m.type === 'error' ? m.message : m.type}`);
    }
    this.builder.appendObjects(m.columns);
    this.joined = true;
    this.summary.taken = true;
    this.summary.objects = m.columns.objects;
    return { goOnAt: m.endOffset, nextStop: Infinity, objects: m.columns.objects, slots: m.slots };
  }

  /** Bytes the worker has decoded (for progress), while it decodes. */
  otherBytesDecoded(): number {
    if (!this.worker || this.joined || Atomics.load(this.status, SplitWord.Boundary) !== 1) return 0;
    return Math.max(0, this.numbers[SplitNumber.Decoded] - this.numbers[SplitNumber.Boundary]);
  }

  /**
   * Resolves the edges of `objectCount` objects (lib/graph/edges.ts resolveEdges), half of the slots on the worker
   * when it decoded objects, else all of them here.
   */
  resolveEdges(objectCount: number, slotCounts: Uint32Array, slots: KeptSlots, index: AddressIndex,
    onProgress?: (done: number, total: number) => void): EdgeColumns {
    const total = slots.count;
    // The objects from `m` on are the worker's: about half of the slots.
    let m = 0;
    let firstSlot = 0;
    if (this.joined && this.worker && this.port) {
      const half = total / 2;
      while (m < objectCount && firstSlot + slotCounts[m + 1] <= half) firstSlot += slotCounts[++m];
    }
    if (m === 0 || m >= objectCount) {
      this.close();
      return resolveEdges({ objectCount, slotCounts, slots, index, onProgress });
    }
    const request: ResolveRequest = {
      type: 'resolve', runs: index.runs(), edgeStart: slotCounts, slots, from: m, to: objectCount, firstSlot,
    };
    this.port!.postMessage(request);
    // This thread's half; its progress counts for both.
    const mine = resolveObjectEdges(slotCounts, slots, index, 0, m, 0, onProgress ? (k) => onProgress(2 * k, total) : undefined);
    this.waitFor(SplitWord.Edges);
    const theirs = this.message();
    if (theirs.type !== 'edges') {
      this.close();
      throw new Error(`the second thread failed to resolve edges: ${theirs.type === 'error' ? theirs.message : theirs.type}`);
    }
    if (mine.slotEnd !== firstSlot || theirs.slotEnd !== total) throw new Error(`kept ${total} heap slots, objects count ${theirs.slotEnd}`);
    // The worker's edges, written from slot firstSlot on, move down behind this thread's.
    const gap = firstSlot - mine.edgeEnd;
    slotCounts[m] = mine.edgeEnd;
    if (gap > 0) {
      slots.low.copyWithin(mine.edgeEnd, firstSlot, theirs.edgeEnd);
      slots.field.copyWithin(mine.edgeEnd, firstSlot, theirs.edgeEnd);
      for (let i = m + 1; i <= objectCount; i++) slotCounts[i] -= gap;
    }
    this.summary.resolved = objectCount - m;
    onProgress?.(total, total);
    return edgeColumns(slotCounts, slots, theirs.edgeEnd - gap);
  }

  /**
   * The objects reachable from `rootTargets` (reachability.ts markReachable), marked on the worker when it resolved
   * edges, while this thread goes on (a cold open loads the binary's program meanwhile): the function returned waits
   * for them (and then stops the worker). Marked here at once otherwise.
   */
  markReachable(objectCount: number, edgeStart: Uint32Array, edgeTarget: Uint32Array, rootTargets: Uint32Array): () => Uint8Array {
    const sharedEdges = edgeStart.buffer instanceof SharedArrayBuffer && edgeTarget.buffer instanceof SharedArrayBuffer;
    if (!this.worker || !this.port || this.summary.resolved === 0 || !sharedEdges) {
      this.close();
      const marks = markReachable(objectCount, edgeStart, edgeTarget, rootTargets);
      return () => marks;
    }
    const reachable = new Uint8Array(new SharedArrayBuffer(Math.max(1, objectCount)), 0, objectCount);
    const request: ReachRequest = { type: 'reach', objectCount, edgeStart, edgeTarget, rootTargets, reachable };
    this.port.postMessage(request);
    this.summary.marksReachable = true;
    let done = false;
    return () => {
      if (done) return reachable;
      this.waitFor(SplitWord.Reach);
      const m = Atomics.load(this.status, SplitWord.Reach) === 1 ? undefined : this.message();
      this.close();
      if (m !== undefined) throw new Error(`the second thread failed to mark reachable objects: ${m.type === 'error' ? m.message : m.type}`);
      done = true;
      return reachable;
    };
  }

  /** How the load was split, so far. */
  report(): SplitReport {
    return { ...this.summary };
  }

  /** Stops the worker, if it runs. */
  close(): void {
    const w = this.worker;
    this.worker = undefined;
    this.port?.close();
    this.port = undefined;
    if (w) void w.terminate();
  }

  private waitFor(word: SplitWord): void {
    try {
      awaitWord(this.status, word, 'the second decoding thread');
    } catch (e) {
      this.close();
      throw e;
    }
  }

  private message(): LoadWorkerMessage {
    return takeMessage<LoadWorkerMessage>(this.port, 'the second decoding thread');
  }
}
