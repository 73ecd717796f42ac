// Leak suspects in the manner of Eclipse MAT's leak report: the root nodes (globals, goroutine groups...) and the
// shared objects (reachable from several root nodes, dominated by none: shared-retention.ts) that keep a large
// share of the heap alive, each with its accumulation point — where the retained bytes fan out into many similar
// children (a map's buckets, a slice's backing array) — and the path that keeps it alive. Map internals (Swiss
// tables and their groups, old buckets) are looked through: a cache's children are its entries, not its tables.
//
// Aggregate suspects (findAggregateSuspects) are the other kind, MAT's "N instances of X occupy Y%": memory no
// single root keeps alive, as groups of shared objects with one root set (shared-groups.ts), each with what its
// members alone keep, by type, where the members are referenced from, and one example path.
import type { HeapGraph } from '../graph/index.js';
import type { HeapDominators } from './heap-dominators.js';
import type { HeapTypes } from './heap-types.js';
import { type PathHop, shortestRootPath } from './heap-paths.js';
import { type DominatorTree, dominatorTreeChildren } from './retained.js';
import type { RootNodeKind } from './root-nodes.js';
import type { SharedRetention } from './shared-retention.js';
import type { SharedGroups } from './shared-groups.js';

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
    /**
     * When the memory accumulates in a chain (a linked list, a degenerate tree: each object keeps the next, of its own
     * type), the number of its links from this object, its first, on; its one child group is then the chain's.
     */
    chain?: number;
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
    const { node: acc, chain } = accumulationPoint(tree, retained, v, dominant, first, types);
    const isObject = v >= first;
    const s: Suspect = {
      kind: isObject ? 'shared' : rn.kind[v - 1],
      name: isObject ? types.objectTypeName(v - first) : rn.name[v - 1],
      address: isObject ? graph.addressOf(v - first) : rn.address[v - 1],
      ...(isObject ? { object: v - first } : { rootNode: v - 1 }),
      retained: retained[v],
      share: retained[v] / total,
      accumulation: null,
      path: [],
    };
    if (acc >= first) {
      // A chain's first link, with the chain as its one group; else the object below which the memory fans out.
      const i = chain > 1 ? acc - first : liftToMap(types, dom, acc - first, v);
      const type = types.objectTypeName(i);
      const groups = chain > 1 ? [{ type, count: chain, retained: retained[first + i] }] : childGroups(tree, dom, types, first + i, 0);
      s.accumulation = {
        object: i, address: graph.addressOf(i), type, retained: retained[first + i],
        children: groups.reduce((n, g) => n + g.count, 0), childGroups: groups.slice(0, 10), ...(chain > 1 ? { chain } : {}),
      };
      s.path = options.pathTo ? options.pathTo(i) : shortestRootPath(graph, types, rn, i);
    }
    out.push(s);
  }
  out.sort((a, b) => b.retained - a.retained);
  return out;
}

/**
 * Walks down from v while one child keeps at least `dominant` of its parent's retained bytes. An object whose kept
 * child is of its own type is the first link of a chain (a linked list, a degenerate tree), where the memory
 * accumulates link by link rather than below its last one: the walk stops there, and `chain` counts the links down
 * the largest child while they keep that type (1 when the walk ends elsewhere).
 */
function accumulationPoint(tree: DominatorTree, retained: Float64Array, v: number, dominant: number, first: number,
  types: HeapTypes): { node: number; chain: number } {
  const { firstChild, child } = tree;
  const largestChild = (x: number): number => {
    let best = -1;
    for (let c = firstChild[x]; c < firstChild[x + 1]; c++) {
      if (best < 0 || retained[child[c]] > retained[best]) best = child[c];
    }
    return best;
  };
  const sameType = (a: number, b: number): boolean => {
    const ta = types.typeIdAt(a - first);
    return ta !== 0 ? ta === types.typeIdAt(b - first) : types.typeIdAt(b - first) === 0 && types.objectTypeName(a - first) === types.objectTypeName(b - first);
  };
  let x = v;
  for (;;) {
    const best = largestChild(x);
    if (best < 0 || retained[best] < dominant * retained[x]) return { node: x, chain: 1 };
    if (x >= first && best >= first && sameType(x, best)) {
      let links = 2;
      for (let y = best, next = largestChild(y); next >= first && sameType(y, next); y = next, next = largestChild(y)) links++;
      return { node: x, chain: links };
    }
    x = best;
  }
}

