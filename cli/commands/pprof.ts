// `goheap pprof DUMP [BINARY] -o heap.pb.gz`: a gzipped pprof profile for `go tool pprof`. By default (--mode
// retained) its stacks are paths down the dominator tree, so `go tool pprof -http=: heap.pb.gz` draws what retains
// the heap as a flame graph; --mode alloc gives the allocation sites from the dump's MemProf records.
import type { Argv } from 'yargs';
import { allocationProfile, retentionProfile, writePprof } from '../../lib/export/pprof.js';
import { UsageError } from '../errors.js';
import { cacheOption, numberOption } from '../open-heap.js';
import { parseNumberOption } from '../options.js';
import { FORMATS } from '../../lib/export/output.js';
import { type ExportArgs, exportProgress, exportToFile } from './snapshot.js';

export const command = 'pprof <dump> [binary] [output]';
export const describe = 'Write a pprof profile (-o heap.pb.gz): retention by dominator-tree path, or allocation sites (--mode alloc)';

interface PprofArgs extends ExportArgs {
  mode: string;
  'max-depth': unknown;
  rate?: unknown;
  all?: boolean;
}

export function builder(y: Argv): Argv<PprofArgs> {
  const a = y
    .positional('dump', { type: 'string', describe: 'heap dump written by runtime/debug.WriteHeapDump', demandOption: true })
    .positional('binary', { type: 'string', describe: 'the executable that wrote it (for Go types and field names)' })
    .positional('output', { type: 'string', describe: 'the profile to write (or -o; - for stdout)' })
    .option('o', { type: 'string', describe: 'the profile to write (heap.pb.gz)', requiresArg: true })
    .option('mode', { choices: ['retained', 'alloc'], default: 'retained', describe: 'retained: the heap by dominator-tree path; alloc: allocation sites from the MemProf records' })
    .option('all', { type: 'boolean', default: false, describe: 'retained: count unreachable objects (not yet freed) too, under "(unreachable)"' })
    // A string, checked in run() (a whole number of bytes up to 1 TiB): yargs would take "1e300" or "abc" as numbers.
    .option('rate', { type: 'string', describe: "alloc: the program's runtime.MemProfileRate, to scale the sampled counts as Go does (default: unscaled; 0 to 1 TiB)" }) as unknown as Argv<PprofArgs>;
  const b = numberOption(a, 'max-depth', { describe: 'retained: frames kept below the root before "..."', default: 64, min: 1, max: 65535, integer: true });
  return cacheOption(b)
    .example('$0 pprof heapdump mybinary -o heap.pb.gz && go tool pprof -http=: heap.pb.gz', 'retention as a flame graph')
    .example('$0 pprof heapdump mybinary -o allocs.pb.gz --mode alloc --rate 524288', 'allocation sites, scaled for the default MemProfileRate');
}

export async function run(args: PprofArgs): Promise<void> {
  const maxDepth = parseNumberOption('max-depth', args['max-depth'], { describe: '', default: 64, min: 1, max: 65535, integer: true });
  const rate = args.rate === undefined ? undefined : parseNumberOption('rate', args.rate, { describe: '', default: 0, min: 0, max: 2 ** 40, integer: true });
  if (args.mode !== 'alloc' && rate !== undefined) throw new UsageError('pprof: --rate applies to --mode alloc');
  let summary: Record<string, number | string> = {};
  const { s, output, bytes } = await exportToFile(args, 'pprof', FORMATS.pprof, async (session, sink) => {
    if (args.mode === 'alloc') {
      const { profile, stats } = allocationProfile(session, { rate });
      summary = { mode: 'alloc', ...stats };
      await writePprof(profile, sink);
    } else {
      const { profile, stats } = retentionProfile(session, { maxDepth, all: args.all ?? false, onProgress: exportProgress(args, 'building the retention profile') });
      summary = { mode: 'retained', ...stats };
      await writePprof(profile, sink);
    }
  });
  if (args.json && output !== '-') process.stdout.write(`${JSON.stringify({ output, bytes, ...summary }, null, 2)}\n`);
  else if (!args.quiet && output !== '-') {
    const what = summary.mode === 'alloc'
      ? summary.records === 0
        ? 'the dump has no MemProf records: an empty profile'
        : `${summary.records} MemProf records${rate ? ` scaled for MemProfileRate ${rate}` : ' (sampled counts, not scaled; --rate scales them)'}`
      : `${Number(summary.objects).toLocaleString('en-US')} objects in ${Number(summary.samples).toLocaleString('en-US')} samples (${summary.frames} frames)`;
    process.stderr.write(`goheap: wrote ${output}: ${what}, ${(bytes / 1024).toFixed(1)} KiB\n`);
  }
  s.close();
}
