// `goheap allocs DUMP [BINARY]`: allocation sites from the dump's memory profile: per call stack, the sampled
// allocations and their bytes, what is still in use, and the live objects the dump sampled there.
import type { Argv } from 'yargs';
import { allocsAnswer } from '../../lib/answers/index.js';
import { bytes, count } from '../format.js';
import { type AnalysisArgs, cacheOption, limitOption, openForCommand } from '../open-heap.js';

export const command = 'allocs <dump> [binary]';
export const describe = 'Allocation sites from the memory profile in the dump: sampled allocations and bytes per stack';

export interface AllocsArgs extends AnalysisArgs {
  limit: number;
}

export function builder(y: Argv): Argv<AllocsArgs> {
  const a = y
    .positional('dump', { type: 'string', describe: 'heap dump written by runtime/debug.WriteHeapDump', demandOption: true })
    .positional('binary', { type: 'string', describe: 'the executable that wrote it (not needed: the dump names functions and lines; with it, inlined calls are expanded)' }) as unknown as Argv<AllocsArgs>;
  return limitOption(cacheOption(a), 20).example('$0 allocs heapdump', 'the sites that allocated most');
}

export async function run(args: AllocsArgs): Promise<void> {
  const h = await openForCommand(args.dump, args.binary, args);
  const a = allocsAnswer(h, args.limit);
  if (args.json) {
    process.stdout.write(`${JSON.stringify(a, null, 2)}\n`);
    return;
  }
  if (a.siteCount === 0) {
    process.stdout.write('no allocation sites: the program sampled no allocation (runtime.MemProfileRate = 0?)\n');
    return;
  }
  const out: string[] = [`${count(a.siteCount)} sites from ${count(a.buckets)} profile buckets; ${count(a.samples)} sampled objects in the dump`];
  for (const s of a.sites) {
    out.push('', `${bytes(s.bytes)} in ${count(s.count)} allocations (in use ${bytes(s.inUseBytes)} in ${count(s.inUse)}; live samples ${count(s.liveSamples)}): ${s.function}`);
    for (const f of s.frames) out.push(`    ${f.inlined ? `${f.function}(...)` : f.function}  ${f.file}:${f.line}`);
  }
  if (a.sites.length < a.siteCount) out.push('', `(${a.siteCount - a.sites.length} more sites; --limit 0 lists all)`);
  process.stdout.write(`${out.join('\n')}\n`);
}
