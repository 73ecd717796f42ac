// describeObject: one heap object decoded through its recovered type, for `goheap object`: its fields with
// names, offsets, types and values (numbers, bools, string contents, pointers with their target's type), the
// first elements of arrays and slices, and plain hex words where nothing is known.
import type { HeapGraph } from '../graph/index.js';
import { GoKind, GoType } from '../gotypes/index.js';
import type { RecoveredTypes } from './heap-types.js';
import { TypingKind } from './typings.js';

/** One decoded field or word. */
export interface FieldValue {
  name: string;
  offset: number;
  type: string;
  value: string;
}

export interface ObjectDescription {
  address: string;
  index: number;
  size: number;
  type: string;
  typed: boolean;
  reachable: boolean;
  referrers: number;
  fields: FieldValue[];
}

/** Elements shown of an array or slice. */
const SHOWN_ELEMENTS = 8;
/** Characters shown of a string. */
const SHOWN_CHARS = 64;
const MAX_FIELDS = 400;

/** Decodes object `i` (an object index) through `types`. */
export function describeObject(graph: HeapGraph, types: RecoveredTypes, i: number): ObjectDescription {
  const d = new Describer(graph, types);
  const rev = graph.reverseEdges();
  const ty = types.typing(i);
  const bytes = graph.objectContent(i);
  const fields: FieldValue[] = [];
  const t = ty.goType;
  if (t !== undefined && (ty.kind === TypingKind.Value || ty.kind === TypingKind.Array)) {
    if (ty.base > 0) fields.push({ name: '<malloc header>', offset: 0, type: 'uintptr', value: d.typeWord(d.word(bytes, 0)) });
    const n = ty.kind === TypingKind.Array ? Math.min(ty.count, SHOWN_ELEMENTS) : 1;
    for (let k = 0; k < n; k++) {
      const prefix = ty.kind === TypingKind.Array ? `[${k}]` : '';
      d.fields(t, bytes, ty.base + k * t.size, prefix, fields, 0);
    }
    if (ty.kind === TypingKind.Array && ty.count > n) {
      fields.push({ name: '...', offset: ty.base + n * t.size, type: '', value: `${ty.count - n} more elements` });
    }
  } else if (ty.kind === TypingKind.StringData) {
    fields.push({ name: 'bytes', offset: 0, type: 'string data', value: quote(bytes, bytes.length) });
  } else {
    if (ty.kind === TypingKind.Closure) {
      fields.push({ name: 'fn', offset: 0, type: 'uintptr', value: d.code(d.word(bytes, 0)) });
    }
    for (let off = ty.kind === TypingKind.Closure ? d.p : 0; off + d.p <= bytes.length && fields.length < MAX_FIELDS; off += d.p) {
      fields.push({ name: '', offset: off, type: 'word', value: d.pointer(d.word(bytes, off), true) });
    }
  }
  return {
    address: hex(graph.objectAddress[i]),
    index: i,
    size: graph.objectSize[i],
    type: types.objectTypeName(i),
    typed: types.objectType[i] !== 0,
    reachable: graph.reachable[i] !== 0,
    referrers: rev.start[i + 1] - rev.start[i],
    fields,
  };
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

class Describer {
  readonly p: number;
  private readonly le: boolean;

  constructor(
    private readonly graph: HeapGraph,
    private readonly types: RecoveredTypes,
  ) {
    this.p = graph.params.ptrSize;
    this.le = !graph.params.bigEndian;
  }

  word(b: Uint8Array, off: number): number {
    return this.uint(b, off, this.p);
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

  /** A pointer value: nil, or hex with what it points to. */
  pointer(v: number, wordOnly = false): string {
    if (v === 0) return wordOnly ? '0x0' : 'nil';
    const t = this.graph.findObject(v);
    if (t >= 0) {
      const off = v - this.graph.objectAddress[t];
      return `${hex(v)} (${this.types.objectTypeName(t)}${off > 0 ? ` +${off}` : ''})`;
    }
    if (wordOnly) return hex(v);
    const fn = this.types.program.functionAt(v);
    return fn !== undefined ? `${hex(v)} (${fn.name})` : `${hex(v)} (not in the heap)`;
  }

  code(pc: number): string {
    const fn = this.types.program.functionAt(pc);
    return fn !== undefined ? `${hex(pc)} (${fn.name})` : hex(pc);
  }

  typeWord(addr: number): string {
    const t = this.types.program.typeByRuntimeAddress(addr);
    return t !== undefined ? `${hex(addr)} (type ${t.name})` : hex(addr);
  }

  /** The bytes at `addr`: from a heap object, or from the executable (static data), or undefined. */
  private memory(addr: number, len: number): Uint8Array | undefined {
    const t = this.graph.findObject(addr);
    if (t >= 0) {
      const off = addr - this.graph.objectAddress[t];
      return this.graph.objectContent(t).subarray(off, off + len);
    }
    try {
      return this.types.program.elf.readVirtual(addr, len);
    } catch {
      return undefined;
    }
  }

  /** Appends the fields of a value of type t at `off` in b, leaves first, names prefixed. */
  fields(t: GoType, b: Uint8Array, off: number, prefix: string, out: FieldValue[], depth: number): void {
    if (out.length >= MAX_FIELDS) return;
    if (t.kind === GoKind.Struct && t.fields !== undefined && t.fields.length > 0 && depth < 4) {
      for (const f of t.fields) {
        const name = prefix === '' ? f.name : prefix.endsWith(']') && prefix.startsWith('[') && depth === 0 ? `${prefix}.${f.name}` : `${prefix}.${f.name}`;
        this.fields(f.type, b, off + f.offset, name, out, depth + 1);
      }
      return;
    }
    out.push({ name: prefix === '' ? '<value>' : prefix, offset: off, type: t.name, value: this.value(t, b, off, 0) });
  }

  /** A one-line rendering of a value of type t at `off` in b. */
  value(t: GoType, b: Uint8Array, off: number, depth: number): string {
    const p = this.p;
    switch (t.kind) {
      case GoKind.Bool:
        return b[off] ? 'true' : 'false';
      case GoKind.Int: case GoKind.Int8: case GoKind.Int16: case GoKind.Int32: case GoKind.Int64:
        return this.big(b, off, t.size, true);
      case GoKind.Uint: case GoKind.Uint8: case GoKind.Uint16: case GoKind.Uint32: case GoKind.Uint64:
        return this.big(b, off, t.size, false);
      case GoKind.Uintptr:
        return hex(this.uint(b, off, t.size));
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
        const data = this.memory(ptr, Math.min(len, SHOWN_CHARS));
        return data === undefined ? `<string at ${hex(ptr)}, ${len} bytes>` : quote(data, len);
      }
      case GoKind.Slice: {
        const ptr = this.word(b, off);
        const len = this.word(b, off + p);
        const cap = this.word(b, off + 2 * p);
        let s = `len ${len} cap ${cap} ${this.pointer(ptr)}`;
        if (ptr !== 0 && len > 0 && t.elem !== undefined && t.elem.size > 0 && depth < 2) {
          const n = Math.min(len, SHOWN_ELEMENTS);
          const data = this.memory(ptr, n * t.elem.size);
          if (data !== undefined) s += ` ${this.elements(t.elem, data, 0, n, len, depth)}`;
        }
        return s;
      }
      case GoKind.Array: {
        const e = t.elem;
        const n = t.len ?? 0;
        if (e === undefined || e.size === 0) return `[${n}]`;
        return this.elements(e, b, off, Math.min(n, SHOWN_ELEMENTS), n, depth);
      }
      case GoKind.Ptr: case GoKind.UnsafePointer: case GoKind.Map: case GoKind.Chan:
        return this.pointer(this.word(b, off));
      case GoKind.Func: {
        const v = this.word(b, off);
        return v === 0 ? 'nil' : this.pointer(v);
      }
      case GoKind.Eface: case GoKind.Iface: {
        const tw = this.word(b, off);
        const data = this.word(b, off + p);
        if (tw === 0) return 'nil';
        let typeAddr = tw;
        if (t.kind === GoKind.Iface) {
          const it = this.graph.itabs.find((x) => x.address === tw);
          typeAddr = it?.typeAddress ?? 0;
        }
        const dyn = this.types.program.typeByRuntimeAddress(typeAddr);
        return `(${dyn?.name ?? `itab ${hex(tw)}`}) ${this.pointer(data)}`;
      }
      case GoKind.Struct: {
        if (depth >= 2 || t.fields === undefined) return this.words(b, off, t.size);
        return `{${t.fields.map((f) => `${f.name}: ${this.value(f.type, b, off + f.offset, depth + 1)}`).join(', ')}}`;
      }
      default:
        return this.words(b, off, t.size);
    }
  }

  private elements(e: GoType, b: Uint8Array, off: number, n: number, total: number, depth: number): string {
    const parts: string[] = [];
    for (let k = 0; k < n; k++) parts.push(this.value(e, b, off + k * e.size, depth + 1));
    return `[${parts.join(', ')}${total > n ? `, ... (${total} elements)` : ''}]`;
  }

  private words(b: Uint8Array, off: number, size: number): string {
    const parts: string[] = [];
    for (let k = 0; k < size && parts.length < 8; k += this.p) parts.push(hex(this.word(b, off + k)));
    return parts.join(' ');
  }
}
