// Writing an index file on a worker thread (save-worker.ts) while the open goes on: the graph's index is written
// while types are recovered (on a 14 M-object dump, about 2 s of writing off the critical path when a second core
// is free). The arrays are shared with the worker, not copied, when they are over SharedArrayBuffers (the loaded
// graph's per-object and per-edge arrays are: lib/graph/load.ts; a cold open's dominators, retained sizes and types:
// load-state.ts); arrays this thread no longer needs are moved to it (`transfer`); the others are copied into its
// message. The analysis index is written the same way while the session computes its summaries.
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { EncodedPart, StoredArray } from '../store/index.js';
import { compiledFile } from '../package-files.js';

export interface BackgroundSaveRequest {
  file: string;
  meta: unknown;
  arrays: Record<string, StoredArray>;
  /** [0]: 0 writing, 1 written, 2 failed; [1]: the failure message's length in bytes. */
  status: Int32Array;
  message: Uint8Array;
}

/** A save under way: wait() returns once it is over, with null when the file was written, else why not. */
export interface PendingSave {
  wait(): string | null;
}

/** Give up waiting for a worker after this long (it cannot be seen dying while this thread blocks). */
const MAX_WAIT_MS = 30 * 60 * 1000;

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
    worker = new Worker(workerFile, { workerData: req, transferList: transfer });
  } catch {
    return undefined;
  }
  worker.unref();
  worker.on('error', () => undefined); // reported through the status words, or by the wait running out
  // Nothing here keeps the arrays: once written, they are freed with the graph.
  const { status, message } = req;
  let result: string | null | undefined;
  return {
    wait(): string | null {
      if (result !== undefined) return result;
      const start = Date.now();
      while (Atomics.load(status, 0) === 0 && Date.now() - start < MAX_WAIT_MS) Atomics.wait(status, 0, 0, 1000);
      const s = Atomics.load(status, 0);
      result = s === 1 ? null : s === 2 ? Buffer.from(message.subarray(0, status[1])).toString('utf8') : 'the writing thread did not finish';
      return result;
    },
  };
}
