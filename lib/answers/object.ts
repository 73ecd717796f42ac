// One object (`goheap object`, the viewer's object page): its decoded fields, retained size and dominator, and
// its allocation stack when the dump sampled its allocation. A global variable is answered in the same shape
// (globalAnswer): its fields decoded from the dump's data segments, what its root node retains and reaches.
import type { GoGlobal } from '../gotypes/index.js';
import type { HeapSession } from '../session/index.js';
import { topReachable } from '../session/leak-queries.js';
import { describeGlobal, RecoveredTypes, type ObjectDescription } from '../typing/index.js';
import { allocationOf, type AllocFrameJson } from './allocs.js';
import { hex } from './common.js';

export type ObjectAnswer = ObjectDescription & {
  retained: number;
  /** "0x... type" of the dominating object, a root node's name, "several roots", or null when unreachable. */
  dominator: string | null;
  /** Where the object was allocated, when the dump sampled it (size: the profile bucket's object size). */
  allocation?: { size: number; frames: AllocFrameJson[] } | null;
  /** Globals only: the variable's name, and the bytes its root node can reach (shared ones included). */
  global?: string;
  reachableBytes?: number;
};

export function objectAnswer(s: HeapSession, i: number): ObjectAnswer {
  const d = s.describe(i);
  const dom = s.dominator(i);
  const dominator = dom.kind === 'none' ? null
    : dom.kind === 'object' ? `${hex(s.address(dom.object))} ${s.typeName(dom.object)}`
      : dom.kind === 'roots' ? 'several roots' : s.rootNodes.name[dom.rootNode];
  return { ...d, retained: s.retained(i), dominator, allocation: allocationOf(s, i) };
}

/**
 * Global variable `g` in the object answer's shape: index -1, its own address, size and Go type, fields decoded
 * from the data or bss segment, retained = what its root node alone keeps alive, dominator null (it is a root).
 */
export function globalAnswer(s: HeapSession, g: GoGlobal): ObjectAnswer {
  if (!(s.types instanceof RecoveredTypes)) throw new Error('describing a global needs the binary');
  const d = describeGlobal(s.graph, s.types, g);
  const rn = s.rootNodes;
  let node = -1;
  for (let k = 0; k < rn.count && node < 0; k++) if (rn.kind[k] === 'global' && rn.name[k] === g.name && rn.address[k] === g.address) node = k;
  return {
    address: d.address, index: -1, size: d.size, type: d.type, typed: d.type !== 'unknown', inferred: false, reachable: true,
    referrers: 0, fields: d.fields, truncated: d.truncated,
    retained: node < 0 ? 0 : s.rootRetained(node), dominator: null, allocation: null,
    global: g.name, reachableBytes: node < 0 ? 0 : topReachable(s, node),
  };
}
