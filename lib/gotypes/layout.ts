// Memory layout helpers over GoTypes: pointerMap (offsets of the words the Go GC treats as
// pointers, the same words a heap dump's pointer bitmap lists) and field lookup by offset.

import { GoKind } from './kind.js';
import type { GoField, GoType } from './types.js';

/** Arrays longer than this contribute no more offsets to a pointer map (a guard against huge maps). */
const MAX_POINTER_WORDS = 1 << 22;

/**
 * Offsets (ascending) of the pointer words in a value of type `t`, as the Go GC bitmap has them:
 * pointers, unsafe.Pointer, map, chan and func values are one pointer word; strings and slices have
 * their data pointer at 0; both words of an interface are pointers; structs and arrays combine
 * their parts. Computed once per type and cached on it.
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
      out.push(base, base + ptrSize);
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
