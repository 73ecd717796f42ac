// `goheap types DUMP [BINARY]`: the type histogram: objects and bytes per type, largest first. With the
// executable, types are recovered from its DWARF (lib/typing); without it, objects are grouped by size class.
import type { Argv } from 'yargs';
import { HeapGraph, loadHeapGraph } from '../../lib/graph/index.js';
import { loadGoProgram } from '../../lib/gotypes/index.js';
import { HeapTypes, checkBinaryMatchesDump, recoverTypes, typeHistogram, untypedNames } from '../../lib/typing/index.js';
import { buildRootNodes, computeHeapDominators, typeHistogram as retainedHistogram } from '../../lib/analysis/index.js';
import { bytes, count } from '../format.js';
import { progressReporter } from '../progress.js';
import { UsageError } from '../errors.js';

export const command = 'types <dump> [binary]';
export const describe = 'Type histogram: objects and bytes per Go type (per size class without the binary)';

export interface TypesArgs {
  dump: string;
  binary?: string;
  json?: boolean;
  quiet?: boolean;
  limit?: number;
}

export function builder(y: Argv): Argv<TypesArgs> {
  return y
    .positional('dump', { type: 'string', describe: 'heap dump written by runtime/debug.WriteHeapDump', demandOption: true })
    .positional('binary', { type: 'string', describe: 'the executable that wrote it (for types)' })
    .option('limit', { type: 'number', describe: 'show only the first N types (0: all)', default: 0 })
    .example('$0 types heapdump mybinary', 'bytes per type')
    .example('$0 types heapdump mybinary --json --limit 20', 'the 20 largest types as JSON') as Argv<TypesArgs>;
}

/** A graph with its types: recovered from the binary when one is given (which must match the dump). */
export function loadTyped(dump: string, binary: string | undefined, opts: { quiet?: boolean; json?: boolean }): { graph: HeapGraph; types: HeapTypes } {
  const graph = loadHeapGraph(dump, { onProgress: progressReporter(opts) });
  if (binary === undefined) return { graph, types: untypedNames(graph) };
  const program = loadGoProgram(binary);
  checkBinaryMatchesDump(graph, program, binary);
  return { graph, types: recoverTypes(graph, program) };
}

export function run(args: TypesArgs): void {
  const limit = args.limit ?? 0;
  if (!Number.isInteger(limit) || limit < 0) throw new UsageError(`--limit must be a whole number >= 0, got ${args.limit}`);
  const { graph, types } = loadTyped(args.dump, args.binary, args);
  const all = typeHistogram(graph, types);
  const rows = limit > 0 ? all.slice(0, limit) : all;
  const s = graph.stats();
  if (args.json) {
    // retainedBytes: what all instances of the type keep alive together, each byte once (lib/analysis).
    const dom = computeHeapDominators(graph, buildRootNodes(graph));
    const retained = new Map(retainedHistogram(graph, types, dom).map((r) => [r.type, r.retained]));
    const doc = {
      types: rows.map((r) => ({ ...r, retainedBytes: retained.get(r.name) ?? 0 })),
      typedObjects: types.typedObjects,
      typedBytes: types.typedBytes,
      objects: s.objects,
      objectBytes: s.objectBytes,
      reachableObjects: s.reachableObjects,
      reachableBytes: s.reachableBytes,
    };
    process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    return;
  }
  const head = ['BYTES', 'OBJECTS', 'TYPE'];
  const table = rows.map((r) => [String(r.bytes), String(r.count), r.name]);
  const w0 = Math.max(head[0].length, ...table.map((r) => r[0].length));
  const w1 = Math.max(head[1].length, ...table.map((r) => r[1].length));
  const lines = [`${head[0].padStart(w0)}  ${head[1].padStart(w1)}  ${head[2]}`];
  for (const r of table) lines.push(`${r[0].padStart(w0)}  ${r[1].padStart(w1)}  ${r[2]}`);
  if (rows.length < all.length) lines.push(`(${all.length - rows.length} more types)`);
  const pct = (a: number, b: number) => (b > 0 ? `${((a / b) * 100).toFixed(1)}%` : '-');
  lines.push(`typed: ${count(types.typedObjects)} of ${count(s.objects)} objects (${pct(types.typedObjects, s.objects)}), ${bytes(types.typedBytes)} of ${bytes(s.objectBytes)} (${pct(types.typedBytes, s.objectBytes)})`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
