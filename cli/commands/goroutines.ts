// `goheap goroutines DUMP [BINARY]`: goroutines grouped by identical stack, as Go's goroutine profile groups them:
// count, state, frames with file:line (from the binary), and what each group keeps alive; --all lists every
// goroutine with the local variables of its frames.
import type { Argv } from 'yargs';
import { goroutinesAnswer, type FrameJson } from '../../lib/answers/index.js';
import { bytes, count } from '../format.js';
import { type AnalysisArgs, cacheOption, limitOption, openForCommand } from '../open-heap.js';

export const command = 'goroutines <dump> [binary]';
export const describe = 'Goroutines grouped by identical stack: count, state, frames, retained size (--all: each with its locals)';

export interface GoroutinesArgs extends AnalysisArgs {
  limit: number;
  all?: boolean;
}

export function builder(y: Argv): Argv<GoroutinesArgs> {
  let a = y
    .positional('dump', { type: 'string', describe: 'heap dump written by runtime/debug.WriteHeapDump', demandOption: true })
    .positional('binary', { type: 'string', describe: 'the executable that wrote it (file:line of frames, local variables)' })
    .option('all', { type: 'boolean', default: false, describe: 'list each goroutine of each group with its frames\' local variables' }) as unknown as Argv<GoroutinesArgs>;
  a = limitOption(cacheOption(a), 20);
  return a.example('$0 goroutines heapdump mybinary', 'the groups, most goroutines first')
    .example('$0 goroutines heapdump mybinary --all --limit 1 --json', 'the biggest group, goroutine by goroutine');
}

/** A function as Go's traceback names it: an inlined call as `f(...)`. */
const name = (f: FrameJson): string => (f.inlined ? `${f.function}(...)` : f.function);
const where = (f: FrameJson): string => (f.file === null ? '' : `  ${f.file}:${f.line}`);

export async function run(args: GoroutinesArgs): Promise<void> {
  const h = await openForCommand(args.dump, args.binary, args);
  const a = goroutinesAnswer(h, { all: args.all, limit: args.limit });
  if (args.json) {
    process.stdout.write(`${JSON.stringify(a, null, 2)}\n`);
    return;
  }
  const out: string[] = [`${count(a.goroutines)} goroutines in ${count(a.groupCount)} groups`];
  for (const g of a.groups) {
    const state = g.waitReason ? `${g.status}, ${g.waitReason}` : g.status;
    out.push('', `${count(g.count)} x ${g.function || '(no frames)'} [${state}]${g.system ? ' (system)' : ''}: retains ${bytes(g.retained)}, reaches ${bytes(g.reachable)}`);
    for (const f of g.frames) out.push(`    ${name(f)}${where(f)}`);
    for (const gr of g.goroutines ?? []) {
      out.push(`  goroutine ${gr.id} [${gr.waitReason || gr.status}] ${gr.address}`);
      for (const f of gr.frames) {
        out.push(`    ${name(f)}${where(f)}`);
        for (const v of f.locals) {
          const ptrs = v.pointers.map((p) => `${p.offset ? `+${p.offset} ` : ''}→ ${p.target} ${p.type}`).join(', ');
          out.push(`      ${v.name} ${v.type}${v.value !== undefined ? ` = ${v.value}` : ''}${ptrs ? `  ${ptrs}` : ''}`);
        }
      }
    }
  }
  if (a.groups.length < a.groupCount) out.push('', `(${a.groupCount - a.groups.length} more groups; --limit 0 lists all)`);
  process.stdout.write(`${out.join('\n')}\n`);
}
