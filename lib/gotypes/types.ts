// GoType and the builder that makes them from DWARF type DIEs. One GoType per type DIE, except that
// Go's plain alias typedefs (a named struct's "typedef main.Node -> struct main.Node", no
// DW_AT_go_kind) resolve to their target. Map, chan and interface typedefs (which carry
// DW_AT_go_kind) are real types whose layout comes from the runtime structs they point to.

import { DW_AT, DW_TAG, Die, DwarfData } from '../dwarf/index.js';
import { GoKind, kindFromEncoding } from './kind.js';

/** A struct field (also used for the DWARF layouts of strings, slices and interfaces). */
export interface GoField {
  readonly name: string;
  readonly offset: number;
  readonly type: GoType;
  readonly embedded: boolean;
}

/** Where the parts of a map live. */
export interface MapLayout {
  /** True for Go 1.24+ Swiss tables (internal/runtime/maps), false for hmap/bmap. */
  readonly swiss: boolean;
  /** The struct the map value points to: "hash<K,V>" (hmap) or "map<K,V>" (maps.Map). */
  readonly header: GoType;
  /** hmap buckets: "bucket<K,V>"; Swiss: the slot group "noalg.map.group[K]V" (also a small map's only group). */
  readonly bucket?: GoType;
  /** Swiss only: "table<K,V>", reached through Map.dirPtr (a *[dirLen]*table). */
  readonly table?: GoType;
}

/** A Go type. `id` is its index in GoProgram.types. */
export class GoType {
  /** Struct fields, or the word layout of string/slice/interface/funcval structs. */
  fields: GoField[] | undefined;
  /** Pointer target, array/slice/chan element, map value. */
  elem: GoType | undefined;
  /** Map key. */
  key: GoType | undefined;
  /** Array length. */
  len: number | undefined;
  /** Absolute address of the runtime type descriptor (from DW_AT_go_runtime_type). */
  runtimeTypeAddress: number | undefined;
  /** Maps: header, bucket/group and table structs. */
  map: MapLayout | undefined;
  /** Chans: the "hchan<T>" struct the chan value points to (buffer of elements follows it or is separate). */
  chanHeader: GoType | undefined;
  /** Cached pointer offsets, see pointerMap(). */
  ptrOffsets: Uint32Array | undefined;

  constructor(
    readonly id: number,
    readonly name: string,
    public kind: GoKind,
    public size: number,
    /** Offset of the defining DIE in .debug_info. */
    readonly dieOffset: number,
  ) {}

  toString(): string {
    return this.name;
  }
}

const TYPE_TAGS = new Set<number>([
  DW_TAG.base_type,
  DW_TAG.pointer_type,
  DW_TAG.structure_type,
  DW_TAG.array_type,
  DW_TAG.typedef,
  DW_TAG.subroutine_type,
  DW_TAG.unspecified_type,
]);

/** Builds every GoType from a binary's DWARF. */
export class TypeBuilder {
  readonly types: GoType[] = [];
  /** .debug_info offset of a type DIE -> its GoType (aliases map to their target's GoType). */
  readonly byOffset = new Map<number, GoType>();

  constructor(
    private readonly dwarf: DwarfData,
    private readonly ptrSize: number,
    private readonly runtimeTypeAddr: (v: number) => number | undefined,
  ) {}

  /** Is this DIE a plain alias typedef (no kind, no runtime type)? */
  private isAlias(d: Die): boolean {
    return d.tag === DW_TAG.typedef && !d.num(DW_AT.go_kind) && !d.num(DW_AT.go_runtime_type);
  }

  /** Follows alias typedefs from a DIE offset to the first non-alias DIE (iteratively, cycle-safe). */
  private resolveOffset(off: number | undefined): Die | undefined {
    for (let guard = 0; off !== undefined && guard < 64; guard++) {
      const d = this.dwarf.dieAt(off);
      if (d === undefined || !TYPE_TAGS.has(d.tag)) return undefined;
      if (!this.isAlias(d)) return d;
      off = d.ref(DW_AT.type);
    }
    return undefined;
  }

  /** The GoType a type reference (DIE offset) denotes. */
  typeAt(off: number | undefined): GoType | undefined {
    if (off === undefined) return undefined;
    const t = this.byOffset.get(off);
    if (t !== undefined) return t;
    const d = this.resolveOffset(off);
    if (d === undefined) return undefined;
    const r = this.byOffset.get(d.offset);
    if (r !== undefined) this.byOffset.set(off, r);
    return r;
  }

  build(): void {
    const dies = this.dwarf.dies();
    // Pass 1: one GoType per non-alias type DIE.
    for (let i = 0; i < dies.length; i++) {
      const d = dies[i];
      if (!TYPE_TAGS.has(d.tag) || this.isAlias(d)) continue;
      const t = this.create(d);
      if (t !== undefined) {
        this.types.push(t);
        this.byOffset.set(d.offset, t);
      }
    }
    // Pass 2: references (fields, elem, key, len), now that every target exists.
    for (const t of this.types) {
      const d = this.dwarf.dieAt(t.dieOffset)!;
      try {
        this.link(t, d);
      } catch {
        // An odd DIE: keep the type with what is known, never fail the whole program.
      }
    }
    // Pass 3: interface/map/chan layouts that depend on linked struct fields.
    for (const t of this.types) this.finish(t);
  }

