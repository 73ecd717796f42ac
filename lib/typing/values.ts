// describeObject and describeGlobal: a heap object, or a global variable, decoded through its Go type, for
// `goheap object`, the session, the viewer and the exporters. Fields come as leaves at any depth with dotted names
// ("Mid.In.Label"), offsets, Go types and one-line values: numbers, bools, string contents, slices with their first
// elements, maps with their entries (old hmap buckets and Swiss tables both), interfaces with their dynamic type
// and value, structs inside arrays and slices written out in full, pointers with their target's address, object index
// and type (a tiny block's sub-object by its own type). Output per object is capped (leaves, characters per value,
// characters in all); what is cut is said.
import * as fs from 'node:fs';
import type { HeapGraph } from '../graph/index.js';
import { GoKind, GoGlobal, GoType } from '../gotypes/index.js';
import type { RecoveredTypes } from './heap-types.js';
import { TypingKind } from './typings.js';

/** One decoded field (a leaf of the value's type), a map entry or an element. */
export interface FieldValue {
  /** Dotted path from the top ("Mid.In.Label", "[3].Name"); a map entry's key ("[\"red\"]"). */
  name: string;
  /** Byte offset in the object (or global); for map entries, in the bucket or group object holding the entry. */
  offset: number;
  /** Go type name, or "word" where nothing is known. */
  type: string;
  /** The value in one line (possibly shortened, ending with "..."). */
  value: string;
  /** Pointers (and slices, strings, maps, interfaces holding one): the address pointed to, hex. */
  target?: string;
  /** Pointers into the heap: the index of the object pointed to. */
  targetIndex?: number;
  /** Maps: the entries, key as name, the value decoded (at most SHOWN_ENTRIES). */
  children?: FieldValue[];
}

export interface ObjectDescription {
  address: string;
  index: number;
  size: number;
  type: string;
  typed: boolean;
  /** True when the typing is inferred from the object's shape, not proven by a typed pointer. */
  inferred: boolean;
  reachable: boolean;
  referrers: number;
  fields: FieldValue[];
  /** Tiny blocks: the sub-objects the block holds (the bytes no sub-object covers are the block's rest). */
  subObjects?: { offset: number; size: number; type: string }[];
  /** A tiny block's sub-object (an instance of its own): the block holding it and its offset there. */
  block?: { address: string; index: number; offset: number };
  /** True when the output was capped (more fields or characters than shown). */
  truncated: boolean;
}

export interface GlobalDescription {
  name: string;
  address: string;
  size: number;
  type: string;
  fields: FieldValue[];
  truncated: boolean;
}

/** Elements shown of an array or slice. */
const SHOWN_ELEMENTS = 8;
/** Entries shown of a map. */
const SHOWN_ENTRIES = 16;
/** Characters shown of a string. */
const SHOWN_CHARS = 64;
/** Leaves listed per object. */
const MAX_FIELDS = 400;
/** Characters per value, and in all the values of one object. */
const MAX_VALUE_CHARS = 2000;
const MAX_TOTAL_CHARS = 64 * 1024;
/** Struct nesting written out (deeper: raw words). */
const MAX_DEPTH = 12;

/**
 * Decodes object `i` (an object index) through `types`; `referrers` is how many pointers to it objects hold (the
 * graph's reverse edges count them when not given).
 */
