// `goheap hprof DUMP [BINARY] heap.hprof` (and the `dumptohprof` bin, cli/dumptohprof.ts, which shares this): the
// heap dump as an HPROF file for VisualVM, Eclipse MAT and other Java heap tools (lib/export/hprof.ts). The output
// comes last ("-" for stdout); it is written under a temporary name and renamed, and never over an input.
import type { Argv } from 'yargs';
import { UsageError } from '../errors.js';
import { type AnalysisArgs, cacheOption, openForCommand } from '../open-heap.js';
import { OutputSink, writeHprof } from '../../lib/export/index.js';
import { FORMATS } from '../../lib/export/output.js';

export const command = 'hprof <dump> <files..>';
export const describe = 'Write the heap as an HPROF heap dump for VisualVM and Eclipse MAT (goheap hprof DUMP [BINARY] heap.hprof)';

export interface HprofArgs extends AnalysisArgs {
  files: string[];
  live?: boolean;
}

/** The positionals and options of `goheap hprof` and `dumptohprof`. */
export function hprofOptions(y: Argv): Argv<HprofArgs> {
  const a = y
    .positional('dump', { type: 'string', describe: 'heap dump written by runtime/debug.WriteHeapDump', demandOption: true })
    .positional('files', { type: 'string', array: true, describe: '[BINARY] OUTPUT: the executable that wrote the dump (for types, field and global names), then the .hprof file to write (- for stdout)' })
    .option('live', {
      type: 'boolean',
      describe: 'only objects reachable from the roots, like jmap -dump:live (VisualVM counts references from garbage as roots: with --live its retained sizes are goheap\'s)',
    }) as unknown as Argv<HprofArgs>;
  return cacheOption(a);
}

export function builder(y: Argv): Argv<HprofArgs> {
  return hprofOptions(y)
    .example('$0 hprof heapdump mybinary heap.hprof', 'open heap.hprof in VisualVM or Eclipse MAT')
    .example('$0 hprof heapdump heap.hprof', 'without the binary: objects named by size class');
}

/**
 * Splits `[BINARY] OUTPUT`. yargs drops a lone "-" from the positionals, so `stdout` says whether the command line
 * had one (the output is then stdout and `files` holds at most the binary).
 */
export function hprofFiles(files: readonly string[], stdout: boolean): { binary: string | undefined; output: string } {
  if (stdout && files.length <= 1) return { binary: files[0], output: '-' };
  if (!stdout && files.length === 1) return { binary: undefined, output: files[0] };
  if (!stdout && files.length === 2) return { binary: files[0], output: files[1] };
  throw new UsageError(`expected DUMP [BINARY] OUTPUT, got ${files.length + (stdout ? 2 : 1)} file names`);
}

/** Runs the export for `goheap hprof` and `dumptohprof`. */
export async function run(args: HprofArgs): Promise<void> {
  const { binary, output } = hprofFiles((args.files ?? []).map(String), process.argv.slice(2).includes('-'));
  if (output === '-' && process.stdout.isTTY) throw new UsageError('stdout is a terminal: name a file to write (heap.hprof)');
  // Check the output path before the (possibly long) load: not an input, not a folder, not a file of another format.
  const sink = OutputSink.open(output, { inputs: [args.dump, binary], format: FORMATS.hprof });
  try {
    const session = await openForCommand(args.dump, binary, { ...args, json: false });
    const showProgress = !args.quiet && process.stderr.isTTY;
    let last = 0;
    const stats = await writeHprof(session, sink, {
      live: args.live === true,
      onProgress: showProgress ? (done, total) => {
        const now = Date.now();
        if (now - last < 200 && done < total) return;
        last = now;
        process.stderr.write(done >= total ? '\r\x1b[K' : `\r\x1b[Kgoheap: writing HPROF ${Math.floor((100 * done) / total)}%`);
      } : undefined,
    });
    await sink.finish();
    session.close();
    if (!args.quiet && output !== '-') {
      process.stderr.write(`goheap: wrote ${output}: ${(sink.bytesWritten / 1048576).toFixed(1)} MB, ${stats.instances + stats.objectArrays + stats.primitiveArrays} objects, ${stats.classes} classes, ${stats.threads} threads\n`);
    }
    if (stats.unplacedPointers > 0 && !args.quiet) {
      process.stderr.write(`goheap: note: ${stats.unplacedPointers} pointers fell outside their object's recovered fields and were left out\n`);
    }
  } catch (e) {
    sink.abort();
    throw e;
  }
}
