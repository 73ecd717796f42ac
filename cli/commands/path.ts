// `goheap path DUMP [BINARY] ADDRESS`: why an object is alive: the shortest path from a root to it, field by field,
// and every kind of root that reaches it.
import type { Argv } from 'yargs';
import { count, pathAnswer } from '../../lib/answers/index.js';
import { UsageError } from '../errors.js';
import { type AnalysisArgs, cacheOption, fieldSuffix, hexAddress, openForCommand, parseAddress } from '../open-heap.js';

/** The deepest a path's line is indented. */
const MAX_INDENT = 32;

export const command = 'path <dump> <rest..>';
export const describe = 'Show the shortest path from a root to the object at ADDRESS (args: DUMP [BINARY] ADDRESS)';

export interface PathArgs extends AnalysisArgs {
  rest: string[];
}

export function builder(y: Argv): Argv<PathArgs> {
  const a = y
    .positional('dump', { type: 'string', describe: 'heap dump written by runtime/debug.WriteHeapDump', demandOption: true })
    .positional('rest', { type: 'string', array: true, describe: '[BINARY] ADDRESS (hex 0x... or decimal; inside the object is fine)' }) as unknown as Argv<PathArgs>;
  return cacheOption(a).example('$0 path heapdump mybinary 0xc000123456', 'what keeps that object alive');
}

export async function run(args: PathArgs): Promise<void> {
  const rest = args.rest.map(String);
  if (rest.length < 1 || rest.length > 2) throw new UsageError('path: expected DUMP [BINARY] ADDRESS');
  const address = parseAddress(rest[rest.length - 1]);
  if (Number.isNaN(address)) throw new UsageError(`path: ${rest[rest.length - 1]} is not an address (0x... or decimal)`);
  const binary = rest.length === 2 ? rest[0] : undefined;
  const h = await openForCommand(args.dump, binary, args);
  const object = h.findInstance(address);
  if (object < 0) {
    // A global's own bytes ("*main.Cache", a value the linker allocated, is one) are a root: no path leads there.
    const g = h.globalAt(address);
    const inGlobal = g === undefined ? '' : `: it is in global ${g.name}, a root itself (goheap object DUMP BINARY '${g.name}' shows what it holds)`;
    throw new UsageError(`${args.dump}: no heap object at ${hexAddress(address)}${inGlobal}`);
  }
  const out = pathAnswer(h, object);
  if (args.json) {
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return;
  }
  const hops = out.path;
  const alive = out;
  if (hops.length === 0) {
    process.stdout.write(`${out.object.address} (${out.object.type}) is unreachable: no root keeps it alive\n`);
    return;
  }
  // A root hop reads "global main.Cache" or "goroutine 4 (main.handle)"; the first object hop says which slot of
  // the root holds it (a global's field, a frame's function and variable).
  // Indented by depth, up to a point; a long chain's hops in one line (`.Next → 999,997 x main.Node from 0x...`).
  const lines = hops.map((p, k) => (p.kind === 'object'
    ? `${'  '.repeat(Math.min(k, MAX_INDENT))}${k > 1 ? `${fieldSuffix(p.field ?? undefined)} → ` : k === 1 ? `→ (${p.field}) ` : ''}${p.repeat !== undefined ? `${count(p.repeat)} x ${p.type} from ${p.address}` : `${p.address} ${p.type}`}`
    : p.name.startsWith(`${p.kind} `) ? p.name : `${p.kind} ${p.name}`));
  lines.push(`kept alive by: ${alive.rootKinds.join(', ')} (${alive.roots.length} root node${alive.roots.length === 1 ? '' : 's'})`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
