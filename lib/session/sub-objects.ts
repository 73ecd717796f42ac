// The sub-objects of tiny allocator blocks as instances: the runtime packs pointer-free allocations under 16 bytes
// (a boxed uint16, a 4-byte struct, short string bytes) several to one 16-byte block, and type recovery lists them
// (RecoveredTypes.tinyObjects, sorted by block and offset). The session numbers sub-object k objectCount + k, after
// the objects; this class answers what an index means for them (block, address, size, type) and which of a block's
// referrers point into one of them.
import type { HeapGraph } from '../graph/index.js';
import { TypingKind, type HeapTypes, type ObjectDescription, type TinyObjects } from '../typing/index.js';
import type { Referrer } from './referrers.js';

export class SubObjects {
  private readonly tiny: TinyObjects | undefined;
  private readonly n: number;

  constructor(
    private readonly graph: HeapGraph,
    private readonly types: HeapTypes,
  ) {
    this.tiny = types.tinyObjects;
    this.n = graph.objectCount;
  }

  /** How many sub-objects there are. */
  get count(): number {
    return this.tiny?.object.length ?? 0;
  }

  /** The block of sub-object i (objectCount + k); an object's own index for an object. */
  blockOf(i: number): number {
    return i < this.n ? i : this.tiny!.object[i - this.n];
  }

  offset(i: number): number {
    return this.tiny!.place[i - this.n] & 255;
  }

  address(i: number): number {
    return this.graph.addressOf(this.blockOf(i)) + this.offset(i);
  }

  size(i: number): number {
    return this.tiny!.place[i - this.n] >>> 8;
  }

  typeName(i: number): string {
    return this.types.typeNames[this.tiny!.typing[i - this.n]];
  }

  /** The index k of block b's first sub-object in the tiny arrays, or -1 when b is no tiny block with sub-objects. */
  first(b: number): number {
    const t = this.tiny;
    if (t === undefined || t.object.length === 0) return -1;
    const id = this.types.typeIdAt(b);
    if (id === 0 || this.typingKind(id) !== TypingKind.TinyBlock) return -1;
    let lo = 0;
    let hi = t.object.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (t.object[mid] < b) lo = mid + 1;
      else hi = mid;
    }
    return lo < t.object.length && t.object[lo] === b ? lo : -1;
  }

  /** The sub-objects of block b as indices (objectCount + k), by offset; none for another object. */
  of(b: number): number[] {
    const out: number[] = [];
    const k0 = this.first(b);
    if (k0 < 0) return out;
    const t = this.tiny!;
    for (let k = k0; k < t.object.length && t.object[k] === b; k++) out.push(this.n + k);
    return out;
  }

  /** The typing (type id) of sub-object i. */
  typing(i: number): number {
    return this.tiny!.typing[i - this.n];
  }

  /** The sub-object of block b covering byte `offset`, as an index, or undefined. */
  at(b: number, offset: number): number | undefined {
    const t = this.tiny;
    const lo = this.first(b);
    if (t === undefined || lo < 0) return undefined;
    for (let k = lo; k < t.object.length && t.object[k] === b; k++) {
      const off = t.place[k] & 255;
      if (offset >= off && offset < off + (t.place[k] >>> 8)) return this.n + k;
    }
    return undefined;
  }

  private typingKind(id: number): number {
    const tb = (this.types as { typings?: { kind: number[] } }).typings;
    return tb === undefined ? -1 : tb.kind[id];
  }

  /**
   * What the pointer at `offset` in object o, whose target is object t, points at: the sub-object of t it lands in
   * when t is a tiny block, else t.
   */
  landing(o: number, offset: number, t: number): number {
    if (this.tiny === undefined || this.tiny.object.length === 0) return t;
    const v = this.word(o, offset);
    return v < 0 ? t : this.at(t, v - this.graph.addressOf(t)) ?? t;
  }

  /** True when referrer r of sub-object i's block points inside sub-object i. */
  pointsInto(i: number, r: Referrer, rootsByTarget: Uint32Array): boolean {
    const lo = this.address(i);
    const hi = lo + this.size(i);
    let v: number;
    if (r.kind === 'object') v = this.word(r.object, r.offset);
    else {
      // A root: the roots of the block point at some address in it; keep this root node's slots that land inside.
      const roots = this.graph.roots;
      const b = this.blockOf(i);
      for (const k of rootsByTarget) {
        if (roots.target[k] !== b) continue;
        if (roots.value[k] >= lo && roots.value[k] < hi) return true;
      }
      return false;
    }
    return v >= lo && v < hi;
  }

  /** The pointer-sized word at `offset` in object o. */
  private word(o: number, offset: number): number {
    const p = this.graph.params.ptrSize;
    const b = this.graph.objectContent(o);
    if (offset + p > b.length) return -1;
    const le = !this.graph.params.bigEndian;
    let v = 0;
    for (let k = 0; k < p; k++) v = v * 256 + b[offset + (le ? p - 1 - k : k)];
    return v;
  }

  /**
   * Sub-object i described from its block's description: the block's fields that lie in it (named "<T at +off>..."
   * there), renamed from the sub-object's start, and its own address, size, type and referrers.
   */
  describe(i: number, block: ObjectDescription, referrers: number): ObjectDescription {
    const off = this.offset(i);
    const size = this.size(i);
    const type = this.typeName(i);
    const label = `<${type} at +${off}>`;
    const fields = block.fields.filter((f) => f.offset >= off && f.offset < off + size && f.name.startsWith(label)).map((f) => {
      const rest = f.name.slice(label.length).replace(/^\./, '');
      return { ...f, name: rest === '' ? '(value)' : rest, offset: f.offset - off };
    });
    const { subObjects: _subs, ...common } = block;
    return {
      ...common, address: `0x${this.address(i).toString(16)}`, index: i, size, type, typed: true, inferred: false, referrers, fields,
      block: { address: block.address, index: block.index, offset: off },
    };
  }
}
