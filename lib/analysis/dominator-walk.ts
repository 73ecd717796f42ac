// The dominator tree by object index, for consumers that must not know the analysis numbering (super-root 0, root
// nodes 1..R, objects after: heap-dominators.ts): each object's immediate dominator as an object or root node, and
// a depth-first walk that enters every reachable object after its dominator and leaves it after its subtree.
import { NONE } from './flat-graph.js';
import type { HeapDominators } from './heap-dominators.js';
import { dominatorTreeChildren } from './retained.js';
import { grown } from './grown.js';

/** objectDominators: dominated by several root nodes together (the super-root). */
export const BY_ROOTS = -1;
/** objectDominators: not reachable from any root (garbage). */
export const UNREACHABLE = -2147483648;

/** For objectDominators' value d <= -2: the root node that alone dominates the object. */
export function dominatingRootNode(d: number): number {
  return -2 - d;
}

/**
 * Per object: its immediate dominator as an object index (>= 0), BY_ROOTS, -2 - k for root node k (see
 * dominatingRootNode), or UNREACHABLE.
 */
export function objectDominators(dom: HeapDominators): Int32Array {
  const first = dom.firstObjectNode;
  const idom = dom.idom;
  const n = dom.nodeCount - first;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const d = idom[first + i];
    out[i] = d === NONE ? UNREACHABLE : d >= first ? d - first : d === 0 ? BY_ROOTS : -2 - (d - 1);
  }
  return out;
}

/**
 * Walks the dominator tree depth first: enter(i) for every reachable object after its dominator's enter, leave(i)
 * after everything it dominates. Iterative (the tree can be millions deep: its stacks grow as deep as it goes);
 * builds the children lists (two words per node) for the walk and drops them after.
 */
export function walkDominatorTree(dom: HeapDominators, enter: (i: number) => void, leave: (i: number) => void): void {
  const { firstChild, child } = dominatorTreeChildren(dom.idom);
  const first = dom.firstObjectNode;
  // The stacks grow as deep as the tree proves (most are shallow; a list can be as deep as it is long).
  let depth = Math.min(dom.nodeCount, 1 << 16);
  let stack = new Uint32Array(depth);
  let cursor = new Uint32Array(depth);
  let sp = 0;
  stack[0] = 0;
  cursor[0] = firstChild[0];
  sp = 1;
  while (sp > 0) {
    const v = stack[sp - 1];
    const c = cursor[sp - 1];
    if (c < firstChild[v + 1]) {
      cursor[sp - 1] = c + 1;
      const w = child[c];
      if (w >= first) enter(w - first);
      if (sp === depth) {
        depth = Math.min(dom.nodeCount, 2 * depth);
        stack = grown(stack, depth);
        cursor = grown(cursor, depth);
      }
      stack[sp] = w;
      cursor[sp] = firstChild[w];
      sp++;
    } else {
      sp--;
      if (v >= first) leave(v - first);
    }
  }
}
