// HeapTypes: the result of type recovery, the contract lib/analysis and the CLI consume. objectType holds one
// typing id per object (0: untyped); typeNames names them. Also the untyped variant used without a binary, and
// the type histogram.
import type { HeapGraph } from '../graph/index.js';
import { GoKind, GoProgram, GoType, fieldAt } from '../gotypes/index.js';
import { TINY_REST_NAME, TypingKind, TypingTable, untypedName } from './typings.js';
import { headeredSizeClass, MALLOC_HEADER_MAX } from './malloc-header.js';
import { genericNamer } from './generic-names.js';

/**
 * The sub-objects of tiny allocator blocks, sorted by block then offset: sub-object k lies in block object[k], at
 * byte (place[k] & 255), place[k] >>> 8 bytes long, with typing typing[k] (an id of typeNames). The blocks
 * themselves have the typing "tiny block"; the bytes of a block no sub-object covers are its rest.
 */
export interface TinyObjects {
  object: Uint32Array;
  place: Uint32Array;
  typing: Uint32Array;
}

export function emptyTinyObjects(): TinyObjects {
  return { object: new Uint32Array(0), place: new Uint32Array(0), typing: new Uint32Array(0) };
}

/** One sub-object of a tiny block. */
export interface SubObject {
  /** Byte offset in the block, and its size. */
  offset: number;
  size: number;
  /** Its typing id (of typeNames) and name. */
  typing: number;
  type: string;
}

export interface HeapTypes {
  /** Per object: a type id; 0 means untyped. */
  objectType: Uint32Array;
  /** Type ids -> display names (id 0: 'untyped'); full import paths ("*net/http.Request", "[]main.Node", "[37]*main.Node"). */
  typeNames: string[];
  /** A readable name for object i: its type's name, or for an untyped object a name carrying its size class. */
  objectTypeName(i: number): string;
  /** objectType[i], read by position when the types come from an index (for one page's objects, not a pass). */
  typeIdAt(i: number): number;
  /** The field path of byte offset `offset` in object i ("Next", "Slots[12]", "Attrs.buckets"), or undefined. */
  fieldName(i: number, offset: number): string | undefined;
  typedObjects: number;
  typedBytes: number;
  /** Sub-objects of tiny allocator blocks (count as instances of their types), when types were recovered. */
  tinyObjects?: TinyObjects;
  /**
   * Per type id, the name of its histogram row (see RecoveredTypes.rowNames); without it, typeNames. Rows group the
   * ids that share a name.
   */
  rowNames?(splitArrays: boolean): string[];
}

/** Per type id of `types`, its histogram row name: slice arrays by element type unless splitArrays. */
export function histogramRowNames(types: HeapTypes, splitArrays = false): string[] {
  return types.rowNames !== undefined ? types.rowNames(splitArrays) : types.typeNames;
}

/** What object i holds: a Go type (one, or `count` of them), starting `base` bytes in (a malloc header). */
export interface ObjectTyping {
  kind: TypingKind;
  name: string;
  goType: GoType | undefined;
  /** Array length, or 0 for one value. */
  count: number;
  /** Offset of the value in the object: the malloc header's size, or 0. */
  base: number;
}

/** The per-object arrays of RecoveredTypes. */
export interface TypeArrays {
  readonly objectType: Uint32Array;
  readonly tinyObjects: TinyObjects;
  readonly inferred: Uint32Array;
  /**
   * Object i's typing id read by position (types restored from an index: a block at a time), for the point queries
   * of a page until objectType has been read whole; absent when objectType is in memory.
   */
  readonly typeIdAt?: (i: number) => number;
}

/** HeapTypes from recoverTypes, with access to the Go types behind the names. */
export class RecoveredTypes implements HeapTypes {
  readonly typeNames: string[];
  private typedCounts: { objects: number; bytes: number } | undefined;
  // The per-object arrays, behind getters: types restored from an index (stored-types.ts) read them on first use.
  private arrays: TypeArrays;

