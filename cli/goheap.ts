#!/usr/bin/env node
// The goheap command line: one file per command in cli/commands, each exporting command, describe, builder, run;
// a new command is one import and one entry in `commands`. `goheap` alone prints the usage, `goheap help CMD` (or
// `goheap CMD --help`) a command's help, `goheap --version` the version in package.json. Errors end as one line
// with exit status 1 (cli/errors.ts), or with a stack trace and exit status 2 for a bug.
import * as fs from 'node:fs';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { GoheapError } from '../lib/errors.js';
import { exitWithError, UsageError } from './errors.js';
import * as info from './commands/info.js';
import * as top from './commands/top.js';
import * as roots from './commands/roots.js';
import * as path from './commands/path.js';
import * as suspects from './commands/suspects.js';
import * as diff from './commands/diff.js';
import * as types from './commands/types.js';
import * as object from './commands/object.js';
import * as goroutines from './commands/goroutines.js';
import * as instances from './commands/instances.js';
import * as allocs from './commands/allocs.js';
import * as hprof from './commands/hprof.js';
import * as snapshot from './commands/snapshot.js';
import * as pprof from './commands/pprof.js';

interface Command {
  command: string;
  describe: string;
  builder: (y: ReturnType<typeof yargs>) => unknown;
  run: (args: never) => void | Promise<void>;
}

const commands = [info, types, object, top, roots, path, suspects, diff] as unknown as Command[];
commands.push(...[goroutines, instances, allocs] as unknown as Command[]);
commands.push(hprof as unknown as Command);
commands.push(snapshot as unknown as Command);
commands.push(pprof as unknown as Command);
commands.push((await import('./commands/dot.js')) as unknown as Command);
commands.push((await import('./commands/serve.js')) as unknown as Command);

/** A command's name: the first word of its yargs spec. */
function nameOf(c: Command): string {
  return c.command.split(' ')[0];
}

/** The version in goheap's package.json (dist/cli/goheap.js -> ../../package.json). */
export function version(): string {
  try {
    return (JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/**
 * yargs' "Not enough non-option arguments: got 2, need at least 3" with what the command takes:
 * "object: expected <dump> <binary> <address>, got 2 arguments (goheap help object)".
 */
function argumentCountHint(argv: string[], msg: string): string {
  const m = /^(Not enough|Too many) non-option arguments: got (\d+)/.exec(msg);
  const c = commands.find((x) => nameOf(x) === argv[0]);
  if (!m || !c) return msg;
  const got = Number(m[2]);
  const words = c.command.split(' ').slice(1);
  const takes = words.join(' ');
  // One short of a command that cannot do without the executable: say that, as that is what is missing.
  const required = words.filter((w) => w.startsWith('<')).length;
  if (m[1] === 'Not enough' && got === required - 1 && words.includes('<binary>')) {
    return `${nameOf(c)} needs the executable that wrote the dump: goheap ${nameOf(c)} ${takes.toUpperCase().replace(/[<>]/g, '')}`;
  }
  return `${nameOf(c)}: expected ${takes}, got ${got} argument${got === 1 ? '' : 's'} (goheap help ${nameOf(c)})`;
}

function parser(argv: string[]): ReturnType<typeof yargs> {
  let y = yargs(argv)
    .scriptName('goheap')
    .usage('$0 <command> DUMP [BINARY] [options]\n\nExplore Go heap dumps (runtime/debug.WriteHeapDump).')
    .option('json', { type: 'boolean', describe: 'print one JSON document instead of text', global: true })
    .option('quiet', { alias: 'q', type: 'boolean', describe: 'no progress output on stderr', global: true })
    .strict()
    .demandCommand(1, `name a command: ${commands.map(nameOf).join(', ')} (goheap --help describes them)`)
    .recommendCommands()
    .help()
    .version(version())
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      // Our own errors pass through; yargs' checks (a message, and at most its own error) are usage errors; an error
      // without a message is a command's failure, passed on as it is (a bug unless it is an input error).
      if (err instanceof UsageError || err instanceof GoheapError) throw err;
      if (msg && (!err || err.message === msg)) throw new UsageError(argumentCountHint(argv, msg));
      throw err ?? new UsageError(msg);
    });
  for (const c of commands) {
    y = y.command(c.command, c.describe, c.builder as never, async (args) => {
      await c.run(args as never);
    });
  }
  // Listed in the usage; main() answers it before yargs parses.
  return y.command('help [command]', 'Show the help of a command (goheap help path)', () => undefined, () => undefined);
}

export async function main(argv: string[]): Promise<void> {
  if (argv.length === 0) {
    // No command: the usage on stdout, and exit status 1 since nothing was done.
    process.stdout.write(`${await parser([]).getHelp()}\n`);
    process.exitCode = 1;
    return;
  }
  if (argv[0] === 'help') {
    if (argv.length > 2) throw new UsageError('help: expected at most one command name');
    const name = argv[1];
    if (name === undefined) return main(['--help']);
    if (!commands.some((c) => nameOf(c) === name)) {
      throw new UsageError(`help: no command ${JSON.stringify(name)}; the commands are ${commands.map(nameOf).join(', ')}`);
    }
    return main([name, '--help']);
  }
  await parser(argv).parseAsync();
}

main(hideBin(process.argv)).catch(exitWithError);