export function describeObject(graph: HeapGraph, types: RecoveredTypes, i: number, referrers?: number): ObjectDescription {
  const d = new Describer(graph, types);
  try {
    const ty = types.typing(i);
    const bytes = graph.objectContent(i);
    const t = ty.goType;
    let subObjects: ObjectDescription['subObjects'];
    if (t !== undefined && (ty.kind === TypingKind.Value || ty.kind === TypingKind.Array)) {
      if (ty.base > 0) d.push({ name: '<malloc header>', offset: 0, type: 'uintptr', value: d.typeWord(d.word(bytes, 0)) });
      const n = ty.kind === TypingKind.Array ? Math.min(ty.count, SHOWN_ELEMENTS) : 1;
      for (let k = 0; k < n; k++) d.leaves(t, bytes, ty.base + k * t.size, ty.kind === TypingKind.Array ? `[${k}]` : '', 0);
      if (ty.kind === TypingKind.Array && ty.count > n) {
        d.push({ name: '...', offset: ty.base + n * t.size, type: '', value: `${ty.count - n} more elements` });
      }
    } else if (ty.kind === TypingKind.StringData) {
      d.push({ name: 'bytes', offset: 0, type: 'string data', value: quote(bytes, bytes.length) });
    } else if (ty.kind === TypingKind.TinyBlock) {
      subObjects = [];
      let at = 0;
      const rest = (end: number) => {
        if (end > at) d.push({ name: '<rest>', offset: at, type: '', value: `${end - at} bytes outside the typed sub-objects` });
      };
      for (const s of types.subObjects(i)) {
        subObjects.push({ offset: s.offset, size: s.size, type: s.type });
        rest(s.offset);
        const kind = types.typings.kind[s.typing];
        const gt = types.typings.goType[s.typing];
        const label = `<${s.type} at +${s.offset}>`;
        if (kind === TypingKind.StringData) d.push({ name: label, offset: s.offset, type: 'string data', value: quote(bytes.subarray(s.offset), s.size) });
        else if (gt !== undefined && kind === TypingKind.Array) {
          for (let k = 0; k < types.typings.count[s.typing]; k++) d.leaves(gt, bytes, s.offset + k * gt.size, `${label}[${k}]`, 0);
        } else if (gt !== undefined) d.leaves(gt, bytes, s.offset, label, 0);
        at = Math.max(at, s.offset + s.size);
      }
      rest(bytes.length);
    } else {
      if (ty.kind === TypingKind.Closure) d.push({ name: 'fn', offset: 0, type: 'uintptr', value: d.code(d.word(bytes, 0)) });
      for (let off = ty.kind === TypingKind.Closure ? d.p : 0; off + d.p <= bytes.length && !d.full(); off += d.p) {
        d.push({ name: '', offset: off, type: 'word', ...d.wordField(bytes, off) });
      }
    }
    return {
      address: hex(graph.addressOf(i)),
      index: i,
      size: graph.sizeOf(i),
      type: types.objectTypeName(i),
      typed: types.typeIdAt(i) !== 0,
      inferred: types.isInferred(i),
      reachable: graph.isReachableAt(i),
      referrers: referrers ?? graph.reverseEdges().start[i + 1] - graph.reverseEdges().start[i],
      fields: d.out,
      ...(subObjects !== undefined ? { subObjects } : {}),
      truncated: d.truncated,
    };
  } finally {
    d.close();
  }
}

/** Decodes global variable `g`: its bytes in the Data/BSS segments the dump holds, through its Go type. */
export function describeGlobal(graph: HeapGraph, types: RecoveredTypes, g: GoGlobal): GlobalDescription {
  const d = new Describer(graph, types);
  try {
    const size = g.type?.size ?? g.size;
    const bytes = d.memory(g.address, size);
    if (bytes !== undefined && bytes.length === size && g.type !== undefined) d.leaves(g.type, bytes, 0, '', 0);
    else if (bytes !== undefined) {
      for (let off = 0; off + d.p <= bytes.length && !d.full(); off += d.p) d.push({ name: '', offset: off, type: 'word', ...d.wordField(bytes, off) });
    }
    return { name: g.name, address: hex(g.address), size, type: g.type?.name ?? 'unknown', fields: d.out, truncated: d.truncated };
  } finally {
    d.close();
  }
}

function hex(n: number): string {
  return `0x${n.toString(16)}`;
}

/** Quotes bytes as a Go-style string literal, shortened to SHOWN_CHARS, escaping anything not printable ASCII. */
export function quote(b: Uint8Array, len: number): string {
  let s = '"';
  const n = Math.min(len, b.length, SHOWN_CHARS);
  for (let k = 0; k < n; k++) {
    const c = b[k];
    if (c === 0x22) s += '\\"';
    else if (c === 0x5c) s += '\\\\';
    else if (c === 10) s += '\\n';
    else if (c === 9) s += '\\t';
    else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += `\\x${c.toString(16).padStart(2, '0')}`;
  }
  s += '"';
  if (len > n) s += `... (${len} bytes)`;
  return s;
}

/** Decodes values of one object or global; collects its leaves in `out` within the caps. */
class Describer {
  readonly p: number;
  private readonly le: boolean;
  readonly out: FieldValue[] = [];
  truncated = false;
  private chars = 0;
  /** Heap objects' contents read so far (one describe reads few). */
  private readonly cache = new Map<number, Uint8Array>();
  private fd = -1;

