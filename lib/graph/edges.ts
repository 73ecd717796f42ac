// Pass 2 of loading: resolves the heap pointer slots pass 1 kept (lib/dump/heap-slots.ts) to object indexes,
// filling the CSR edge arrays in place of the kept slots: no second read of the dump.
//
// Edge layout: the edges of object i are [edgeStart[i], edgeStart[i+1]); edgeTarget[e] is the object pointed to;
// edgeField[e] is the byte offset of the pointer slot in object i, with bit 31 (INTERIOR_EDGE) set when the
// pointer lands inside the target rather than at its start.
import type { KeptSlots } from '../dump/index.js';
import { AddressIndex } from './address-index.js';
import { sharedUint32Array } from './growable.js';

export const INTERIOR_EDGE = 0x80000000;
export const EDGE_OFFSET_MASK = 0x7fffffff;

const TWO_POW_32 = 4294967296;

export interface EdgeColumns {
  edgeStart: Uint32Array;
  edgeTarget: Uint32Array;
  edgeField: Uint32Array;
  edgeCount: number;
}

export interface ResolveInput {
  objectCount: number;
  /** Length objectCount + 1, heapSlots of object i at [i + 1]; overwritten with the edge starts. */
  slotCounts: Uint32Array;
  /** Every object's heap slots, in object order; their arrays are overwritten with the edges. */
  slots: KeptSlots;
  index: AddressIndex;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Resolves every kept slot whose word lies in an object into an edge. Edge e comes from slot k >= e, so the edge
 * columns are written over the slot columns as they are read: edgeField over `field`, edgeTarget over `low`.
 */
export function resolveEdges(input: ResolveInput): EdgeColumns {
  const { objectCount, index } = input;
  const { count: total, lo, field, low, high } = input.slots;
  const edgeStart = input.slotCounts;
  const edgeTarget = low;
  const edgeField = field;
  const progress = input.onProgress;
  let nextProgress = 0;
  let k = 0;
  let e = 0;
  for (let i = 0; i < objectCount; i++) {
    const slots = edgeStart[i + 1];
    edgeStart[i] = e;
    if (slots === 0) continue;
    if (progress && k >= nextProgress) {
      progress(k, total);
      nextProgress = k + (1 << 22);
    }
    const end = k + slots;
    for (; k < end; k++) {
      const word = high === null ? lo + low[k] : lo + low[k] + high[k] * TWO_POW_32;
      const t = index.find(word);
      if (t < 0) continue;
      const off = field[k];
      edgeTarget[e] = t;
      // The target's address from the run find() walked, not address[t]: a cache miss less per edge.
      edgeField[e] = word === index.foundStart ? off : (off | INTERIOR_EDGE) >>> 0;
      e++;
    }
  }
  edgeStart[objectCount] = e;
  if (k !== total) throw new Error(`kept ${total} heap slots, objects count ${k}`);
  progress?.(total, total);
  // Keep the arrays when the slack is small; otherwise copy to exact length.
  const slack = total - e;
  const exact = slack > 1024 && slack > e / 16;
  return {
    edgeStart,
    edgeTarget: exact ? sharedCopy(edgeTarget, e) : edgeTarget.subarray(0, e),
    edgeField: exact ? sharedCopy(edgeField, e) : edgeField.subarray(0, e),
    edgeCount: e,
  };
}

/** The first n elements of a, in an array of their own over a SharedArrayBuffer. */
function sharedCopy(a: Uint32Array, n: number): Uint32Array {
  const out = sharedUint32Array(n);
  out.set(a.subarray(0, n));
  return out;
}
