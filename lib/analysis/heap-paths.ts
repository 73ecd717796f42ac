// Why an object is alive: the shortest path to it from a root node, hop by hop with field names, and every kind of
// root node from which it can be reached.
import { type Column, columnOf, type HeapGraph, ROOT_KIND_NAMES, RootKind } from '../graph/index.js';
import { NONE } from './flat-graph.js';
import { buildAnalysisGraph } from './heap-dominators.js';
import type { HeapTypes } from './heap-types.js';
import { shortestPathParents } from './paths.js';
import type { RootNodeKind, RootNodes } from './root-nodes.js';

export interface PathHop {
  /** 'object' for heap objects, else the root node's kind. */
  kind: RootNodeKind | 'object';
  /** The root node's name, or the object's type name. */
  name: string;
  address: number;
  /** The object's type name (objects only). */
  type?: string;
  /** Where in the previous hop the pointer to this hop sits: a field path, "+0x18", or the kind of root slot. */
  field?: string;
  /** The object index (objects only). */
  object?: number;
  /**
   * A long chain (a linked list's links): this hop stands for `repeat` hops in a row, each of its type and reached
   * through its field, shown once (rootPathHops); object and address are the first's.
   */
  repeat?: number;
}

/** A path's run of more than this many like hops (a chain) shows its first, one hop for the rest but the last, and its last. */
export const CHAIN_HOPS_SHOWN = 16;

/** Describes root r's slot: "stack main.recurse+0x18", "data+0x1a8", "finalizer", "goroutine context", ... */
export function describeRootSlot(graph: HeapGraph, rootNodes: RootNodes, r: number): string {
  const roots = graph.roots;
  const kind = roots.kind[r] as RootKind;
  const owner = roots.owner[r];
  if (kind === RootKind.Data || kind === RootKind.Bss) {
    const node = rootNodes.rootNode[r];
    const base = rootNodes.address[node];
    if (rootNodes.name[node].includes('+0x')) return ROOT_KIND_NAMES[kind];
    const off = roots.slotAddress[r] - base;
    return off === 0 ? rootNodes.name[node] : `${rootNodes.name[node]}+0x${off.toString(16)}`;
  }
  if (kind === RootKind.StackFrame) {
    const f = graph.frames;
    const off = roots.slotAddress[r] - f.sp[owner];
    return `stack ${f.functionNames[f.functionId[owner]]} sp+0x${off.toString(16)}`;
  }
  return ROOT_KIND_NAMES[kind];
}

/** The object a pointer slot offset names in object `i`, as a field path or "+0x18". */
function fieldOf(types: HeapTypes, i: number, offset: number): string {
  return types.fieldName(i, offset) ?? `+0x${offset.toString(16)}`;
}

/**
 * The shortest path (fewest pointers) from any root node to `object`, root node first; empty when no root reaches
 * it. Ties go to the root node with the lower number and the lower edge index.
 */
export function shortestRootPath(graph: HeapGraph, types: HeapTypes, rootNodes: RootNodes, object: number): PathHop[] {
  const sp = shortestPathParents(buildAnalysisGraph(graph, rootNodes), Uint32Array.of(0));
  return rootPathHops(graph, types, rootNodes, columnOf(sp.parent), columnOf(sp.parentEdge), object);
}

/** Every root node from which `object` can be reached, and their distinct kinds. */
export function rootsKeepingAlive(graph: HeapGraph, rootNodes: RootNodes, object: number): { kinds: RootNodeKind[]; rootNodes: number[] } {
  const rev = graph.reverseEdges();
  const n = graph.objectCount;
  const seen = new Uint8Array(n);
  const stack = new Uint32Array(n);
  let sp = 0;
  seen[object] = 1;
  stack[sp++] = object;
  const start = rev.start;
  const source = rev.source;
  while (sp > 0) {
    const v = stack[--sp];
    const end = start[v + 1];
    for (let k = start[v]; k < end; k++) {
      const w = source[k];
      if (seen[w] === 0) {
        seen[w] = 1;
        stack[sp++] = w;
      }
    }
  }
  return rootsOfSeen(graph, rootNodes, (i) => seen[i] !== 0);
}

/**
 * rootsKeepingAlive over reverse edges read by position (a block at a time from an index), for an object that few
 * objects lead to: undefined once the search has met more than `budget` objects (then search the whole reverse
 * edges instead).
 */
export function rootsKeepingAliveWithin(graph: HeapGraph, rootNodes: RootNodes, rev: { start: Column; source: Column }, object: number,
  budget: number): { kinds: RootNodeKind[]; rootNodes: number[] } | undefined {
  const seen = new Set<number>([object]);
  const stack = [object];
  while (stack.length > 0) {
    const v = stack.pop()!;
    const from = rev.source.range(rev.start.at(v), rev.start.at(v + 1));
    for (let k = 0; k < from.length; k++) {
      const w = from[k];
      if (seen.has(w)) continue;
      if (seen.size >= budget) return undefined;
      seen.add(w);
      stack.push(w);
    }
  }
  return rootsOfSeen(graph, rootNodes, (i) => seen.has(i));
}

