// The type histogram (`goheap types`, the viewer's types page): objects, bytes and retained bytes per type.
import type { HeapSession } from '../session/index.js';
import { type TypeCount, typeCoverage, typeHistogram } from '../typing/index.js';
import { firstRows } from './common.js';

export interface TypesAnswer {
  types: (TypeCount & { retainedBytes: number })[];
  /** Rows in all (before the limit). */
  typeCount: number;
  typedObjects: number;
  typedBytes: number;
  objects: number;
  objectBytes: number;
  reachableObjects: number;
  reachableBytes: number;
}

export function typesAnswer(s: HeapSession, limit = 0): TypesAnswer {
  const all = typeHistogram(s.graph, s.types);
  // retainedBytes: what all instances of the type keep alive together, each byte once (lib/analysis).
  const retained = new Map(s.typeRows().map((r) => [r.type, r.retained]));
  const st = s.graph.stats();
  const c = typeCoverage(s.graph, s.types);
  return {
    types: firstRows(all, limit).map((r) => ({ ...r, retainedBytes: retained.get(r.name) ?? 0 })),
    typeCount: all.length,
    typedObjects: c.typedReachableObjects,
    typedBytes: c.typedReachableBytes,
    objects: st.objects,
    objectBytes: st.objectBytes,
    reachableObjects: st.reachableObjects,
    reachableBytes: st.reachableBytes,
  };
}
