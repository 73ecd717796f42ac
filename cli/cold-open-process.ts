// The process of a CLI cold open (cli/cold-open.ts forks it): opens the dump as a command would (load, types,
// dominators, the index written), keeps the answers a cold open keeps (the leak suspects), and sends progress as it
// goes. It sends back only the notes about the index: the command's process then opens the index this wrote, so
// nothing large crosses between the two.
// A process, not a worker thread: a worker ending while V8 compiled one of its functions in the background could
// hang for good in Node 20's teardown (NodePlatform::DrainTasks waiting for a compile job that waits for a garbage
// collection only the ending thread could run; seen in 4 of 10 failed opens of a truncated dump). A process that is
// done is simply killed.
import * as fs from 'node:fs';
import { GoheapError } from '../lib/errors.js';
import { keepColdOpenAnswers } from '../lib/answers/index.js';
import { HeapSession } from '../lib/session/index.js';

export interface ColdOpenRequest {
  dumpPath: string;
  binary: string | undefined;
}

/** What a failure is made of, to be raised again in the command's process as the same kind of error. */
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
  /** The index is written; peakRssMB is this process's peak resident memory (/proc/self/status VmHWM). */
  | { type: 'done'; notes: string[]; peakRssMB: number | null }
  | { type: 'error'; error: ColdOpenFailure };

function send(m: ColdOpenMessage): void {
  process.send?.(m);
}

/** This process's peak resident set, in MB, when Linux says it. */
function peakRssMB(): number | null {
  try {
    const m = /VmHWM:\s*(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** The open, its kept answers and the notes sent back. */
async function coldOpen(request: ColdOpenRequest): Promise<void> {
  let last = 0;
  const progress = (phase: string, done: number, total: number): void => {
    const now = Date.now();
    if (done === 0 || done >= total || now - last > 100) {
      last = now;
      send({ type: 'progress', phase, done, total });
    }
  };
  // The kept answers are computed while the analysis index is written.
  const session = await HeapSession.open(request.dumpPath, {
    binary: request.binary, onProgress: progress,
    whileWriting: (s) => {
      progress('suspects', 0, 1);
      keepColdOpenAnswers(s);
    },
  });
  const notes = [...session.indexNotes];
  session.close();
  send({ type: 'done', notes, peakRssMB: peakRssMB() });
}

function failure(e: unknown): ColdOpenFailure {
  const err = e as Error & Record<string, unknown>;
  const props: ColdOpenFailure['props'] = {};
  for (const k of Object.keys(err ?? {})) {
    const v = err[k];
    if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') props[k] = v;
  }
  return { input: e instanceof GoheapError, name: err?.name ?? 'Error', message: err?.message ?? String(e), stack: err?.stack, props };
}

// Signals are the command's process to handle (a Ctrl-C reaches both): it kills this one and removes its files.
for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, () => undefined);
// The command's process gone (killed outright): nobody waits for this open any more.
process.on('disconnect', () => process.exit(0));
process.once('message', (request: ColdOpenRequest) => {
  coldOpen(request).catch((e: unknown) => send({ type: 'error', error: failure(e) }));
});