/** The root nodes whose roots point at an object `seen` holds, and their distinct kinds. */
function rootsOfSeen(graph: HeapGraph, rootNodes: RootNodes, seen: (i: number) => boolean): { kinds: RootNodeKind[]; rootNodes: number[] } {
  const nodes = new Set<number>();
  const roots = graph.roots;
  for (let r = 0; r < roots.count; r++) if (seen(roots.target[r])) nodes.add(rootNodes.rootNode[r]);
  const order: RootNodeKind[] = ['global', 'goroutine', 'goroutines', 'finalizer', 'other'];
  const kinds = order.filter((k) => [...nodes].some((x) => rootNodes.kind[x] === k));
  return { kinds, rootNodes: [...nodes].sort((a, b) => a - b) };
}

/**
 * The hops of the shortest path to `object` read from a shortest-path tree over the analysis graph (parent and
 * parentEdge as shortestPathParents returns them for the super-root): root node first; empty when unreachable.
 */
export function rootPathHops(graph: HeapGraph, types: HeapTypes, rootNodes: RootNodes, parent: Column,
  parentEdge: Column, object: number, describeRoot: (r: number) => string = (r) => describeRootSlot(graph, rootNodes, r)): PathHop[] {
  const R = rootNodes.count;
  const first = R + 1;
  const objectEdgeBase = R + graph.roots.count;
  const nodes: number[] = [];
  const edges: number[] = [];
  let v = first + object;
  if (parent.at(v) === NONE) return [];
  while (v !== 0) {
    nodes.push(v);
    edges.push(parentEdge.at(v));
    v = parent.at(v);
  }
  nodes.reverse();
  edges.reverse();
  // Root-node edges are laid out per root node in RootTable order (heap-dominators.ts): edge R + k is the k-th
  // root of that order. Rebuild the order to name the root slot.
  let rootEdgeRoot: Uint32Array | undefined;
  const hops: PathHop[] = [];
  // Hops k and j are alike when both go through an object's field at one offset into objects of one type.
  const alike = (k: number, j: number): boolean => {
    if (nodes[k] < first || nodes[j] < first || edges[k] < objectEdgeBase || edges[j] < objectEdgeBase) return false;
    const a = nodes[k] - first;
    const b = nodes[j] - first;
    return types.typeIdAt(a) === types.typeIdAt(b) && graph.sizeOf(a) === graph.sizeOf(b) &&
      graph.edgeOffsetAt(edges[k] - objectEdgeBase) === graph.edgeOffsetAt(edges[j] - objectEdgeBase);
  };
  for (let k = 0; k < nodes.length; k++) {
    hops.push(hopAt(k));
    // A chain from hop k on (k, k + 1, ..., k + run - 1 alike): its first hop, the others but the last as one hop,
    // then its last.
    let run = 1;
    while (k + run < nodes.length && alike(k, k + run)) run++;
    if (run > CHAIN_HOPS_SHOWN) {
      hops.push({ ...hopAt(k + 1), repeat: run - 2 });
      k += run - 2;
    }
  }
  return hops;

  function hopAt(k: number): PathHop {
    const node = nodes[k];
    if (node < first) {
      const rn = node - 1;
      return { kind: rootNodes.kind[rn], name: rootNodes.name[rn], address: rootNodes.address[rn] };
    }
    const i = node - first;
    const e = edges[k];
    let field: string;
    if (e >= objectEdgeBase) {
      field = fieldOf(types, nodes[k - 1] - first, graph.edgeOffsetAt(e - objectEdgeBase));
    } else {
      rootEdgeRoot ??= rootEdgeOrder(graph, rootNodes);
      field = describeRoot(rootEdgeRoot[e - R]);
    }
    const type = types.objectTypeName(i);
    return { kind: 'object', name: type, address: graph.addressOf(i), type, field, object: i };
  }
}

/** For root-node edge k of the analysis graph, the RootTable row it comes from (buildAnalysisGraph's order). */
function rootEdgeOrder(graph: HeapGraph, rootNodes: RootNodes): Uint32Array {
  const rc = graph.roots.count;
  const R = rootNodes.count;
  const counts = new Uint32Array(R + 1);
  for (let r = 0; r < rc; r++) counts[rootNodes.rootNode[r] + 1]++;
  for (let k = 0; k < R; k++) counts[k + 1] += counts[k];
  const out = new Uint32Array(rc);
  for (let r = 0; r < rc; r++) out[counts[rootNodes.rootNode[r]]++] = r;
  return out;
}

export { rootsKeepingAlive as rootsReaching, rootsKeepingAliveWithin as rootsReachingWithin };