  constructor(
    private readonly graph: HeapGraph,
    private readonly types: RecoveredTypes,
  ) {
    this.p = graph.params.ptrSize;
    this.le = !graph.params.bigEndian;
  }

  close(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
  }

  full(): boolean {
    if (this.out.length >= MAX_FIELDS || this.chars >= MAX_TOTAL_CHARS) this.truncated = true;
    return this.truncated;
  }

  push(f: FieldValue): void {
    if (this.full()) return;
    if (f.value.length > MAX_VALUE_CHARS) {
      f.value = `${f.value.slice(0, MAX_VALUE_CHARS)}...`;
      this.truncated = true;
    }
    this.chars += f.value.length;
    this.out.push(f);
  }

  word(b: Uint8Array, off: number): number {
    return this.uint(b, off, this.p);
  }

  /**
   * The `size`-byte unsigned integer at `off` in hex, exact at any size (a 64-bit word is read as two 32-bit halves,
   * never through a double: eight 'x' bytes are 0x7878787878787878).
   */
  hexAt(b: Uint8Array, off: number, size: number): string {
    if (off + size > b.length) return '?';
    if (size <= 4) return hex(this.uint(b, off, size));
    const dv = new DataView(b.buffer, b.byteOffset + off, size);
    const hi = dv.getUint32(this.le ? 4 : 0, this.le);
    const lo = dv.getUint32(this.le ? 0 : 4, this.le);
    return hi === 0 ? hex(lo) : `0x${hi.toString(16)}${lo.toString(16).padStart(8, '0')}`;
  }

  /** A raw word of an object no type describes: a pointer with what it points to, else its exact value in hex. */
  wordField(b: Uint8Array, off: number): { value: string; target?: string; targetIndex?: number } {
    const v = this.word(b, off);
    return v < 2 ** 53 ? this.pointerField(v, true) : { value: this.hexAt(b, off, this.p) };
  }

  uint(b: Uint8Array, off: number, size: number): number {
    if (off + size > b.length) return 0;
    let v = 0;
    for (let k = 0; k < size; k++) v = v * 256 + b[off + (this.le ? size - 1 - k : k)];
    return v;
  }

  private big(b: Uint8Array, off: number, size: number, signed: boolean): string {
    if (off + size > b.length) return '?';
    const dv = new DataView(b.buffer, b.byteOffset + off, size);
    switch (size) {
      case 1: return String(signed ? dv.getInt8(0) : dv.getUint8(0));
      case 2: return String(signed ? dv.getInt16(0, this.le) : dv.getUint16(0, this.le));
      case 4: return String(signed ? dv.getInt32(0, this.le) : dv.getUint32(0, this.le));
      default: return String(signed ? dv.getBigInt64(0, this.le) : dv.getBigUint64(0, this.le));
    }
  }

  private float(b: Uint8Array, off: number, size: number): string {
    if (off + size > b.length) return '?';
    const dv = new DataView(b.buffer, b.byteOffset + off, size);
    return String(size === 4 ? dv.getFloat32(0, this.le) : dv.getFloat64(0, this.le));
  }

  /** The heap object holding address v, and v's offset in it; a tiny block's sub-object named by its type. */
  private targetName(v: number): { index: number; name: string } | undefined {
    const t = this.graph.findObject(v);
    if (t < 0) return undefined;
    const off = v - this.graph.addressOf(t);
    const id = this.types.typeIdAt(t);
    const sub = id !== 0 && this.types.typings.kind[id] === TypingKind.TinyBlock
      ? this.types.subObjectAt(t, off) : undefined;
    if (sub !== undefined) {
      const inner = off - sub.offset;
      return { index: t, name: `${sub.type}${inner > 0 ? ` +${inner}` : ''} in tiny block +${sub.offset}` };
    }
    return { index: t, name: `${this.types.objectTypeName(t)}${off > 0 ? ` +${off}` : ''}` };
  }

  /** A pointer value: nil, or hex with what it points to. */
  pointer(v: number, wordOnly = false): string {
    if (v === 0) return wordOnly ? '0x0' : 'nil';
    const t = this.targetName(v);
    if (t !== undefined) return `${hex(v)} (${t.name})`;
    if (wordOnly) return hex(v);
    const fn = this.types.program.functionAt(v);
    if (fn !== undefined) return `${hex(v)} (${fn.name})`;
    const g = this.globalAt(v);
    return g !== undefined ? `${hex(v)} (&${g})` : `${hex(v)} (not in the heap)`;
  }

