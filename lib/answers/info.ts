// The summary of a dump (`goheap info`, the viewer's overview): the graph's stats and, with a binary, the typed
// share of what is reachable (the one definition of "typed" every answer uses).
import type { HeapGraphStats } from '../graph/index.js';
import type { HeapSession } from '../session/index.js';

export type InfoAnswer = HeapGraphStats & {
  typedObjects?: number;
  typedBytes?: number;
  /** GC cycles completed before the dump (MemStats NumGC), when the dump has MemStats. */
  completedGCs?: number;
};

export function infoAnswer(s: HeapSession): InfoAnswer {
  const out: InfoAnswer = s.graph.stats();
  const n = out.memstats?.NumGC;
  if (typeof n === 'number') out.completedGCs = n;
  if (s.typed) {
    const c = s.typeCoverage();
    out.typedObjects = c.typedReachableObjects;
    out.typedBytes = c.typedReachableBytes;
  }
  return out;
}
