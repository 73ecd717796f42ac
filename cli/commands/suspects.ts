// `goheap suspects DUMP [BINARY]`: leak suspects: what alone keeps a large share of the heap alive, where the memory
// accumulates, and the path to it.
import type { Argv } from 'yargs';
import { DEFAULT_SUSPECT_THRESHOLD, suspectsAnswer } from '../../lib/answers/index.js';
import { bytes } from '../format.js';
import { type AnalysisArgs, cacheOption, numberOption, openForCommand, pathLine } from '../open-heap.js';

export const command = 'suspects <dump> [binary]';
export const describe = 'Find leak suspects: roots or objects retaining a large share of the heap';

export interface SuspectsArgs extends AnalysisArgs {
  threshold: number;
}

export function builder(y: Argv): Argv<SuspectsArgs> {
  const a = y
    .positional('dump', { type: 'string', describe: 'heap dump written by runtime/debug.WriteHeapDump', demandOption: true })
    .positional('binary', { type: 'string', describe: 'the executable that wrote it (for types and global names)' }) as unknown as Argv<SuspectsArgs>;
  return numberOption(cacheOption(a), 'threshold', {
    default: DEFAULT_SUSPECT_THRESHOLD, min: 0, max: 1, describe: 'smallest share of the reachable heap a suspect retains',
  }).example('$0 suspects heapdump mybinary', 'the leak report');
}

export async function run(args: SuspectsArgs): Promise<void> {
  const h = await openForCommand(args.dump, args.binary, args);
  const a = suspectsAnswer(h, args.threshold);
  const total = a.reachableBytes;
  if (args.json) {
    process.stdout.write(`${JSON.stringify(a, null, 2)}\n`);
    return;
  }
  if (a.suspects.length === 0) {
    process.stdout.write(`no suspects: nothing retains ${(args.threshold * 100).toFixed(0)}% of the ${bytes(total)} reachable\n`);
    return;
  }
  const out: string[] = [];
  a.suspects.forEach((x, k) => {
    out.push(`${k + 1}. ${x.kind === 'aggregate' || x.kind === 'type' ? `${x.kind} ` : ''}${x.summary}${x.runtime ? ' [runtime]' : ''}`);
    const acc = x.accumulation;
    if (x.kind === 'aggregate') {
      if (acc) out.push(`   accumulates in ${acc.address} ${acc.type} (${bytes(acc.retained)}), which points at ${acc.children} of them`);
      out.push('   composition (what they alone keep, by type):');
      for (const g of (x.composition ?? []).slice(0, 8)) out.push(`     ${g.count} x ${g.type}: ${bytes(g.bytes)}`);
      out.push(`   example path: ${pathLine(x.path.map((p) => ({ kind: p.kind, name: p.name, type: p.type ?? undefined, field: p.field ?? undefined, repeat: p.repeat })))}`);
    } else if (acc) {
      // An accumulation point that keeps no other object alive is the memory itself (a big array of pointers).
      if (acc.chain !== undefined) out.push(`   accumulates in a chain of ${acc.chain} ${acc.type}, each keeping the next, from ${acc.address} (${bytes(acc.retained)}):`);
      else if (acc.children === 0) out.push(`   the memory is ${acc.address} ${acc.type} itself (${bytes(acc.retained)})`);
      else out.push(`   accumulates in ${acc.address} ${acc.type} (${bytes(acc.retained)}), ${acc.children} ${acc.children === 1 ? 'child' : 'children'}:`);
      for (const g of acc.childGroups.slice(0, 5)) out.push(`     ${g.count} x ${g.type}: ${bytes(g.retained)}`);
      out.push(`   path: ${pathLine(x.path.map((p) => ({ kind: p.kind, name: p.name, type: p.type ?? undefined, field: p.field ?? undefined, repeat: p.repeat })))}`);
    } else if (x.childGroups && x.childGroups.length > 0) {
      out.push(`   keeps alive ${x.children} objects directly:`);
      for (const g of x.childGroups.slice(0, 5)) out.push(`     ${g.count} x ${g.type}: ${bytes(g.retained)}`);
    }
    if (x.kind === 'type' && x.path.length > 0) {
      out.push(`   example path: ${pathLine(x.path.map((p) => ({ kind: p.kind, name: p.name, type: p.type ?? undefined, field: p.field ?? undefined, repeat: p.repeat })))}`);
    }
  });
  process.stdout.write(`${out.join('\n')}\n`);
}