  /** value, target and targetIndex of a pointer word. */
  pointerField(v: number, wordOnly = false): { value: string; target?: string; targetIndex?: number } {
    const value = this.pointer(v, wordOnly);
    if (v === 0) return { value };
    const t = this.graph.findObject(v);
    return t >= 0 ? { value, target: hex(v), targetIndex: t } : wordOnly ? { value } : { value, target: hex(v) };
  }

  private globalAt(v: number): string | undefined {
    const gs = this.types.program.globals;
    let lo = 0;
    let hi = gs.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (gs[mid].address <= v) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (best < 0) return undefined;
    const g = gs[best];
    const size = g.type?.size ?? g.size;
    if (v >= g.address + Math.max(size, 1)) return undefined;
    return v > g.address ? `${g.name}+${v - g.address}` : g.name;
  }

  code(pc: number): string {
    const fn = this.types.program.functionAt(pc);
    return fn !== undefined ? `${hex(pc)} (${fn.name})` : hex(pc);
  }

  typeWord(addr: number): string {
    const t = this.types.program.typeByRuntimeAddress(addr);
    return t !== undefined ? `${hex(addr)} (type ${t.name})` : hex(addr);
  }

  /** The bytes at `addr`: from a heap object, the Data/BSS segments in the dump, or the executable; or undefined. */
  memory(addr: number, len: number): Uint8Array | undefined {
    const t = this.graph.findObject(addr);
    if (t >= 0) {
      let c = this.cache.get(t);
      if (c === undefined) {
        c = this.graph.objectContent(t);
        this.cache.set(t, c);
      }
      const off = addr - this.graph.addressOf(t);
      return c.subarray(off, off + len);
    }
    for (const s of this.graph.segments) {
      if (addr >= s.address && addr + len <= s.address + s.size) {
        if (this.fd < 0) this.fd = fs.openSync(this.graph.path, 'r');
        const out = new Uint8Array(len);
        let done = 0;
        while (done < len) {
          const n = fs.readSync(this.fd, out, done, len - done, s.contentOffset + (addr - s.address) + done);
          if (n <= 0) return undefined;
          done += n;
        }
        return out;
      }
    }
    try {
      return this.types.program.elf.readVirtual(addr, len);
    } catch {
      return undefined;
    }
  }

  /** Appends the leaves of a value of type t at `off` in b: struct fields at any depth, named by their path. */
  leaves(t: GoType, b: Uint8Array, off: number, prefix: string, depth: number): void {
    if (this.full()) return;
    if (t.kind === GoKind.Struct && t.fields !== undefined && t.fields.length > 0 && depth < MAX_DEPTH) {
      for (const f of t.fields) this.leaves(f.type, b, off + f.offset, prefix === '' ? f.name : `${prefix}.${f.name}`, depth + 1);
      return;
    }
    const f: FieldValue = { name: prefix === '' ? '<value>' : prefix, offset: off, type: t.name, value: '' };
    f.value = this.value(t, b, off, depth, f);
    this.push(f);
  }

