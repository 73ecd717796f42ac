// The one way goheap starts a worker thread (the loader's second decoder, the viewer's open and derived indexes, the
// index writers): with V8's optimizing compiler running on the worker's own thread, not in the background.
// Why: a worker thread that ends while a background TurboFan job of its isolate waits for a garbage collection hangs
// for good in Node 20's teardown (NodePlatform::DrainTasks waits for the job, the job for a collection only the
// ending thread could run: nodejs/node#54918). The process then hangs too at exit, joining it. Seen in 3 of 8 failed
// decodes of a truncated dump on a worker, and in 1 of 6 viewer stops after such a failure; with the flag, 0 of 12.
// The flag is read when an isolate is made: set before the first worker, it holds for every worker made afterwards
// and leaves the isolate already running (this thread's) as it was.
import * as v8 from 'node:v8';
import { type MessagePort, receiveMessageOnPort, Worker, type WorkerOptions } from 'node:worker_threads';

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

/** How long a thread blocks for a worker's word before giving up (it cannot see the worker die meanwhile). */
const MAX_WAIT_MS = 30 * 60 * 1000;

/**
 * Blocks until status[index] (or status[orIndex]) is no longer 0, or MAX_WAIT_MS have passed: a worker that dies
 * cannot be seen while this thread blocks.
 */
export function waitForWord(status: Int32Array, index: number, orIndex = index): void {
  const start = Date.now();
  while (Atomics.load(status, index) === 0 && Atomics.load(status, orIndex) === 0 && Date.now() - start < MAX_WAIT_MS) Atomics.wait(status, index, 0, 1000);
}

/**
 * Blocks until status[word] is nonzero (a worker sets it and notifies it when its answer is on its port); throws,
 * naming `what`, when it is still 0 after MAX_WAIT_MS.
 */
export function awaitWord(status: Int32Array, word: number, what: string): void {
  waitForWord(status, word);
  if (Atomics.load(status, word) === 0) throw new Error(`${what} did not answer`);
}

/** The message a worker posted on `port` before setting its status word (see awaitWord). */
export function takeMessage<T>(port: MessagePort | undefined, what: string): T {
  const got = port ? receiveMessageOnPort(port) : undefined;
  if (!got) throw new Error(`${what} sent nothing`);
  return got.message as T;
}
