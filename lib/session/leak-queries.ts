// The session's leak-hunting queries: goroutine groups and shared retention of an open HeapSession, each built
// once per session on first use and kept beside it (a WeakMap, so they go with the session). Goroutine groups are
// the root nodes' own grouping (lib/analysis/root-nodes.ts numbers group k as node firstGroupNode + k); shared
// retention is one pass over the heap's edges (lib/analysis/shared-retention.ts), then small walks per question;
// the shared objects' root sets and groups (lib/analysis/shared-groups.ts) one walk of that small graph per root node.
import {
  firstGroupNode, type GoroutineGroups, goroutineGroups, groupSharedObjects, isMapInternal, reachableBytes, rootNodesReaching,
  type RootSets, rootSets, type SharedGroups, type SharedRetention, sharedRetention,
} from '../analysis/index.js';
import { logicalFrames } from '../typing/index.js';
import type { EncodedPart } from '../store/index.js';
import type { HeapSession } from './heap-session.js';

interface LeakState {
  groups?: GoroutineGroups & { firstNode: number };
  shared?: SharedRetention;
  sets?: RootSets;
  sharedGroups?: SharedGroups;
  /** Reachable bytes per top-level node, -1 until asked. */
  reachable?: Float64Array;
}

const states = new WeakMap<HeapSession, LeakState>();

function state(s: HeapSession): LeakState {
  let st = states.get(s);
  if (!st) states.set(s, (st = {}));
  return st;
}

/** The goroutine groups of the session's dump; group k is root node firstNode + k. */
export function sessionGroups(s: HeapSession): GoroutineGroups & { firstNode: number } {
  const st = state(s);
  if (!st.groups) {
    const p = s.program;
    const g = goroutineGroups(s.graph, p ? (f) => logicalFrames(p, s.graph, f).map((x) => x.function) : undefined);
    const firstNode = firstGroupNode(s.rootNodes);
    const kinds = s.rootNodes.kind;
    const nodes = kinds.filter((k) => k === 'goroutine' || k === 'goroutines').length;
    if (nodes !== g.groups.length || (nodes > 0 && g.groups.some((grp, k) => kinds[firstNode + k] !== (grp.members.length === 1 ? 'goroutine' : 'goroutines')))) {
      throw new Error(`${s.dumpPath}: the root nodes do not match the goroutine groups (${nodes} nodes, ${g.groups.length} groups)`);
    }
    st.groups = { ...g, firstNode };
  }
  return st.groups;
}

/** The number of goroutines in root node k: its group's size for a goroutine group, 0 for any other node. */
export function rootNodeGoroutines(s: HeapSession, k: number): number {
  const kind = s.rootNodes.kind[k];
  if (kind !== 'goroutine' && kind !== 'goroutines') return 0;
  const g = sessionGroups(s);
  return g.groups[k - g.firstNode].members.length;
}

/** The stack key of root node k when it is a goroutine group (what matches it in another dump), else undefined. */
export function rootNodeKey(s: HeapSession, k: number): string | undefined {
  const kind = s.rootNodes.kind[k];
  if (kind !== 'goroutine' && kind !== 'goroutines') return undefined;
  const g = sessionGroups(s);
  return `goroutines:${g.groups[k - g.firstNode].key}`;
}

/**
 * The condensed graph of the dominator tree's top-level nodes (root nodes and shared objects): a derived index (its
 * size is that of the top level, not of the heap), so that a warm open does not pass over every edge again.
 */
export function sessionShared(s: HeapSession): SharedRetention {
  const st = state(s);
  st.shared ??= s.derivedIndex('shared-v1', () => sharedRetention(s.graph, s.dominators), sharedCodec.encode,
    (p) => sharedCodec.decode(p, s.rootNodes.count));
  return st.shared;
}

const SHARED_ARRAYS = ['sharedObject', 'firstEdge', 'edgeTarget', 'firstReverse', 'reverseSource', 'retained'] as const;

const sharedCodec = {
  encode: (x: SharedRetention): EncodedPart => ({
    meta: { rootNodeCount: x.rootNodeCount }, arrays: Object.fromEntries(SHARED_ARRAYS.map((k) => [k, x[k]])),
  }),
  decode: (p: EncodedPart, rootNodeCount: number): SharedRetention | undefined => {
    if ((p.meta as { rootNodeCount?: number }).rootNodeCount !== rootNodeCount) return undefined;
    const x = { rootNodeCount } as SharedRetention;
    for (const k of SHARED_ARRAYS) {
      const a = p.arrays[k];
      if (a === undefined) return undefined;
      (x as unknown as Record<string, unknown>)[k] = a;
    }
    const T = rootNodeCount + x.sharedObject.length;
    if (x.firstEdge.length !== T + 1 || x.firstReverse.length !== T + 1 || x.retained.length !== T ||
      x.firstEdge[T] !== x.edgeTarget.length || x.firstReverse[T] !== x.reverseSource.length) return undefined;
    return x;
  },
};

/** Bytes reachable from top-level node t (root node k is t = k; shared object j is t = R + j), cached. */
export function topReachable(s: HeapSession, t: number): number {
  const st = state(s);
  const sh = sessionShared(s);
  if (!st.reachable) st.reachable = new Float64Array(sh.retained.length).fill(-1);
  if (st.reachable[t] < 0) st.reachable[t] = t < sh.rootNodeCount && st.sets ? st.sets.reachable[t] : reachableBytes(sh, t);
  return st.reachable[t];
}

/** The root nodes that reach top-level node t. */
export function topRootNodes(s: HeapSession, t: number): number[] {
  return rootNodesReaching(sessionShared(s), t);
}

/** A root node of the runtime's own: its other roots, or a global of package runtime or internal/... */
export function isRuntimeRoot(s: HeapSession, k: number): boolean {
  const rn = s.rootNodes;
  return rn.kind[k] === 'other' || (rn.kind[k] === 'global' && /^\*?(runtime|internal)[./]/.test(rn.name[k]));
}

/** An object of the runtime's own type (a P, an M, a g, a sudog...), maps excepted. */
export function isRuntimeObject(s: HeapSession, i: number): boolean {
  const t = s.typeName(i);
  return (/^(\[\d*\])?\*?(runtime|internal)[./]/.test(t) || /^sudog</.test(t)) && !isMapInternal(t);
}

/** The root nodes reaching every shared object, and every root node's reachable bytes (one walk per root node). */
export function sessionRootSets(s: HeapSession): RootSets {
  const st = state(s);
  if (!st.sets) {
    const sh = sessionShared(s);
    const R = sh.rootNodeCount;
    const stop = new Uint8Array(sh.retained.length);
    for (let j = 0; j < sh.sharedObject.length; j++) stop[R + j] = isRuntimeObject(s, sh.sharedObject[j]) ? 1 : 0;
    const runtimeRoot = new Uint8Array(R);
    for (let k = 0; k < R; k++) runtimeRoot[k] = isRuntimeRoot(s, k) ? 1 : 0;
    st.sets = rootSets(sh, stop, runtimeRoot);
  }
  return st.sets;
}

/** The shared objects grouped by the root nodes that reach them (runtime roots left out of program objects' keys). */
export function sessionSharedGroups(s: HeapSession): SharedGroups {
  const st = state(s);
  st.sharedGroups ??= groupSharedObjects(sessionShared(s), sessionRootSets(s), (k) => isRuntimeRoot(s, k), (i) => isRuntimeObject(s, i));
  return st.sharedGroups;
}
