// HPROF class layouts for Go objects: how one object of a given typing becomes an HPROF record, and the class that
// record names. Three shapes:
// - Instance: a class whose fields are the Go type's, flattened ("Attrs", "Peer", "Inner.Next", "Slots[3]",
//   "Name" + "Name.len" for a string, "Data" + "Data.len" + "Data.cap" for a slice, "Shape" + "Shape.itab" for an
//   interface), every GC pointer word an object field, scalars as the HPROF basic type of their size, gaps and the
//   size class's slack as "<pad +0x..>" fields, a malloc header as "<malloc header>": the fields' sizes add up to
//   the Go size class, which is also the class's instance size (VisualVM shows the instance size, Eclipse MAT adds
//   up field sizes: both show the Go size). Bytes held in a synthetic array (below) are the array's: the instance
//   size leaves them out (ClassLayout.ownSize), so that readers count every byte of the heap once.
// - ObjectArray: arrays of GC pointers ([N]*T, [N]map[K]V, ...), element k at byte base + k * ptrSize.
// - PrimitiveArray: arrays of scalars ([N]uint8 as byte[], [N]int64 as long[], ...), string bytes as byte[].
// A class has at most MAX_FIELDS fields (VisualVM reads the field count as a signed 16-bit number, and a field view
// of thousands of "Body[i]" is unreadable anyway). An inline array of more than INLINE_ARRAY_MAX elements (or whose
// elements would take more than INLINE_ARRAY_FIELDS fields) is one object field holding a synthetic array: an
// object array of its elements when they are pointers, of its words when they hold pointers otherwise, a primitive
// array of its elements when they are scalars, else a byte[] of its bytes. Its ID is the address of the array's
// first byte plus one (inside the Go object, so it never names another object). An object whose fields would still
// be too many is an instance with the one field "elements" (or "words") holding such an array of all its bytes.
// Untyped objects get an Instance class per size class and pointer layout (one object field per word that holds a
// heap pointer, the other words as long/int), named "untyped (size class 48)" or "untyped (size class 48, pointers
// +0x0 +0x10)"; beyond MAX_FIELDS words, the one field "words".
import { GoKind, type GoProgram, type GoType } from '../gotypes/index.js';
import { hprofClassName } from './hprof-names.js';

/** HPROF basic types. */
export const enum HprofType {
  Object = 2,
  Boolean = 4,
  Char = 5,
  Float = 6,
  Double = 7,
  Byte = 8,
  Short = 9,
  Int = 10,
  Long = 11,
}

export const enum LayoutKind {
  Instance = 0,
  ObjectArray = 1,
  PrimitiveArray = 2,
}

/** The most fields a class gets. */
export const MAX_FIELDS = 256;
/** The most static fields a class gets (VisualVM reads the count as a signed 16-bit number). */
export const MAX_STATICS = 32767;
/** Inline arrays of more elements are a synthetic array. */
export const INLINE_ARRAY_MAX = 16;
/** Inline arrays whose elements take more fields are a synthetic array. */
export const INLINE_ARRAY_FIELDS = 64;

/** How objects of one class are written. */
export interface ClassLayout {
  /** The HPROF class name (mangled, see hprof-names.ts). */
  name: string;
  kind: LayoutKind;
  /** Instance: the Go size class; arrays: 0. */
  size: number;
  /**
   * Instance: the instance size the CLASS DUMP declares, which readers count as each instance's shallow size: `size`
   * less the bytes its synthetic arrays hold, since readers count those with the arrays (a Go object with a 32 KiB
   * inline array is a small instance and a 32 KiB byte[], as in Java; no byte is counted twice).
   */
  ownSize: number;
  /** Instance fields, in record order: name, HPROF type, byte offset in the Go object and size in bytes. */
  fieldNames: string[];
  fieldTypes: Uint8Array;
  fieldOffsets: Int32Array;
  fieldSizes: Uint8Array;
  /** Instance: per field, the index in `arrays` of the synthetic array it holds, or -1. */
  fieldArray: Int16Array;
  /** Instance: the synthetic arrays (base: the array's byte offset in the object; count: its elements). */
  arrays: ClassLayout[];
  /** Instance: bytes of field values in an INSTANCE DUMP (the field sizes added up). */
  recordSize: number;
  /** Arrays: first element's byte offset, element count (-1: as many whole elements as the object holds). */
  base: number;
  count: number;
  /** PrimitiveArray: element type and size. */
  elemType: HprofType;
  elemSize: number;
  /** Assigned by the writer: the class object's ID and its LOAD CLASS serial. */
  id: number;
  serial: number;
}

