// `goheap diff BASE DUMP [BINARY]`: what grew between two dumps of one program, per type and per root (goroutine
// groups matched by stack, with the goroutines they gained).
import type { Argv } from 'yargs';
import { diffAnswer, diffSide } from '../../lib/answers/index.js';
import { bytes } from '../format.js';
import { type AnalysisArgs, cacheOption, limitOption, openForCommand, table } from '../open-heap.js';

export const command = 'diff <base> <dump> [binary]';
export const describe = 'Compare two dumps of the same program: counts and bytes per type, retained per root';

export interface DiffArgs extends AnalysisArgs {
  base: string;
  limit: number;
  all?: boolean;
}

export function builder(y: Argv): Argv<DiffArgs> {
  let a = y
    .positional('base', { type: 'string', describe: 'the earlier heap dump', demandOption: true })
    .positional('dump', { type: 'string', describe: 'the later heap dump', demandOption: true })
    .positional('binary', { type: 'string', describe: 'the executable that wrote both' }) as unknown as Argv<DiffArgs>;
  a = limitOption(cacheOption(a), 20)
    .option('all', { type: 'boolean', default: false, describe: 'count every object, unreachable ones (not yet freed) included' }) as Argv<DiffArgs>;
  return a.example('$0 diff before.dump after.dump mybinary', 'what grew');
}

const signed = (n: number, f: (x: number) => string): string => (n > 0 ? `+${f(n)}` : n < 0 ? `-${f(-n)}` : '0');

export async function run(args: DiffArgs): Promise<void> {
  const before = await openForCommand(args.base, args.binary, args);
  const base = diffSide(before);
  before.close();
  const after = await openForCommand(args.dump, args.binary, args);
  const a = diffAnswer(base, diffSide(after), args.limit, args.all ?? false);
  if (args.json) {
    process.stdout.write(`${JSON.stringify(a, null, 2)}\n`);
    return;
  }
  const t = a.types.map((r) => [signed(r.bytesDelta, bytes), signed(r.countDelta, String), `${r.countBefore} -> ${r.countAfter}`, r.type]);
  const rr = a.roots.map((r) => [signed(r.retainedDelta, bytes), `${bytes(r.retainedBefore)} -> ${bytes(r.retainedAfter)}`,
    r.countDelta === undefined ? '' : `${signed(r.countDelta, String)} (${r.countBefore} -> ${r.countAfter})`,
    r.kind === 'goroutine' ? r.name : `${r.kind} ${r.name}`]);
  if (a.hint) process.stderr.write(`goheap: hint: ${a.hint}\n`);
  process.stdout.write(`${a.all ? 'every object (unreachable ones included)' : 'reachable objects (--all: unreachable ones too)'}\n`);
  process.stdout.write(`${table(['bytes', 'count', 'before -> after', 'type'], t, [true, true, true, false])}\n\n`);
  process.stdout.write(`${table(['retained', 'before -> after', 'goroutines', 'root'], rr, [true, true, true, false])}\n`);
}
