// What the analysis commands (top, roots, path, suspects, diff) share: the --no-cache and --limit options, and
// opening a dump through the persisted index with progress on stderr.
import type { Argv } from 'yargs';
import { openGraph, openHeap, type OpenedGraph, type OpenedHeap } from '../lib/store/index.js';
import type { LoadPhase } from '../lib/graph/index.js';
import { progressReporter } from './progress.js';

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

/** Adds --limit N. */
export function limitOption<T>(y: Argv<T>, def: number): Argv<T> {
  return y.option('limit', { alias: 'n', type: 'number', default: def, describe: 'rows to print' }) as Argv<T>;
}

/** The --no-cache flag and progress of a command, as options for lib/store (only loading phases show progress). */
function storeOptions(args: AnalysisArgs): { noCache: boolean; onProgress?: (phase: string, done: number, total: number) => void } {
  const report = progressReporter(args);
  return {
    noCache: args.cache === false,
    onProgress: report ? (phase, done, total) => { if (LOAD_PHASES.has(phase)) report(phase as LoadPhase, done, total); } : undefined,
  };
}

const LOAD_PHASES = new Set(['decode', 'edges', 'roots']);

/** Notes about the persisted index (unwritable folder, rebuilt file) go to stderr unless --quiet or --json. */
function printNotes(args: AnalysisArgs, notes: string[]): void {
  if (!args.quiet && !args.json) for (const n of notes) process.stderr.write(`goheap: note: ${n}\n`);
}

/** Opens a dump for analysis (graph, types, dominators) with the command's options. */
export async function openForCommand(dump: string, binary: string | undefined, args: AnalysisArgs): Promise<OpenedHeap> {
  const h = await openHeap(dump, { binary, ...storeOptions(args) });
  printNotes(args, h.indexNotes);
  return h;
}

/** Opens only the graph of a dump with the command's options. */
export function openGraphForCommand(dump: string, args: AnalysisArgs): OpenedGraph {
  const h = openGraph(dump, storeOptions(args));
  printNotes(args, h.indexNotes);
  return h;
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
export function pathLine(path: readonly { kind: string; name: string; type?: string; field?: string }[]): string {
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
    out += `${via} → ${p.type ?? p.name}`;
  }
  return out;
}

