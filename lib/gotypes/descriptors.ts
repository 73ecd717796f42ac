// Types that DWARF does not describe, read from the runtime type descriptors (abi.Type) in the executable.
// The linker writes DWARF only for types that a variable, a parameter or another described type uses; a type
// only ever boxed in an interface (`type Dot struct{ R float32 }` put in a []Shape, methods without a named
// receiver or inlined away) has no DIE, yet its itab (symbol go.itab.main.Dot,main.Shape / go:itab.* on 1.20+)
// points at its descriptor. For every itab whose dynamic type DWARF lacks, a GoType is made from the descriptor:
// size, kind and name (the runtime's spelling), struct fields with names and offsets, array length and element,
// pointer/slice element; strings and slices take their word layout from DWARF's own `string` and slice types.
// Ids follow the symbol table's order, so a program read twice numbers them the same (stored typings rely on it).
//
// abi.Type (1.19-1.26, same words): size, ptrdata (uintptr each), hash u32, tflag u8, align u8, fieldAlign u8,
// kind u8, equal (func), gcdata (pointer), str nameOff i32, ptrToThis i32: 4p + 16 bytes, then the kind's part
// (structType: pkgPath name pointer, fields slice; arrayType: elem, slice, len; ptrType/sliceType: elem).
// A name is a flags byte, a varint length and the bytes; tflag & 2 (TFlagExtraStar) marks a leading '*' to drop.
// A struct field is {name pointer, typ pointer, offset uintptr}; Go 1.19 stores offset << 1 | embedded (both are read
// and the one that lays the fields out inside the struct is kept).
import type { ElfFile } from '../elf/index.js';
import { GoKind } from './kind.js';
import { GoType, type GoField } from './types.js';

const KIND_MASK = 0x1f;
const TFLAG_EXTRA_STAR = 2;
const MAX_DEPTH = 8;

/** What the reader needs from the program being built. */
export interface DescriptorContext {
  readonly elf: ElfFile;
  readonly ptrSize: number;
  readonly bigEndian: boolean;
  /** moduledata.types: name offsets are relative to it. */
  readonly typesBase: number;
  readonly types: GoType[];
  readonly byRuntimeAddr: Map<number, GoType>;
  readonly byName: Map<string, GoType>;
}

/** Makes GoTypes for the dynamic types of the executable's itabs that DWARF does not describe; returns how many. */
export function addItabTypes(c: DescriptorContext): number {
  const before = c.types.length;
  const r = new DescriptorReader(c);
  for (const s of c.elf.symbols()) {
    if (!(s.name.startsWith('go.itab.') || s.name.startsWith('go:itab.'))) continue;
    const a = r.word(s.value + c.ptrSize);
    if (a === undefined || a === 0 || c.byRuntimeAddr.has(a)) continue;
    try {
      r.type(a, 0);
    } catch {
      // An unreadable descriptor: no type.
    }
  }
  return c.types.length - before;
}

class DescriptorReader {
  constructor(private readonly c: DescriptorContext) {}

  word(at: number): number | undefined {
    const p = this.c.ptrSize;
    const b = this.c.elf.readVirtual(at, p);
    if (b === undefined || b.length < p) return undefined;
    let v = 0;
    for (let k = 0; k < p; k++) v = v * 256 + b[this.c.bigEndian ? k : p - 1 - k];
    return v;
  }

  private bytes(at: number, n: number): Uint8Array | undefined {
    const b = this.c.elf.readVirtual(at, n);
    return b !== undefined && b.length >= n ? b : undefined;
  }

  /** The name at `at` (flags byte, varint length, bytes), or undefined. */
  private name(at: number): string | undefined {
    const head = this.bytes(at, 1 + 5);
    if (head === undefined) return undefined;
    let len = 0;
    let shift = 0;
    let k = 1;
    for (; k < head.length; k++) {
      len |= (head[k] & 0x7f) << shift;
      shift += 7;
      if ((head[k] & 0x80) === 0) break;
    }
    const b = this.bytes(at + k + 1, len);
    return b === undefined ? undefined : Buffer.from(b).toString('utf8');
  }

