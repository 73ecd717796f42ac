// `goheap types DUMP [BINARY]`: the type histogram: objects and bytes per type, largest first. With the
// executable, types are recovered from its DWARF (lib/typing); without it, objects are grouped by size class.
import type { Argv } from 'yargs';
import { typesAnswer } from '../../lib/answers/index.js';
import { bytes, count } from '../format.js';
import { limitCount, limitOption, openForCommand, table } from '../open-heap.js';

export const command = 'types <dump> [binary]';
export const describe = 'Type histogram: objects and bytes per Go type (per size class without the binary)';

export interface TypesArgs {
  dump: string;
  binary?: string;
  json?: boolean;
  quiet?: boolean;
  limit: number;
  cache?: boolean;
  byLength?: boolean;
  'by-length'?: boolean;
  all?: boolean;
}

export function builder(y: Argv): Argv<TypesArgs> {
  return limitOption(y
    .positional('dump', { type: 'string', describe: 'heap dump written by runtime/debug.WriteHeapDump', demandOption: true })
    .positional('binary', { type: 'string', describe: 'the executable that wrote it (for types)' }), 0)
    .option('cache', { type: 'boolean', default: true, describe: 'use the persisted index (--no-cache skips it)' })
    .option('by-length', { type: 'boolean', default: false, describe: 'a row per array length ([200]uint8, [201]uint8, ...) instead of one per element type ([]uint8)' })
    .option('all', { type: 'boolean', default: false, describe: 'count unreachable objects (not yet freed) too' })
    .example('$0 types heapdump mybinary', 'bytes per type')
    .example('$0 types heapdump mybinary --json --limit 20', 'the 20 largest types as JSON') as Argv<TypesArgs>;
}

export async function run(args: TypesArgs): Promise<void> {
  const h = await openForCommand(args.dump, args.binary, args);
  const a = typesAnswer(h, limitCount(args.limit), args.byLength ?? false, args.all ?? false);
  if (args.json) {
    process.stdout.write(`${JSON.stringify(a, null, 2)}\n`);
    return;
  }
  const lines = [table(['BYTES', 'OBJECTS', 'RETAINED', 'TYPE'],
    a.types.map((r) => [bytes(r.bytes), count(r.count), bytes(r.retainedBytes), r.name]), [true, true, true, false])];
  if (a.types.length < a.typeCount) lines.push(`(${a.typeCount - a.types.length} more types)`);
  const pct = (x: number, y: number) => (y > 0 ? `${((x / y) * 100).toFixed(1)}%` : '-');
  // Coverage of what is alive: garbage has no typed root to be reached from.
  lines.push(`typed: ${count(a.typedObjects)} of ${count(a.reachableObjects)} reachable objects (${pct(a.typedObjects, a.reachableObjects)}), ${bytes(a.typedBytes)} of ${bytes(a.reachableBytes)} (${pct(a.typedBytes, a.reachableBytes)}); ${count(a.objects - a.reachableObjects)} unreachable objects (not yet freed)${a.all ? ' counted above' : ', not counted (--all counts them)'}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
