// A command's cold open, run in a worker thread (cli/cold-open-worker.ts) so that this thread stays free to handle
// signals. A cold open is one synchronous run of seconds to minutes; in this thread, a Ctrl-C could only be handled
// after it, so the process died silently instead. The worker writes the index (and the answers a cold open keeps);
// this thread then opens that index, as the next run would (a warm open answers exactly like a cold one).
// On SIGINT, SIGTERM or SIGHUP meanwhile: the worker (and the threads writing the index for it) is stopped, the
// index files it had not finished are removed (complete ones are kept: the next run uses them), one line says so,
// and the process ends by the same signal.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { GoheapError } from '../lib/errors.js';
import { outputInProgress } from '../lib/export/output.js';
import { compiledFile } from '../lib/package-files.js';
import { defaultCacheDir, indexPaths, sourceIdentity } from '../lib/store/index.js';
import type { ColdOpenFailure, ColdOpenMessage, ColdOpenRequest } from './cold-open-worker.js';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** An error raised in the cold open's worker, raised again here: bad input stays a GoheapError (one line, exit 1). */
class ColdOpenInputError extends GoheapError {
  constructor(f: ColdOpenFailure) {
    super(f.message, String(f.props.file ?? ''), typeof f.props.offset === 'number' ? f.props.offset : undefined, String(f.props.expected ?? ''));
    this.name = f.name;
  }
}

function raisedAgain(f: ColdOpenFailure): Error {
  if (f.input) return new ColdOpenInputError(f);
  // A system error keeps its code, path and syscall (the CLI names the file); anything else is a bug, with its stack.
  const e = Object.assign(new Error(f.message), f.props);
  e.name = f.name;
  if (f.stack) e.stack = f.stack;
  return e;
}

/**
 * The folder the index of `dumpPath` (with `binary`) goes to, when this process can write there; else undefined
 * (the open then runs in this thread, which notes why nothing was written).
 */
export function writableIndexFolder(dumpPath: string, binary: string | undefined): string | undefined {
  try {
    const dir = path.dirname(indexPaths(defaultCacheDir(), sourceIdentity(dumpPath), binary ? sourceIdentity(binary) : null).graph);
    fs.mkdirSync(dir, { recursive: true });
    fs.accessSync(dir, fs.constants.W_OK);
    return dir;
  } catch {
    return undefined;
  }
}

/** Removes this process's unfinished index files (NAME.PID.tmp: lib/store, lib/session's parked arrays) in `dir`. */
function removeOwnTemps(dir: string): void {
  let names: string[] = [];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  const suffix = `.${process.pid}.tmp`;
  for (const n of names) {
    if (!n.endsWith(suffix)) continue;
    try {
      fs.unlinkSync(path.join(dir, n));
    } catch {
      // gone meanwhile
    }
  }
}

/**
 * Opens `dumpPath` cold in a worker thread, which writes its index into `indexFolder`; resolves with the notes about
 * the index once it is written. Errors come back as the worker raised them.
 */
export function coldOpenInWorker(
  dumpPath: string, binary: string | undefined, indexFolder: string,
  onProgress: ((phase: string, done: number, total: number) => void) | undefined,
  clearLine: () => void,
): Promise<string[]> {
  return new Promise<string[]>((resolve, reject) => {
    const worker = new Worker(compiledFile('cli/cold-open-worker.js'), { workerData: { dumpPath, binary } satisfies ColdOpenRequest });
    let settled = false;
    let stopping = false;
    const onSignal = (sig: NodeJS.Signals): void => {
      if (stopping) return;
      stopping = true;
      clearLine();
      // An export whose output is open says its own line (lib/export/output.ts): nothing was written.
      if (!outputInProgress()) {
        try {
          fs.writeSync(2, `goheap: ${dumpPath}: interrupted by ${sig} while opening it; no unfinished index file is left\n`);
        } catch {
          // stderr is gone: the exit status says it
        }
      }
      void worker.terminate().finally(() => {
        removeOwnTemps(indexFolder);
        for (const s of SIGNALS) process.removeListener(s, onSignal);
        // Die of the same signal, as if nobody had listened.
        process.kill(process.pid, sig);
      });
    };
    // First: an export's handler (lib/export/output.ts) ends the process once it has said its line, but this one's
    // worker must stop and its files go first.
    for (const s of SIGNALS) process.prependListener(s, onSignal);
    const finish = (f: () => void): void => {
      if (settled || stopping) return;
      settled = true;
      for (const s of SIGNALS) process.removeListener(s, onSignal);
      f();
    };
    worker.on('message', (m: ColdOpenMessage) => {
      if (m.type === 'progress') {
        if (!stopping) onProgress?.(m.phase, m.done, m.total);
      } else if (m.type === 'error') finish(() => reject(raisedAgain(m.error)));
      // Once the worker is gone, with its memory: the index is written, and this thread's open comes on top of
      // nothing (a 14 M-object open's worker still held some 700 MB when its answer arrived).
      else finish(() => void worker.terminate().then(() => resolve(m.notes), reject));
    });
    worker.on('error', (e) => finish(() => reject(e)));
    worker.on('exit', (code) => finish(() => reject(new Error(`the cold open's worker thread stopped (exit ${code})`))));
  });
}
