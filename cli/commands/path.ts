// `goheap path DUMP [BINARY] ADDRESS`: why an object is alive: the shortest path from a root to it, field by field,
// and every kind of root that reaches it.
import type { Argv } from 'yargs';
import { UsageError } from '../errors.js';
import { type AnalysisArgs, cacheOption, fieldSuffix, hexAddress, openForCommand, parseAddress } from '../open-heap.js';

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
  const object = h.findObject(address);
  if (object < 0) throw new UsageError(`${args.dump}: no heap object at ${hexAddress(address)}`);
  const types = h.types;
  const hops = h.pathToRoot(object);
  const alive = h.rootsKeepingAlive(object);
  const rn = h.rootNodes;
  if (args.json) {
    const out = {
      object: { address: hexAddress(h.graph.objectAddress[object]), type: types.objectTypeName(object), size: h.graph.objectSize[object],
        retained: h.retained(object) },
      reachable: hops.length > 0,
      path: hops.map((p) => ({ kind: p.kind, name: p.name, address: hexAddress(p.address), type: p.type ?? null, field: p.field ?? null })),
      rootKinds: alive.kinds,
      roots: alive.rootNodes.slice(0, 50).map((k) => ({ kind: rn.kind[k], name: rn.name[k] })),
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return;
  }
  if (hops.length === 0) {
    process.stdout.write(`${hexAddress(h.graph.objectAddress[object])} (${types.objectTypeName(object)}) is unreachable: no root keeps it alive\n`);
    return;
  }
  const lines = hops.map((p, k) => (p.kind === 'object'
    ? `${'  '.repeat(k)}${k > 1 ? `${fieldSuffix(p.field)} → ` : k === 1 ? '→ ' : ''}${hexAddress(p.address)} ${p.type}`
    : `${p.kind} ${p.name}`));
  lines.push(`kept alive by: ${alive.kinds.join(', ')} (${alive.rootNodes.length} root node${alive.rootNodes.length === 1 ? '' : 's'})`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