  /**
   * A one-line rendering of a value of type t at `off` in b. `field`, for a leaf: gets the pointer target (and a
   * map's entries as children).
   */
  value(t: GoType, b: Uint8Array, off: number, depth: number, field?: FieldValue): string {
    const p = this.p;
    if (off + t.size > b.length) return '?';
    switch (t.kind) {
      case GoKind.Bool:
        return b[off] ? 'true' : 'false';
      case GoKind.Int: case GoKind.Int8: case GoKind.Int16: case GoKind.Int32: case GoKind.Int64:
        return this.big(b, off, t.size, true);
      case GoKind.Uint: case GoKind.Uint8: case GoKind.Uint16: case GoKind.Uint32: case GoKind.Uint64:
        return this.big(b, off, t.size, false);
      case GoKind.Uintptr:
        return this.hexAt(b, off, t.size);
      case GoKind.Float32: case GoKind.Float64:
        return this.float(b, off, t.size);
      case GoKind.Complex64: case GoKind.Complex128: {
        const h = t.size / 2;
        return `(${this.float(b, off, h)}+${this.float(b, off + h, h)}i)`;
      }
      case GoKind.String: {
        const ptr = this.word(b, off);
        const len = this.word(b, off + p);
        if (len === 0) return '""';
        this.setTarget(field, ptr);
        const data = this.memory(ptr, Math.min(len, SHOWN_CHARS));
        return data === undefined ? `<string at ${hex(ptr)}, ${len} bytes>` : quote(data, len);
      }
      case GoKind.Slice: {
        const ptr = this.word(b, off);
        const len = this.word(b, off + p);
        const cap = this.word(b, off + 2 * p);
        if (ptr === 0 && len === 0) return 'nil';
        this.setTarget(field, ptr);
        let s = `len ${len} cap ${cap} ${this.pointer(ptr)}`;
        if (ptr !== 0 && len > 0 && t.elem !== undefined && t.elem.size > 0 && depth < MAX_DEPTH) {
          const n = Math.min(len, SHOWN_ELEMENTS);
          const data = this.memory(ptr, n * t.elem.size);
          if (data !== undefined) s += ` ${this.elements(t.elem, data, 0, Math.floor(data.length / t.elem.size), len, depth)}`;
        }
        return s;
      }
      case GoKind.Array: {
        const e = t.elem;
        const n = t.len ?? 0;
        if (e === undefined || e.size === 0) return `[${n}]`;
        return this.elements(e, b, off, Math.min(n, SHOWN_ELEMENTS), n, depth);
      }
      case GoKind.Map: {
        const ptr = this.word(b, off);
        if (ptr === 0) return 'nil';
        this.setTarget(field, ptr);
        const entries = this.mapEntries(t, ptr, depth);
        if (entries === undefined) return this.pointer(ptr);
        if (field !== undefined) field.children = entries.list;
        const shown = entries.list.map((e) => `${e.name.slice(1, -1)}: ${e.value}`);
        return `map[${entries.count}] {${shown.join(', ')}${entries.count > entries.list.length ? ', ...' : ''}} ${this.pointer(ptr)}`;
      }
      case GoKind.Ptr: case GoKind.UnsafePointer: case GoKind.Chan: {
        const v = this.word(b, off);
        this.setTarget(field, v);
        return this.pointer(v);
      }
      case GoKind.Func: {
        const v = this.word(b, off);
        if (v === 0) return 'nil';
        this.setTarget(field, v);
        const fnv = this.memory(v, p);
        const fn = fnv !== undefined && fnv.length === p ? this.types.program.functionAt(this.word(fnv, 0)) : undefined;
        return `${this.pointer(v)}${fn !== undefined ? ` -> ${fn.name}` : ''}`;
      }
      case GoKind.Eface: case GoKind.Iface:
        return this.iface(t, b, off, depth, field);
      case GoKind.Struct: {
        if (depth >= MAX_DEPTH || t.fields === undefined) return this.words(b, off, t.size);
        const parts: string[] = [];
        let chars = 0;
        for (const f of t.fields) {
          const v = `${f.name}: ${this.value(f.type, b, off + f.offset, depth + 1)}`;
          parts.push(v);
          chars += v.length;
          if (chars > MAX_VALUE_CHARS) break;
        }
        return `{${parts.join(', ')}}`;
      }
      default:
        return this.words(b, off, t.size);
    }
  }

  private setTarget(field: FieldValue | undefined, v: number): void {
    if (field === undefined || v === 0) return;
    field.target = hex(v);
    const t = this.graph.findObject(v);
    if (t >= 0) field.targetIndex = t;
  }

