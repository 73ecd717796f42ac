// Root nodes and shared objects by what they alone keep alive (`goheap roots`, the viewer's roots page). The rows
// are the dominator tree's top level: root nodes (globals, goroutine groups, finalizers, other) and shared objects
// (reachable from several root nodes, retained by none alone: kind 'shared', with the names of the roots that
// reach them). Their retained sizes partition the reachable heap. Each listed row also has its reachable size:
// every byte it can reach, shared ones included (lib/analysis/shared-retention.ts; computed for listed rows only).
import type { HeapSession } from '../session/index.js';
import { rootNodeGoroutines, sessionShared, topReachable, topRootNodes } from '../session/leak-queries.js';
import { hex } from './common.js';

export interface RootRowJson {
  kind: string;
  name: string;
  address: string;
  retained: number;
  reachable: number;
  /** Goroutine groups ('goroutines', 'goroutine'): their goroutines. */
  count?: number;
  /** Shared objects: the names of the root nodes that reach them (the first MAX_ROOT_NAMES), and how many there are. */
  roots?: string[];
  rootCount?: number;
}

export interface RootsAnswer {
  totalRetained: number;
  /** Rows in all (root nodes and shared objects) before the limit. */
  rowCount: number;
  roots: RootRowJson[];
}

/** Root names listed per shared row. */
export const MAX_ROOT_NAMES = 100;

/** The names of the root nodes that reach top-level node t (sorted), at most MAX_ROOT_NAMES, and their count. */
export function rootNamesReaching(s: HeapSession, t: number): { roots: string[]; rootCount: number } {
  const nodes = topRootNodes(s, t);
  const names = nodes.map((k) => s.rootNodes.name[k]).sort();
  return { roots: names.slice(0, MAX_ROOT_NAMES), rootCount: names.length };
}

/** One top-level row: root node k (t = k) or shared object j (t = R + j). */
function row(s: HeapSession, t: number): RootRowJson {
  const sh = sessionShared(s);
  const R = sh.rootNodeCount;
  if (t < R) {
    const rn = s.rootNodes;
    const out: RootRowJson = { kind: rn.kind[t], name: rn.name[t], address: hex(rn.address[t]), retained: s.rootRetained(t), reachable: topReachable(s, t) };
    if (rn.kind[t] === 'goroutine' || rn.kind[t] === 'goroutines') out.count = rootNodeGoroutines(s, t);
    return out;
  }
  const i = sh.sharedObject[t - R];
  return {
    kind: 'shared', name: s.typeName(i), address: hex(s.address(i)), retained: s.retained(i), reachable: topReachable(s, t),
    ...rootNamesReaching(s, t),
  };
}

/** The `limit` (0: all) top-level rows with the most retained bytes; ties: root nodes first, then by name. */
export function rootsAnswer(s: HeapSession, limit: number): RootsAnswer {
  const nodes = s.rootRows();
  const sh = sessionShared(s);
  const R = sh.rootNodeCount;
  const shared = sh.sharedObject;
  const total = nodes.length + shared.length;
  const want = limit > 0 ? Math.min(limit, total) : total;
  // Merge the two lists, each already sorted by retained size.
  const picked: number[] = [];
  let a = 0;
  let b = 0;
  while (picked.length < want) {
    const ra = a < nodes.length ? nodes[a].retained : -1;
    const rb = b < shared.length ? sh.retained[R + b] : -1;
    if (ra >= rb) picked.push(nodes[a++].rootNode);
    else picked.push(R + b++);
  }
  return { totalRetained: s.reachableBytes, rowCount: total, roots: picked.map((t) => row(s, t)) };
}