  constructor(
    private readonly graph: HeapGraph,
    readonly program: GoProgram,
    /** The typings objectType numbers. */
    readonly typings: TypingTable,
    objectType: Uint32Array,
    /** True when objects above the malloc-header bound (malloc-header.ts) with pointers carry one (Go 1.22+). */
    private readonly headers: boolean,
    /** Sub-objects of tiny blocks. */
    tinyObjects: TinyObjects = emptyTinyObjects(),
    /** Objects whose typing is inferred (from their shape), not proven by a typed pointer: sorted indices. */
    inferred: Uint32Array = new Uint32Array(0),
  ) {
    this.typeNames = typings.names;
    this.arrays = { objectType, tinyObjects, inferred };
  }

  /** Types over arrays given by `arrays`' getters, each called on first use (then kept by the getter's owner). */
  static withArrays(graph: HeapGraph, program: GoProgram, typings: TypingTable, headers: boolean, arrays: TypeArrays): RecoveredTypes {
    const t = new RecoveredTypes(graph, program, typings, new Uint32Array(0), headers);
    t.arrays = arrays;
    return t;
  }

  /** The typing id of each object (0: untyped). */
  get objectType(): Uint32Array {
    this.wholeObjectType ??= this.arrays.objectType;
    return this.wholeObjectType;
  }

  private wholeObjectType: Uint32Array | undefined;

  /** Object i's typing id: from objectType once it is read, else by position (TypeArrays.typeIdAt). */
  typeIdAt(i: number): number {
    return this.typeIdOf(i);
  }

  private typeIdOf(i: number): number {
    const whole = this.wholeObjectType;
    if (whole !== undefined) return whole[i];
    const at = this.arrays.typeIdAt;
    return at !== undefined ? at(i) : this.objectType[i];
  }

  /** Sub-objects of tiny blocks. */
  get tinyObjects(): TinyObjects {
    return this.arrays.tinyObjects;
  }

  /** Objects whose typing is inferred (from their shape), not proven by a typed pointer: sorted indices. */
  get inferred(): Uint32Array {
    return this.arrays.inferred;
  }

  /** Objects with a type (counted on first use: a warm open that does not ask reads no per-object array). */
  get typedObjects(): number {
    return this.countTyped().objects;
  }

  /** Bytes of the objects with a type. */
  get typedBytes(): number {
    return this.countTyped().bytes;
  }

  private countTyped(): { objects: number; bytes: number } {
    if (this.typedCounts === undefined) {
      let objects = 0;
      let bytes = 0;
      const objectType = this.objectType;
      // Run by run: an object's size is its run's (no per-object size array).
      const runs = this.graph.addressIndex;
      for (let r = 0; r < runs.runTotal; r++) {
        const size = runs.runObjectSize[r];
        const end = runs.runFirst[r] + runs.runCount[r];
        for (let i = runs.runFirst[r]; i < end; i++) {
          if (objectType[i] !== 0) {
            objects++;
            bytes += size;
          }
        }
      }
      this.typedCounts = { objects, bytes };
    }
    return this.typedCounts;
  }

  /**
   * Object i's canonical name: the `types --by-length` row of its typing (Go's own spelling: `map[K]V`, `chan T`,
   * `[37]*main.Node`; map and channel internals as their map's or channel's parts), see displayNames.
   */
  objectTypeName(i: number): string {
    const id = this.typeIdOf(i);
    return id === 0 ? untypedName(this.graph.sizeOf(i)) : this.displayNames()[id];
  }

  private display: string[] | undefined;

  /**
   * Per typing id, the one name every output gives it (objects, suspects, paths, HPROF classes, DOT labels, heap
   * snapshot, the viewer): its histogram row with arrays split by length. Accepted by `instances` and `/type/`.
   */
  displayNames(): string[] {
    this.display ??= this.rowNames(true);
    return this.display;
  }

  /** The typing of object i. */
  typing(i: number): ObjectTyping {
    const id = this.typeIdOf(i);
    const t = this.typings.goType[id];
    const s = this.graph.sizeOf(i);
    // A typing that fills an object of 32 KiB exactly leaves no room for a header: a large object (recover.ts).
    const p = this.program.ptrSize;
    const fits = t === undefined || s !== MALLOC_HEADER_MAX || p + t.size * Math.max(1, this.typings.count[id]) <= s;
    const base = this.headers && t !== undefined && headeredSizeClass(s, p) && fits && this.program.pointerMap(t).length > 0 ? p : 0;
    return { kind: this.typings.kind[id], name: this.objectTypeName(i), goType: t, count: this.typings.count[id], base };
  }

