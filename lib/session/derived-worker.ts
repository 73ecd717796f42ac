// The worker thread that builds a session's large derived indexes off the main thread (HeapSession.keepDerivedInWorker
// starts it): it opens the same dump from its index, builds what keepDerived builds (the sorted dominator tree, the
// reverse edges, the instance lists), writes each beside the index and says so ('built'), then says it is done. The
// session that started it reads each by position from then on; until then its caller keeps the queries that need
// it waiting (the viewer's first start on an index the CLI wrote). It opens a current index only: when the dump or
// the binary changed on disk since, it stops with an error instead of opening the new dump from scratch.
import { parentPort, workerData } from 'node:worker_threads';
import { HeapSession } from './heap-session.js';
import type { DerivedStructure } from './derived.js';
import { loadIndexedState, type OpenOptions } from './load-state.js';

export interface DerivedWorkerRequest {
  dumpPath: string;
  options: Omit<OpenOptions, 'onProgress'>;
}

export type DerivedWorkerMessage = { type: 'built'; name: DerivedStructure } | { type: 'done'; notes: string[] } | { type: 'error'; message: string };

const port = parentPort!;
const req = workerData as DerivedWorkerRequest;
// Tests hold the worker a moment before it builds anything, so that their pages are surely asked meanwhile.
const pauseMs = Number(process.env.GOHEAP_TEST_DERIVED_PAUSE_MS ?? 0);
if (pauseMs > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, pauseMs);
try {
  const state = loadIndexedState(req.dumpPath, req.options);
  if (!state) throw new Error(`${req.dumpPath}: its index is no longer current (the dump or the binary changed on disk)`);
  const s = HeapSession.fromState(state);
  try {
    // Each structure is let go once written: the session that started this thread reads it from its file.
    s.keepDerived((name) => port.postMessage({ type: 'built', name } satisfies DerivedWorkerMessage), true);
    port.postMessage({ type: 'done', notes: s.indexNotes } satisfies DerivedWorkerMessage);
  } finally {
    s.close();
  }
} catch (e) {
  port.postMessage({ type: 'error', message: (e as Error)?.message ?? String(e) } satisfies DerivedWorkerMessage);
}