/** A field under construction. */
export interface FieldSpec {
  name: string;
  type: HprofType;
  offset: number;
  /** Bytes in the record. */
  size: number;
  /** A synthetic array: the field holds its ID and covers its bytes in the Go object. */
  array?: ClassLayout;
  /** Bytes of the Go object the field covers (size, or the array's bytes). */
  span?: number;
}

/** Java's primitive array class names per element type. */
export const PRIMITIVE_ARRAY_NAMES: Record<number, string> = {
  [HprofType.Boolean]: 'boolean[]', [HprofType.Char]: 'char[]', [HprofType.Float]: 'float[]', [HprofType.Double]: 'double[]',
  [HprofType.Byte]: 'byte[]', [HprofType.Short]: 'short[]', [HprofType.Int]: 'int[]', [HprofType.Long]: 'long[]',
};

/** The HPROF type of a scalar Go kind, or undefined when the kind is not one scalar. */
function scalarType(kind: GoKind, ptrSize: number): [HprofType, number] | undefined {
  switch (kind) {
    case GoKind.Bool: return [HprofType.Boolean, 1];
    case GoKind.Int8: case GoKind.Uint8: return [HprofType.Byte, 1];
    case GoKind.Int16: case GoKind.Uint16: return [HprofType.Short, 2];
    case GoKind.Int32: case GoKind.Uint32: return [HprofType.Int, 4];
    case GoKind.Int64: case GoKind.Uint64: return [HprofType.Long, 8];
    case GoKind.Int: case GoKind.Uint: case GoKind.Uintptr: return ptrSize === 8 ? [HprofType.Long, 8] : [HprofType.Int, 4];
    case GoKind.Float32: return [HprofType.Float, 4];
    case GoKind.Float64: return [HprofType.Double, 8];
    default: return undefined;
  }
}

/** The HPROF type of one machine word that is not a pointer. */
function wordType(ptrSize: number): HprofType {
  return ptrSize === 8 ? HprofType.Long : HprofType.Int;
}

function join(prefix: string, name: string): string {
  return prefix === '' ? name : `${prefix}.${name}`;
}

/** Builds class layouts for one program (pointer maps come from it). */
export class LayoutBuilder {
  private readonly ptrSize: number;

  constructor(private readonly program: GoProgram | undefined, ptrSize: number) {
    this.ptrSize = ptrSize;
  }

  /** True when values of t are one GC pointer word (pointers to heap types, maps, chans, funcs, unsafe.Pointer). */
  isPointerWord(t: GoType): boolean {
    if (t.size !== this.ptrSize || this.program === undefined) return false;
    const m = this.program.pointerMap(t);
    return m.length === 1 && m[0] === 0 && (t.kind === GoKind.Ptr || t.kind === GoKind.UnsafePointer ||
      t.kind === GoKind.Map || t.kind === GoKind.Chan || t.kind === GoKind.Func);
  }