  private containerNames: Map<number, string> | undefined;
  private genericName: ((name: string) => string) | undefined;

  /**
   * Per typing id, the name of its histogram row, the same on every Go version: arrays of N elements (slices'
   * backing arrays, channel buffers) as "[]T" whatever N (unless splitArrays: "[N]T"); map headers (hash<K,V>
   * before Go 1.24, map<K,V> after) as the map type "map[K]V", their buckets or groups "map[K]V buckets", Swiss
   * tables and directories "map[K]V table" and "map[K]V directory"; channel headers hchan<T> as "chan T"; the
   * runtime's own untyped twins as "map (key and value types unknown)" and "chan (element type unknown)"; a heap
   * object holding a slice header as "[]T (slice header)", apart from the arrays. Shape-instantiated generics
   * by their real instantiation where the binary tells it (generic-names.ts).
   */
  rowNames(splitArrays: boolean): string[] {
    if (this.containerNames === undefined) {
      // Map and channel internals by Go type id: the map's or channel's own type name, and which part.
      const names = new Map<number, string>();
      const put = (id: number | undefined, name: string) => {
        if (id !== undefined && !names.has(id)) names.set(id, name);
      };
      for (const t of this.program.types) {
        if (t.kind === GoKind.Map && t.map !== undefined) {
          put(t.map.header.id, t.name);
          put(t.map.bucket?.id, `${t.name} buckets`);
          put(t.map.table?.id, `${t.name} table`);
          const dirPtr = t.map.header.fields?.find((f) => f.name === 'dirPtr');
          if (dirPtr?.type.kind === GoKind.Ptr && dirPtr.type.elem?.kind === GoKind.Ptr) put(dirPtr.type.elem.id, `${t.name} directory`);
        }
        // One name whatever the direction of the first channel type met (<-chan T, chan<- T share the header).
        if (t.kind === GoKind.Chan && t.chanHeader !== undefined && t.elem !== undefined) put(t.chanHeader.id, `chan ${t.elem.name}`);
      }
      this.containerNames = names;
    }
    const tb = this.typings;
    this.genericName ??= genericNamer(this.program);
    const out = tb.names.slice();
    for (let id = 1; id < out.length; id++) {
      const gt = tb.goType[id];
      if (gt === undefined) continue;
      const c = this.containerNames.get(gt.id);
      if (tb.kind[id] === TypingKind.Array) {
        // Bucket, group and directory arrays are their map's parts; split by length they keep the length in front.
        const part = c !== undefined && !c.startsWith('chan ') ? c : undefined;
        if (splitArrays) out[id] = part !== undefined ? `[${tb.count[id]}]${part}` : `[${tb.count[id]}]${gt.name}`;
        else out[id] = part ?? `[]${gt.name}`;
      } else if (tb.kind[id] === TypingKind.Value) {
        if (c !== undefined) out[id] = c;
        else if (gt.name === 'runtime.hchan') out[id] = 'chan (element type unknown)';
        else if (gt.name === 'runtime.hmap' || gt.name === 'internal/runtime/maps.Map') out[id] = 'map (key and value types unknown)';
        else if (gt.kind === GoKind.Slice) out[id] = `${out[id]} (slice header)`;
      }
    }
    // Generic instantiations as the user wrote them, shape names only where the binary cannot tell (generic-names.ts).
    for (let id = 1; id < out.length; id++) if (tb.kind[id] !== TypingKind.Closure) out[id] = this.genericName(out[id]);
    return out;
  }

  /** The sub-objects of object i when it is a tiny block (else none), by offset. */
  subObjects(i: number): SubObject[] {
    const out: SubObject[] = [];
    const t = this.tinyObjects;
    for (let k = lowerBound(t.object, i); k < t.object.length && t.object[k] === i; k++) {
      const id = t.typing[k];
      out.push({ offset: t.place[k] & 255, size: t.place[k] >>> 8, typing: id, type: this.displayNames()[id] });
    }
    return out;
  }