  /** The GoType of the descriptor at `addr`: DWARF's when it has one, else made from the descriptor. */
  type(addr: number, depth: number): GoType | undefined {
    const c = this.c;
    const known = c.byRuntimeAddr.get(addr);
    if (known !== undefined) return known;
    if (depth > MAX_DEPTH) return undefined;
    const p = c.ptrSize;
    const size = this.word(addr);
    const head = this.bytes(addr + 2 * p, 8);
    const strOff = this.bytes(addr + 4 * p + 8, 4);
    if (size === undefined || head === undefined || strOff === undefined) return undefined;
    const tflag = head[4];
    const kind = (head[7] & KIND_MASK) as GoKind;
    const dv = new DataView(strOff.buffer, strOff.byteOffset, 4);
    let name = this.name(c.typesBase + dv.getInt32(0, !c.bigEndian));
    if (name === undefined) return undefined;
    if ((tflag & TFLAG_EXTRA_STAR) !== 0 && name.startsWith('*')) name = name.slice(1);
    const base = addr + 4 * p + 16;
    let t: GoType;
    switch (kind) {
      case GoKind.Struct: {
        const fieldsAt = this.word(base + p);
        const n = this.word(base + 2 * p);
        if (fieldsAt === undefined || n === undefined || n > 4096) return undefined;
        t = this.make(addr, name, kind, size);
        const fields: GoField[] = [];
        const raw: number[] = [];
        for (let k = 0; k < n; k++) {
          const f = fieldsAt + k * 3 * p;
          const fname = this.name(this.word(f) ?? 0) ?? `f${k}`;
          const ft = this.type(this.word(f + p) ?? 0, depth + 1);
          const off = this.word(f + 2 * p);
          if (ft === undefined || off === undefined) return this.drop(t);
          fields.push({ name: fname, offset: off, type: ft, embedded: false });
          raw.push(off);
        }
        const fits = (offs: number[]): boolean => offs.every((o, k) => o + fields[k].type.size <= size && (k === 0 || o >= offs[k - 1]));
        const halved = raw.map((o) => Math.floor(o / 2));
        const useHalf = !fits(raw) && fits(halved);
        t.fields = fields.map((f, k) => (useHalf ? { ...f, offset: halved[k], embedded: (raw[k] & 1) === 1 } : f));
        return t;
      }
      case GoKind.Array: {
        const e = this.type(this.word(base) ?? 0, depth + 1);
        const len = this.word(base + 2 * p);
        if (e === undefined || len === undefined) return undefined;
        t = this.make(addr, name, kind, size);
        t.elem = e;
        t.len = len;
        return t;
      }
      case GoKind.Ptr:
      case GoKind.Slice: {
        const e = this.type(this.word(base) ?? 0, depth + 1);
        if (e === undefined) return undefined;
        if (kind === GoKind.Slice) {
          const like = c.byName.get('[]uint8') ?? c.types.find((u) => u.kind === GoKind.Slice && u.fields !== undefined);
          if (like === undefined) return undefined;
          t = this.make(addr, name, kind, size);
          t.fields = like.fields!.map((f, k) => (k === 0 ? { ...f, type: this.pointerTo(e) ?? f.type } : f));
        } else t = this.make(addr, name, kind, size);
        t.elem = e;
        return t;
      }
      case GoKind.String: {
        const like = c.byName.get('string');
        if (like === undefined) return undefined;
        t = this.make(addr, name, kind, size);
        t.fields = like.fields;
        return t;
      }
      default:
        if (kind >= GoKind.Bool && kind <= GoKind.Complex128) return this.make(addr, name, kind, size);
        return undefined;
    }
  }

  /** DWARF's *e, when it has one. */
  private pointerTo(e: GoType): GoType | undefined {
    return this.c.byName.get(`*${e.name}`);
  }

  private make(addr: number, name: string, kind: GoKind, size: number): GoType {
    const c = this.c;
    const t = new GoType(c.types.length, name, kind, size, -1);
    t.runtimeTypeAddress = addr;
    c.types.push(t);
    c.byRuntimeAddr.set(addr, t);
    if (!c.byName.has(name)) c.byName.set(name, t);
    return t;
  }

  /** Undoes make() for a type whose parts could not be read (when it is the last one made). */
  private drop(t: GoType): GoType | undefined {
    const c = this.c;
    if (c.types[c.types.length - 1] !== t) return t; // types made after it keep their ids: t stays, without fields
    c.types.pop();
    c.byRuntimeAddr.delete(t.runtimeTypeAddress!);
    if (c.byName.get(t.name) === t) c.byName.delete(t.name);
    return undefined;
  }
}
