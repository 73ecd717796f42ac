#!/usr/bin/env node
// The goheap command line: one file per command in cli/commands, each exporting command, describe, builder, run;
// a new command is one entry in COMMANDS. `goheap` alone prints the usage, `goheap help CMD` (or
// `goheap CMD --help`) a command's help, `goheap --version` the version in package.json. Errors end as one line
// with exit status 1 (cli/errors.ts), or with a stack trace and exit status 2 for a bug.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { GoheapError } from '../lib/errors.js';
import { goheapVersion } from '../lib/package-files.js';
import { exitWithError, guardStdout, UsageError } from './errors.js';

interface Command {
  command: string;
  describe: string;
  builder: (y: ReturnType<typeof yargs>) => unknown;
  run: (args: never) => void | Promise<void>;
}

/**
 * Every command by name, in the order of the usage, with its module: a run loads only the module of the command it
 * runs (the exporters and the viewer bring big dependencies), the usage and --help load them all.
 */
const COMMANDS: Record<string, () => Promise<unknown>> = {
  info: () => import('./commands/info.js'),
  types: () => import('./commands/types.js'),
  object: () => import('./commands/object.js'),
  top: () => import('./commands/top.js'),
  roots: () => import('./commands/roots.js'),
  path: () => import('./commands/path.js'),
  suspects: () => import('./commands/suspects.js'),
  diff: () => import('./commands/diff.js'),
  goroutines: () => import('./commands/goroutines.js'),
  instances: () => import('./commands/instances.js'),
  allocs: () => import('./commands/allocs.js'),
  hprof: () => import('./commands/hprof.js'),
  snapshot: () => import('./commands/snapshot.js'),
  dot: () => import('./commands/dot.js'),
  pprof: () => import('./commands/pprof.js'),
  serve: () => import('./commands/serve.js'),
};
const NAMES = Object.keys(COMMANDS);

/** What other heap tools call a question, and the command that answers it here. */
const OTHER_NAMES: Record<string, string> = {
  heapsnapshot: 'the Chrome heap snapshot export is `goheap snapshot DUMP [BINARY] heap.heapsnapshot`',
  referrers: 'an object\'s referrers are listed by `goheap object DUMP BINARY ADDRESS` (and `path` shows why it is alive)',
  retainers: 'an object\'s referrers are listed by `goheap object DUMP BINARY ADDRESS` (and `path` shows why it is alive)',
  dominators: 'the objects that retain most are `goheap top`; the viewer (`goheap serve`) browses the dominator tree',
  histogram: 'the type histogram is `goheap types`',
  histo: 'the type histogram is `goheap types`',
};

/** The modules of the named commands (all of them by default). */
async function load(names: readonly string[] = NAMES): Promise<Command[]> {
  return Promise.all(names.map(async (n) => (await COMMANDS[n]()) as Command));
}

/** A command's name: the first word of its yargs spec. */
function nameOf(c: Command): string {
  return c.command.split(' ')[0];
}

/**
 * yargs' "Not enough non-option arguments: got 2, need at least 3" with what the command takes:
 * "object: expected <dump> <binary> <address>, got 2 arguments (goheap help object)".
 */
function argumentCountHint(commands: readonly Command[], argv: string[], msg: string): string {
  const guess = /^Did you mean (\S+)\?$/.exec(msg);
  if (guess && argv[0] !== undefined && !Object.hasOwn(COMMANDS, argv[0])) {
    return `no command ${JSON.stringify(argv[0])}; did you mean ${guess[1]}? (goheap --help lists the commands)`;
  }
  // A word that is no command at all (yargs says "Unknown arguments: referrers, heap.dump, ..."): say so, with the
  // command that answers it when it is another tool's name for one.
  if (/^Unknown arguments?:/.test(msg) && argv[0] !== undefined && !argv[0].startsWith('-') && !Object.hasOwn(COMMANDS, argv[0])) {
    const other = OTHER_NAMES[argv[0].toLowerCase()];
    return `no command ${JSON.stringify(argv[0])}${other ? `; ${other}` : ''} (commands: ${NAMES.join(', ')}; goheap --help describes them)`;
  }
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

/**
 * yargs' multi-line messages as one line naming the option: "Invalid values:\n  Argument: sort, Given: "bogus",
 * Choices: "retained", "size"" is "--sort: expected one of retained, size, got "bogus"".
 */
function oneLine(msg: string): string {
  const m = /^Invalid values:\s*Argument: ([^,]+), Given: (.*), Choices: (.*)$/s.exec(msg.trim());
  if (m) return `--${m[1]}: expected one of ${m[3].replace(/"/g, '').trim()}, got ${m[2].trim()}`;
  return msg.trim().replace(/\s*\n\s*/g, ' ');
}

function parser(argv: string[], commands: readonly Command[]): ReturnType<typeof yargs> {
  let y = yargs(argv)
    .scriptName('goheap')
    .usage('$0 <command> DUMP [BINARY] [options]\n\nExplore Go heap dumps (runtime/debug.WriteHeapDump).')
    .option('json', { type: 'boolean', describe: 'print one JSON document instead of text', global: true })
    .option('quiet', { alias: 'q', type: 'boolean', describe: 'no progress output on stderr', global: true })
    .strict()
    .demandCommand(1, `name a command: ${NAMES.join(', ')} (goheap --help describes them)`)
    .recommendCommands()
    .help()
    .version(goheapVersion())
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      // Our own errors pass through; yargs' checks (a message, and at most its own error) are usage errors; an error
      // without a message is a command's failure, passed on as it is (a bug unless it is an input error).
      if (err instanceof UsageError || err instanceof GoheapError) throw err;
      if (msg && (!err || err.message === msg)) throw new UsageError(argumentCountHint(commands, argv, oneLine(msg)));
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
    process.stdout.write(`${await parser([], await load()).getHelp()}\n`);
    process.exitCode = 1;
    return;
  }
  if (argv[0] === 'help') {
    if (argv.length > 2) throw new UsageError('help: expected at most one command name');
    const name = argv[1];
    if (name === undefined) return main(['--help']);
    if (!Object.hasOwn(COMMANDS, name)) {
      throw new UsageError(`help: no command ${JSON.stringify(name)}; the commands are ${NAMES.join(', ')}`);
    }
    return main([name, '--help']);
  }
  // A known command needs only its own module; --version none; anything else (--help, a typo) the full list.
  const only = Object.hasOwn(COMMANDS, argv[0]) ? [argv[0]] : argv.length === 1 && argv[0] === '--version' ? [] : NAMES;
  await parser(argv, await load(only)).parseAsync();
}

guardStdout();
main(hideBin(process.argv)).catch(exitWithError);
