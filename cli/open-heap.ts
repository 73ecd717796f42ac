// What the commands share: the --no-cache and --limit options, opening a dump through the heap session with
// progress on stderr, and text formatting of addresses, tables and paths.
import type { Argv } from 'yargs';
import { count, keepColdOpenAnswers } from '../lib/answers/index.js';
import { HeapSession } from '../lib/session/index.js';
import { clearProgress, progressReporter } from './progress.js';
import { coldOpenInProcess, writableIndexFolder } from './cold-open.js';

export interface AnalysisArgs {
  dump: string;
  binary?: string;
  json?: boolean;
  quiet?: boolean;
  /** false with --no-cache. */
  cache?: boolean;
}

/** Adds --cache/--no-cache. */
export function cacheOption<T>(y: Argv<T>): Argv<T> {
  return y.option('cache', {
    type: 'boolean', default: true,
    describe: 'use the persisted index in $GOHEAP_CACHE_DIR (or $XDG_CACHE_HOME/goheap, ~/.cache/goheap); --no-cache skips it',
  }) as Argv<T>;
}

// --limit/-n and the other numeric options, validated (cli/options.ts).
export { limitCount, limitOption, limitRows, numberOption } from './options.js';

/**
 * Opens a dump through the heap session with the command's options: --no-cache, progress on a terminal, notes. A
 * current index is opened here; otherwise the cold open runs in a process of its own that writes the index (a
 * signal then stops it at once: cli/cold-open.ts), and this process opens what it wrote.
 */
export async function openForCommand(dump: string, binary: string | undefined, args: AnalysisArgs): Promise<HeapSession> {
  const report = progressReporter(args);
  const noCache = args.cache === false;
  // A current index is opened at once (its headers read once).
  const indexed = noCache ? undefined : HeapSession.openIndexed(dump, { binary });
  if (indexed) return indexed;
  let notes: string[] = [];
  const folder = !noCache && HeapSession.coldOpenNeeded(dump, { binary }) ? writableIndexFolder(dump, binary) : undefined;
  // The index could not be written (a full disk: the cold open's notes say so): the open is computed again here,
  // without the index (the notes are not said twice). Rare, and twice as long, but the answer is the same.
  let unwritten = false;
  if (folder !== undefined) {
    const cold = await coldOpenInProcess(dump, binary, folder, report, () => clearProgress(args));
    notes = cold.notes;
    if (process.env.GOHEAP_TRACE_MEMORY === '1' && cold.processPeakRssMB !== null) {
      // Read by the bench (cli-cold): the two processes' memory is not one number that time(1) could give.
      // Its own pages apart: the node program's are the same pages in both processes, held once.
      const own = cold.waitingPrivateMB === null ? '' : ` (${cold.waitingPrivateMB.toFixed(0)} MB its own)`;
      process.stderr.write(`memory: cold open process peak ${cold.processPeakRssMB.toFixed(0)} MB, this process meanwhile ${cold.waitingRssMB.toFixed(0)} MB${own}\n`);
    }
    unwritten = HeapSession.coldOpenNeeded(dump, { binary });
  }
  // After the cold open, the index it wrote. Else --no-cache, a current index, or an index folder this process cannot
  // write (the open notes why).
  // A cold open keeps the answers a later run would otherwise compute first (the leak suspects), while it writes the
  // analysis index.
  const session = await HeapSession.open(dump, {
    binary, noCache: noCache || unwritten, onProgress: report,
    whileWriting: (s) => {
      report?.('suspects', 0, 1);
      keepColdOpenAnswers(s);
    },
  });
  clearProgress(args);
  // Notes about the persisted index (unwritable folder, rebuilt file) go to stderr unless --quiet or --json.
  if (!args.quiet && !args.json) for (const n of [...notes, ...session.indexNotes]) process.stderr.write(`goheap: note: ${n}\n`);
  return session;
}

export function hexAddress(a: number): string {
  return `0x${a.toString(16)}`;
}

/** Parses "0x1f00" or a decimal address; NaN if it is neither. */
export function parseAddress(s: string): number {
  const t = s.trim().toLowerCase();
  if (/^0x[0-9a-f]+$/.test(t)) return Number.parseInt(t.slice(2), 16);
  if (/^[0-9]+$/.test(t)) return Number(t);
  return Number.NaN;
}

/** Aligned text columns. */
export function table(header: string[], rows: string[][], rightAligned: boolean[]): string {
  const all = [header, ...rows];
  const w = header.map((_, c) => Math.max(...all.map((r) => r[c].length)));
  return all.map((r) => r.map((x, c) => (c === r.length - 1 && !rightAligned[c] ? x : rightAligned[c] ? x.padStart(w[c]) : x.padEnd(w[c]))).join('  ')).join('\n');
}

/** How a hop's field reads after its holder: `.Next`, `[3].Name` for an element, `[+0x10]` for an unnamed word. */
export function fieldSuffix(field: string | undefined): string {
  if (!field) return '';
  if (field.startsWith('+')) return `[${field}]`;
  return field.startsWith('[') ? field : `.${field}`;
}

/** A path from a root on one line: `main.Cache → map<string,*T>[+0x10] → [1]*table<...>.Next → main.T`. */
export function pathLine(path: readonly { kind: string; name: string; type?: string; field?: string; repeat?: number }[]): string {
  let out = '';
  for (let k = 0; k < path.length; k++) {
    const p = path[k];
    if (p.kind !== 'object') {
      out += p.name;
      continue;
    }
    const prev = k > 0 ? path[k - 1] : undefined;
    // The first object's field names the root slot, which the root's own name already says.
    const via = prev !== undefined && prev.kind === 'object' ? fieldSuffix(p.field) : '';
    // A long chain's hops in one: `.Next → (999,997 x main.Node)`.
    out += p.repeat !== undefined ? `${via} → (${count(p.repeat)} x ${p.type ?? p.name})` : `${via} → ${p.type ?? p.name}`;
  }
  return out;
}

