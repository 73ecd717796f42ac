// The process that builds a session's large derived indexes beside the viewer (HeapSession.keepDerivedInWorker forks
// it, with the environment of lib/session/array-process.ts): it opens the same dump from its index, builds what
// keepDerived builds (the sorted dominator tree, the reverse edges, the instance lists), writes each beside the index
// and says so ('built'), then says it is done, with its peak RSS. The session that started it reads each by position
// from then on; until then its caller keeps the queries that need it waiting (the viewer's first start on an index the
// CLI wrote). It opens a current index only: when the dump or the binary changed on disk since, it stops with an error
// instead of opening the new dump from scratch.
// Why a process and not a worker thread: its work is gigabytes of new arrays (a 72 M-object heap's), and a process can
// have malloc ask for huge pages (array-process.ts): 58 -> 29 s on this project's machine, where each fresh 4 KiB page
// costs a fault; and the viewer's own process does not keep the memory malloc keeps after it.
import { HeapSession } from './heap-session.js';
import type { DerivedStructure } from './derived.js';
import { loadIndexedState, type OpenOptions } from './load-state.js';

export interface DerivedWorkerRequest {
  dumpPath: string;
  options: Omit<OpenOptions, 'onProgress'>;
}

export type DerivedWorkerMessage = { type: 'built'; name: DerivedStructure } | { type: 'done'; notes: string[]; peakRssMB: number }
  | { type: 'error'; message: string };

/** Says `m` to the session that started this process; the last message ends it once sent. */
function say(m: DerivedWorkerMessage, last = false): void {
  if (!process.connected) process.exit(1); // the viewer is gone: nobody reads what this would write
  process.send!(m, undefined, undefined, () => {
    if (last) process.disconnect();
  });
}

const req = JSON.parse(process.argv[2] ?? '{}') as DerivedWorkerRequest;
// Tests hold the builder a moment before it builds anything, so that their pages are surely asked meanwhile.
const pauseMs = Number(process.env.GOHEAP_TEST_DERIVED_PAUSE_MS ?? 0);
if (pauseMs > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, pauseMs);
try {
  const state = loadIndexedState(req.dumpPath, req.options);
  if (!state) throw new Error(`${req.dumpPath}: its index is no longer current (the dump or the binary changed on disk)`);
  const s = HeapSession.fromState(state);
  try {
    // Each structure is let go once written: the session that started this process reads it from its file.
    s.keepDerived((name) => say({ type: 'built', name }), true);
    say({ type: 'done', notes: s.indexNotes, peakRssMB: process.resourceUsage().maxRSS / 1024 }, true);
  } finally {
    s.close();
  }
} catch (e) {
  say({ type: 'error', message: (e as Error)?.message ?? String(e) }, true);
}
