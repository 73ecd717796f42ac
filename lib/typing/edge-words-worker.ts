// The worker of a two-thread edge words pass (edge-words.ts): reads the words of the chunks of objects it takes into
// the shared per-edge arrays, and sends back the malloc headers it found, in object order.
import { workerData } from 'node:worker_threads';
import { DumpBytes } from './dump-bytes.js';
import { type EdgeWordsRequest, type EdgeWordsResult, readEdgeWordChunks, sourceOf } from './edge-words.js';

/** The worker's page cache: 1 MiB. */
const WORKER_BUDGET = 1 << 20;

const r = workerData as EdgeWordsRequest;
let result: EdgeWordsResult;
try {
  // One pass in file order needs few pages at a time: a small cache keeps this thread's memory small.
  const bytes = new DumpBytes(r.path, r.ptrSize, r.littleEndian, Math.min(r.pageBudgetBytes ?? WORKER_BUDGET, WORKER_BUDGET));
  let headers: number[];
  try {
    headers = readEdgeWordChunks(sourceOf(r), bytes, r.objectCount, r.next, r.ref, r.cap, r.chunk);
  } finally {
    bytes.close();
  }
  result = { headers: Float64Array.from(headers) };
} catch (e) {
  result = { error: e instanceof Error ? e.message : String(e) };
}
// A caller waiting for this thread's first chunk (EdgeWordsRequest.next) waits no longer, whatever happened.
Atomics.store(r.next, 1, 1);
Atomics.notify(r.next, 1);
r.port.postMessage(result);
r.port.close();
Atomics.store(r.status, 0, 1);
Atomics.notify(r.status, 0);
