// `goheap suspects DUMP [BINARY]`: leak suspects: what alone keeps a large share of the heap alive, where the memory
// accumulates, and the path to it.
import type { Argv } from 'yargs';
import { findSuspects } from '../../lib/analysis/index.js';
import { bytes } from '../format.js';
import { type AnalysisArgs, cacheOption, hexAddress, numberOption, openForCommand, pathLine } from '../open-heap.js';

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
    default: 0.1, min: 0, max: 1, describe: 'smallest share of the reachable heap a suspect retains',
  }).example('$0 suspects heapdump mybinary', 'the leak report');
}

export async function run(args: SuspectsArgs): Promise<void> {
  const h = await openForCommand(args.dump, args.binary, args);
  const s = findSuspects(h.graph, h.types, h.dominators, { threshold: args.threshold, pathTo: (i) => h.pathToRoot(i) });
  const total = h.dominators.retained[0];
  if (args.json) {
    const suspects = s.map((x) => ({
      kind: x.kind, name: x.name, address: hexAddress(x.address), retained: x.retained, share: x.share,
      accumulation: x.accumulation && { ...x.accumulation, address: hexAddress(x.accumulation.address) },
      path: x.path.map((p) => ({ kind: p.kind, name: p.name, address: hexAddress(p.address), type: p.type ?? null, field: p.field ?? null })),
    }));
    process.stdout.write(`${JSON.stringify({ reachableBytes: total, threshold: args.threshold, suspects }, null, 2)}\n`);
    return;
  }
  if (s.length === 0) {
    process.stdout.write(`no suspects: nothing retains ${(args.threshold * 100).toFixed(0)}% of the ${bytes(total)} reachable\n`);
    return;
  }
  const out: string[] = [];
  s.forEach((x, k) => {
    out.push(`${k + 1}. ${x.kind} ${x.name} retains ${bytes(x.retained)} (${(x.share * 100).toFixed(1)}% of ${bytes(total)})`);
    const a = x.accumulation;
    if (a) {
      out.push(`   accumulates in ${hexAddress(a.address)} ${a.type} (${bytes(a.retained)}), ${a.children} children:`);
      for (const g of a.childGroups.slice(0, 5)) out.push(`     ${g.count} x ${g.type}: ${bytes(g.retained)}`);
      out.push(`   path: ${pathLine(x.path)}`);
    }
  });
  process.stdout.write(`${out.join('\n')}\n`);
}
