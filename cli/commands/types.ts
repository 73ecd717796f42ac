// `goheap types DUMP [BINARY]`: the type histogram: objects and bytes per type, largest first. With the
// executable, types are recovered from its DWARF (lib/typing); without it, objects are grouped by size class.
import type { Argv } from 'yargs';
import { typeCoverage, typeHistogram } from '../../lib/typing/index.js';
import { typeHistogram as retainedHistogram } from '../../lib/analysis/index.js';
import { bytes, count } from '../format.js';
import { limitOption, limitRows, openForCommand, table } from '../open-heap.js';

export const command = 'types <dump> [binary]';
export const describe = 'Type histogram: objects and bytes per Go type (per size class without the binary)';

export interface TypesArgs {
  dump: string;
  binary?: string;
  json?: boolean;
  quiet?: boolean;
  limit: number;
  cache?: boolean;
}

export function builder(y: Argv): Argv<TypesArgs> {
  return limitOption(y
    .positional('dump', { type: 'string', describe: 'heap dump written by runtime/debug.WriteHeapDump', demandOption: true })
    .positional('binary', { type: 'string', describe: 'the executable that wrote it (for types)' }), 0)
    .option('cache', { type: 'boolean', default: true, describe: 'use the persisted index (--no-cache skips it)' })
    .example('$0 types heapdump mybinary', 'bytes per type')
    .example('$0 types heapdump mybinary --json --limit 20', 'the 20 largest types as JSON') as Argv<TypesArgs>;
}

export async function run(args: TypesArgs): Promise<void> {
  const { graph, types, dominators } = await openForCommand(args.dump, args.binary, args);
  const all = typeHistogram(graph, types);
  const rows = limitRows(all, args.limit);
  const s = graph.stats();
  // retainedBytes: what all instances of the type keep alive together, each byte once (lib/analysis).
  const retained = new Map(retainedHistogram(graph, types, dominators).map((r) => [r.type, r.retained]));
  if (args.json) {
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
  const lines = [table(['BYTES', 'OBJECTS', 'RETAINED', 'TYPE'],
    rows.map((r) => [bytes(r.bytes), count(r.count), bytes(retained.get(r.name) ?? 0), r.name]), [true, true, true, false])];
  if (rows.length < all.length) lines.push(`(${all.length - rows.length} more types)`);
  const pct = (a: number, b: number) => (b > 0 ? `${((a / b) * 100).toFixed(1)}%` : '-');
  // Coverage of what is alive: garbage has no typed root to be reached from.
  const c = typeCoverage(graph, types);
  lines.push(`typed: ${count(c.typedReachableObjects)} of ${count(c.reachableObjects)} reachable objects (${pct(c.typedReachableObjects, c.reachableObjects)}), ${bytes(c.typedReachableBytes)} of ${bytes(c.reachableBytes)} (${pct(c.typedReachableBytes, c.reachableBytes)}); ${count(s.unreachableObjects)} unreachable objects`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
