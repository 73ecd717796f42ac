// `goheap top DUMP [BINARY]`: the objects that keep the most memory alive (largest retained sizes).
import type { Argv } from 'yargs';
import { topAnswer } from '../../lib/answers/index.js';
import { bytes } from '../format.js';
import { type AnalysisArgs, cacheOption, limitCount, limitOption, openForCommand, table } from '../open-heap.js';

export const command = 'top <dump> [binary]';
export const describe = 'List the objects with the largest retained sizes';

export interface TopArgs extends AnalysisArgs {
  limit: number;
}

export function builder(y: Argv): Argv<TopArgs> {
  let a = y
    .positional('dump', { type: 'string', describe: 'heap dump written by runtime/debug.WriteHeapDump', demandOption: true })
    .positional('binary', { type: 'string', describe: 'the executable that wrote it (for types and global names)' }) as unknown as Argv<TopArgs>;
  a = limitOption(cacheOption(a), 20);
  return a.example('$0 top heapdump mybinary --limit 5', 'the five objects retaining most');
}

export async function run(args: TopArgs): Promise<void> {
  const h = await openForCommand(args.dump, args.binary, args);
  const a = topAnswer(h, limitCount(args.limit));
  if (args.json) {
    process.stdout.write(`${JSON.stringify(a, null, 2)}\n`);
    return;
  }
  process.stdout.write(`${table(['retained', 'size', 'address', 'type'],
    a.objects.map((r) => [bytes(r.retained), bytes(r.size), r.address, r.type]), [true, true, false, false])}\n`);
}
