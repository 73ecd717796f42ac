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
  const slots = input.slots;
  const progress = input.onProgress;
  const r = resolveObjectEdges(input.slotCounts, slots, index, 0, objectCount, 0, progress ? (k) => progress(k, slots.count) : undefined);
  if (r.slotEnd !== slots.count) throw new Error(`kept ${slots.count} heap slots, objects count ${r.slotEnd}`);
  progress?.(slots.count, slots.count);
  return edgeColumns(input.slotCounts, slots, r.edgeEnd);
}

/**
 * Resolves the slots of objects [from, to) into edges, in place (see resolveEdges): their slots start at slot
 * `firstSlot`, and so do their edges. On entry edgeStart[i + 1] is object i's slot count; on return edgeStart[i] is
 * its first edge for from < i <= to (edgeStart[from] is the caller's to write: it is the slot count of the object
 * before, another caller's). Returns the end of the slots read and of the edges written. Two threads may resolve two
 * ranges at once.
 */
export function resolveObjectEdges(edgeStart: Uint32Array, slots: KeptSlots, index: AddressIndex, from: number, to: number,
  firstSlot: number, onProgress?: (slotsDone: number) => void): { slotEnd: number; edgeEnd: number } {
  const { lo, field, low, high } = slots;
  const edgeTarget = low;
  const edgeField = field;
  let nextProgress = 0;
  let k = firstSlot;
  let e = firstSlot;
  for (let i = from; i < to; i++) {
    const count = edgeStart[i + 1];
    if (i > from) edgeStart[i] = e;
    if (count === 0) continue;
    if (onProgress && k >= nextProgress) {
      onProgress(k - firstSlot);
      nextProgress = k + (1 << 22);
    }
    const end = k + count;
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
  if (to > from) edgeStart[to] = e;
  return { slotEnd: k, edgeEnd: e };
}

/**
 * The edge columns once every slot is resolved (`edges` edges over the slot columns): the arrays are kept when the
 * slack is small, else copied to exact length.
 */
export function edgeColumns(edgeStart: Uint32Array, slots: KeptSlots, edges: number): EdgeColumns {
  const slack = slots.count - edges;
  const exact = slack > 1024 && slack > edges / 16;
  return {
    edgeStart,
    edgeTarget: exact ? sharedCopy(slots.low, edges) : slots.low.subarray(0, edges),
    edgeField: exact ? sharedCopy(slots.field, edges) : slots.field.subarray(0, edges),
    edgeCount: edges,
  };
}

/** The first n elements of a, in an array of their own over a SharedArrayBuffer. */
function sharedCopy(a: Uint32Array, n: number): Uint32Array {
  const out = sharedUint32Array(n);
  out.set(a.subarray(0, n));
  return out;
}
