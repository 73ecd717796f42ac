// Memory layout helpers over GoTypes: pointerMap (offsets of the words the Go GC treats as
// pointers, the same words a heap dump's pointer bitmap lists) and field lookup by offset.

import { GoKind } from './kind.js';
import type { GoField, GoType } from './types.js';

/** Arrays longer than this contribute no more offsets to a pointer map (a guard against huge maps). */
const MAX_POINTER_WORDS = 1 << 22;

/**
 * Offsets (ascending) of the pointer words in a value of type `t`, as the Go GC bitmap has them:
 * pointers (except to not-in-heap types), unsafe.Pointer, map, chan and func values are one pointer
 * word; strings and slices have their data pointer at 0; interfaces have their data word (the
 * second); structs and arrays combine their parts. Computed once per type and cached on it.
 */
export function pointerMap(t: GoType, ptrSize: number): Uint32Array {
  if (t.ptrOffsets !== undefined) return t.ptrOffsets;
  const out: number[] = [];
  addPointers(t, 0, ptrSize, out, 0);
  const arr = Uint32Array.from(out).sort();
  t.ptrOffsets = arr;
  return arr;
}

function addPointers(t: GoType, base: number, ptrSize: number, out: number[], depth: number): void {
  if (depth > 100 || out.length > MAX_POINTER_WORDS) return;
  switch (t.kind) {
    case GoKind.Ptr:
      // Pointers to not-in-heap types (runtime internals marked with sys.NotInHeap) are not GC pointers.
      if (t.elem !== undefined && isNotInHeap(t.elem)) return;
      out.push(base);
      return;
    case GoKind.UnsafePointer:
    case GoKind.Map:
    case GoKind.Chan:
    case GoKind.Func:
    case GoKind.String:
    case GoKind.Slice:
      out.push(base);
      return;
    case GoKind.Iface:
    case GoKind.Eface:
      // Only the data word: the itab / _type word points outside the heap, and the runtime's GC
      // bitmaps (checked against the binaries' type descriptors) do not mark it.
      out.push(base + ptrSize);
      return;
    case GoKind.Array: {
      const e = t.elem;
      const n = t.len ?? 0;
      if (e === undefined || n === 0) return;
      const inner = pointerMap(e, ptrSize);
      if (inner.length === 0) return;
      for (let i = 0; i < n && out.length <= MAX_POINTER_WORDS; i++) {
        const b = base + i * e.size;
        for (let j = 0; j < inner.length; j++) out.push(b + inner[j]);
      }
      return;
    }
    case GoKind.Struct: {
      const fs = t.fields;
      if (fs === undefined) return;
      for (const f of fs) {
        const inner = pointerMap(f.type, ptrSize);
        for (let j = 0; j < inner.length; j++) out.push(base + f.offset + inner[j]);
      }
      return;
    }
    default:
      return;
  }
}

const nihCache = new WeakMap<GoType, boolean>();

/**
 * Runtime types marked with the //go:notinheap pragma before Go 1.20 replaced it with the
 * sys.NotInHeap marker field (grep of the Go 1.19 runtime source, test files excluded). The pragma
 * leaves no trace in DWARF, so the names are listed here.
 */
const PRAGMA_NOT_IN_HEAP = new Set(
  (
    'arenaHint bucket bug checkmarksMap debugLogBuf debugLogWriter dlogger finblock gcBits gcBitsArena heapArena ' +
    'mSpanList mcache mcentral mheap mlink mspan notInHeap pollDesc special specialfinalizer specialprofile ' +
    'stackObject stackObjectBuf stackObjectBufHdr stackWorkBuf stackWorkBufHdr stackpoolItem traceAllocBlock ' +
    'traceBuf workbuf'
  )
    .split(' ')
    .map((n) => 'runtime.' + n),
);

/**
 * True for types the Go runtime never allocates in the GC'd heap: the marker types
 * internal/runtime/sys.nih / NotInHeap (runtime/internal/sys before Go 1.23), the pre-1.20
 * pragma-marked runtime types, and any struct or
 * array containing one (Go's "not in heap" rule, which makes pointers to them non-pointers for
 * the GC).
 */
export function isNotInHeap(t: GoType, depth = 0): boolean {
  const c = nihCache.get(t);
  if (c !== undefined) return c;
  let r = false;
  if (/(^|\/)sys\.(nih|NotInHeap)$/.test(t.name) || PRAGMA_NOT_IN_HEAP.has(t.name)) r = true;
  else if (depth < 50 && t.kind === GoKind.Array && t.elem !== undefined) r = isNotInHeap(t.elem, depth + 1);
  else if (depth < 50 && t.kind === GoKind.Struct && t.fields !== undefined) {
    r = t.fields.some((f) => isNotInHeap(f.type, depth + 1));
  }
  nihCache.set(t, r);
  return r;
}

/** The field of a struct type that covers byte `offset` (the last one starting at or before it). */
export function fieldAt(t: GoType, offset: number): GoField | undefined {
  const fs = t.fields;
  if (fs === undefined) return undefined;
  let best: GoField | undefined;
  for (const f of fs) {
    if (f.offset <= offset && offset < f.offset + Math.max(f.type.size, 1)) best = f;
  }
  return best;
}
