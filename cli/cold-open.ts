// A command's cold open, run in a process of its own (cli/cold-open-process.ts) so that this one stays free to
// handle signals. A cold open is one synchronous run of seconds to minutes; in this process's thread, a Ctrl-C could
// only be handled after it, so the process died silently instead. The cold open's process writes the index (and the
// answers a cold open keeps); this one then opens that index, as the next run would (a warm open answers exactly
// like a cold one). On SIGINT, SIGTERM or SIGHUP meanwhile (a Ctrl-C reaches both; the other one ignores it): the
// cold open's process is killed, the index files it had not finished are removed (complete ones are kept: the next
// run uses them), one line says so, and this process ends by the same signal.
// Why a process and not a worker thread: see cli/cold-open-process.ts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GoheapError } from '../lib/errors.js';
import { outputInProgress } from '../lib/export/output.js';
import { forkArrayProcess, removeOwnTemps } from '../lib/session/array-process.js';
import { defaultCacheDir, indexPaths, sourceIdentity } from '../lib/store/index.js';
import { makeDirectories } from '../lib/store/index-file.js';
import type { ColdOpenFailure, ColdOpenMessage, ColdOpenRequest } from './cold-open-process.js';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;


/** An error raised in the cold open's process, raised again here: bad input stays a GoheapError (one line, exit 1). */
class ColdOpenInputError extends GoheapError {
  constructor(f: ColdOpenFailure) {
    super(f.message, String(f.props.file ?? ''), typeof f.props.offset === 'number' ? f.props.offset : undefined, String(f.props.expected ?? ''));
    this.name = f.name;
  }
}

/** The cold open's process died without an answer (out of memory, killed): one line, exit 1. */
class ColdOpenResourceError extends GoheapError {
  constructor(message: string, dumpPath: string) {
    super(message, dumpPath, undefined, 'the process opening it to answer');
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
 * (the open then runs in this process, which notes why nothing was written).
 */
export function writableIndexFolder(dumpPath: string, binary: string | undefined): string | undefined {
  try {
    const dir = path.dirname(indexPaths(defaultCacheDir(), sourceIdentity(dumpPath), binary ? sourceIdentity(binary) : null).graph);
    // Not fs.mkdirSync's recursive mode: under /proc it never returns (Node 20; lib/store makeDirectories).
    makeDirectories(dir);
    fs.accessSync(dir, fs.constants.W_OK);
    return dir;
  } catch {
    return undefined;
  }
}


/** What a cold open in its own process came to: the notes about the index, and what memory it took. */
export interface ColdOpenOutcome {
  notes: string[];
  /** The cold open's process's peak resident memory, in MB (null where Linux does not say). */
  processPeakRssMB: number | null;
  /** This process's resident memory meanwhile, in MB. */
  waitingRssMB: number;
  /**
   * Of that, the pages that are this process's own, in MB (null where Linux does not say): the rest is the node
   * program's and its libraries' pages (some 40 MB), the same pages the cold open's process maps, so what the two
   * processes hold together is the cold open's peak plus this.
   */
  waitingPrivateMB: number | null;
}

/** This process's own resident pages (private, clean or dirty; /proc/self/smaps_rollup) in MB, or null. */
function privateResidentMB(): number | null {
  try {
    const rollup = fs.readFileSync('/proc/self/smaps_rollup', 'utf8');
    const clean = /Private_Clean:\s*(\d+) kB/.exec(rollup);
    const dirty = /Private_Dirty:\s*(\d+) kB/.exec(rollup);
    return clean && dirty ? (Number(clean[1]) + Number(dirty[1])) / 1024 : null;
  } catch {
    return null;
  }
}


/** How long a cold open's process that has said its outcome may take to end by itself before it is killed. */
const END_GRACE_MS = 2000;

/**
 * Opens `dumpPath` cold in a process of its own (cli/cold-open-process.ts), which writes its index into
 * `indexFolder`; resolves once the index is written and that process has ended. Errors come back as it raised them.
 */
export function coldOpenInProcess(
  dumpPath: string, binary: string | undefined, indexFolder: string,
  onProgress: ((phase: string, done: number, total: number) => void) | undefined,
  clearLine: () => void,
): Promise<ColdOpenOutcome> {
  return new Promise<ColdOpenOutcome>((resolve, reject) => {
    // Its stderr is kept, not shown: a death without an answer (out of memory) is said in one line from here.
    const { child, stderrTail } = forkArrayProcess('cli/cold-open-process.js', [], dumpPath);
    const childTemps = (): void => {
      if (child.pid !== undefined) removeOwnTemps(indexFolder, child.pid);
    };
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
      let ended = false;
      const end = (): void => {
        if (ended) return;
        ended = true;
        childTemps();
        for (const s of SIGNALS) process.removeListener(s, onSignal);
        // Die of the same signal, as if nobody had listened.
        process.kill(process.pid, sig);
      };
      child.once('exit', end);
      setTimeout(end, END_GRACE_MS).unref();
      child.kill('SIGKILL');
    };
    // First: an export's handler (lib/export/output.ts) ends the process once it has said its line, but the cold
    // open's process must stop and its files go first.
    for (const s of SIGNALS) process.prependListener(s, onSignal);
    // What the process said (its answer or its failure), acted on once it has ended: its memory given back, so that
    // this process's open comes on top of nothing. One that does not end by itself is killed: it has said all.
    let outcome: (() => void) | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const said = (act: () => void): void => {
      if (outcome) return;
      outcome = act;
      killTimer = setTimeout(() => child.kill('SIGKILL'), END_GRACE_MS);
      child.disconnect();
    };
    child.on('message', (m: ColdOpenMessage) => {
      if (m.type === 'progress') {
        if (!stopping) onProgress?.(m.phase, m.done, m.total);
      } else if (m.type === 'error') said(() => reject(raisedAgain(m.error)));
      else {
        const waitingRssMB = process.memoryUsage.rss() / 2 ** 20;
        const waitingPrivateMB = privateResidentMB();
        said(() => resolve({ notes: m.notes, processPeakRssMB: m.peakRssMB, waitingRssMB, waitingPrivateMB }));
      }
    });
    child.on('error', (e) => {
      if (stopping) return;
      stopping = true;
      for (const s of SIGNALS) process.removeListener(s, onSignal);
      childTemps();
      reject(e);
    });
    child.on('exit', (code, signal) => {
      if (stopping) return;
      if (killTimer) clearTimeout(killTimer);
      for (const s of SIGNALS) process.removeListener(s, onSignal);
      if (outcome) return outcome();
      childTemps();
      reject(diedWithoutAnswer(dumpPath, code, signal, stderrTail()));
    });
    child.send({ dumpPath, binary } satisfies ColdOpenRequest);
  });
}

/** The cold open's process ended without an answer: out of memory (V8 says so on its stderr), or killed. */
function diedWithoutAnswer(dumpPath: string, code: number | null, signal: NodeJS.Signals | null, stderr: string): Error {
  const how = signal ? `was killed by ${signal}` : `exited with ${code}`;
  if (/heap out of memory|Allocation failed|Array buffer allocation failed/i.test(stderr)) {
    return new ColdOpenResourceError(`${dumpPath}: opening it ran out of memory (the process opening it ${how}); a machine with more memory, or NODE_OPTIONS=--max-old-space-size=MB, may open it`, dumpPath);
  }
  return new ColdOpenResourceError(`${dumpPath}: the process opening it ${how} before it answered`, dumpPath);
}
