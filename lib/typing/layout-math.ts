// Small layout arithmetic type recovery shares: the runtime's size classes, Go alignment, word reads from a
// DataView, qualified names' packages, and searches in sorted typed arrays.
import { GoKind, type GoType } from '../gotypes/index.js';

/** The p-byte word (4 or 8) at `at` in v, as a number (exact below 2^53). */
export function viewWord(v: DataView, at: number, p: number, le: boolean): number {
  if (p === 4) return v.getUint32(at, le);
  return le ? v.getUint32(at, true) + v.getUint32(at + 4, true) * 4294967296 : v.getUint32(at) * 4294967296 + v.getUint32(at + 4);
}

/** The runtime's size classes (runtime/sizeclasses.go, the same from Go 1.19 to 1.26). */
export const SIZE_CLASSES = [
  8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256, 288, 320, 352, 384, 416, 448, 480,
  512, 576, 640, 704, 768, 896, 1024, 1152, 1280, 1408, 1536, 1792, 2048, 2304, 2688, 3072, 3200, 3456, 4096, 4864,
  5376, 6144, 6528, 6784, 6912, 8192, 9472, 9728, 10240, 10880, 12288, 13568, 14336, 16384, 18432, 19072, 20480,
  21760, 24576, 27264, 28672, 32768,
];

/** The size of the object the runtime allocates for `n` bytes (large objects: whole 8 KiB pages). */
export function sizeClass(n: number): number {
  if (n > 32768) return Math.ceil(n / 8192) * 8192;
  for (const c of SIZE_CLASSES) if (c >= n) return c;
  return n;
}

/** The alignment of a value of type t (p: the pointer size). */
export function alignOf(t: GoType, p: number): number {
  switch (t.kind) {
    case GoKind.Struct: {
      let a = 1;
      for (const f of t.fields ?? []) a = Math.max(a, alignOf(f.type, p));
      return a;
    }
    case GoKind.Array:
      return t.elem === undefined ? 1 : alignOf(t.elem, p);
    case GoKind.Complex64:
      return 4;
    case GoKind.Complex128:
      return Math.min(8, p);
    default:
      return Math.max(1, Math.min(t.size, p));
  }
}

/** The package path of a qualified type name ("main.Holder" -> "main", "net/http.conn" -> "net/http"), or "". */
export function packageOf(name: string): string {
  const bracket = name.indexOf('[');
  const head = bracket >= 0 ? name.slice(0, bracket) : name;
  const slash = head.lastIndexOf('/');
  const dot = head.indexOf('.', slash + 1);
  return dot > 0 && /^[\w./-]+$/.test(head.slice(0, dot)) ? head.slice(0, dot) : '';
}

/** Binary search in a sorted Uint32Array. */
export function contains(a: Uint32Array, x: number): boolean {
  let lo = 0;
  let hi = a.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = a[mid];
    if (v === x) return true;
    if (v < x) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** Index of the last element <= x in ascending `a`, or -1. */
export function lastAtOrBelow(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] <= x) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best;
}
