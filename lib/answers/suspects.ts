// Leak suspects (`goheap suspects`, the viewer's suspects page).
import { type Suspect, findSuspects } from '../analysis/index.js';
import type { HeapSession } from '../session/index.js';
import { hex, pathJson, type PathHopJson } from './common.js';

export interface SuspectsAnswer {
  reachableBytes: number;
  threshold: number;
  suspects: (Omit<Suspect, 'address' | 'accumulation' | 'path'> & {
    address: string;
    accumulation: (Omit<NonNullable<Suspect['accumulation']>, 'address'> & { address: string }) | null;
    path: PathHopJson[];
  })[];
}

export function suspectsAnswer(s: HeapSession, threshold: number): SuspectsAnswer {
  const found = findSuspects(s.graph, s.types, s.dominators, { threshold, pathTo: (i) => s.pathToRoot(i) });
  return {
    reachableBytes: s.reachableBytes,
    threshold,
    suspects: found.map((x) => ({
      ...x,
      address: hex(x.address),
      accumulation: x.accumulation && { ...x.accumulation, address: hex(x.accumulation.address) },
      path: pathJson(x.path),
    })),
  };
}