  /** An interface value: its dynamic type and the value it holds (boxed values decoded from their object). */
  private iface(t: GoType, b: Uint8Array, off: number, depth: number, field?: FieldValue): string {
    const tw = this.word(b, off);
    const data = this.word(b, off + this.p);
    if (tw === 0) return 'nil';
    let typeAddr = tw;
    if (t.kind === GoKind.Iface) {
      const it = this.graph.itabs.find((x) => x.address === tw);
      typeAddr = it?.typeAddress ?? 0;
    }
    const dyn = this.types.program.typeByRuntimeAddress(typeAddr);
    this.setTarget(field, data);
    if (dyn === undefined) return `(itab ${hex(tw)}) ${this.pointer(data)}`;
    const pm = this.types.program.pointerMap(dyn);
    const direct = dyn.size === this.p && pm.length === 1 && pm[0] === 0;
    if (direct) {
      const w = new Uint8Array(this.p);
      w.set(b.subarray(off + this.p, off + 2 * this.p));
      return `(${dyn.name}) ${this.value(dyn, w, 0, depth + 1)}`;
    }
    if (data === 0 || depth >= MAX_DEPTH) return `(${dyn.name}) ${this.pointer(data)}`;
    const boxed = dyn.size > 0 && dyn.size <= 256 ? this.memory(data, dyn.size) : undefined;
    if (boxed === undefined || boxed.length < dyn.size) return `(${dyn.name}) ${this.pointer(data)}`;
    return `(${dyn.name}) ${this.value(dyn, boxed, 0, depth + 1)} at ${this.pointer(data)}`;
  }

  private elements(e: GoType, b: Uint8Array, off: number, n: number, total: number, depth: number): string {
    const parts: string[] = [];
    let chars = 0;
    for (let k = 0; k < n; k++) {
      const v = this.value(e, b, off + k * e.size, depth + 1);
      parts.push(v);
      chars += v.length;
      if (chars > MAX_VALUE_CHARS) break;
    }
    return `[${parts.join(', ')}${total > parts.length ? `, ... (${total} elements)` : ''}]`;
  }

  private words(b: Uint8Array, off: number, size: number): string {
    const parts: string[] = [];
    for (let k = 0; k < size && parts.length < 8; k += this.p) parts.push(this.hexAt(b, off + k, this.p));
    return parts.join(' ');
  }

