// What the DOT exporter writes about one thing of the heap, in every mode: an object's node (type, address, size,
// retained size, a string's first bytes; garbage greyed), a root node's (a global, a goroutine with its frames, the
// finalizers), the label of a root slot's edge, and field names of pointer edges (cached per type and offset).
import type { HeapSession, TreeNode } from '../session/index.js';
import { rootReferrer } from '../session/referrers.js';
import { logicalFrames, quote } from '../typing/index.js';
import { type DotAttrs, GARBAGE, ROOT, bytes, count, hex, labelText } from './dot-syntax.js';

/** Node id of object i, of root node k. */
export function objectId(i: number): string {
  return `o${i}`;
}
export function rootId(k: number): string {
  return `r${k}`;
}

/** Bytes of a string's contents shown in its label. */
const STRING_PREVIEW = 32;
/** Frames listed in a goroutine's label (runs of one function count as one line). */
const FRAME_LINES = 12;

/** The attributes of object i's node: label (type, address, size, retained size), tooltip, garbage style. */
export function objectAttrs(s: HeapSession, i: number, extra: readonly string[] = []): DotAttrs {
  const type = s.typeName(i);
  const lines = [type, hex(s.address(i))];
  if (type === 'string data') lines.push(stringPreview(s, i));
  lines.push(...tinyContents(s, i));
  lines.push(...extra);
  const reachable = s.isReachable(i);
  lines.push(reachable ? `${bytes(s.size(i))}, retains ${bytes(s.retained(i))}` : `${bytes(s.size(i))}, garbage`);
  const tooltip = `${type} at ${hex(s.address(i))}: size ${s.size(i)} B, ${reachable ? `retained ${s.retained(i)} B` : 'unreachable (garbage)'}`;
  return { label: labelText(lines), tooltip, ...(reachable ? {} : GARBAGE) };
}

/**
 * What a tiny allocator block holds, by type and count ("holds 2 main.Num, 1 main.Dot"), so that the boxed values
 * living in tiny blocks are in the picture; nothing for another object.
 */
export function tinyContents(s: HeapSession, i: number): string[] {
  const subs = s.subObjectsOf(i);
  if (subs.length === 0) return [];
  const byType = new Map<string, number>();
  for (const k of subs) byType.set(s.typeName(k), (byType.get(s.typeName(k)) ?? 0) + 1);
  return [`holds ${[...byType].map(([t, c]) => `${c} ${t}`).join(', ')}`];
}

/** The first bytes of a string object, quoted Go-style (non-printable bytes as \xNN). */
function stringPreview(s: HeapSession, i: number): string {
  const b = s.graph.objectContent(i);
  const n = Math.min(b.length, STRING_PREVIEW);
  return b.length > n ? `${quote(b.subarray(0, n), n)}…` : quote(b, n);
}

/** The goroutine index of each goroutine root node (by the g's address), -1 for other root nodes. */
export function goroutineOfRootNode(s: HeapSession): Int32Array {
  const rn = s.rootNodes;
  const byAddress = new Map<number, number>();
  s.graph.goroutines.forEach((g, k) => byAddress.set(g.address, k));
  const out = new Int32Array(rn.count).fill(-1);
  // A group of goroutines with identical stacks carries its first goroutine's address.
  for (let k = 0; k < rn.count; k++) if (String(rn.kind[k]).startsWith('goroutine')) out[k] = byAddress.get(rn.address[k]) ?? -1;
  return out;
}

/**
 * A goroutine's frames as Go prints them (inlined calls as `f(...)` before their caller), innermost first, a run of
 * the same function as one line ("main.recurse ×31").
 */
