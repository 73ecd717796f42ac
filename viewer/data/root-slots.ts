// The pointer slots of each root node and the objects they hold: a global's value as the heap sees it (its pointer
// fields and their targets), a goroutine's stack slots by frame and variable. Root table rows are grouped by root
// node once per session (a CSR over the root table), so that a root's slots are found without a scan.
import type { HeapSession } from '../../lib/session/index.js';
import { rootReferrer } from '../../lib/session/referrers.js';

export interface RootSlot {
  /** "main.Cache.items", "main.handle: req", "finalizer"... */
  slot: string;
  address: string;
  type: string;
  retained: number;
}

export interface RootSlotIndex {
  start: Uint32Array;
  row: Uint32Array;
}

export function rootSlotIndex(s: HeapSession): RootSlotIndex {
  const node = s.rootNodes.rootNode;
  const n = s.rootNodes.count;
  const start = new Uint32Array(n + 1);
  for (let r = 0; r < node.length; r++) start[node[r] + 1]++;
  for (let k = 0; k < n; k++) start[k + 1] += start[k];
  const fill = start.slice(0, n);
  const row = new Uint32Array(node.length);
  for (let r = 0; r < node.length; r++) row[fill[node[r]]++] = r;
  return { start, row };
}

/** Root node k's slots (at most `limit`) and how many it has. */
export function rootSlots(s: HeapSession, index: RootSlotIndex, k: number, limit = 200): { total: number; slots: RootSlot[] } {
  const slots: RootSlot[] = [];
  const from = index.start[k];
  const to = index.start[k + 1];
  const target = s.graph.roots.target;
  for (let x = from; x < to && slots.length < limit; x++) {
    const r = index.row[x];
    const t = target[r];
    const ref = rootReferrer(s.graph, s.types, s.rootNodes, s.program, r);
    slots.push({ slot: ref.kind === 'root' ? ref.slot : '', address: `0x${s.address(t).toString(16)}`, type: s.typeName(t), retained: s.retained(t) });
  }
  return { total: to - from, slots };
}
