#!/usr/bin/env node
// The goheap command line: one file per command in cli/commands, each exporting command, describe, builder, run.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { exitWithError, UsageError } from './errors.js';
import * as info from './commands/info.js';
import * as top from './commands/top.js';
import * as roots from './commands/roots.js';
import * as path from './commands/path.js';
import * as suspects from './commands/suspects.js';
import * as diff from './commands/diff.js';
import * as types from './commands/types.js';
import * as object from './commands/object.js';

interface Command {
  command: string;
  describe: string;
  builder: (y: ReturnType<typeof yargs>) => unknown;
  run: (args: never) => void | Promise<void>;
}

const commands: Command[] = [info as unknown as Command, types as unknown as Command, object as unknown as Command,
  ...([top, roots, path, suspects, diff] as unknown as Command[])];

export async function main(argv: string[]): Promise<void> {
  let y = yargs(argv)
    .scriptName('goheap')
    .usage('$0 <command> DUMP [BINARY] [options]\n\nExplore Go heap dumps (runtime/debug.WriteHeapDump).')
    .option('json', { type: 'boolean', describe: 'print one JSON document instead of text', global: true })
    .option('quiet', { alias: 'q', type: 'boolean', describe: 'no progress output on stderr', global: true })
    .strict()
    .demandCommand(1, 'name a command')
    .recommendCommands()
    .help()
    .version(false)
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      throw err ?? new UsageError(msg);
    });
  for (const c of commands) {
    y = y.command(c.command, c.describe, c.builder as never, async (args) => {
      await c.run(args as never);
    });
  }
  await y.parseAsync();
}

main(hideBin(process.argv)).catch(exitWithError);
