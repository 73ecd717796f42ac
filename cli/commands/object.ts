// `goheap object DUMP BINARY ADDRESS|GLOBAL`: one heap object decoded through its recovered type: fields with names,
// offsets, types and values, whether it is reachable, how many objects point to it, and where it was allocated when
// the dump sampled it; or a global variable (main.Cache) in the same shape.
import type { Argv } from 'yargs';
import { UsageError } from '../errors.js';
import { bytes, keyValues } from '../format.js';
import { globalAnswer, objectAnswer, type ObjectAnswer } from '../../lib/answers/index.js';
import { hexAddress, openForCommand, parseAddress } from '../open-heap.js';

export const command = 'object <dump> <binary> <address>';
export const describe = 'Decode one heap object (any address inside it) or a global variable (main.Cache) through its type';

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
    .positional('address', { type: 'string', describe: 'address of the object (hex 0x... or decimal), or a global variable\'s name (main.Cache)', demandOption: true })
    .option('cache', { type: 'boolean', default: true, describe: 'use the persisted index (--no-cache skips it)' })
    .example('$0 object heapdump mybinary 0xc000010000', 'fields and values of the object')
    .example('$0 object heapdump mybinary main.Cache', 'fields and values of a global variable') as Argv<ObjectArgs>;
}

export async function run(args: ObjectArgs): Promise<void> {
  const text = String(args.address);
  const address = parseAddress(text);
  const isName = Number.isNaN(address) && /^[^\s]+\.[^\s]+$/.test(text.trim());
  if (!isName && !Number.isSafeInteger(address)) throw new UsageError(`not an address: ${args.address} (use hex 0x..., decimal, or a global's name such as main.Cache)`);
  const h = await openForCommand(args.dump, args.binary, args);
  let d: ObjectAnswer;
  let contains = '';
  // Pointers from the nearest root to the object (as the viewer's object page says it), for the text output.
  let distance = -1;
  if (isName) {
    const g = h.findGlobal(text.trim());
    if (!g) throw new UsageError(`${args.binary}: no global variable ${JSON.stringify(text.trim())} in the binary's DWARF`);
    d = globalAnswer(h, g);
  } else {
    const i = h.findInstance(address);
    // Not a heap object: a global's bytes (a value the linker allocated, "*main.Cache", is one) are answered as it.
    const g = i < 0 ? h.globalAt(address) : undefined;
    if (i < 0 && g === undefined) throw new UsageError(`${args.dump}: no heap object contains address ${hexAddress(address)}`);
    if (g !== undefined) {
      d = globalAnswer(h, g);
      if (address !== g.address) contains = ` (contains ${hexAddress(address)})`;
    } else {
      d = objectAnswer(h, i);
      if (address !== h.address(i)) contains = ` (contains ${hexAddress(address)})`;
      if (!args.json && d.reachable) distance = h.distance(i);
    }
  }
  if (args.json) {
    process.stdout.write(`${JSON.stringify(d, null, 2)}\n`);
    return;
  }
  const head = keyValues(d.global !== undefined ? [
    ['global', d.global],
    ['address', `${d.address}${contains}`],
    ['type', d.type],
    ['size', bytes(d.size)],
    ['retained', bytes(d.retained)],
    ['reachable', bytes(d.reachableBytes ?? 0)],
    ...(d.pointsAt ? [['points at', `${d.pointsAt.global} (${d.pointsAt.address}, ${d.pointsAt.type}, allocated statically): retains ${bytes(d.pointsAt.retained)}, reaches ${bytes(d.pointsAt.reachableBytes)}`] as [string, string]] : []),
  ] : [
    ['address', `${d.address}${contains}`],
    ['type', d.type],
    ['size', bytes(d.size)],
    ['reachable', d.reachable ? (distance > 0 ? `yes, ${distance} pointer${distance === 1 ? '' : 's'} from a root` : 'yes') : 'no (garbage)'],
    // Heap objects only: a root that points at it (a global, a goroutine's variable) is the path's first hop.
    ['referrers', `${d.referrers} object${d.referrers === 1 ? '' : 's'}${d.unreachableReferrers > 0 ? ` (${d.unreachableReferrers} of them unreachable: garbage not yet freed)` : ''}`],
    ['retained', bytes(d.retained)],
    ['dominator', d.dominator ?? 'none (unreachable)'],
  ]);
  const wName = Math.max(5, ...d.fields.map((f) => f.name.length));
  const wType = Math.max(4, ...d.fields.map((f) => f.type.length));
  const lines = d.fields.map((f) => `  +${String(f.offset).padEnd(6)} ${f.name.padEnd(wName)}  ${f.type.padEnd(wType)}  ${f.value}`);
  const alloc = d.allocation ? `\nallocated at:\n${d.allocation.frames.map((f) => `  ${f.inlined ? `${f.function}(...)` : f.function}  ${f.file}:${f.line}`).join('\n')}` : '';
  process.stdout.write(`${head}\nfields:\n${lines.join('\n')}${alloc}\n`);
}
