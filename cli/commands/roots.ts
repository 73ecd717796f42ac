// `goheap roots DUMP [BINARY]`: globals, goroutines, finalizers and other roots by the memory they alone keep alive.
import type { Argv } from 'yargs';
import { rootsAnswer } from '../../lib/answers/index.js';
import { bytes } from '../format.js';
import { type AnalysisArgs, cacheOption, limitOption, openForCommand, table } from '../open-heap.js';

export const command = 'roots <dump> [binary]';
export const describe = 'List root nodes (globals, goroutines, finalizers, other) by retained size';

export interface RootsArgs extends AnalysisArgs {
  limit: number;
}

export function builder(y: Argv): Argv<RootsArgs> {
  let a = y
    .positional('dump', { type: 'string', describe: 'heap dump written by runtime/debug.WriteHeapDump', demandOption: true })
    .positional('binary', { type: 'string', describe: 'the executable that wrote it (names globals from DWARF)' }) as unknown as Argv<RootsArgs>;
  a = limitOption(cacheOption(a), 20);
  return a.example('$0 roots heapdump mybinary --json', 'root nodes as JSON');
}

export async function run(args: RootsArgs): Promise<void> {
  const h = await openForCommand(args.dump, args.binary, args);
  const a = rootsAnswer(h, args.limit);
  if (args.json) {
    process.stdout.write(`${JSON.stringify(a, null, 2)}\n`);
    return;
  }
  process.stdout.write(`${table(['retained', 'kind', 'name'], a.roots.map((r) => [bytes(r.retained), r.kind, r.name]), [true, false, false])}\n`);
}