  /**
   * The layout for an object of `size` bytes holding `count` values of t (count 0: one value) from byte `base`
   * on (a malloc header before it). `goName` is the typing's name.
   */
  typed(goName: string, t: GoType, count: number, base: number, size: number): ClassLayout {
    const name = hprofClassName(goName);
    if (count > 0) {
      if (this.isPointerWord(t)) return this.objectArray(name, base, count);
      const s = scalarType(t.kind, this.ptrSize);
      if (s !== undefined && t.size === s[1]) return this.primitiveArray(PRIMITIVE_ARRAY_NAMES[s[0]], s[0], s[1], base, count);
    }
    const fields: FieldSpec[] = [];
    if (base > 0) fields.push({ name: '<malloc header>', type: wordType(this.ptrSize), offset: 0, size: this.ptrSize });
    let ok: boolean;
    if (count > 0) {
      ok = count <= MAX_FIELDS;
      for (let k = 0; k < count && ok; k++) ok = this.flatten(t, base + k * t.size, `[${k}]`, fields);
    } else {
      ok = this.flatten(t, base, t.kind === GoKind.Struct ? '' : 'value', fields);
    }
    if (ok) {
      const padded = padFields(fields, size, this.ptrSize);
      if (padded !== undefined) return instanceLayout(name, size, padded);
    }
    // Too many fields for one class: one field holding the value's bytes as an array (words when it has pointers).
    const hasPointers = this.program !== undefined && this.program.pointerMap(t).length > 0;
    const head: FieldSpec[] = base > 0 ? [fields[0]] : [];
    return instanceLayout(name, size, padFields([...head, this.wholeArray(`${name} (${hasPointers ? 'words' : 'bytes'})`, base, size, hasPointers)], size, this.ptrSize)!);
  }

  /** A field "words"/"elements" holding the bytes base..size as an object array of words or a byte[]. */
  private wholeArray(name: string, base: number, size: number, pointers: boolean): FieldSpec {
    const p = this.ptrSize;
    const span = size - base;
    const array = pointers ? this.objectArray(name, base, Math.floor(span / p)) : this.primitiveArray(PRIMITIVE_ARRAY_NAMES[HprofType.Byte], HprofType.Byte, 1, base, span);
    return { name: pointers ? 'words' : 'bytes', type: HprofType.Object, offset: base, size: p, array, span: pointers ? Math.floor(span / p) * p : span };
  }

  /** A field holding inline array t (at `offset`) as a synthetic array (see the file's header). */
  private inlineArray(t: GoType, offset: number, name: string): FieldSpec {
    const p = this.ptrSize;
    const e = t.elem!;
    const n = t.len ?? 0;
    const span = n * e.size;
    const cls = `${hprofClassName(t.name)} (inline)`;
    let array: ClassLayout;
    if (this.isPointerWord(e)) array = this.objectArray(cls, offset, n);
    else {
      const s = scalarType(e.kind, p);
      if (s !== undefined && e.size === s[1]) array = this.primitiveArray(PRIMITIVE_ARRAY_NAMES[s[0]], s[0], s[1], offset, n);
      else if (this.program !== undefined && this.program.pointerMap(e).length > 0) array = this.objectArray(`${hprofClassName(t.name)} (inline words)`, offset, Math.floor(span / p));
      else array = this.primitiveArray(PRIMITIVE_ARRAY_NAMES[HprofType.Byte], HprofType.Byte, 1, offset, span);
    }
    return { name, type: HprofType.Object, offset, size: p, array, span };
  }

  /** A class of `size`-byte objects whose heap pointers sit at `pointers` (ascending offsets), the rest words. */
  untyped(name: string, size: number, pointers: ArrayLike<number>): ClassLayout {
    const p = this.ptrSize;
    if (Math.ceil(size / p) > MAX_FIELDS) {
      const words = pointers.length > 0;
      return instanceLayout(name, size, padFields([this.wholeArray(`${name} (${words ? 'words' : 'bytes'})`, 0, size, words)], size, this.ptrSize)!);
    }
    const fields: FieldSpec[] = [];
    let k = 0;
    for (let off = 0; off + p <= size; off += p) {
      const isPtr = k < pointers.length && pointers[k] === off;
      if (isPtr) k++;
      fields.push({ name: `+0x${off.toString(16)}`, type: isPtr ? HprofType.Object : wordType(p), offset: off, size: p });
    }
    return instanceLayout(name, size, padFields(fields, size, this.ptrSize)!);
  }

