// HeapTypes: the result of type recovery, the contract lib/analysis and the CLI consume. objectType holds one
// typing id per object (0: untyped); typeNames names them. Also the untyped variant used without a binary, and
// the type histogram.
import type { HeapGraph } from '../graph/index.js';
import { GoKind, GoProgram, GoType, fieldAt } from '../gotypes/index.js';
import { TypingKind, TypingTable, untypedName } from './typings.js';

export interface HeapTypes {
  /** Per object: a type id; 0 means untyped. */
  objectType: Uint32Array;
  /** Type ids -> display names (id 0: 'untyped'); full import paths ("*net/http.Request", "[]main.Node", "[37]*main.Node"). */
  typeNames: string[];
  /** A readable name for object i: its type's name, or for an untyped object a name carrying its size class. */
  objectTypeName(i: number): string;
  /** The field path of byte offset `offset` in object i ("Next", "Slots[12]", "Attrs.buckets"), or undefined. */
  fieldName(i: number, offset: number): string | undefined;
  typedObjects: number;
  typedBytes: number;
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

/** HeapTypes from recoverTypes, with access to the Go types behind the names. */
export class RecoveredTypes implements HeapTypes {
  readonly typeNames: string[];
  readonly typedObjects: number;
  readonly typedBytes: number;

  constructor(
    private readonly graph: HeapGraph,
    readonly program: GoProgram,
    /** The typings objectType numbers. */
    readonly typings: TypingTable,
    readonly objectType: Uint32Array,
    /** True when objects above 512 bytes with pointers carry a malloc header (Go 1.22+). */
    private readonly headers: boolean,
  ) {
    this.typeNames = typings.names;
    let objects = 0;
    let bytes = 0;
    const size = graph.objectSize;
    for (let i = 0; i < objectType.length; i++) {
      if (objectType[i] !== 0) {
        objects++;
        bytes += size[i];
      }
    }
    this.typedObjects = objects;
    this.typedBytes = bytes;
  }

  objectTypeName(i: number): string {
    const id = this.objectType[i];
    return id === 0 ? untypedName(this.graph.objectSize[i]) : this.typeNames[id];
  }

  /** The typing of object i. */
  typing(i: number): ObjectTyping {
    const id = this.objectType[i];
    const t = this.typings.goType[id];
    const s = this.graph.objectSize[i];
    const base = this.headers && t !== undefined && s > 512 && s <= 32768 && this.program.pointerMap(t).length > 0 ? this.program.ptrSize : 0;
    return { kind: this.typings.kind[id], name: this.objectTypeName(i), goType: t, count: this.typings.count[id], base };
  }

  fieldName(i: number, offset: number): string | undefined {
    const ty = this.typing(i);
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
    objectTypeName: (i: number) => untypedName(graph.objectSize[i]),
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
  const size = graph.objectSize;
  const objectType = types.objectType;
  let reachableObjects = 0;
  let reachableBytes = 0;
  let typedReachableObjects = 0;
  let typedReachableBytes = 0;
  for (let i = 0; i < graph.objectCount; i++) {
    if (reachable[i] === 0) continue;
    reachableObjects++;
    reachableBytes += size[i];
    if (objectType[i] !== 0) {
      typedReachableObjects++;
      typedReachableBytes += size[i];
    }
  }
  return { reachableObjects, reachableBytes, typedReachableObjects, typedReachableBytes };
}

/**
 * Objects and bytes per type name, sorted by bytes (then count, then name); untyped objects are grouped by
 * size class. `reachableOnly`: count only objects reachable from the roots.
 */
export function typeHistogram(graph: HeapGraph, types: HeapTypes, reachableOnly = false): TypeCount[] {
  const ids = types.objectType;
  const size = graph.objectSize;
  const reach = graph.reachable;
  const nTypes = types.typeNames.length;
  const counts = new Float64Array(nTypes);
  const bytes = new Float64Array(nTypes);
  const untypedCount = new Map<number, number>();
  const untypedBytes = new Map<number, number>();
  for (let i = 0; i < ids.length; i++) {
    if (reachableOnly && reach[i] === 0) continue;
    const id = ids[i];
    const s = size[i];
    if (id !== 0) {
      counts[id]++;
      bytes[id] += s;
    } else {
      untypedCount.set(s, (untypedCount.get(s) ?? 0) + 1);
      untypedBytes.set(s, (untypedBytes.get(s) ?? 0) + s);
    }
  }
  const rows: TypeCount[] = [];
  for (let id = 1; id < nTypes; id++) if (counts[id] > 0) rows.push({ name: types.typeNames[id], count: counts[id], bytes: bytes[id] });
  for (const [s, c] of untypedCount) rows.push({ name: untypedName(s), count: c, bytes: untypedBytes.get(s)! });
  rows.sort((a, b) => b.bytes - a.bytes || b.count - a.count || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return rows;
}
