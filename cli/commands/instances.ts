// `goheap instances DUMP [BINARY] TYPE`: the objects of one type (as `types` names it), paged, largest retained
// (or size) first.
import type { Argv } from 'yargs';
import { allocatedAsHint, instancesAnswer, similarTypes } from '../../lib/answers/index.js';
import { UsageError } from '../errors.js';
import { bytes, count } from '../format.js';
import { parseNumberOption } from '../options.js';
import { type AnalysisArgs, cacheOption, limitOption, openForCommand, table } from '../open-heap.js';

export const command = 'instances <dump> <binary-or-type> [type]';
export const describe = 'List the instances of a type (as `types` names it), paged, sorted by retained size or size';

export interface InstancesArgs extends AnalysisArgs {
  'binary-or-type': string;
  type?: string;
  limit: number;
  offset: number;
  sort: 'retained' | 'size';
  all?: boolean;
}

export function builder(y: Argv): Argv<InstancesArgs> {
  let a = y
    .positional('dump', { type: 'string', describe: 'heap dump written by runtime/debug.WriteHeapDump', demandOption: true })
    .positional('binary-or-type', { type: 'string', describe: 'the executable that wrote it, then the type; or the type alone (a size class without the binary)', demandOption: true })
    .positional('type', { type: 'string', describe: 'the type, as `goheap types` names it (main.Request, []uint8; without the binary "untyped (size class 4096)")' })
    .option('sort', { choices: ['retained', 'size'] as const, default: 'retained' as const, describe: 'order of the instances, largest first' })
    .option('all', { type: 'boolean', default: false, describe: 'list unreachable instances (not yet freed) too' })
    .option('offset', { type: 'string', default: '0', describe: 'instances to skip (paging; a whole number >= 0)' }) as unknown as Argv<InstancesArgs>;
  a = limitOption(cacheOption(a), 20);
  return a.example('$0 instances heapdump mybinary main.Request', 'the 20 requests retaining most')
    .example('$0 instances heapdump mybinary main.Request --sort size --offset 20 --limit 20', 'the next page, by size');
}

export async function run(args: InstancesArgs): Promise<void> {
  const offset = parseNumberOption('offset', args.offset, { describe: '', default: 0, min: 0, integer: true });
  const binary = args.type === undefined ? undefined : args['binary-or-type'];
  const type = args.type ?? args['binary-or-type'];
  const h = await openForCommand(args.dump, binary, args);
  const a = instancesAnswer(h, type, { sort: args.sort, offset, limit: args.limit, all: args.all ?? false });
  if (!a) {
    const as = allocatedAsHint(h, type);
    const like = as ? [] : similarTypes(h, type);
    throw new UsageError(`${args.dump}: no objects of type ${JSON.stringify(type)}${as ? `: ${as}` : ''}${like.length ? `; types like it: ${like.join(', ')}` : ''}${binary ? '' : ' (without the binary, types are size classes)'}`);
  }
  if (args.json) {
    process.stdout.write(`${JSON.stringify(a, null, 2)}\n`);
    return;
  }
  const lines = [`${count(a.count)} x ${a.type}, ${bytes(a.bytes)}`,
    table(['retained', 'size', 'address'], a.instances.map((x) => [bytes(x.retained), bytes(x.size), x.address]), [true, true, false])];
  const shown = a.offset + a.instances.length;
  if (shown < a.count) lines.push(`(${a.offset > 0 ? `${a.offset + 1}-` : ''}${shown} of ${a.count}; --offset ${shown} for more)`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
