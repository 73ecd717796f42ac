// `goheap snapshot DUMP [BINARY] OUT.heapsnapshot`: the heap as a Chrome DevTools heap snapshot (Memory panel,
// memlab), streamed to OUT ("-" for stdout) through lib/export's output sink. Also the argument rule the export
// commands share: the output is the last positional (or -o), the binary the one between.
import type { Argv } from 'yargs';
import { FORMATS, type OutputFormat, OutputSink } from '../../lib/export/output.js';
import { writeHeapSnapshot } from '../../lib/export/heapsnapshot.js';
import { UsageError } from '../errors.js';
import type { HeapSession } from '../../lib/session/index.js';
import { type AnalysisArgs, cacheOption, openForCommand } from '../open-heap.js';

export const command = 'snapshot <dump> [binary] [output]';
export const describe = 'Write a Chrome DevTools heap snapshot (.heapsnapshot) of the dump';

export interface ExportArgs extends AnalysisArgs {
  output?: string;
  o?: string;
}

interface SnapshotArgs extends ExportArgs {
  live?: boolean;
}

/** DUMP [BINARY] OUT, or DUMP [BINARY] -o OUT: the binary and output paths. */
export function exportPaths(args: ExportArgs, what: string): { binary: string | undefined; output: string } {
  // yargs reads a lone "-" positional as an empty value: that is stdout (an empty path names no file anyway).
  const dash = (v: string | undefined): string | undefined => (v === '' ? '-' : v);
  const positional = dash(args.output);
  const flag = args.o;
  const binary = dash(args.binary);
  if (flag !== undefined) {
    if (positional !== undefined) throw new UsageError(`${what}: name the output once (either -o ${flag} or ${positional})`);
    return { binary, output: flag };
  }
  if (positional !== undefined) return { binary, output: positional };
  // Two positionals: the dump and the output.
  if (binary !== undefined) return { binary: undefined, output: binary };
  throw new UsageError(`${what}: name the output file (or - for stdout)`);
}

/** Progress on a terminal: "goheap: LABEL 42%". */
export function exportProgress(args: AnalysisArgs, label: string): ((done: number, total: number) => void) | undefined {
  if (args.quiet || args.json || !process.stderr.isTTY) return undefined;
  let last = 0;
  return (done, total) => {
    const now = Date.now();
    if (done < total && now - last < 200) return;
    last = now;
    process.stderr.write(done >= total ? '\r\x1b[K' : `\r\x1b[Kgoheap: ${label} ${Math.floor((100 * done) / Math.max(1, total))}%`);
  };
}

export function builder(y: Argv): Argv<SnapshotArgs> {
  const a = y
    .positional('dump', { type: 'string', describe: 'heap dump written by runtime/debug.WriteHeapDump', demandOption: true })
    .positional('binary', { type: 'string', describe: 'the executable that wrote it (for Go types and field names)' })
    .positional('output', { type: 'string', describe: 'the .heapsnapshot to write (- for stdout)' })
    .option('o', { type: 'string', describe: 'the output file (instead of the last positional)', requiresArg: true })
    .option('live', { type: 'boolean', describe: 'only the objects a root reaches (garbage left out, like jmap -dump:live)' }) as unknown as Argv<SnapshotArgs>;
  return cacheOption(a)
    .example('$0 snapshot heapdump mybinary heap.heapsnapshot', 'then load heap.heapsnapshot in Chrome DevTools > Memory')
    .example('$0 snapshot heapdump heap.heapsnapshot', 'without the binary: objects named by size class');
}

/**
 * Opens the output first (so that a path that is an input or a folder is refused before a long load), then the
 * dump; runs `produce` and puts the file in place, or removes the temporary file if anything fails.
 */
export async function exportToFile(args: ExportArgs, what: string, format: OutputFormat, produce: (s: HeapSession, sink: OutputSink) => Promise<void>): Promise<{ s: HeapSession; output: string; bytes: number }> {
  const { binary, output } = exportPaths(args, what);
  const sink = OutputSink.open(output, { inputs: [args.dump, binary], format });
  let s: HeapSession | undefined;
  try {
    s = await openForCommand(args.dump, binary, args);
    await produce(s, sink);
    await sink.finish();
  } catch (e) {
    sink.abort();
    s?.close();
    throw e;
  }
  return { s, output, bytes: sink.bytesWritten };
}

export async function run(args: SnapshotArgs): Promise<void> {
  let stats: Awaited<ReturnType<typeof writeHeapSnapshot>> | undefined;
  const { s, output, bytes } = await exportToFile(args, 'snapshot', FORMATS.heapsnapshot, async (session, sink) => {
    stats = await writeHeapSnapshot(session, sink, { live: args.live, onProgress: exportProgress(args, 'writing heap snapshot') });
  });
  const summary = { output, bytes, nodes: stats!.nodes, edges: stats!.edges, strings: stats!.strings, objects: stats!.objects };
  if (args.json && output !== '-') process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else if (!args.quiet && output !== '-') {
    process.stderr.write(`goheap: wrote ${output}: ${summary.nodes.toLocaleString('en-US')} nodes (${summary.objects.toLocaleString('en-US')} objects), ${summary.edges.toLocaleString('en-US')} edges, ${(bytes / 1048576).toFixed(1)} MB\n`);
  }
  s.close();
}
