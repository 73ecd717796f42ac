// One object (`goheap object`, the viewer's object page): its decoded fields, retained size and dominator, and
// its allocation stack when the dump sampled its allocation.
import type { HeapSession } from '../session/index.js';
import type { ObjectDescription } from '../typing/index.js';
import { allocationOf, type AllocFrameJson } from './allocs.js';
import { hex } from './common.js';

export type ObjectAnswer = ObjectDescription & {
  retained: number;
  /** "0x... type" of the dominating object, a root node's name, "several roots", or null when unreachable. */
  dominator: string | null;
  /** Where the object was allocated, when the dump sampled it (size: the profile bucket's object size). */
  allocation?: { size: number; frames: AllocFrameJson[] } | null;
};

export function objectAnswer(s: HeapSession, i: number): ObjectAnswer {
  const d = s.describe(i);
  const dom = s.dominator(i);
  const dominator = dom.kind === 'none' ? null
    : dom.kind === 'object' ? `${hex(s.address(dom.object))} ${s.typeName(dom.object)}`
      : dom.kind === 'roots' ? 'several roots' : s.rootNodes.name[dom.rootNode];
  return { ...d, retained: s.retained(i), dominator, allocation: allocationOf(s, i) };
}
