// One object (`goheap object`, the viewer's object page): its decoded fields, retained size and dominator, and
// its allocation stack when the dump sampled its allocation. A global variable is answered in the same shape
// (globalAnswer): its fields decoded from the dump's data segments, what its root node retains and reaches.
import { GoKind, type GoGlobal } from '../gotypes/index.js';
import type { HeapSession } from '../session/index.js';
import { topReachable } from '../session/leak-queries.js';
import { describeGlobal, RecoveredTypes, type ObjectDescription } from '../typing/index.js';
import { allocationOf, type AllocFrameJson } from './allocs.js';
import { hex } from './common.js';

export type ObjectAnswer = ObjectDescription & {
  /**
   * How many of `referrers` (pointers of objects to it) are held by unreachable objects: garbage not yet freed (a
   * map's old buckets, a slice's old backing array), which keeps nothing alive.
   */
  unreachableReferrers: number;
  retained: number;
  /** "0x... type" of the dominating object, a root node's name, "several roots", or null when unreachable. */
  dominator: string | null;
  /** Where the object was allocated, when the dump sampled it (size: the profile bucket's object size). */
  allocation?: { size: number; frames: AllocFrameJson[] } | null;
  /** Globals only: the variable's name, and the bytes its root node can reach (shared ones included). */
  global?: string;
  reachableBytes?: number;
  /**
   * Globals only, when the variable points at a value the linker allocated statically (`var Cache = &LRU{...}`):
   * that value, a global of its own named "*main.Cache" (a root node, not a heap object), and what it retains and
   * reaches. The variable itself then holds no heap pointer: its own retained and reachable are 0.
   */
  pointsAt?: { global: string; address: string; type: string; retained: number; reachableBytes: number };
};

export function objectAnswer(s: HeapSession, i: number): ObjectAnswer {
  const d = s.describe(i);
  return { ...d, unreachableReferrers: unreachableReferrers(s, i), retained: s.retained(i), dominator: dominatorText(s, i), allocation: allocationOf(s, i) };
}

/** Object i's immediate dominator as ObjectAnswer.dominator says it: "0x... type", a root node's name, "several roots", or null. */
export function dominatorText(s: HeapSession, i: number): string | null {
  const dom = s.dominator(i);
  return dom.kind === 'none' ? null
    : dom.kind === 'object' ? `${hex(s.address(dom.object))} ${s.typeName(dom.object)}`
      : dom.kind === 'roots' ? 'several roots' : s.rootNodes.name[dom.rootNode];
}

/** How many pointers of unreachable objects point at object i (or, for a tiny block's sub-object, land in it). */
export function unreachableReferrers(s: HeapSession, i: number): number {
  let n = 0;
  if (i >= s.objectCount) {
    for (const r of s.referrers(i)) if (r.kind === 'object' && !s.isReachable(r.object)) n++;
    return n;
  }
  for (const o of s.referringObjects(i)) if (!s.isReachable(o)) n++;
  return n;
}

/**
 * Global variable `g` in the object answer's shape: index -1, its own address, size and Go type, fields decoded
 * from the data or bss segment, retained = what its root node alone keeps alive, dominator null (it is a root).
 */
export function globalAnswer(s: HeapSession, g: GoGlobal): ObjectAnswer {
  if (!(s.types instanceof RecoveredTypes)) throw new Error('describing a global needs the binary');
  const d = describeGlobal(s.graph, s.types, g);
  const node = globalNode(s, g);
  // Holding no heap pointer, a pointer global whose value is the statically allocated "*NAME" points at that.
  const pointee = node < 0 && g.type?.kind === GoKind.Ptr ? s.findGlobal(`*${g.name}`) : undefined;
  let pointsAt: ObjectAnswer['pointsAt'];
  if (pointee !== undefined && d.fields.length === 1 && d.fields[0].value.startsWith(`${hex(pointee.address)} `)) {
    const k = globalNode(s, pointee);
    pointsAt = {
      global: pointee.name, address: hex(pointee.address), type: pointee.type?.name ?? 'unknown',
      retained: k < 0 ? 0 : s.rootRetained(k), reachableBytes: k < 0 ? 0 : topReachable(s, k),
    };
  }
  return {
    address: d.address, index: -1, size: d.size, type: d.type, typed: d.type !== 'unknown', inferred: false, reachable: true,
    referrers: 0, unreachableReferrers: 0, fields: d.fields, truncated: d.truncated,
    retained: node < 0 ? 0 : s.rootRetained(node), dominator: null, allocation: null,
    global: g.name, reachableBytes: node < 0 ? 0 : topReachable(s, node), ...(pointsAt ? { pointsAt } : {}),
  };
}

/** The root node of global g, or -1 when it holds no pointer into the heap. */
function globalNode(s: HeapSession, g: GoGlobal): number {
  const rn = s.rootNodes;
  for (let k = 0; k < rn.count; k++) if (rn.kind[k] === 'global' && rn.name[k] === g.name && rn.address[k] === g.address) return k;
  return -1;
}