  /** The sub-object of tiny block i that covers byte `offset`, or undefined. */
  subObjectAt(i: number, offset: number): SubObject | undefined {
    for (const s of this.subObjects(i)) if (offset >= s.offset && offset < s.offset + s.size) return s;
    return undefined;
  }

  /**
   * The name of what address objectAddress[i] + offset points to: the sub-object's type in a tiny block, else the
   * object's type name. For pointers shown as "0x... (TYPE +OFF)": use with subObjectAt to get OFF right.
   */
  typeNameAt(i: number, offset: number): string {
    const id = this.typeIdOf(i);
    const s = id !== 0 && this.typings.kind[id] === TypingKind.TinyBlock ? this.subObjectAt(i, offset) : undefined;
    return s !== undefined ? s.type : this.objectTypeName(i);
  }

  /** True when object i's typing is inferred from its shape (a guess the dump does not prove). */
  isInferred(i: number): boolean {
    const a = this.inferred;
    const k = lowerBound(a, i);
    return k < a.length && a[k] === i;
  }

  fieldName(i: number, offset: number): string | undefined {
    const ty = this.typing(i);
    if (ty.kind === TypingKind.TinyBlock) {
      const sub = this.subObjectAt(i, offset);
      return sub === undefined ? undefined : `<${sub.type} at +${sub.offset}>${offset > sub.offset ? `+${offset - sub.offset}` : ''}`;
    }
    const t = ty.goType;
    if (t === undefined) return undefined;
    if (offset < ty.base) return '<malloc header>';
    let rel = offset - ty.base;
    let path = '';
    if (ty.kind === TypingKind.Array) {
      if (t.size === 0) return undefined;
      const k = Math.floor(rel / t.size);
      if (k >= ty.count) return undefined;
      path = `[${k}]`;
      rel -= k * t.size;
    } else if (rel >= t.size) return undefined;
    const inner = fieldPath(t, rel);
    if (inner === '') return path === '' ? undefined : path;
    return path === '' ? inner : `${path}${inner.startsWith('[') ? '' : '.'}${inner}`;
  }
}