  /** The entries of the map at `ptr` (its header), old buckets or Swiss tables; undefined when not readable. */
  private mapEntries(t: GoType, ptr: number, depth: number): { count: number; list: FieldValue[] } | undefined {
    const m = t.map;
    const kt = t.key;
    const vt = t.elem;
    if (m === undefined || m.bucket === undefined || kt === undefined || vt === undefined) return undefined;
    const header = m.header;
    const hb = this.memory(ptr, header.size);
    if (hb === undefined || hb.length < header.size) return undefined;
    const list: FieldValue[] = [];
    const field = (s: GoType, name: string) => s.fields?.find((f) => f.name === name);
    const add = (bucket: Uint8Array, bucketAddr: number, ko: number, vo: number, kIndirect: boolean, vIndirect: boolean) => {
      let kb = bucket;
      let kOff = ko;
      if (kIndirect) {
        const kp = this.memory(this.word(bucket, ko), kt.size);
        if (kp === undefined) return;
        kb = kp;
        kOff = 0;
      }
      let vb = bucket;
      let vOff = vo;
      if (vIndirect) {
        const vp = this.memory(this.word(bucket, vo), vt.size);
        if (vp === undefined) return;
        vb = vp;
        vOff = 0;
      }
      const f: FieldValue = { name: `[${this.value(kt, kb, kOff, depth + 1)}]`, offset: vo + (this.graph.findObject(bucketAddr) >= 0 ? bucketAddr - this.graph.addressOf(this.graph.findObject(bucketAddr)) : 0), type: vt.name, value: '' };
      f.value = this.value(vt, vb, vOff, depth + 1, f);
      list.push(f);
    };
    if (!m.swiss) {
      // hmap: count, B, buckets, oldbuckets; bmap: tophash [8]uint8, 8 keys, 8 values, overflow.
      const fc = field(header, 'count');
      const fB = field(header, 'B');
      const fBuckets = field(header, 'buckets');
      const fOld = field(header, 'oldbuckets');
      const bt = m.bucket;
      const fTop = field(bt, 'tophash');
      const fKeys = field(bt, 'keys');
      const fVals = field(bt, 'values') ?? field(bt, 'elems');
      const fOver = field(bt, 'overflow');
      if (!fc || !fB || !fBuckets || !fTop || !fKeys || !fVals || !fOver) return undefined;
      const count = this.word(hb, fc.offset);
      const B = hb[fB.offset];
      const kSlot = (fVals.offset - fKeys.offset) / 8;
      const vSlot = (fOver.offset - fVals.offset) / 8;
      const kIndirect = kSlot !== kt.size && kSlot === this.p && kt.size > 128;
      const vIndirect = vSlot !== vt.size && vSlot === this.p && vt.size > 128;
      const scan = (base: number, nb: number) => {
        for (let k = 0; k < nb && list.length < SHOWN_ENTRIES; k++) {
          let at = base + k * bt.size;
          for (let chain = 0; at !== 0 && chain < 64 && list.length < SHOWN_ENTRIES; chain++) {
            const bucket = this.memory(at, bt.size);
            if (bucket === undefined || bucket.length < bt.size) break;
            for (let j = 0; j < 8 && list.length < SHOWN_ENTRIES; j++) {
              if (bucket[fTop.offset + j] < 5) continue; // empty or evacuated
              add(bucket, at, fKeys.offset + j * kSlot, fVals.offset + j * vSlot, kIndirect, vIndirect);
            }
            at = this.word(bucket, fOver.offset);
          }
        }
      };
      const buckets = this.word(hb, fBuckets.offset);
      if (buckets !== 0 && B < 31) scan(buckets, 2 ** B);
      const old = fOld ? this.word(hb, fOld.offset) : 0;
      if (old !== 0 && B > 0) scan(old, 2 ** (B - 1));
      return { count, list };
    }
    // Swiss: Map{used, dirPtr, dirLen}; dirLen 0: dirPtr is the only group, else a [dirLen]*table whose
    // groups.data holds lengthMask+1 groups. A group: ctrl word (byte j < 0x80: slot j full), then 8 slots.
    const fUsed = field(header, 'used');
    const fDir = field(header, 'dirPtr');
    const fLen = field(header, 'dirLen');
    const gt = m.bucket;
    const fCtrl = field(gt, 'ctrl');
    const fSlots = field(gt, 'slots');
    const st = fSlots?.type.elem;
    const fk = st === undefined ? undefined : field(st, 'key');
    const fe = st === undefined ? undefined : field(st, 'elem');
    if (!fUsed || !fDir || !fLen || !fCtrl || !fSlots || st === undefined || !fk || !fe) return undefined;
    const count = this.uint(hb, fUsed.offset, fUsed.type.size);
    const kIndirect = fk.type.kind === GoKind.Ptr && kt.kind !== GoKind.Ptr && kt.size > 128;
    const vIndirect = fe.type.kind === GoKind.Ptr && vt.kind !== GoKind.Ptr && vt.size > 128;
    const group = (at: number) => {
      const g = this.memory(at, gt.size);
      if (g === undefined || g.length < gt.size) return;
      for (let j = 0; j < 8 && list.length < SHOWN_ENTRIES; j++) {
        const ctrl = g[fCtrl.offset + (this.le ? j : 7 - j)];
        if ((ctrl & 0x80) !== 0) continue; // empty or deleted
        const so = fSlots.offset + j * st.size;
        add(g, at, so + fk.offset, so + fe.offset, kIndirect, vIndirect);
      }
    };
    const dir = this.word(hb, fDir.offset);
    const dirLen = this.word(hb, fLen.offset);
    if (dir === 0) return { count, list };
    if (dirLen === 0) {
      group(dir);
      return { count, list };
    }
    const tt = m.table;
    const fGroups = tt === undefined ? undefined : field(tt, 'groups');
    const fData = fGroups?.type.fields?.find((f) => f.name === 'data');
    const fMask = fGroups?.type.fields?.find((f) => f.name === 'lengthMask');
    if (tt === undefined || !fGroups || !fData || !fMask) return { count, list };
    const dirBytes = this.memory(dir, Math.min(dirLen, 1 << 16) * this.p);
    if (dirBytes === undefined) return { count, list };
    const seen = new Set<number>();
    for (let k = 0; k * this.p < dirBytes.length && list.length < SHOWN_ENTRIES; k++) {
      const ta = this.word(dirBytes, k * this.p);
      if (ta === 0 || seen.has(ta)) continue;
      seen.add(ta);
      const tb = this.memory(ta, tt.size);
      if (tb === undefined || tb.length < tt.size) continue;
      const data = this.word(tb, fGroups.offset + fData.offset);
      const groups = this.uint(tb, fGroups.offset + fMask.offset, fMask.type.size) + 1;
      for (let q = 0; q < groups && q < 1 << 20 && list.length < SHOWN_ENTRIES; q++) group(data + q * gt.size);
    }
    return { count, list };
  }
}
