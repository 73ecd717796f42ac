// The type histogram (`goheap types`, the viewer's types page): objects, bytes and retained bytes per type. Only
// reachable objects count unless `all` (a dump taken without a GC holds garbage not yet freed).
import type { HeapSession } from '../session/index.js';
import { typeHistogram as retainedHistogram } from '../analysis/index.js';
import type { TypeCount } from '../typing/index.js';
import { firstRows } from './common.js';

export interface TypesAnswer {
  types: (TypeCount & { retainedBytes: number })[];
  /** True when unreachable objects count too (--all). */
  all: boolean;
  /** Rows in all (before the limit). */
  typeCount: number;
  typedObjects: number;
  typedBytes: number;
  objects: number;
  objectBytes: number;
  reachableObjects: number;
  reachableBytes: number;
}

/** `byLength`: arrays of N elements get a row per N ("[200]uint8", ...) instead of one per element type ("[]uint8"). */
export function typesAnswer(s: HeapSession, limit = 0, byLength = false, everything = false): TypesAnswer {
  return s.keptAnswer(`types-${limit}-${byLength ? 'split' : 'joined'}-${everything ? 'all' : 'reachable'}`, () => computeTypes(s, limit, byLength, everything));
}

function computeTypes(s: HeapSession, limit: number, byLength: boolean, everything: boolean): TypesAnswer {
  const all = s.typeCounts(!everything, byLength);
  // retainedBytes: what all instances of the type keep alive together, each byte once (lib/analysis).
  const rows = byLength ? retainedHistogram(s.graph, s.types, s.dominators, true) : s.typeRows();
  const retained = new Map(rows.map((r) => [r.type, r.retained]));
  const st = s.graph.stats();
  const c = s.typeCoverage();
  return {
    types: firstRows(all, limit).map((r) => ({ ...r, retainedBytes: retained.get(r.name) ?? 0 })),
    all: everything,
    typeCount: all.length,
    typedObjects: c.typedReachableObjects,
    typedBytes: c.typedReachableBytes,
    objects: st.objects,
    objectBytes: st.objectBytes,
    reachableObjects: st.reachableObjects,
    reachableBytes: st.reachableBytes,
  };
}
