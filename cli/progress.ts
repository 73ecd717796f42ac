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
  let lastPhase = '';
  return (phase, done, total) => {
    const now = Date.now();
    if (now - last < 100 && done < total && phase === lastPhase) return;
    last = now;
    lastPhase = phase;
    if (phase === 'roots') {
      process.stderr.write(done >= total ? '\r\x1b[K' : '\r\x1b[Kgoheap: resolving roots, marking reachable objects');
      return;
    }
    const pct = total > 0 ? Math.floor((done / total) * 100) : 100;
    const label = phase === 'decode' ? 'reading records' : 'resolving pointers';
    process.stderr.write(`\r\x1b[Kgoheap: ${label} ${pct}% (${(done / 1048576).toFixed(0)} of ${(total / 1048576).toFixed(0)} MB)`);
  };
}
