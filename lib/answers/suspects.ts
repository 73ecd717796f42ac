// Leak suspects (`goheap suspects`, the viewer's suspects page): root nodes (a global, a goroutine group with its
// count) and shared objects (with the roots that reach them) that keep a large share of the heap alive.
import { type Suspect, findSuspects, type ChildGroup } from '../analysis/index.js';
import type { HeapSession } from '../session/index.js';
import { rootNodeGoroutines, sessionShared, topRootNodes } from '../session/leak-queries.js';
import { hex, pathJson, type PathHopJson } from './common.js';
import { rootNamesReaching } from './roots.js';

export interface SuspectsAnswer {
  reachableBytes: number;
  threshold: number;
  suspects: (Omit<Suspect, 'address' | 'accumulation' | 'path'> & {
    address: string;
    /** Goroutine groups: their goroutines. */
    count?: number;
    /** Shared objects: the names of the root nodes that reach them, and how many. */
    roots?: string[];
    rootCount?: number;
    accumulation: (Omit<NonNullable<Suspect['accumulation']>, 'address'> & { address: string }) | null;
    /** When the memory does not accumulate in one object (a goroutine group's requests): what the suspect itself
     *  immediately keeps alive, grouped by type. */
    children?: number;
    childGroups?: ChildGroup[];
    path: PathHopJson[];
  })[];
}

/** A root node of the runtime's own: its other roots, or a global of package runtime or internal/... */
function isRuntimeRoot(s: HeapSession, k: number): boolean {
  const rn = s.rootNodes;
  return rn.kind[k] === 'other' || (rn.kind[k] === 'global' && /^\*?(runtime|internal)[./]/.test(rn.name[k]));
}

/**
 * Leak suspects, largest first. A shared object that only the runtime's own roots reach (its Ps and Ms, the
 * allg list) is the runtime's bookkeeping, not a leak of the program's: it is left out.
 */
export function suspectsAnswer(s: HeapSession, threshold: number): SuspectsAnswer {
  const sh = sessionShared(s);
  const found = findSuspects(s.graph, s.types, s.dominators, { threshold, pathTo: (i) => s.pathToRoot(i), tree: s.dominatorTree() })
    .filter((x) => {
      if (x.kind !== 'shared' || x.object === undefined) return true;
      const j = sh.sharedObject.indexOf(x.object);
      return j < 0 || !topRootNodes(s, sh.rootNodeCount + j).every((k) => isRuntimeRoot(s, k));
    });
  return {
    reachableBytes: s.reachableBytes,
    threshold,
    suspects: found.map((x) => {
      const out: SuspectsAnswer['suspects'][number] = {
        ...x,
        address: hex(x.address),
        accumulation: x.accumulation && { ...x.accumulation, address: hex(x.accumulation.address) },
        path: pathJson(x.path),
      };
      if (x.rootNode !== undefined && (x.kind === 'goroutine' || x.kind === 'goroutines')) out.count = rootNodeGoroutines(s, x.rootNode);
      if (x.kind === 'shared' && x.object !== undefined) {
        const j = sh.sharedObject.indexOf(x.object);
        if (j >= 0) Object.assign(out, rootNamesReaching(s, sh.rootNodeCount + j));
      }
      if (!x.accumulation) {
        const node = x.rootNode !== undefined ? { kind: 'root' as const, rootNode: x.rootNode } : { kind: 'object' as const, object: x.object! };
        const kids = s.dominated(node, 0, 0x7fffffff);
        const groups = new Map<string, ChildGroup>();
        for (const c of kids.items) {
          if (c.kind !== 'object') continue;
          const t = s.typeName(c.object);
          let g = groups.get(t);
          if (!g) groups.set(t, (g = { type: t, count: 0, retained: 0 }));
          g.count++;
          g.retained += c.retained;
        }
        out.children = kids.total;
        out.childGroups = [...groups.values()].sort((a, b) => b.retained - a.retained || b.count - a.count).slice(0, 10);
      }
      return out;
    }),
  };
}