  /** byte[] of `count` bytes from `base` (string data; -1: the whole object). */
  bytes(base: number, count: number): ClassLayout {
    return this.primitiveArray(PRIMITIVE_ARRAY_NAMES[HprofType.Byte], HprofType.Byte, 1, base, count);
  }

  private objectArray(name: string, base: number, count: number): ClassLayout {
    return { ...noFields(), name, kind: LayoutKind.ObjectArray, base, count, elemType: HprofType.Object, elemSize: this.ptrSize };
  }

  private primitiveArray(name: string, type: HprofType, elemSize: number, base: number, count: number): ClassLayout {
    return { ...noFields(), name, kind: LayoutKind.PrimitiveArray, base, count, elemType: type, elemSize };
  }

  /** Appends the fields of a value of t at `offset` named under `prefix`; false when there would be too many. */
  private flatten(t: GoType, offset: number, prefix: string, out: FieldSpec[]): boolean {
    if (out.length > MAX_FIELDS) return false;
    const p = this.ptrSize;
    const word = wordType(p);
    const name = prefix === '' ? 'value' : prefix;
    switch (t.kind) {
      case GoKind.Struct: {
        const fs = t.fields ?? [];
        for (const f of fs) {
          if (!this.flatten(f.type, offset + f.offset, join(prefix, f.name === '' ? '_' : f.name), out)) return false;
        }
        return true;
      }
      case GoKind.Array: {
        const e = t.elem;
        const n = t.len ?? 0;
        if (e === undefined || e.size === 0 || n === 0) return true;
        if (n <= INLINE_ARRAY_MAX) {
          const start = out.length;
          let ok = true;
          for (let k = 0; k < n && ok; k++) ok = this.flatten(e, offset + k * e.size, `${prefix}[${k}]`, out);
          if (ok && out.length - start <= INLINE_ARRAY_FIELDS) return true;
          out.length = start;
        }
        out.push(this.inlineArray(t, offset, name));
        return true;
      }
      case GoKind.Ptr: case GoKind.UnsafePointer: case GoKind.Map: case GoKind.Chan: case GoKind.Func:
        out.push({ name, type: this.isPointerWord(t) ? HprofType.Object : word, offset, size: p });
        return true;
      case GoKind.String:
        out.push({ name, type: HprofType.Object, offset, size: p });
        out.push({ name: `${name}.len`, type: word, offset: offset + p, size: p });
        return true;
      case GoKind.Slice:
        out.push({ name, type: HprofType.Object, offset, size: p });
        out.push({ name: `${name}.len`, type: word, offset: offset + p, size: p });
        out.push({ name: `${name}.cap`, type: word, offset: offset + 2 * p, size: p });
        return true;
      case GoKind.Iface:
        out.push({ name: `${name}.itab`, type: word, offset, size: p });
        out.push({ name, type: HprofType.Object, offset: offset + p, size: p });
        return true;
      case GoKind.Eface:
        out.push({ name: `${name}.type`, type: word, offset, size: p });
        out.push({ name, type: HprofType.Object, offset: offset + p, size: p });
        return true;
      case GoKind.Complex64:
        out.push({ name: `${name}.real`, type: HprofType.Float, offset, size: 4 });
        out.push({ name: `${name}.imag`, type: HprofType.Float, offset: offset + 4, size: 4 });
        return true;
      case GoKind.Complex128:
        out.push({ name: `${name}.real`, type: HprofType.Double, offset, size: 8 });
        out.push({ name: `${name}.imag`, type: HprofType.Double, offset: offset + 8, size: 8 });
        return true;
      default: {
        const s = scalarType(t.kind, p);
        if (s !== undefined && s[1] === t.size) out.push({ name, type: s[0], offset, size: s[1] });
        // Anything else (an unknown kind) is left to the padding.
        return true;
      }
    }
  }
}

