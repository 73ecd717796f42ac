// `goheap dot DUMP [BINARY]` (and the `dumptodot` bin, cli/dumptodot.ts, which shares these options): the heap as
// Graphviz DOT on stdout or in -o FILE: the top of the dominator tree (default, --max-nodes), every object (--all),
// an object's or global's neighbourhood and paths to roots (--focus), or the type graph (--by-type). What was cut goes
// to stderr. The file is written under a temporary name and renamed; the input is never written over.
import type { Argv } from 'yargs';
import { UsageError } from '../errors.js';
import { type AnalysisArgs, cacheOption, numberOption, openForCommand } from '../open-heap.js';
import { parseNumberOption } from '../options.js';
// Straight from the DOT modules, not the folder's index: dumptodot loads no other exporter.
import { cutLines, DEFAULT_MAX_NODES, DEFAULT_TREE_NODES, type DotMode, exportDot } from '../../lib/export/dot.js';
import { FORMATS, OutputSink } from '../../lib/export/output.js';

export const command = 'dot <dump> [binary]';
export const describe = 'Write the heap as a Graphviz DOT graph (top of the dominator tree, --all, --focus, --by-type)';

export interface DotArgs extends AnalysisArgs {
  output: string;
  'max-nodes': unknown;
  all?: boolean;
  focus?: string;
  depth: unknown;
  'by-type'?: boolean;
}

/** The options of `goheap dot` and `dumptodot`. */
export function dotOptions(y: Argv): Argv<DotArgs> {
  let a = y
    .positional('dump', { type: 'string', describe: 'heap dump written by runtime/debug.WriteHeapDump', demandOption: true })
    .positional('binary', { type: 'string', describe: 'the executable that wrote it (for types, field and global names)' })
    .option('output', { alias: 'o', type: 'string', default: '-', describe: 'write the DOT to FILE (- for stdout)' })
    .option('all', { type: 'boolean', describe: 'every object and pointer, streamed (for tools; too big for dot on large heaps); with --by-type: count unreachable objects too' })
    .option('focus', { type: 'string', describe: 'an object (ADDRESS, inside it is fine) or a GLOBAL (main.Cache): its neighbourhood and paths to roots' })
    .option('by-type', { type: 'boolean', describe: 'the type graph of the reachable objects (--all: of every object): a node per type, an edge per pointing field' }) as unknown as Argv<DotArgs>;
  // No yargs default: the default depends on the mode (checked in run()).
  a = a.option('max-nodes', {
    type: 'string',
    describe: `most nodes drawn; above it the smaller dominator subtrees are collapsed (a whole number >= 1; default ${DEFAULT_TREE_NODES}, with --focus and --by-type ${DEFAULT_MAX_NODES})`,
  });
  a = numberOption(a, 'depth', { describe: 'with --focus: pointers away from the object, both ways', default: 1, min: 0, max: 10, integer: true });
  return cacheOption(a);
}

export function builder(y: Argv): Argv<DotArgs> {
  return dotOptions(y)
    .example('$0 dot heapdump mybinary > heap.dot && dot -Tsvg heap.dot > heap.svg', 'the biggest retainers, drawn')
    .example('$0 dot heapdump mybinary --focus main.Cache -o cache.dot', 'what main.Cache points to and holds');
}

/** Runs the export for `goheap dot` and `dumptodot`. */
export async function run(args: DotArgs): Promise<void> {
  // With --by-type, --all means "unreachable objects too" (as for `goheap types`), not the every-object picture.
  const typesAll = args['by-type'] === true && args.all === true;
  const modes = [args.all && !typesAll ? '--all' : '', args.focus !== undefined ? '--focus' : '', args['by-type'] ? '--by-type' : ''].filter((m) => m !== '');
  if (modes.length > 1) throw new UsageError(`${modes.join(' and ')}: choose one`);
  const mode: DotMode = args.all && !typesAll ? 'all' : args.focus !== undefined ? 'focus' : args['by-type'] ? 'types' : 'tree';
  const maxNodes = args['max-nodes'] === undefined ? undefined : parseNumberOption('max-nodes', args['max-nodes'], { describe: '', default: DEFAULT_MAX_NODES, min: 1, integer: true });
  const depth = parseNumberOption('depth', args.depth, { describe: '', default: 1, min: 0, max: 10, integer: true });
  const output = String(args.output);
  if (output === '-' && process.stdout.isTTY) {
    throw new UsageError('stdout is a terminal: redirect it (> heap.dot) or name a file with -o heap.dot');
  }
  // Check the output path before the (possibly long) load: not an input, not a folder.
  const sink = OutputSink.open(output, { inputs: [args.dump, args.binary], format: FORMATS.dot });
  try {
    const session = await openForCommand(args.dump, args.binary, { ...args, json: false });
    const summary = await exportDot(session, sink, { mode, maxNodes, focus: args.focus, depth, unreachable: typesAll });
    await sink.finish();
    if (!args.quiet) for (const line of cutLines(summary)) process.stderr.write(`goheap: dot: ${line}\n`);
    session.close();
  } catch (e) {
    sink.abort();
    throw e;
  }
}
