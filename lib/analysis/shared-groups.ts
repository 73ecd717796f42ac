// Shared groups: the shared objects (reachable from several root nodes, dominated by none: shared-retention.ts)
// grouped by the set of root nodes that reach them, so that 1,500 subscriptions each reachable from one global and
// from their goroutines are one group, not 1,500 rows. The runtime's own roots (its Ps, Ms, the allg list: the
// caller says which root nodes are the runtime's) reach much of the program's memory through timers, parked
// goroutines' sudogs and the like; they are left out of the key of a program object that a root of the program
// reaches too, so they never split a program group. A runtime object (a P, an M, a g) keeps them in its key: its
// group is the runtime's (flag `runtime`), which callers rank after the program's memory.
import type { RootSets, SharedRetention } from './shared-retention.js';

export interface SharedGroups {
  count: number;
  /** Per shared object j (top-level node R + j): its group. */
  groupOf: Uint32Array;
  /** Per group: the root nodes of its key, in increasing order. */
  roots: number[][];
  /** Per group: 1 when its key holds a runtime root node (runtime bookkeeping, or memory only the runtime reaches). */
  runtime: Uint8Array;
  /** CSR over groups: the shared objects j of each, most retained first. */
  firstMember: Uint32Array;
  member: Uint32Array;
  /** Per group: what its members alone keep alive (the sum of their retained sizes). */
  retained: Float64Array;
}

/** Groups the shared objects of `s` by root set (see the file header); groups are numbered by first member. */
export function groupSharedObjects(s: SharedRetention, sets: RootSets, isRuntimeRoot: (k: number) => boolean,
  isRuntimeObject: (object: number) => boolean): SharedGroups {
  const R = s.rootNodeCount;
  const S = s.sharedObject.length;
  const groupOf = new Uint32Array(S);
  const byKey = new Map<string, number>();
  const roots: number[][] = [];
  const runtime: number[] = [];
  for (let j = 0; j < S; j++) {
    const all = Array.from(sets.root.subarray(sets.firstRoot[j], sets.firstRoot[j + 1]));
    const user = all.filter((k) => !isRuntimeRoot(k));
    const key = user.length > 0 && !isRuntimeObject(s.sharedObject[j]) ? user : all;
    const text = key.join(',');
    let g = byKey.get(text);
    if (g === undefined) {
      g = roots.length;
      byKey.set(text, g);
      roots.push(key);
      runtime.push(key.length === 0 || key.some(isRuntimeRoot) ? 1 : 0);
    }
    groupOf[j] = g;
  }
  const count = roots.length;
  const firstMember = new Uint32Array(count + 1);
  for (let j = 0; j < S; j++) firstMember[groupOf[j] + 1]++;
  for (let g = 0; g < count; g++) firstMember[g + 1] += firstMember[g];
  const fill = firstMember.slice(0, count);
  const member = new Uint32Array(S);
  const retained = new Float64Array(count);
  // sharedObject is sorted most retained first, so members are too.
  for (let j = 0; j < S; j++) {
    const g = groupOf[j];
    member[fill[g]++] = j;
    retained[g] += s.retained[R + j];
  }
  return { count, groupOf, roots, runtime: Uint8Array.from(runtime), firstMember, member, retained };
}
