#!/usr/bin/env node
// `dumptohprof DUMP [BINARY] heap.hprof`: the heap dump as an HPROF file for VisualVM and Eclipse MAT. The same export
// as `goheap hprof` (cli/commands/hprof.ts); errors end as one line `goheap: ...` with exit status 1.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { goheapVersion } from '../lib/package-files.js';
import { exitWithError, guardStdout, UsageError } from './errors.js';
import { type HprofArgs, hprofOptions, run } from './commands/hprof.js';

async function main(argv: string[]): Promise<void> {
  const y = hprofOptions(yargs(argv)
    .scriptName('dumptohprof')
    .command('$0 <dump> <files..>', 'Write a Go heap dump as an HPROF heap dump', () => undefined) as never)
    .usage('$0 DUMP [BINARY] heap.hprof\n\nWrites a Go heap dump (runtime/debug.WriteHeapDump) as HPROF for VisualVM, Eclipse MAT and other '
      + 'Java heap tools: a class per Go type with Go field names, globals as static fields of a class per package, '
      + 'goroutines as threads with their stacks.')
    .option('quiet', { alias: 'q', type: 'boolean', describe: 'no progress and no notes on stderr' })
    .example('$0 heapdump mybinary heap.hprof', 'then open heap.hprof in VisualVM (File > Load)')
    .strict()
    .help()
    .version(goheapVersion())
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      throw err ?? new UsageError(msg);
    });
  const args = (await y.parseAsync()) as unknown as HprofArgs;
  await run(args);
}

guardStdout();
main(hideBin(process.argv)).catch(exitWithError);
