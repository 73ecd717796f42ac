// Progress on stderr for long loads: a single updating line, only when stderr is a terminal and not --quiet/--json.
import type { LoadPhase } from '../lib/graph/index.js';

export interface ProgressOptions {
  quiet?: boolean;
  json?: boolean;
}

/** A progress callback for loadHeapGraph, or undefined when progress should not be shown. */
export function progressReporter(opts: ProgressOptions): ((phase: LoadPhase, done: number, total: number) => void) | undefined {
  if (opts.quiet || opts.json || !process.stderr.isTTY) return undefined;
  let last = 0;
  return (phase, done, total) => {
    const now = Date.now();
    if (now - last < 100 && done < total) return;
    last = now;
    const pct = total > 0 ? Math.floor((done / total) * 100) : 100;
    process.stderr.write(`\r\x1b[Kgoheap: ${phase} ${pct}% (${(done / 1048576).toFixed(0)} of ${(total / 1048576).toFixed(0)} MB)`);
    if (phase === 'roots' && done >= total) process.stderr.write('\r\x1b[K');
  };
}
