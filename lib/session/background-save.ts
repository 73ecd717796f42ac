// Writing an index file on a worker thread (save-worker.ts) while the open goes on: the graph's index is written
// while types are recovered (on a 14 M-object dump, about 2 s of writing off the critical path when a second core
// is free). The arrays are shared with the worker, not copied, when they are over SharedArrayBuffers (the loaded
// graph's per-object and per-edge arrays are: lib/graph/load.ts; a cold open's dominators, retained sizes and types:
// load-state.ts); arrays this thread no longer needs are moved to it (`transfer`); the others are copied into its
// message. The analysis index is written the same way while the session computes its summaries, by a worker started
// before the dominator pass (analysisWriterInBackground): it computes the shortest-path tree meanwhile, on the second
// core, over the graph's shared edges, and writes it with the analysis; the open never holds the tree. Given the
// dominators with the analysis, it first builds the sorted dominator tree the session's summaries walk, while the
// session loads the binary's program again.
import { existsSync } from 'node:fs';
import { MessageChannel, type MessagePort, receiveMessageOnPort, type Worker } from 'node:worker_threads';
import type { DominatorTree, FlatGraph } from '../analysis/index.js';
import type { EncodedPart, SourceIdentity, StoredArray } from '../store/index.js';
import { compiledFile } from '../package-files.js';
import { startWorker, waitForWord } from '../worker-thread.js';

export interface BackgroundSaveRequest {
  file: string;
  meta: unknown;
  arrays: Record<string, StoredArray>;
  /** [0]: 0 writing, 1 written, 2 failed; [1]: the failure message's length in bytes; [2]: 1 once `port` holds the
   *  tree the caller asked back (AnalysisWriter.takePaths); [3]: 1 once the tree is computed and parked in a file;
   *  [4]: 1 once `port` holds the dominator tree (TreeMessage); [5]: set by the caller when that tree may be built. */
  status: Int32Array;
  message: Uint8Array;
  /**
   * With `paths`, the worker computes the shortest-path tree of that graph from node 0 (lib/analysis
   * shortestPathEdges: each node's parent edge) at once, then waits on `port` for what to write (WriterMessage): `arrays` are then empty.
   */
  paths?: FlatGraph;
  port?: MessagePort;
}

/**
 * What an AnalysisWriter's worker is told, once: write this part with the tree (first building the dominator tree of
 * `tree`, when given), or send the tree back.
 */
export type WriterMessage = { type: 'write'; meta: unknown; arrays: Record<string, StoredArray>; tree?: TreeInputs } | { type: 'give' };

/**
 * What the sorted dominator tree is built from: the dominators and retained sizes, over SharedArrayBuffers; and where
 * the worker keeps it as the session's derived index 'tree' (lib/store saveDerived), once handed over.
 */
export interface TreeInputs {
  idom: Uint32Array;
  retained: Float64Array;
  save?: { file: string; dump: SourceIdentity; binary: SourceIdentity | null };
}

/** The sorted dominator tree a writer sends back (over SharedArrayBuffers), or why it has none. */
export type TreeMessage = DominatorTree | { error: string };

/** The tree a writer sends back (takePaths), or why it has none. */
export type PathsMessage = { parentEdge: Uint32Array } | { error: string };

/** A save under way: wait() returns once it is over, with null when the file was written, else why not. */
export interface PendingSave {
  wait(): string | null;
}

const workerFile = compiledFile('lib/session/save-worker.js');

/**
 * Starts writing `part` to `file` on a worker thread; undefined when no worker can be started (write it here). The
 * buffers in `transfer` are moved to the worker (their arrays are unusable here afterwards).
 */
export function saveInBackground(file: string, part: EncodedPart, transfer: ArrayBuffer[] = []): PendingSave | undefined {
  if (!existsSync(workerFile)) return undefined;
  const req: BackgroundSaveRequest = {
    file, meta: part.meta, arrays: part.arrays,
    status: new Int32Array(new SharedArrayBuffer(8)), message: new Uint8Array(new SharedArrayBuffer(1024)),
  };
  let worker: Worker;
  try {
    worker = startWorker(workerFile, { workerData: req, transferList: transfer });
  } catch {
    return undefined;
  }
  worker.unref();
  worker.on('error', () => undefined); // reported through the status words, or by the wait running out
  // Nothing here keeps the arrays: once written, they are freed with the graph.
  return pendingWrite(req.status, req.message);
}