/**
 * Sorts fields by offset, drops overlapping ones and fills every gap (and the tail up to `size`) with padding
 * fields, so that the field sizes add up to `size` (a gap of more than PAD_ARRAY bytes is one field holding a
 * synthetic byte[] of it). Undefined when that takes more than MAX_FIELDS fields.
 */
function padFields(fields: FieldSpec[], size: number, ptrSize: number): FieldSpec[] | undefined {
  fields.sort((a, b) => a.offset - b.offset);
  const out: FieldSpec[] = [];
  let at = 0;
  const pad = (to: number): void => {
    if (to - at > PAD_ARRAY) {
      const array: ClassLayout = {
        ...noFields(), name: PRIMITIVE_ARRAY_NAMES[HprofType.Byte], kind: LayoutKind.PrimitiveArray, base: at, count: to - at,
        elemType: HprofType.Byte, elemSize: 1,
      };
      out.push({ name: `<pad +0x${at.toString(16)}>`, type: HprofType.Object, offset: at, size: ptrSize, array, span: to - at });
      at = to;
      return;
    }
    while (at < to && out.length <= MAX_FIELDS) {
      const n = to - at >= 8 && at % 8 === 0 ? 8 : to - at >= 4 && at % 4 === 0 ? 4 : to - at >= 2 && at % 2 === 0 ? 2 : 1;
      const type = n === 8 ? HprofType.Long : n === 4 ? HprofType.Int : n === 2 ? HprofType.Short : HprofType.Byte;
      out.push({ name: `<pad +0x${at.toString(16)}>`, type, offset: at, size: n });
      at += n;
    }
  };
  for (const f of fields) {
    const span = f.span ?? f.size;
    if (f.offset < at || f.offset + span > size) continue;
    pad(f.offset);
    out.push(f);
    at = f.offset + span;
  }
  pad(size);
  return out.length > MAX_FIELDS ? undefined : out;
}

/** Gaps of more bytes are one padding field holding a byte[]. */
const PAD_ARRAY = 64;

/** A class with no fields (arrays, or an instance class to fill in). */
export function noFields(): ClassLayout {
  return {
    name: '', kind: LayoutKind.Instance, size: 0, ownSize: 0, fieldNames: [], fieldTypes: new Uint8Array(0), fieldOffsets: new Int32Array(0),
    fieldSizes: new Uint8Array(0), fieldArray: new Int16Array(0), arrays: [], recordSize: 0, base: 0, count: 0,
    elemType: HprofType.Object, elemSize: 0, id: 0, serial: 0,
  };
}

/** An instance class of `size` bytes with these fields (in record order). */
export function instanceLayout(name: string, size: number, fields: readonly FieldSpec[]): ClassLayout {
  const n = fields.length;
  const fieldTypes = new Uint8Array(n);
  const fieldOffsets = new Int32Array(n);
  const fieldSizes = new Uint8Array(n);
  const fieldArray = new Int16Array(n).fill(-1);
  const arrays: ClassLayout[] = [];
  let recordSize = 0;
  let inArrays = 0;
  for (let k = 0; k < n; k++) {
    fieldTypes[k] = fields[k].type;
    fieldOffsets[k] = fields[k].offset;
    fieldSizes[k] = fields[k].size;
    recordSize += fields[k].size;
    const a = fields[k].array;
    if (a !== undefined) {
      fieldArray[k] = arrays.length;
      arrays.push(a);
      inArrays += fields[k].span ?? 0;
    }
  }
  return {
    ...noFields(), name, size, ownSize: Math.max(0, size - inArrays), fieldNames: fields.map((f) => f.name), fieldTypes, fieldOffsets, fieldSizes, fieldArray, arrays, recordSize,
  };
}
