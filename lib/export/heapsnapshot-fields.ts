// FieldNames: the name of every pointer slot of every object, for exporters that name each edge (the heap snapshot
// and the pprof retention profile). HeapTypes.fieldName(i, offset) is the one place that knows the names; this
// cache asks it once per (layout, slot) instead of once per edge. A layout is a typing id with an object size: all
// objects of one layout have the same field at the same offset (the malloc header's size depends only on both).
// Arrays ("[N]T", slices' backing arrays, map groups) are cached by the slot's offset inside its element, and the
// element's index is reported apart, so a 1M-element array costs one cache entry per pointer slot of T.
import type { HeapGraph } from '../graph/index.js';
import { type HeapTypes, RecoveredTypes, TypingKind } from '../typing/index.js';

/** Layout kinds. */
const PLAIN = 0;
const ARRAY = 1;
/** Asked of HeapTypes on every lookup: tiny blocks, whose sub-objects differ from block to block. */
const DIRECT = 2;
/** Layouts whose slot range (object or element size) is at most this many bytes get a table instead of a Map. */
const SLOT_TABLE_MAX = 1 << 16;

export class FieldNames {
  /** Field names by id; id 0 is "" (an array element itself, no field inside it). */
  readonly names: string[] = [''];
  /** After lookup(): the array element index the slot is in, or -1 when the object is not an array. */
  element = -1;
  /**
   * After lookup(): the id (in names) of the slot's field path, inside the element for arrays ("Next", ".elem",
   * "[3]", "" for the element itself), or of "+0x18" for a word no type names.
   */
  name = 0;

  private readonly ids = new Map<string, number>([['', 0]]);
  private readonly layoutOf = new Map<number, number>();
  private readonly layoutKind: number[] = [];
  private readonly layoutBase: number[] = [];
  private readonly layoutElem: number[] = [];
  private readonly layoutCount: number[] = [];
  private readonly layoutCache: Map<number, number>[] = [];
  /** Per layout, for a slot range up to SLOT_TABLE_MAX bytes: name ids by (offset in range) / 4, -1 not yet known. */
  private readonly layoutSlots: (Int32Array | undefined)[] = [];
  private readonly objectType: Uint32Array;
  private readonly size: Uint32Array;
  private object = -1;
  private layout = -1;
  private lastKey = -1;

  constructor(graph: HeapGraph, private readonly types: HeapTypes) {
    this.objectType = types.objectType;
    this.size = graph.objectSize;
  }

  /** The id of `s` in names (added if new). */
  intern(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(s);
      this.ids.set(s, id);
    }
    return id;
  }

  /** Makes object i the one lookup() answers for (call once per object, before its slots). */
  setObject(i: number): void {
    this.object = i;
    const key = this.objectType[i] * 4294967296 + this.size[i];
    if (key === this.lastKey) return;
    this.lastKey = key;
    let l = this.layoutOf.get(key);
    if (l === undefined) {
      l = this.layoutKind.length;
      this.layoutOf.set(key, l);
      let kind = PLAIN;
      let base = 0;
      let elem = 0;
      let count = 0;
      if (this.objectType[i] !== 0 && this.types instanceof RecoveredTypes) {
        const t = this.types.typing(i);
        base = t.base;
        if (t.kind === TypingKind.TinyBlock) kind = DIRECT;
        else if (t.kind === TypingKind.Array && t.goType !== undefined && t.goType.size > 0) {
          kind = ARRAY;
          elem = t.goType.size;
          count = t.count;
        }
      }
      this.layoutKind.push(kind);
      this.layoutBase.push(base);
      this.layoutElem.push(elem);
      this.layoutCount.push(count);
      this.layoutCache.push(new Map());
      const range = kind === ARRAY ? elem : this.size[i];
      this.layoutSlots.push(kind !== DIRECT && range <= SLOT_TABLE_MAX ? new Int32Array((range >>> 2) + 1).fill(-1) : undefined);
    }
    this.layout = l;
  }

  /** Names the pointer slot at byte `offset` of the current object: sets element and name. */
  lookup(offset: number): void {
    const l = this.layout;
    const kind = this.layoutKind[l];
    if (kind === ARRAY) {
      const rel = offset - this.layoutBase[l];
      const elem = this.layoutElem[l];
      const k = Math.floor(rel / elem);
      if (rel >= 0 && k < this.layoutCount[l]) {
        const r = rel - k * elem;
        const slots = this.layoutSlots[l];
        let id = slots !== undefined && (r & 3) === 0 ? slots[r >>> 2] : this.layoutCache[l].get(r) ?? -1;
        if (id < 0) {
          // fieldName names the slot of element 0 as "[0]", "[0].Next" or "[0][3]": keep what follows "[0]".
          const full = this.types.fieldName(this.object, this.layoutBase[l] + r);
          id = this.intern(full === undefined ? '' : full.startsWith('[0]') ? full.slice(3) : full);
          if (slots !== undefined && (r & 3) === 0) slots[r >>> 2] = id;
          else this.layoutCache[l].set(r, id);
        }
        this.element = k;
        this.name = id;
        return;
      }
    }
    this.element = -1;
    if (kind === DIRECT) {
      this.name = this.intern(this.types.fieldName(this.object, offset) ?? unnamed(offset));
      return;
    }
    const slots = this.layoutSlots[l];
    const inTable = slots !== undefined && (offset & 3) === 0 && (offset >>> 2) < slots.length;
    let id = inTable ? slots[offset >>> 2] : this.layoutCache[l].get(offset) ?? -1;
    if (id < 0) {
      id = this.intern(this.types.fieldName(this.object, offset) ?? unnamed(offset));
      if (inTable) slots[offset >>> 2] = id;
      else this.layoutCache[l].set(offset, id);
    }
    this.name = id;
  }
}

/** The name of a pointer word no type names, as the CLI's paths write it: "+0x18". */
export function unnamed(offset: number): string {
  return `+0x${offset.toString(16)}`;
}
