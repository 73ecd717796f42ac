// The reverse edges of a few objects, from one pass over the forward edges read a chunk at a time: what the referrers
// of the objects a page asks about need while the whole reverse index (HeapGraph.reverseEdges, 0.8 GB on a
// 70 M-object heap) is still being built elsewhere. The same columns and the same order as the whole index: an
// object's referring edges by source object, then by edge; the objects not asked about have none.
import type { HeapGraph } from './heap-graph.js';
import { type Column, columnOf } from './column.js';

/** Objects whose edges the scan reads at a time (with theirs: a MiB of edgeStart, about as much again of edges). */
const SCAN_OBJECTS = 1 << 18;
/** Room in the scan's buffers for the whole blocks a chunk's elements lie in (twice lib/store's 16 KiB blocks). */
const SCAN_SLACK = 64 << 10;

export interface ReverseEdgeColumns {
  /** By object: its referrers are [start.at(i), start.at(i + 1)) of source (as in HeapGraph's ReverseEdges). */
  start: Column;
  source: Column;
}

/** The reverse edges of `objects` (any order, repeats allowed) over `graph`'s edges. */
export function reverseEdgesOf(graph: HeapGraph, objects: ArrayLike<number>, chunkObjects = SCAN_OBJECTS): ReverseEdgeColumns {
  const n = graph.objectCount;
  const targets = Uint32Array.from(new Set(Array.from(objects))).sort();
  const t = targets.length;
  const asked = new Uint32Array((n + 31) >>> 5);
  for (let j = 0; j < t; j++) asked[targets[j] >>> 5] |= 1 << (targets[j] & 31);
  // The referring edges met, in the scan's order (source, then edge): target, source.
  let found = new Uint32Array(2 * 1024);
  let k = 0;
  const edgeStart = graph.column('edgeStart');
  const edgeTarget = graph.column('edgeTarget');
  const startScratch = new ArrayBuffer(4 * (chunkObjects + 1) + SCAN_SLACK);
  let targetScratch = new ArrayBuffer(8 * chunkObjects + SCAN_SLACK);
  for (let lo = 0; lo < n && t > 0; lo += chunkObjects) {
    const hi = Math.min(n, lo + chunkObjects);
    const starts = edgeStart.range(lo, hi + 1, startScratch);
    const base = starts[0];
    const edges = starts[hi - lo] - base;
    if (4 * edges + SCAN_SLACK > targetScratch.byteLength) targetScratch = new ArrayBuffer(8 * edges + SCAN_SLACK);
    const target = edgeTarget.range(base, starts[hi - lo], targetScratch);
    for (let u = lo; u < hi; u++) {
      const end = starts[u - lo + 1] - base;
      for (let e = starts[u - lo] - base; e < end; e++) {
        const x = target[e];
        if ((asked[x >>> 5] & (1 << (x & 31))) === 0) continue;
        if (k + 2 > found.length) {
          const more = new Uint32Array(2 * found.length);
          more.set(found);
          found = more;
        }
        found[k++] = x;
        found[k++] = u;
      }
    }
  }
  // By target (stably: each target's edges stay in scan order), as a CSR over the targets.
  const count = k / 2;
  const first = new Uint32Array(t + 1);
  const slot = (x: number): number => {
    let a = 0;
    let b = t;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (targets[mid] < x) a = mid + 1;
      else b = mid;
    }
    return a;
  };
  for (let r = 0; r < count; r++) first[slot(found[2 * r]) + 1]++;
  for (let j = 0; j < t; j++) first[j + 1] += first[j];
  const fill = first.slice(0, t);
  const source = new Uint32Array(count);
  for (let r = 0; r < count; r++) source[fill[slot(found[2 * r])]++] = found[2 * r + 1];
  // start.at(i): the referring edges of the asked objects below i, as the whole index's start[i] would be if only
  // these objects had referrers.
  const start: Column = {
    length: n + 1,
    at: (i) => first[slot(i)],
    range: (from, to) => {
      const out = new Uint32Array(Math.max(0, to - from));
      for (let i = from; i < to; i++) out[i - from] = first[slot(i)];
      return out;
    },
  };
  return { start, source: columnOf(source) };
}
