// Root nodes by what they alone keep alive (`goheap roots`, the viewer's roots page).
import type { HeapSession } from '../session/index.js';
import { firstRows, hex } from './common.js';

export interface RootsAnswer {
  totalRetained: number;
  roots: { kind: string; name: string; address: string; retained: number }[];
}

export function rootsAnswer(s: HeapSession, limit: number): RootsAnswer {
  return {
    totalRetained: s.reachableBytes,
    roots: firstRows(s.rootRows(), limit).map((r) => ({ kind: r.kind, name: r.name, address: hex(r.address), retained: r.retained })),
  };
}
