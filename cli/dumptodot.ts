#!/usr/bin/env node
// `dumptodot DUMP [BINARY] > heap.dot` (or `-o heap.dot`): the heap dump as a Graphviz graph. The same export and
// options as `goheap dot` (cli/commands/dot.ts); errors end as one line `goheap: ...` with exit status 1.
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { goheapVersion } from '../lib/package-files.js';
import { exitWithError, guardStdout, UsageError } from './errors.js';
import { type DotArgs, dotOptions, run } from './commands/dot.js';

async function main(argv: string[]): Promise<void> {
  await yargs(argv)
    .scriptName('dumptodot')
    .usage('$0 DUMP [BINARY] [options] > heap.dot\n\nDraws a Go heap dump (runtime/debug.WriteHeapDump) for Graphviz: by default the top of the '
      + 'dominator tree, objects labelled with type, size and retained size, edges with field names, globals and goroutines as roots.')
    .command('$0 <dump> [binary]', false, (y: Argv) => dotOptions(y)
      .option('quiet', { alias: 'q', type: 'boolean', describe: 'no progress and no notes on stderr' }), async (args) => {
      await run(args as unknown as DotArgs);
    })
    .example('$0 heapdump mybinary > heap.dot && dot -Tsvg heap.dot > heap.svg', 'draw the biggest retainers')
    .example('$0 heapdump mybinary --focus 0xc000123456 -o obj.dot', 'one object, what it points to and why it is alive')
    .example('$0 heapdump mybinary --by-type -o types.dot', 'the type graph')
    .example('$0 heapdump mybinary --all -o all.dot', 'every object, streamed')
    .strict()
    .help()
    .version(goheapVersion())
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      throw err ?? new UsageError(msg);
    })
    .parseAsync();
}

guardStdout();
main(hideBin(process.argv)).catch(exitWithError);
