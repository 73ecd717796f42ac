// The one way goheap starts a worker thread (the viewer's open and derived indexes, the index writers): with V8's
// optimizing compiler running on the worker's own thread, not in the background.
// Why: a worker thread that ends while a background TurboFan job of its isolate waits for a garbage collection hangs
// for good in Node 20's teardown (NodePlatform::DrainTasks waits for the job, the job for a collection only the
// ending thread could run: nodejs/node#54918). The process then hangs too at exit, joining it. Seen in 3 of 8 failed
// decodes of a truncated dump on a worker, and in 1 of 6 viewer stops after such a failure; with the flag, 0 of 12.
// The flag is read when an isolate is made: set before the first worker, it holds for every worker made afterwards
// and leaves the isolate already running (this thread's) as it was.
import * as v8 from 'node:v8';
import { Worker, type WorkerOptions } from 'node:worker_threads';

let flagSet = false;

/**
 * Node options for a process whose work is a cold open (the CLI's cold open process; the bench's cold open stage
 * measures with them): semi-spaces of 2 MiB instead of 16. The open's data is typed arrays outside V8's heap, whose
 * own objects are a few tens of MB; the space kept for new ones added some 28 MiB at the open's peak (14 M objects:
 * 678 -> 650 MiB, 47.3 B/object, in the same time).
 */
export const COLD_OPEN_NODE_OPTIONS: readonly string[] = ['--max-semi-space-size=2'];

/** `new Worker(file, options)`, its isolate compiling optimized code on its own thread. */
export function startWorker(file: string | URL, options?: WorkerOptions): Worker {
  if (!flagSet) {
    flagSet = true;
    try {
      v8.setFlagsFromString('--no-concurrent-recompilation');
    } catch {
      // a V8 that refuses runtime flags: workers as they are
    }
  }
  return new Worker(file, options);
}
