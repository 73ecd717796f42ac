// Pass 2 of loading: reads each object's fieldlist again and resolves its pointer words to object indexes,
// filling the CSR edge arrays. Only objects that pass 1 found with heap-range pointer words are read.
//
// Edge layout: the edges of object i are [edgeStart[i], edgeStart[i+1]); edgeTarget[e] is the object pointed to;
// edgeField[e] is the byte offset of the pointer slot in object i, with bit 31 (INTERIOR_EDGE) set when the
// pointer lands inside the target rather than at its start.
import { ByteCursor, FileWindow } from '../dump/index.js';
import { AddressIndex } from './address-index.js';
import type { ContentOffsets } from './content-offsets.js';
import { sharedUint32Array } from './growable.js';

export const INTERIOR_EDGE = 0x80000000;
export const EDGE_OFFSET_MASK = 0x7fffffff;

export interface EdgeColumns {
  edgeStart: Uint32Array;
  edgeTarget: Uint32Array;
  edgeField: Uint32Array;
  edgeCount: number;
}

export interface ResolveInput {
  path: string;
  objectCount: number;
  contentOffsets: ContentOffsets;
  /** Length objectCount + 1, heapSlots of object i at [i + 1]; overwritten with the edge starts. */
  slotCounts: Uint32Array;
  totalHeapSlots: number;
  index: AddressIndex;
  ptrSize: number;
  littleEndian: boolean;
  heapStart: number;
  heapEnd: number;
  onProgress?: (done: number, total: number) => void;
  windowBytes?: number;
}

export function resolveEdges(input: ResolveInput): EdgeColumns {
  const { objectCount, contentOffsets, index, ptrSize, littleEndian } = input;
  const edgeStart = input.slotCounts;
  // Over SharedArrayBuffers, as the object columns (load.ts).
  const edgeTarget = sharedUint32Array(input.totalHeapSlots);
  const edgeField = sharedUint32Array(input.totalHeapSlots);
  const lo = input.heapStart;
  const hi = input.heapEnd;
  const window = new FileWindow(input.path, input.windowBytes);
  const c = new ByteCursor(window);
  let e = 0;
  let nextProgress = 0;
  try {
    for (let i = 0; i < objectCount; i++) {
      const slots = edgeStart[i + 1];
      edgeStart[i] = e;
      if (slots === 0) continue;
      const n = index.sizeOf(i);
      const at = contentOffsets.at(i);
      if (input.onProgress && at >= nextProgress) {
        input.onProgress(at, window.fileSize);
        nextProgress = at + (64 << 20);
      }
      c.seek(at, n + 24);
      c.mark = c.pos;
      c.pos += n;
      for (;;) {
        const kind = c.uvarint('a fieldlist kind');
        if (kind === 0) break;
        const off = c.uvarint('a fieldlist offset');
        const word = c.word(c.mark + off, ptrSize, littleEndian);
        if (word < lo || word >= hi) continue;
        const t = index.find(word);
        if (t < 0) continue;
        edgeTarget[e] = t;
        // The target's address from the run find() walked, not address[t]: a cache miss less per edge.
        edgeField[e] = word === index.foundStart ? off : (off | INTERIOR_EDGE) >>> 0;
        e++;
      }
    }
    edgeStart[objectCount] = e;
  } finally {
    window.close();
  }
  // Keep the arrays when the slack is small; otherwise copy to exact length.
  const slack = input.totalHeapSlots - e;
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