/** The save a worker reports in `status` (BackgroundSaveRequest), its failure message in `message`. */
function pendingWrite(status: Int32Array, message: Uint8Array): PendingSave {
  let result: string | null | undefined;
  return {
    wait(): string | null {
      if (result !== undefined) return result;
      waitForWord(status, 0);
      const s = Atomics.load(status, 0);
      result = s === 1 ? null : s === 2 ? Buffer.from(message.subarray(0, status[1])).toString('utf8') : 'the writing thread did not finish';
      return result;
    },
  };
}

/** A worker computing a shortest-path tree, that writes it with an analysis index (analysisWriterInBackground). */
export interface AnalysisWriter {
  /**
   * Writes `part` to the file, its pathParentEdge replaced by the tree. With `tree` (shared arrays),
   * the worker first builds their sorted dominator tree, once startTree is called: dominatorTree() hands it over.
   */
  write(part: EncodedPart, tree?: TreeInputs): PendingSave;
  /** Lets the worker build the dominator tree it was given (it waits for this, and writes after it). */
  startTree(): void;
  /**
   * The sorted dominator tree of the inputs given to write (lib/analysis sortedDominatorTree), waited for; undefined
   * when none was asked for, it was handed over already, or it could not be built.
   */
  dominatorTree(): DominatorTree | undefined;
  /**
   * Blocks until the tree is computed and parked in a file until it is written (or could not be computed): from
   * then on, the writer holds no memory to speak of.
   */
  waitForTree(): void;
  /** The tree itself, for a caller that writes the index itself after all (the worker stops); undefined if it failed. */
  takePaths(): { parentEdge: Uint32Array } | undefined;
}

/**
 * Starts a worker that computes the shortest-path tree of `paths` from node 0 now and, once told to (write), writes
 * it to `file` with the rest of an analysis; undefined when no worker can be started, or when the graph's edges are
 * not over SharedArrayBuffers (they would be copied).
 */
export function analysisWriterInBackground(file: string, paths: FlatGraph): AnalysisWriter | undefined {
  const tail = paths.tail;
  if (!existsSync(workerFile) || (tail && !(tail.firstEdge.buffer instanceof SharedArrayBuffer && tail.edgeTarget.buffer instanceof SharedArrayBuffer))) return undefined;
  const channel = new MessageChannel();
  const req: BackgroundSaveRequest = {
    file, meta: null, arrays: {}, status: new Int32Array(new SharedArrayBuffer(24)), message: new Uint8Array(new SharedArrayBuffer(1024)),
    paths: { nodeCount: paths.nodeCount, firstEdge: paths.firstEdge, edgeTarget: paths.edgeTarget, ...(tail ? { tail } : {}) }, port: channel.port2,
  };
  let worker: Worker;
  try {
    worker = startWorker(workerFile, { workerData: req, transferList: [channel.port2] });
  } catch {
    channel.port1.close();
    return undefined;
  }
  worker.unref();
  worker.on('error', () => undefined);
  const { status, message } = req;
  let told = false;
  // Whether the worker was given a dominator tree to build that has not been handed over yet.
  let treeDue = false;
  const startTree = (): void => {
    Atomics.store(status, 5, 1);
    Atomics.notify(status, 5);
  };
  const dominatorTree = (): DominatorTree | undefined => {
    if (!treeDue) return undefined;
    treeDue = false;
    startTree();
    waitForWord(status, 4, 0);
    const m = receiveMessageOnPort(channel.port1)?.message as TreeMessage | undefined;
    channel.port1.close();
    return m !== undefined && 'firstChild' in m ? m : undefined;
  };
  return {
    write(part, tree) {
      if (told) throw new Error('an analysis writer writes once');
      told = true;
      channel.port1.postMessage({ type: 'write', meta: part.meta, arrays: part.arrays, ...(tree ? { tree } : {}) } satisfies WriterMessage);
      treeDue = tree !== undefined;
      if (!treeDue) channel.port1.close();
      const pending = pendingWrite(status, message);
      return {
        wait(): string | null {
          // The worker writes after the tree: a caller waiting for the file without having taken the tree lets it go.
          dominatorTree();
          return pending.wait();
        },
      };
    },
    startTree,
    dominatorTree,
    waitForTree() {
      waitForWord(status, 3, 0);
    },
    takePaths() {
      if (told) throw new Error('an analysis writer writes once');
      told = true;
      channel.port1.postMessage({ type: 'give' } satisfies WriterMessage);
      waitForWord(status, 2);
      const m = receiveMessageOnPort(channel.port1)?.message as PathsMessage | undefined;
      channel.port1.close();
      return m !== undefined && 'parentEdge' in m ? m : undefined;
    },
  };
}
