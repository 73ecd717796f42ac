// Leak suspects in the manner of Eclipse MAT's leak report: the root nodes (globals, goroutine groups...) and the
// shared objects (reachable from several root nodes, dominated by none: shared-retention.ts) that keep a large
// share of the heap alive, each with its accumulation point — where the retained bytes fan out into many similar
// children (a map's buckets, a slice's backing array) — and the path that keeps it alive.
import type { HeapGraph } from '../graph/index.js';
import type { HeapDominators } from './heap-dominators.js';
import type { HeapTypes } from './heap-types.js';
import { type PathHop, shortestRootPath } from './heap-paths.js';
import { type DominatorTree, dominatorTreeChildren } from './retained.js';
import type { RootNodeKind } from './root-nodes.js';

export interface SuspectOptions {
  /** Smallest share of the reachable heap a suspect retains (default 0.1). */
  threshold?: number;
  /** The walk to the accumulation point goes on while one child keeps at least this share of its parent (0.8). */
  dominantChild?: number;
  /** The shortest root path of an object, when the caller has the shortest-path tree (default: a BFS per suspect). */
  pathTo?: (object: number) => PathHop[];
  /** The dominator tree's children of dom.idom, when the caller keeps them (default: built here, a pass over every node). */
  tree?: DominatorTree;
}

export interface ChildGroup {
  type: string;
  count: number;
  retained: number;
}

export interface Suspect {
  /** The root node's kind, or 'shared' for an object several root nodes reach (its dominator is the super-root). */
  kind: RootNodeKind | 'shared';
  /** Root node name, or the shared object's type. */
  name: string;
  address: number;
  /** The root node (a root node suspect), or the shared object (a shared suspect). */
  rootNode?: number;
  object?: number;
  retained: number;
  /** retained / all reachable bytes. */
  share: number;
  accumulation: {
    object: number;
    address: number;
    type: string;
    retained: number;
    /** Objects it immediately dominates, grouped by type, largest first (the first 10 groups). */
    children: number;
    childGroups: ChildGroup[];
  } | null;
  /** Shortest path from a root node to the accumulation point (or to the suspect object). */
  path: PathHop[];
}

/** Finds the suspects of a heap, largest first. */
export function findSuspects(graph: HeapGraph, types: HeapTypes, dom: HeapDominators, options: SuspectOptions = {}): Suspect[] {
  const threshold = options.threshold ?? 0.1;
  const dominant = options.dominantChild ?? 0.8;
  const total = dom.retained[0];
  if (total <= 0) return [];
  const tree = options.tree ?? dominatorTreeChildren(dom.idom);
  const { firstChild, child } = tree;
  const retained = dom.retained;
  const first = dom.firstObjectNode;
  const rn = dom.rootNodes;
  const out: Suspect[] = [];
  for (let c = firstChild[0]; c < firstChild[1]; c++) {
    const v = child[c];
    if (retained[v] < threshold * total) continue;
    const acc = accumulationPoint(tree, retained, v, dominant);
    const isObject = v >= first;
    const s: Suspect = {
      kind: isObject ? 'shared' : rn.kind[v - 1],
      name: isObject ? types.objectTypeName(v - first) : rn.name[v - 1],
      address: isObject ? graph.objectAddress[v - first] : rn.address[v - 1],
      ...(isObject ? { object: v - first } : { rootNode: v - 1 }),
      retained: retained[v],
      share: retained[v] / total,
      accumulation: null,
      path: [],
    };
    if (acc >= first) {
      const i = acc - first;
      s.accumulation = {
        object: i, address: graph.objectAddress[i], type: types.objectTypeName(i), retained: retained[acc],
        children: firstChild[acc + 1] - firstChild[acc], childGroups: childGroups(tree, dom, types, acc),
      };
      s.path = options.pathTo ? options.pathTo(i) : shortestRootPath(graph, types, rn, i);
    }
    out.push(s);
  }
  out.sort((a, b) => b.retained - a.retained);
  return out;
}

/** Walks down from v while one child keeps at least `dominant` of its parent's retained bytes. */
function accumulationPoint(tree: DominatorTree, retained: Float64Array, v: number, dominant: number): number {
  const { firstChild, child } = tree;
  let x = v;
  for (;;) {
    let best = -1;
    for (let c = firstChild[x]; c < firstChild[x + 1]; c++) {
      if (best < 0 || retained[child[c]] > retained[best]) best = child[c];
    }
    if (best < 0 || retained[best] < dominant * retained[x]) return x;
    x = best;
  }
}

function childGroups(tree: DominatorTree, dom: HeapDominators, types: HeapTypes, v: number): ChildGroup[] {
  const groups = new Map<string, ChildGroup>();
  const first = dom.firstObjectNode;
  for (let c = tree.firstChild[v]; c < tree.firstChild[v + 1]; c++) {
    const w = tree.child[c];
    const t = types.objectTypeName(w - first);
    let g = groups.get(t);
    if (!g) groups.set(t, (g = { type: t, count: 0, retained: 0 }));
    g.count++;
    g.retained += dom.retained[w];
  }
  return [...groups.values()].sort((a, b) => b.retained - a.retained).slice(0, 10);
}
