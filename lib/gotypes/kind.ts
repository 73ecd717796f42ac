// GoKind: Go's type kinds, numbered as reflect.Kind / DW_AT_go_kind (0-26), with interfaces split
// into Iface (non-empty, itab word first) and Eface (interface{}, type word first).

/** A Go type kind. Values 0-26 equal reflect.Kind and DW_AT_go_kind; Eface (27) is goheap's own. */
export enum GoKind {
  Invalid = 0,
  Bool = 1,
  Int = 2,
  Int8 = 3,
  Int16 = 4,
  Int32 = 5,
  Int64 = 6,
  Uint = 7,
  Uint8 = 8,
  Uint16 = 9,
  Uint32 = 10,
  Uint64 = 11,
  Uintptr = 12,
  Float32 = 13,
  Float64 = 14,
  Complex64 = 15,
  Complex128 = 16,
  Array = 17,
  Chan = 18,
  Func = 19,
  /** A non-empty interface: words (itab, data). DW_AT_go_kind 20. */
  Iface = 20,
  Map = 21,
  Ptr = 22,
  Slice = 23,
  String = 24,
  Struct = 25,
  UnsafePointer = 26,
  /** The empty interface: words (_type, data). DW_AT_go_kind 20 over runtime.eface. */
  Eface = 27,
}

const NAMES: readonly string[] = [
  'invalid',
  'bool',
  'int',
  'int8',
  'int16',
  'int32',
  'int64',
  'uint',
  'uint8',
  'uint16',
  'uint32',
  'uint64',
  'uintptr',
  'float32',
  'float64',
  'complex64',
  'complex128',
  'array',
  'chan',
  'func',
  'iface',
  'map',
  'ptr',
  'slice',
  'string',
  'struct',
  'unsafe.Pointer',
  'eface',
];

/** A short lower-case name for a kind ("ptr", "iface", "eface", ...). */
export function kindName(k: GoKind): string {
  return NAMES[k] ?? `kind${k}`;
}

/** True for kinds whose value is exactly one pointer word (ptr, unsafe.Pointer, map, chan, func). */
export function isPointerShaped(k: GoKind): boolean {
  return k === GoKind.Ptr || k === GoKind.UnsafePointer || k === GoKind.Map || k === GoKind.Chan || k === GoKind.Func;
}

/** True for either interface kind. */
export function isInterface(k: GoKind): boolean {
  return k === GoKind.Iface || k === GoKind.Eface;
}

// DW_ATE_* base type encodings.
const DW_ATE_boolean = 0x02;
const DW_ATE_complex_float = 0x03;
const DW_ATE_float = 0x04;
const DW_ATE_signed = 0x05;
const DW_ATE_signed_char = 0x06;
const DW_ATE_unsigned = 0x07;
const DW_ATE_unsigned_char = 0x08;

/** The kind of a base type without DW_AT_go_kind, from its DWARF encoding and size. */
export function kindFromEncoding(encoding: number, size: number): GoKind {
  switch (encoding) {
    case DW_ATE_boolean:
      return GoKind.Bool;
    case DW_ATE_float:
      return size === 4 ? GoKind.Float32 : GoKind.Float64;
    case DW_ATE_complex_float:
      return size === 8 ? GoKind.Complex64 : GoKind.Complex128;
    case DW_ATE_signed:
    case DW_ATE_signed_char:
      return size === 1 ? GoKind.Int8 : size === 2 ? GoKind.Int16 : size === 4 ? GoKind.Int32 : GoKind.Int64;
    case DW_ATE_unsigned:
    case DW_ATE_unsigned_char:
      return size === 1 ? GoKind.Uint8 : size === 2 ? GoKind.Uint16 : size === 4 ? GoKind.Uint32 : GoKind.Uint64;
    default:
      return GoKind.Invalid;
  }
}
