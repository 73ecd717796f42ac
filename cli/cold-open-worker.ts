// The worker thread of a CLI cold open (cli/cold-open.ts starts it): opens the dump in this thread as a command
// would (load, types, dominators, the index written), keeps the answers a cold open keeps (the leak suspects), and
// posts progress as it goes. It posts back only the notes about the index: the main thread then opens the index
// this wrote, so nothing large crosses between the threads.
import { parentPort, workerData } from 'node:worker_threads';
import { GoheapError } from '../lib/errors.js';
import { keepColdOpenAnswers } from '../lib/answers/index.js';
import { HeapSession } from '../lib/session/index.js';

export interface ColdOpenRequest {
  dumpPath: string;
  binary: string | undefined;
}

/** What a failure is made of, to be raised again in the main thread as the same kind of error. */
export interface ColdOpenFailure {
  /** A GoheapError (bad input: one line, exit 1), or anything else (a bug: its stack). */
  input: boolean;
  name: string;
  message: string;
  stack?: string;
  /** The GoheapError's file, offset and expectation; a system error's code, path and syscall. */
  props: Record<string, string | number | boolean | null>;
}

export type ColdOpenMessage =
  | { type: 'progress'; phase: string; done: number; total: number }
  | { type: 'done'; notes: string[] }
  | { type: 'error'; error: ColdOpenFailure };

const port = parentPort!;
const request = workerData as ColdOpenRequest;
try {
  let last = 0;
  const progress = (phase: string, done: number, total: number): void => {
    const now = Date.now();
    if (done === 0 || done >= total || now - last > 100) {
      last = now;
      port.postMessage({ type: 'progress', phase, done, total } satisfies ColdOpenMessage);
    }
  };
  const session = await HeapSession.open(request.dumpPath, { binary: request.binary, onProgress: progress });
  if (session.summariesKept) {
    progress('suspects', 0, 1);
    keepColdOpenAnswers(session);
  }
  const notes = [...session.indexNotes];
  session.close();
  port.postMessage({ type: 'done', notes } satisfies ColdOpenMessage);
} catch (e) {
  const err = e as Error & Record<string, unknown>;
  const props: ColdOpenFailure['props'] = {};
  for (const k of Object.keys(err ?? {})) {
    const v = err[k];
    if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') props[k] = v;
  }
  port.postMessage({
    type: 'error',
    error: { input: e instanceof GoheapError, name: err?.name ?? 'Error', message: err?.message ?? String(e), stack: err?.stack, props },
  } satisfies ColdOpenMessage);
}
