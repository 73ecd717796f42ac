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

export function pathAnswer(s: HeapSession, object: number, rootLimit = 50): PathAnswer {
  const hops = s.pathToRoot(object);
  const alive = s.rootsKeepingAlive(object);
  const rn = s.rootNodes;
  return {
    object: { address: hex(s.address(object)), type: s.typeName(object), size: s.size(object), retained: s.retained(object) },
    reachable: hops.length > 0,
    path: pathJson(hops),
    rootKinds: alive.kinds,
    roots: alive.rootNodes.slice(0, rootLimit).map((k) => ({ kind: rn.kind[k], name: rn.name[k] })),
  };
}
