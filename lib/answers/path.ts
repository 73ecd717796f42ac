// Why an object is alive (`goheap path`): the shortest path from a root, and the root nodes that reach it.
import type { HeapSession } from '../session/index.js';
import { hex, pathJson, type PathHopJson } from './common.js';

export interface PathAnswer {
  object: { address: string; type: string; size: number; retained: number };
  reachable: boolean;
  path: PathHopJson[];
  rootKinds: string[];
  roots: { kind: string; name: string }[];
}

/**
 * Object's shortest path from a root and the root nodes that reach it (at most rootLimit); `withRoots` false leaves the
 * roots out (empty), for a viewer page while the reverse edges that finding them may read are being built elsewhere.
 */
export function pathAnswer(s: HeapSession, object: number, rootLimit = 50, withRoots = true): PathAnswer {
  const hops = s.pathToRoot(object);
  const alive = withRoots ? s.rootsKeepingAlive(object) : { kinds: [], rootNodes: [] };
  const rn = s.rootNodes;
  return {
    object: { address: hex(s.address(object)), type: s.typeName(object), size: s.size(object), retained: s.retained(object) },
    reachable: hops.length > 0,
    path: pathJson(hops),
    rootKinds: alive.kinds,
    roots: alive.rootNodes.slice(0, rootLimit).map((k) => ({ kind: rn.kind[k], name: rn.name[k] })),
  };
}
