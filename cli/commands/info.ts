// `goheap info DUMP [BINARY]`: a summary of a heap dump: format, Go version, objects, reachability, records.
import type { Argv } from 'yargs';
import { infoAnswer } from '../../lib/answers/index.js';
import { openForCommand } from '../open-heap.js';
import { bytes, count, keyValues } from '../format.js';

export const command = 'info <dump> [binary]';
export const describe = 'Summarize a heap dump: objects, bytes, reachability, goroutines and records';

export interface InfoArgs {
  dump: string;
  binary?: string;
  json?: boolean;
  quiet?: boolean;
  cache?: boolean;
}

export function builder(y: Argv): Argv<InfoArgs> {
  return y
    .positional('dump', { type: 'string', describe: 'heap dump written by runtime/debug.WriteHeapDump', demandOption: true })
    .positional('binary', { type: 'string', describe: 'the executable that wrote it (for types)' })
    .option('cache', { type: 'boolean', default: true, describe: 'use the persisted index (--no-cache skips it)' })
    .example('$0 info heapdump', 'summary of the dump')
    .example('$0 info heapdump mybinary --json', 'the same as one JSON object') as Argv<InfoArgs>;
}

export async function run(args: InfoArgs): Promise<void> {
  const s = infoAnswer(await openForCommand(args.dump, args.binary, args));
  if (args.json) {
    process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
    return;
  }
  const pct = (a: number, b: number) => (b > 0 ? ` (${((a / b) * 100).toFixed(1)}%)` : '');
  const rows: [string, string][] = [
    ['dump', `${args.dump} (${bytes(s.dumpBytes)})`],
    ['format', s.format],
    ['Go version', s.goVersion ?? 'unknown (written before Go 1.17)'],
    ['architecture', `${s.arch}, ${s.ptrSize * 8}-bit, ${s.bigEndian ? 'big' : 'little'}-endian`],
    ['objects', `${count(s.objects)} objects, ${bytes(s.objectBytes)}`],
    ['reachable', `${count(s.reachableObjects)} objects, ${bytes(s.reachableBytes)}${pct(s.reachableBytes, s.objectBytes)}`],
    ['unreachable', `${count(s.unreachableObjects)} objects, ${bytes(s.unreachableBytes)}${pct(s.unreachableBytes, s.objectBytes)} (not yet freed)`],
    ...(s.completedGCs !== undefined ? [['GC', s.completedGCs > 0
      ? `the dump followed ${count(s.completedGCs)} completed GC${s.completedGCs > 1 ? 's' : ''}: the unreachable objects were dropped since the last one, or hold no pointer a root shows`
      : 'no GC had completed before the dump: every object dropped so far is still in it'] as [string, string]] : []),
    ...(s.typedObjects !== undefined ? [['typed', `${count(s.typedObjects)} objects${pct(s.typedObjects, s.reachableObjects)}, ${bytes(s.typedBytes ?? 0)}${pct(s.typedBytes ?? 0, s.reachableBytes)} of the reachable`] as [string, string]] : []),
    ['pointers', `${count(s.edges)} into the heap (${count(s.interiorEdges)} interior) of ${count(s.pointerSlots)} pointer slots`],
    ['roots', `${count(s.roots)}`],
    ['goroutines', `${count(s.goroutines)} with ${count(s.frames)} frames`],
    ['threads', count(s.threads)],
    ['finalizers', `${count(s.finalizers)} set, ${count(s.queuedFinalizers)} queued`],
    ['defers, panics', `${count(s.defers)}, ${count(s.panics)}`],
    ['itabs', count(s.itabs)],
    ['memprof', `${count(s.memProfBuckets)} buckets, ${count(s.allocSamples)} alloc samples`],
  ];
  if (s.memstats) {
    const m = s.memstats;
    rows.push(['memstats', `HeapAlloc ${bytes(Number(m.HeapAlloc))}, HeapObjects ${count(Number(m.HeapObjects))}, Sys ${bytes(Number(m.Sys))}, NumGC ${m.NumGC}`]);
  }
  process.stdout.write(`${keyValues(rows)}\n`);
}