/** Index of the first element >= x in ascending `a`. */
function lowerBound(a: Uint32Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The path of byte `offset` inside a value of type t: "Next", "Slots[12]", "Attrs", "" at top level. */
export function fieldPath(t: GoType, offset: number): string {
  let path = '';
  let cur = t;
  for (let depth = 0; depth < 32; depth++) {
    if (cur.kind === GoKind.Struct && cur.fields !== undefined && cur.fields.length > 0) {
      const f = fieldAt(cur, offset);
      if (f === undefined) break;
      path += (path === '' ? '' : '.') + f.name;
      offset -= f.offset;
      cur = f.type;
    } else if (cur.kind === GoKind.Array && cur.elem !== undefined && cur.elem.size > 0) {
      const k = Math.floor(offset / cur.elem.size);
      path += `[${k}]`;
      offset -= k * cur.elem.size;
      cur = cur.elem;
    } else break;
  }
  return path;
}

/** HeapTypes without a binary: every object untyped, named by its size class. */
export function untypedNames(graph: HeapGraph): HeapTypes {
  return {
    objectType: new Uint32Array(graph.objectCount),
    typeNames: ['untyped'],
    objectTypeName: (i: number) => untypedName(graph.sizeOf(i)),
    typeIdAt: () => 0,
    fieldName: () => undefined,
    typedObjects: 0,
    typedBytes: 0,
  };
}

/** One row of the type histogram. */
export interface TypeCount {
  name: string;
  count: number;
  bytes: number;
}

/** Typed share of what is alive: reachable objects and bytes, and how many of them have a type. */
export interface TypeCoverage {
  reachableObjects: number;
  reachableBytes: number;
  typedReachableObjects: number;
  typedReachableBytes: number;
}

/** Counts the reachable objects and bytes of `graph`, and those that `types` gives a type. */
export function typeCoverage(graph: HeapGraph, types: HeapTypes): TypeCoverage {
  const reachable = graph.reachable;
  const objectType = types.objectType;
  let reachableObjects = 0;
  let reachableBytes = 0;
  let typedReachableObjects = 0;
  let typedReachableBytes = 0;
  // Run by run: an object's size is its run's (no per-object size array).
  const runs = graph.addressIndex;
  for (let r = 0; r < runs.runTotal; r++) {
    const size = runs.runObjectSize[r];
    const end = runs.runFirst[r] + runs.runCount[r];
    for (let i = runs.runFirst[r]; i < end; i++) {
      if (reachable[i] === 0) continue;
      reachableObjects++;
      reachableBytes += size;
      if (objectType[i] !== 0) {
        typedReachableObjects++;
        typedReachableBytes += size;
      }
    }
  }
  return { reachableObjects, reachableBytes, typedReachableObjects, typedReachableBytes };
}

/**
 * Objects and bytes per histogram row (histogramRowNames: slice arrays by element type unless `splitArrays`, one
 * name per map and channel type), sorted by bytes (then count, then name); untyped objects are grouped by size
 * class; tiny blocks' sub-objects count as instances of their types and their other bytes as TINY_REST_NAME.
 * `reachableOnly`: count only objects reachable from the roots.
 */
export function typeHistogram(graph: HeapGraph, types: HeapTypes, reachableOnly = false, splitArrays = false): TypeCount[] {
  const ids = types.objectType;
  const reach = graph.reachable;
  const nTypes = types.typeNames.length;
  const counts = new Float64Array(nTypes);
  const bytes = new Float64Array(nTypes);
  const untypedCount = new Map<number, number>();
  const untypedBytes = new Map<number, number>();
  // Run by run: an object's size is its run's (no per-object size array).
  const runs = graph.addressIndex;
  for (let r = 0; r < runs.runTotal; r++) {
    const s = runs.runObjectSize[r];
    const end = runs.runFirst[r] + runs.runCount[r];
    for (let i = runs.runFirst[r]; i < end; i++) {
      if (reachableOnly && reach[i] === 0) continue;
      const id = ids[i];
      if (id !== 0) {
        counts[id]++;
        bytes[id] += s;
      } else {
        untypedCount.set(s, (untypedCount.get(s) ?? 0) + 1);
        untypedBytes.set(s, (untypedBytes.get(s) ?? 0) + s);
      }
    }
  }
  // Tiny blocks: each sub-object is an instance of its type; the block's other bytes are its rest.
  const tiny = types.tinyObjects;
  let restCount = 0;
  let restBytes = 0;
  if (tiny !== undefined && tiny.object.length > 0) {
    const blockId = ids[tiny.object[0]];
    let k = 0;
    while (k < tiny.object.length) {
      const b = tiny.object[k];
      let used = 0;
      const counted = !reachableOnly || reach[b] !== 0;
      for (; k < tiny.object.length && tiny.object[k] === b; k++) {
        const sz = tiny.place[k] >>> 8;
        used += sz;
        if (counted) {
          counts[tiny.typing[k]]++;
          bytes[tiny.typing[k]] += sz;
        }
      }
      if (!counted) continue;
      const size = graph.sizeOf(b);
      counts[blockId]--;
      bytes[blockId] -= size;
      if (size > used) {
        restCount++;
        restBytes += size - used;
      }
    }
  }
  // Rows: the type ids that share a row name together.
  const names = histogramRowNames(types, splitArrays);
  const rowOf = new Map<string, TypeCount>();
  const rows: TypeCount[] = [];
  const add = (name: string, count: number, b: number) => {
    let r = rowOf.get(name);
    if (r === undefined) {
      r = { name, count: 0, bytes: 0 };
      rowOf.set(name, r);
      rows.push(r);
    }
    r.count += count;
    r.bytes += b;
  };
  if (restCount > 0) add(TINY_REST_NAME, restCount, restBytes);
  for (let id = 1; id < nTypes; id++) if (counts[id] > 0) add(names[id], counts[id], bytes[id]);
  for (const [s, c] of untypedCount) add(untypedName(s), c, untypedBytes.get(s)!);
  rows.sort((a, b) => b.bytes - a.bytes || b.count - a.count || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return rows;
}
