// `goheap roots DUMP [BINARY]`: globals, goroutine groups, finalizers and other roots, and the objects several of them
// share, by the memory they alone keep alive, with what each can reach.
import type { Argv } from 'yargs';
import { rootsAnswer } from '../../lib/answers/index.js';
import { bytes } from '../format.js';
import { type AnalysisArgs, cacheOption, limitOption, openForCommand, table } from '../open-heap.js';

export const command = 'roots <dump> [binary]';
export const describe = 'List root nodes (globals, goroutine groups, finalizers, other) and shared objects by retained size';

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
  const from = (r: (typeof a.roots)[number]): string => `${r.roots!.slice(0, 4).join(', ')}${(r.rootCount ?? 0) > 4 ? ` and ${r.rootCount! - 4} more` : ''}`;
  const name = (r: (typeof a.roots)[number]): string => r.kind === 'goroutines' ? `${r.name} (${r.count} goroutines)`
    : r.roots && r.count !== undefined ? `${r.count} objects: ${(r.types ?? []).slice(0, 3).map((t) => `${t.count} x ${t.type}`).join(', ')} ← ${from(r)}`
      : r.roots ? `${r.name} ${r.address} ← ${from(r)}` : r.name;
  const shares = (r: (typeof a.roots)[number]): string => r.sharesWith ? ` (shares with ${r.sharesWith.slice(0, 3).join(', ')}${r.sharesWithCount! > 3 ? ` and ${r.sharesWithCount! - 3} more` : ''})` : '';
  const rows = a.roots.map((r) => [bytes(r.retained), bytes(r.reachable), r.kind, name(r)]);
  const lines = [table(['retained', 'reachable', 'kind', 'name'], rows, [true, true, false, false])];
  if (a.roots.length < a.rowCount) lines.push(`(${a.rowCount - a.roots.length} more rows; --limit 0 lists all)`);
  lines.push('', 'globals by reachable size:');
  lines.push(table(['reachable', 'retained', 'global'], a.globals.map((r) => [bytes(r.reachable), bytes(r.retained), `${r.name}${shares(r)}`]), [true, true, false]));
  process.stdout.write(`${lines.join('\n')}\n`);
}