export function frameLines(s: HeapSession, g: number): string[] {
  const f = s.graph.frames;
  const first = f.goroutineFirstFrame[g];
  const names: string[] = [];
  for (let r = first; r < first + f.goroutineFrameCount[g]; r++) {
    for (const x of logicalFrames(s.program, s.graph, r)) names.push(x.inlined ? `${x.function}(...)` : x.function);
  }
  const n = names.length;
  const lines: string[] = [];
  let k = 0;
  while (k < n && lines.length < FRAME_LINES) {
    let run = 1;
    while (k + run < n && names[k + run] === names[k]) run++;
    lines.push(run > 1 ? `${names[k]} ×${run}` : names[k]);
    k += run;
  }
  if (k < n) lines.push(`… ${n - k} more frames`);
  return lines;
}

/** The attributes of root node k's node: what it is (a global, a goroutine and its frames, ...) and what it retains. */
export function rootAttrs(s: HeapSession, k: number, goroutine: number): DotAttrs {
  const rn = s.rootNodes;
  const kind = rn.kind[k];
  const group = String(kind) === 'goroutines';
  const lines = [kind === 'global' ? `global ${rn.name[k]}` : group ? `goroutines ${rn.name[k]} (identical stacks)` : rn.name[k]];
  if (goroutine >= 0) lines.push(...frameLines(s, goroutine));
  lines.push(`retains ${bytes(s.rootRetained(k))}`);
  const tooltip = `${kind} ${rn.name[k]}${rn.address[k] ? ` at ${hex(rn.address[k])}` : ''}: retains ${s.rootRetained(k)} B`;
  return { ...ROOT, label: labelText(lines), tooltip };
}

/** The label of root table row r's edge: the global's field, the frame's function and variable, "finalizer"... */
export function rootSlotLabel(s: HeapSession, r: number): string {
  const ref = rootReferrer(s.graph, s.types, s.rootNodes, s.program, r);
  return ref.kind === 'root' ? slotText(ref.name, ref.rootKind, ref.slot) : '';
}

/** A root slot as an edge label: a global's field inside it (the node already names the global), else the slot. */
export function slotText(name: string, rootKind: string, slot: string): string {
  if (rootKind === 'global' && slot.startsWith(name)) return slot.slice(name.length).replace(/^\./, '');
  return slot;
}

/**
 * Field names of pointer slots, cached per (type id, offset): objects of one type share them. Without a type the
 * slot is named by its offset ("+0x18"). `format` (e.g. DOT quoting) is applied once per cached name.
 */
export class FieldNames {
  /** Per type id: names by pointer-slot index (offset / slot). */
  private readonly byType: (string[] | undefined)[] = [];
  private readonly big = new Map<number, string>();
  private readonly slot: number;

  constructor(private readonly s: HeapSession, private readonly format: (name: string) => string = (x) => x) {
    this.slot = s.graph.params.ptrSize || 8;
  }

  /** The field of object i at byte `offset`. */
  name(i: number, offset: number): string {
    const t = this.s.types.objectType[i];
    const k = offset / this.slot;
    if (t !== 0 && k < 65536 && Number.isInteger(k)) {
      let names = this.byType[t];
      if (names === undefined) names = this.byType[t] = [];
      let f = names[k];
      if (f === undefined) f = names[k] = this.lookup(i, t, offset);
      return f;
    }
    const key = t * 4294967296 + offset;
    let f = this.big.get(key);
    if (f === undefined) {
      f = this.lookup(i, t, offset);
      if (this.big.size >= 1 << 20) this.big.clear();
      this.big.set(key, f);
    }
    return f;
  }

  private lookup(i: number, t: number, offset: number): string {
    const name = t === 0 ? undefined : this.s.types.fieldName(i, offset);
    return this.format(name ?? `+0x${offset.toString(16)}`);
  }
}

/** A short phrase for a number of objects: "1 object", "1,234 objects". */
export function objects(n: number): string {
  return `${count(n)} object${n === 1 ? '' : 's'}`;
}

/** The node id of a dominator-tree node. */
export function treeNodeId(n: TreeNode): string {
  return n.kind === 'object' ? objectId(n.object) : n.kind === 'root' ? rootId(n.rootNode) : 'roots';
}
