// Loading a dump into a HeapGraph: pass 1 decodes every record (builder.ts), the address index is built from the
// span runs (refusing runs that contradict each other: consistency.ts), pass 2 resolves the object pointers pass 1
// kept into CSR edges (edges.ts), roots are resolved, reachability marked. On a large dump, a worker thread decodes
// the second half of the object records and resolves half of the edges meanwhile, then marks the reachability while
// the graph's caller goes on, until it first reads it (load-split.ts).
import * as fs from 'node:fs';
import { decodeHeapDump } from '../dump/index.js';
import { GraphBuilder } from './builder.js';
import { checkRunsAgree } from './consistency.js';
import { HeapGraph, type HeapGraphParts } from './heap-graph.js';
import { LoadSplit, SPLIT_MIN_BYTES, type SplitReport } from './load-split.js';

export type LoadPhase = 'decode' | 'edges' | 'roots';

export interface LoadOptions {
  /** Called now and then: the phase, and done out of total: bytes of the dump ('decode'), heap pointers ('edges'). */
  onProgress?: (phase: LoadPhase, done: number, total: number) => void;
  /** Size of the read window in bytes (tests use small windows to exercise records split across reads). */
  windowBytes?: number;
  /**
   * Records after the Params record from which a worker thread decodes half of the objects (default SPLIT_MIN_BYTES;
   * Infinity: one thread). Tests split small dumps with a small value.
   */
  splitMinBytes?: number;
  /** Told how the load was split, once it is over (or has failed). */
  onSplit?: (report: SplitReport) => void;
}

/** Reads the heap dump at `path` into a HeapGraph. Throws HeapDumpError or DumpFileError on bad input. */
export function loadHeapGraph(path: string, options: LoadOptions = {}): HeapGraph {
  const progress = options.onProgress;
  // The builder reserves its columns for the most objects a file of this size can hold (a file that cannot be
  // read is reported by decodeHeapDump).
  let split: LoadSplit | undefined;
  const b = new GraphBuilder(fileSizeOrZero(path), progress ? (d, t) => progress('decode', d + (split?.otherBytesDecoded() ?? 0), t) : undefined);
  split = new LoadSplit(path, b, options.splitMinBytes ?? SPLIT_MIN_BYTES);
  try {
    // A loaded graph's reachability may still be marked on the worker, which its first reader waits for and stops.
    return loadWith(path, b, split, options);
  } catch (e) {
    split.close();
    throw e;
  } finally {
    options.onSplit?.(split.report());
  }
}

function loadWith(path: string, b: GraphBuilder, split: LoadSplit, options: LoadOptions): HeapGraph {
  const progress = options.onProgress;
  const decoded = decodeHeapDump(path, b, { windowBytes: options.windowBytes, keepSlots: true, split });
  const params = decoded.params;
  const st = fs.statSync(path);
  const n = b.objectCount;
  // The per-object and per-edge arrays are over SharedArrayBuffers: a worker thread writes them to the index while
  // this one recovers types (lib/session/load-state.ts).
  // Object addresses and sizes are read from the address index's runs, not kept per object.
  const contentOffsets = b.contentOffset.build();
  const slotCounts = b.heapSlots.toArray();
  const addressIndex = b.runs.build();
  checkRunsAgree(path, addressIndex, n, contentOffsets);
  const edges = split.resolveEdges(n, slotCounts, decoded.slots!, addressIndex, progress ? (d, t) => progress('edges', d, t) : undefined);
  progress?.('roots', 0, 1);
  const roots = b.roots.resolve((a) => addressIndex.find(a));
  // On the worker, when it resolved edges: the graph's first reader of `reachable` waits for it.
  const marked = split.markReachable(n, edges.edgeStart, edges.edgeTarget, roots.target);
  const frames = b.frames.build(b.goroutines.length);
  progress?.('roots', 1, 1);
  let reachable: Uint8Array | undefined;
  const parts: HeapGraphParts = {
    path, fileSize: st.size, fileMtimeMs: st.mtimeMs, params, recordCounts: decoded.recordCounts,
    objectCount: n, objectBytes: b.objectBytes, pointerSlots: b.pointerSlots,
    contentOffsets,
    edgeStart: edges.edgeStart, edgeTarget: edges.edgeTarget, edgeField: edges.edgeField,
    addressIndex, roots, reachable: new Uint8Array(0),
    goroutines: b.goroutines, frames, segments: b.segments, finalizers: b.finalizers, types: b.types, itabs: b.itabs,
    threads: b.threads, defers: b.defers, panics: b.panics, otherRoots: b.otherRoots, memStats: b.memStatsRecord,
    memProfBuckets: b.memProfBuckets,
    allocSampleAddress: b.allocSampleAddress.toArray(), allocSampleBucket: b.allocSampleBucket.toArray(),
  };
  Object.defineProperty(parts, 'reachable', { enumerable: true, get: () => (reachable ??= marked()) });
  return new HeapGraph(parts);
}

function fileSizeOrZero(path: string): number {
  try {
    return fs.statSync(path).size;
  } catch {
    return 0;
  }
}
