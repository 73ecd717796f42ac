// The worker of a two-thread edge words pass (edge-words.ts): reads the words of the objects it is given into the
// shared per-edge arrays, and sends back the malloc headers it found, in object order.
import { workerData } from 'node:worker_threads';
import { DumpBytes } from './dump-bytes.js';
import { type EdgeWordsRequest, type EdgeWordsResult, readEdgeWords, sourceOf } from './edge-words.js';

/** The worker's page cache: 1 MiB. */
const WORKER_BUDGET = 1 << 20;

const r = workerData as EdgeWordsRequest;
let result: EdgeWordsResult;
try {
  const headers: number[] = [];
  // One pass in file order needs few pages at a time: a small cache keeps this thread's memory small.
  const bytes = new DumpBytes(r.path, r.ptrSize, r.littleEndian, Math.min(r.pageBudgetBytes ?? WORKER_BUDGET, WORKER_BUDGET));
  try {
    readEdgeWords(sourceOf(r), bytes, r.from, r.to, r.ref, r.cap, (object, word) => headers.push(object, word));
  } finally {
    bytes.close();
  }
  result = { headers: Float64Array.from(headers) };
} catch (e) {
  result = { error: e instanceof Error ? e.message : String(e) };
}
r.port.postMessage(result);
r.port.close();
Atomics.store(r.status, 0, 1);
Atomics.notify(r.status, 0);
