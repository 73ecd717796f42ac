// Root nodes and shared memory by what they alone keep alive (`goheap roots`, the viewer's roots page). The rows
// are the dominator tree's top level: root nodes (globals, goroutine groups, finalizers, other) and the shared
// objects (reachable from several root nodes, retained by none alone: kind 'shared'), grouped by the root nodes
// that reach them (lib/analysis/shared-groups.ts: 900 cache entries shared by two indexes are one row of 900
// objects, not 900 rows). Their retained sizes partition the reachable heap. Each listed row also has its
// reachable size: every byte it can reach, shared ones included (lib/analysis/shared-retention.ts), and the root
// nodes it shares memory with. `globals` lists the program's globals by reachable size (then the runtime's).
import { reachableBytesFrom } from '../analysis/index.js';
import type { HeapSession } from '../session/index.js';
import {
  isRuntimeRoot, rootNodeGoroutines, sessionRootSets, sessionShared, sessionSharedGroups, topReachable, topRootNodes,
} from '../session/leak-queries.js';
import { hex } from './common.js';

export interface RootRowJson {
  kind: string;
  name: string;
  address: string;
  retained: number;
  reachable: number;
  /** Goroutine groups ('goroutines', 'goroutine'): their goroutines. Shared groups: their objects. */
  count?: number;
  /** Shared rows: the names of the root nodes that reach them (the first MAX_ROOT_NAMES), and how many there are. */
  roots?: string[];
  rootCount?: number;
  /** Shared rows of several objects: the objects by type, most retained first (the first 5 types). */
  types?: { type: string; count: number; retained: number }[];
  /** Root nodes: the other root nodes that reach memory this one reaches too (the first 10), and how many. */
  sharesWith?: string[];
  sharesWithCount?: number;
}

export interface RootsAnswer {
  totalRetained: number;
  /** Rows in all (root nodes and shared groups) before the limit. */
  rowCount: number;
  roots: RootRowJson[];
  /** Globals by reachable size, the program's first (the first `limit`). */
  globals: RootRowJson[];
}

/** Root names listed per shared row. */
export const MAX_ROOT_NAMES = 100;

/** The names of the root nodes that reach top-level node t (sorted), at most MAX_ROOT_NAMES, and their count. */
export function rootNamesReaching(s: HeapSession, t: number): { roots: string[]; rootCount: number } {
  const nodes = topRootNodes(s, t);
  const names = nodes.map((k) => s.rootNodes.name[k]).sort();
  return { roots: names.slice(0, MAX_ROOT_NAMES), rootCount: names.length };
}

/** Per root node: the other root nodes it shares memory with (from the shared groups' keys). */
function sharing(s: HeapSession): Map<number, Set<number>> {
  const groups = sessionSharedGroups(s);
  const out = new Map<number, Set<number>>();
  for (const key of groups.roots) {
    for (const k of key) {
      let set = out.get(k);
      if (!set) out.set(k, (set = new Set()));
      for (const o of key) if (o !== k) set.add(o);
    }
  }
  return out;
}

function rootRow(s: HeapSession, k: number, shares: Map<number, Set<number>>): RootRowJson {
  const rn = s.rootNodes;
  const out: RootRowJson = { kind: rn.kind[k], name: rn.name[k], address: hex(rn.address[k]), retained: s.rootRetained(k), reachable: topReachable(s, k) };
  if (rn.kind[k] === 'goroutine' || rn.kind[k] === 'goroutines') out.count = rootNodeGoroutines(s, k);
  const other = shares.get(k);
  if (other && other.size > 0) {
    const names = [...other].map((o) => rn.name[o]).sort();
    out.sharesWith = names.slice(0, 10);
    out.sharesWithCount = names.length;
  }
  return out;
}

/** One shared group's row: a single object as itself; several as their most retaining type with their count. */
function groupRow(s: HeapSession, g: number): RootRowJson {
  const sh = sessionShared(s);
  const groups = sessionSharedGroups(s);
  const R = sh.rootNodeCount;
  const start = groups.firstMember[g];
  const end = groups.firstMember[g + 1];
  const j0 = groups.member[start];
  const i0 = sh.sharedObject[j0];
  if (end - start === 1) {
    return {
      kind: 'shared', name: s.typeName(i0), address: hex(s.address(i0)), retained: s.retained(i0), reachable: topReachable(s, R + j0),
      ...rootNamesReaching(s, R + j0),
    };
  }
  const byType = new Map<string, { type: string; count: number; retained: number }>();
  const tops: number[] = [];
  for (let m = start; m < end; m++) {
    const j = groups.member[m];
    tops.push(R + j);
    const t = s.typeName(sh.sharedObject[j]);
    let x = byType.get(t);
    if (!x) byType.set(t, (x = { type: t, count: 0, retained: 0 }));
    x.count++;
    x.retained += sh.retained[R + j];
  }
  const types = [...byType.values()].sort((a, b) => b.retained - a.retained || b.count - a.count);
  const names = groups.roots[g].map((k) => s.rootNodes.name[k]).sort();
  return {
    kind: 'shared', name: types[0].type, address: hex(s.address(i0)), retained: groups.retained[g], reachable: reachableBytesFrom(sh, tops),
    count: end - start, roots: names.slice(0, MAX_ROOT_NAMES), rootCount: names.length, types: types.slice(0, 5),
  };
}

/**
 * The `limit` (0: all) top-level rows with the most retained bytes; ties: root nodes first, then by name. Computed
 * once per dump and binary (per limit) and kept beside the index (HeapSession.keptAnswer).
 */
export function rootsAnswer(s: HeapSession, limit: number): RootsAnswer {
  return s.keptAnswer(`roots-${limit}`, () => computeRoots(s, limit));
}

function computeRoots(s: HeapSession, limit: number): RootsAnswer {
  const nodes = s.rootRows();
  const groups = sessionSharedGroups(s);
  const order = Array.from({ length: groups.count }, (_, g) => g).sort((a, b) => groups.retained[b] - groups.retained[a] || a - b);
  const total = nodes.length + order.length;
  const want = limit > 0 ? Math.min(limit, total) : total;
  const shares = sharing(s);
  // Merge the two lists, each sorted by retained size.
  const rows: RootRowJson[] = [];
  let a = 0;
  let b = 0;
  while (rows.length < want) {
    const ra = a < nodes.length ? nodes[a].retained : -1;
    const rb = b < order.length ? groups.retained[order[b]] : -1;
    if (ra >= rb) rows.push(rootRow(s, nodes[a++].rootNode, shares));
    else rows.push(groupRow(s, order[b++]));
  }
  const reach = sessionRootSets(s).reachable;
  const globals = nodes.filter((r) => r.kind === 'global').map((r) => r.rootNode)
    .sort((x, y) => Number(isRuntimeRoot(s, x)) - Number(isRuntimeRoot(s, y)) || reach[y] - reach[x] || x - y);
  return {
    totalRetained: s.reachableBytes, rowCount: total, roots: rows,
    globals: (limit > 0 ? globals.slice(0, limit) : globals).map((k) => rootRow(s, k, shares)),
  };
}
