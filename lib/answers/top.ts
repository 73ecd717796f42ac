// The objects that retain the most (`goheap top`).
import type { HeapSession } from '../session/index.js';
import { hex } from './common.js';

export interface TopAnswer {
  totalRetained: number;
  objects: { address: string; type: string; size: number; retained: number }[];
}

export function topAnswer(s: HeapSession, limit: number): TopAnswer {
  const rows = s.topObjects(limit > 0 ? limit : s.objectCount);
  return {
    totalRetained: s.reachableBytes,
    objects: rows.map((r) => ({ address: hex(r.address), type: r.type, size: r.size, retained: r.retained })),
  };
}