/**
 * A map's internal objects (Swiss tables, directories and groups; old buckets, headers), by type name: as objects
 * are named (RecoveredTypes.rowNames: the header "map[K]V", its parts "[N]map[K]V buckets", "map[K]V table",
 * "[N]map[K]V directory", an untyped twin "map (key and value types unknown)"), or as the runtime names them.
 */
export function isMapInternal(type: string): boolean {
  return /^map\[|^(\[\d*\])?map\[.* (buckets|directory)$|^map \(key and value types unknown\)$/.test(type) ||
    /^(\[\d*\])?\*?(table|bucket|hash|map|groupReference)<|map\.group\[|^runtime\.(hmap|bmap|mapextra)$|^internal\/runtime\/maps\./.test(type);
}

/**
 * The objects node v immediately dominates, grouped by type, largest first (the first 10 groups); a map internal
 * child counts through: its own children are grouped in its place (a cache's entries rather than its tables); an
 * old map's runtime.mapextra that keeps nothing is left out.
 */
export function childGroups(tree: DominatorTree, dom: HeapDominators, types: HeapTypes, v: number, limit = 10): ChildGroup[] {
  const groups = new Map<string, ChildGroup>();
  const first = dom.firstObjectNode;
  const stack = [v];
  let budget = 1_000_000;
  while (stack.length > 0 && budget-- > 0) {
    const x = stack.pop()!;
    for (let c = tree.firstChild[x]; c < tree.firstChild[x + 1]; c++) {
      const w = tree.child[c];
      if (w < first) continue;
      const t = types.objectTypeName(w - first);
      if (isMapInternal(t) && tree.firstChild[w + 1] > tree.firstChild[w]) {
        stack.push(w);
        continue;
      }
      // A map's overflow bookkeeping keeping nothing is no entry of it (a 5,000-entry cache has 5,000 children).
      if (t === 'runtime.mapextra') continue;
      let g = groups.get(t);
      if (!g) groups.set(t, (g = { type: t, count: 0, retained: 0 }));
      g.count++;
      g.retained += dom.retained[w];
    }
  }
  const all = [...groups.values()].sort((a, b) => b.retained - a.retained || b.count - a.count);
  return limit > 0 ? all.slice(0, limit) : all;
}

/** Object i, or the map it is an internal part of (up its dominators while they are map internals, not above `top`). */
function liftToMap(types: HeapTypes, dom: HeapDominators, i: number, top: number): number {
  const first = dom.firstObjectNode;
  let x = i;
  for (let hops = 0; hops < 64 && first + x !== top && isMapInternal(types.objectTypeName(x)); hops++) {
    const d = dom.idom[first + x];
    if (d < first || !isMapInternal(types.objectTypeName(d - first))) break;
    x = d - first;
  }
  return x;
}

/** Objects of one type: how many, their own bytes, and what they keep alive. */
export interface TypePart {
  type: string;
  count: number;
  bytes: number;
  retained: number;
}

export interface AggregateSuspect {
  /** The group of shared objects (SharedGroups numbering). */
  group: number;
  /** The type of the members that keep the most. */
  name: string;
  /** Members of that type. */
  count: number;
  /** Root nodes that reach the members (the group's key). */
  rootNodes: number[];
  /** True when the key holds a runtime root node. */
  runtime: boolean;
  /** Shared objects in the group. */
  members: number;
  /** What the members alone keep alive, together. */
  retained: number;
  share: number;
  /** The members by type (retained: what those members alone keep). */
  parts: TypePart[];
  /** Every object the members alone keep alive, by type (the first 10 types by bytes). */
  composition: TypePart[];
  /** The object that points at the most members (looking through map internals up to the map), when there is one. */
  accumulation: { object: number; address: number; type: string; retained: number; children: number; childGroups: ChildGroup[] } | null;
  /** The member an example path leads to. */
  example: number;
  path: PathHop[];
}

export interface AggregateOptions {
  threshold?: number;
  tree: DominatorTree;
  pathTo: (object: number) => PathHop[];
  /** The objects that point at object i. */
  referrers: (object: number) => ArrayLike<number>;
}

/**
 * The groups of shared objects that together keep at least `threshold` of the reachable heap alive, largest first,
 * each with its parts, composition, accumulation point and an example path.
 */
export function findAggregateSuspects(graph: HeapGraph, types: HeapTypes, dom: HeapDominators, shared: SharedRetention,
  groups: SharedGroups, options: AggregateOptions): AggregateSuspect[] {
  const threshold = options.threshold ?? 0.1;
  const total = dom.retained[0];
  if (total <= 0) return [];
  const out: AggregateSuspect[] = [];
  for (let g = 0; g < groups.count; g++) {
    const start = groups.firstMember[g];
    const end = groups.firstMember[g + 1];
    if (end - start < 2 || groups.retained[g] < threshold * total) continue;
    const members: number[] = [];
    for (let m = start; m < end; m++) members.push(shared.sharedObject[groups.member[m]]);
    out.push(aggregate(graph, types, dom, groups, g, members, total, options));
  }
  out.sort((a, b) => b.retained - a.retained);
  return out;
}

function aggregate(graph: HeapGraph, types: HeapTypes, dom: HeapDominators, groups: SharedGroups, g: number,
  members: number[], total: number, options: AggregateOptions): AggregateSuspect {
  const first = dom.firstObjectNode;
  const { firstChild, child } = options.tree;
  const partOf = new Map<string, TypePart>();
  const compOf = new Map<string, TypePart>();
  const add = (m: Map<string, TypePart>, t: string, bytes: number, retained: number): void => {
    let p = m.get(t);
    if (!p) m.set(t, (p = { type: t, count: 0, bytes: 0, retained: 0 }));
    p.count++;
    p.bytes += bytes;
    p.retained += retained;
  };
  const stack: number[] = [];
  for (const i of members) {
    add(partOf, types.objectTypeName(i), graph.sizeOf(i), dom.retained[first + i]);
    stack.push(first + i);
    while (stack.length > 0) {
      const v = stack.pop()!;
      add(compOf, types.objectTypeName(v - first), graph.sizeOf(v - first), dom.retained[v]);
      for (let c = firstChild[v]; c < firstChild[v + 1]; c++) stack.push(child[c]);
    }
  }
  const byRetained = (a: TypePart, b: TypePart): number => b.retained - a.retained || b.count - a.count || (a.type < b.type ? -1 : 1);
  const parts = [...partOf.values()].sort(byRetained);
  const composition = [...compOf.values()].sort((a, b) => b.bytes - a.bytes || b.count - a.count || (a.type < b.type ? -1 : 1)).slice(0, 10);
  const main = parts[0];
  const example = members.find((i) => types.objectTypeName(i) === main.type) ?? members[0];
  return {
    group: g, name: main.type, count: main.count, rootNodes: groups.roots[g], runtime: groups.runtime[g] === 1,
    members: members.length, retained: groups.retained[g], share: groups.retained[g] / total, parts, composition,
    accumulation: commonReferrer(graph, types, dom, members.filter((i) => types.objectTypeName(i) === main.type), parts, options), example, path: options.pathTo(example),
  };
}

/**
 * The object that points at the most members: each member's referrers, a map internal one replaced by the map it
 * belongs to (up its dominators while they are map internals). Null when no object points at two members.
 */
function commonReferrer(graph: HeapGraph, types: HeapTypes, dom: HeapDominators, members: number[], parts: TypePart[],
  options: AggregateOptions): AggregateSuspect['accumulation'] {
  const first = dom.firstObjectNode;
  const counts = new Map<number, number>();
  const lift = (r: number): number => liftToMap(types, dom, r, 0);
  const seen = new Set<number>();
  for (const i of members) {
    seen.clear();
    const refs = options.referrers(i);
    for (let k = 0; k < refs.length; k++) {
      const r = refs[k];
      if (r === i || graph.reachable[r] === 0) continue;
      const x = lift(r);
      if (seen.has(x)) continue;
      seen.add(x);
      counts.set(x, (counts.get(x) ?? 0) + 1);
    }
  }
  let best = -1;
  let bestCount = 1;
  for (const [x, c] of counts) if (c > bestCount || (c === bestCount && best >= 0 && x < best)) { best = x; bestCount = c; }
  if (best < 0) return null;
  return {
    object: best, address: graph.addressOf(best), type: types.objectTypeName(best), retained: dom.retained[first + best],
    children: bestCount, childGroups: parts.slice(0, 10).map((p) => ({ type: p.type, count: p.count, retained: p.retained })),
  };
}
