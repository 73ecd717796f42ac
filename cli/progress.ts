// Progress on stderr for long opens: a single updating line, only when stderr is a terminal and not --quiet/--json.
// Reading records shows a percentage of the dump, resolving pointers a percentage of the heap pointers read; the other phases of opening a
// dump (reading the index, recovering types, dominators, shortest paths, writing the index) show their name.

export interface ProgressOptions {
  quiet?: boolean;
  json?: boolean;
}

/** What each phase of lib/session's open (OpenPhase) is called on the progress line. */
const LABELS: Record<string, string> = {
  decode: 'reading records', edges: 'resolving pointers', roots: 'resolving roots, marking reachable objects',
  index: 'reading the index', types: 'recovering types from the binary', dominators: 'computing dominators and retained sizes',
  paths: 'computing shortest paths to roots', save: 'writing the index',
  suspects: 'finding leak suspects (kept for the next runs)',
};
/** Phases whose done/total are bytes of the dump. */
const BYTE_PHASES = new Set(['decode']);
/** Phases whose done/total are heap pointers (the slots reading records kept, lib/graph/edges.ts). */
const POINTER_PHASES = new Set(['edges']);

/** A progress callback for opening a dump, or undefined when progress should not be shown. */
export function progressReporter(opts: ProgressOptions): ((phase: string, done: number, total: number) => void) | undefined {
  if (opts.quiet || opts.json || !process.stderr.isTTY) return undefined;
  let last = 0;
  let lastPhase = '';
  return (phase, done, total) => {
    const now = Date.now();
    if (now - last < 100 && done < total && phase === lastPhase) return;
    last = now;
    lastPhase = phase;
    if (!BYTE_PHASES.has(phase) && !POINTER_PHASES.has(phase)) {
      // A phase without a measure: its name while it runs, cleared when it ends.
      process.stderr.write(done >= total && total > 0 ? '\r\x1b[K' : `\r\x1b[Kgoheap: ${LABELS[phase] ?? phase}`);
      return;
    }
    const pct = total > 0 ? Math.floor((done / total) * 100) : 100;
    const amount = BYTE_PHASES.has(phase)
      ? `${(done / 1048576).toFixed(0)} of ${(total / 1048576).toFixed(0)} MB`
      : `${(done / 1e6).toFixed(1)} of ${(total / 1e6).toFixed(1)} M pointers`;
    process.stderr.write(`\r\x1b[Kgoheap: ${LABELS[phase]} ${pct}% (${amount})`);
  };
}

/** Clears the progress line (after the last phase, or before an error is printed). */
export function clearProgress(opts: ProgressOptions): void {
  if (!opts.quiet && !opts.json && process.stderr.isTTY) process.stderr.write('\r\x1b[K');
}
