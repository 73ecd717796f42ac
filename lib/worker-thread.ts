// The one way goheap starts a worker thread (the loader's second decoder, the viewer's open and derived indexes, the
// index writers): with V8's optimizing compiler running on the worker's own thread, not in the background.
// Why: a worker thread that ends while a background TurboFan job of its isolate waits for a garbage collection hangs
// for good in Node 20's teardown (NodePlatform::DrainTasks waits for the job, the job for a collection only the
// ending thread could run: nodejs/node#54918). The process then hangs too at exit, joining it. Seen in 3 of 8 failed
// decodes of a truncated dump on a worker, and in 1 of 6 viewer stops after such a failure; with the flag, 0 of 12.
// The flag is read when an isolate is made: set before the first worker, it holds for every worker made afterwards
// and leaves the isolate already running (this thread's) as it was.
import * as v8 from 'node:v8';
import { Worker, type WorkerOptions } from 'node:worker_threads';

let flagSet = false;

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
