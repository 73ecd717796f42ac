// `goheap object DUMP BINARY ADDRESS`: one heap object decoded through its recovered type: fields with names,
// offsets, types and values, whether it is reachable, and how many objects point to it.
import type { Argv } from 'yargs';
import { UsageError } from '../errors.js';
import { bytes, keyValues } from '../format.js';
import { objectAnswer } from '../../lib/answers/index.js';
import { hexAddress, openForCommand, parseAddress } from '../open-heap.js';

export const command = 'object <dump> <binary> <address>';
export const describe = 'Decode one heap object (any address inside it) through its recovered type';

export interface ObjectArgs {
  dump: string;
  binary: string;
  address: string;
  json?: boolean;
  quiet?: boolean;
  cache?: boolean;
}

export function builder(y: Argv): Argv<ObjectArgs> {
  return y
    .positional('dump', { type: 'string', describe: 'heap dump written by runtime/debug.WriteHeapDump', demandOption: true })
    .positional('binary', { type: 'string', describe: 'the executable that wrote it', demandOption: true })
    .positional('address', { type: 'string', describe: 'address of the object (hex 0x... or decimal)', demandOption: true })
    .option('cache', { type: 'boolean', default: true, describe: 'use the persisted index (--no-cache skips it)' })
    .example('$0 object heapdump mybinary 0xc000010000', 'fields and values of the object') as Argv<ObjectArgs>;
}

export async function run(args: ObjectArgs): Promise<void> {
  const address = parseAddress(String(args.address));
  if (!Number.isSafeInteger(address)) throw new UsageError(`not an address: ${args.address} (use hex 0x... or decimal)`);
  const h = await openForCommand(args.dump, args.binary, args);
  const i = h.findObject(address);
  if (i < 0) throw new UsageError(`${args.dump}: no heap object contains address ${hexAddress(address)}`);
  const d = objectAnswer(h, i);
  if (args.json) {
    process.stdout.write(`${JSON.stringify(d, null, 2)}\n`);
    return;
  }
  const head = keyValues([
    ['address', `${d.address}${address !== h.address(i) ? ` (contains ${hexAddress(address)})` : ''}`],
    ['type', d.type],
    ['size', bytes(d.size)],
    ['reachable', d.reachable ? 'yes' : 'no (garbage)'],
    ['referrers', String(d.referrers)],
    ['retained', bytes(d.retained)],
    ['dominator', d.dominator ?? 'none (unreachable)'],
  ]);
  const wName = Math.max(5, ...d.fields.map((f) => f.name.length));
  const wType = Math.max(4, ...d.fields.map((f) => f.type.length));
  const lines = d.fields.map((f) => `  +${String(f.offset).padEnd(6)} ${f.name.padEnd(wName)}  ${f.type.padEnd(wType)}  ${f.value}`);
  process.stdout.write(`${head}\nfields:\n${lines.join('\n')}\n`);
}