  private create(d: Die): GoType | undefined {
    const name = d.name ?? '';
    let goKind = d.num(DW_AT.go_kind) ?? 0;
    if (goKind > 26) goKind = 0;
    let kind = goKind as GoKind;
    let size = d.num(DW_AT.byte_size) ?? -1;
    switch (d.tag) {
      case DW_TAG.base_type:
        if (kind === GoKind.Invalid) kind = kindFromEncoding(d.num(DW_AT.encoding) ?? 0, size);
        break;
      case DW_TAG.pointer_type:
        if (name === 'unsafe.Pointer' || (kind !== GoKind.Ptr && kind !== GoKind.UnsafePointer && !d.has(DW_AT.type))) {
          kind = GoKind.UnsafePointer;
        } else kind = GoKind.Ptr;
        size = this.ptrSize;
        break;
      case DW_TAG.structure_type:
        if (kind !== GoKind.String && kind !== GoKind.Slice && kind !== GoKind.Struct) kind = GoKind.Struct;
        break;
      case DW_TAG.array_type:
        kind = GoKind.Array;
        break;
      case DW_TAG.subroutine_type:
        kind = GoKind.Func;
        size = this.ptrSize;
        break;
      case DW_TAG.typedef:
        // A typedef with a Go kind: map, chan, interface (or anything else Go chose to typedef).
        if (kind === GoKind.Map || kind === GoKind.Chan) size = this.ptrSize;
        break;
      case DW_TAG.unspecified_type:
        kind = GoKind.Invalid;
        size = 0;
        break;
      default:
        return undefined;
    }
    const t = new GoType(this.types.length, name, kind, size, d.offset);
    const rt = d.num(DW_AT.go_runtime_type);
    if (rt !== undefined && rt !== 0) t.runtimeTypeAddress = this.runtimeTypeAddr(rt);
    return t;
  }

  private link(t: GoType, d: Die): void {
    switch (d.tag) {
      case DW_TAG.pointer_type:
        t.elem = this.typeAt(d.ref(DW_AT.type));
        break;
      case DW_TAG.array_type: {
        t.elem = this.typeAt(d.ref(DW_AT.type));
        for (const c of this.dwarf.children(d)) {
          if (c.tag !== DW_TAG.subrange_type) continue;
          const count = c.num(DW_AT.count);
          const ub = c.num(DW_AT.upper_bound);
          t.len = count !== undefined ? count : ub !== undefined ? ub + 1 : undefined;
          break;
        }
        if (t.size < 0 && t.elem !== undefined && t.len !== undefined && t.elem.size >= 0) t.size = t.elem.size * t.len;
        break;
      }
      case DW_TAG.structure_type: {
        const fields: GoField[] = [];
        for (const c of this.dwarf.children(d)) {
          if (c.tag !== DW_TAG.member) continue;
          const ft = this.typeAt(c.ref(DW_AT.type));
          const off = c.num(DW_AT.data_member_location);
          if (ft === undefined || off === undefined) continue; // odd member: skip
          fields.push({ name: c.name ?? '', offset: off, type: ft, embedded: c.flag(DW_AT.go_embedded_field) });
        }
        t.fields = fields;
        if (t.kind === GoKind.Slice) t.elem = this.typeAt(d.ref(DW_AT.go_elem));
        break;
      }
      case DW_TAG.typedef: {
        const target = this.typeAt(d.ref(DW_AT.type));
        if (t.kind === GoKind.Map) {
          t.key = this.typeAt(d.ref(DW_AT.go_key));
          t.elem = this.typeAt(d.ref(DW_AT.go_elem));
        } else if (t.kind === GoKind.Chan) {
          t.elem = this.typeAt(d.ref(DW_AT.go_elem));
        } else if (target !== undefined) {
          // Interfaces and any other kinded typedef: take the underlying layout.
          if (t.kind === GoKind.Iface && target.name === 'runtime.eface') t.kind = GoKind.Eface;
          if (t.kind === GoKind.Invalid) t.kind = target.kind;
          t.elem = target.elem;
        }
        break;
      }
      default:
        break;
    }
  }

  private finish(t: GoType): void {
    if (t.size < 0) t.size = 0;
    const d = this.dwarf.dieAt(t.dieOffset);
    if (d === undefined || d.tag !== DW_TAG.typedef) return;
    const target = this.typeAt(d.ref(DW_AT.type));
    if (target === undefined) return;
    if (t.kind === GoKind.Map || t.kind === GoKind.Chan) {
      // The typedef points to a pointer to the runtime struct ("*hash<K,V>", "*map<K,V>", "*hchan<T>").
      const header = deref(target);
      if (header === undefined) return;
      if (t.kind === GoKind.Map) t.map = mapLayout(header);
      else t.chanHeader = header;
      return;
    }
    // Interfaces and other kinded typedefs share their target's fields and size.
    if (t.fields === undefined) t.fields = target.fields;
    if (t.size <= 0) t.size = target.size;
    if (t.len === undefined) t.len = target.len;
  }
}

function field(t: GoType | undefined, name: string): GoField | undefined {
  return t?.fields?.find((f) => f.name === name);
}

function deref(t: GoType | undefined): GoType | undefined {
  return t !== undefined && t.kind === GoKind.Ptr ? t.elem : undefined;
}

/** Works out a map's bucket/group/table structs from its header struct's fields. */
function mapLayout(header: GoType): MapLayout {
  const buckets = field(header, 'buckets');
  if (buckets !== undefined) return { swiss: false, header, bucket: deref(buckets.type) };
  const dirPtr = field(header, 'dirPtr');
  const table = deref(deref(dirPtr?.type));
  const groups = field(table, 'groups');
  const bucket = deref(field(groups?.type, 'data')?.type);
  return { swiss: dirPtr !== undefined, header, bucket, table };
}
