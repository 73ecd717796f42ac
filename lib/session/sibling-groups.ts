// Siblings in the dominator tree folded by type, for the pictures that cannot draw every child: the DOT picture
// (lib/export/dot-tree.ts) and the viewer's flame graph (viewer/data/flame.ts). A node's children are read largest
// first, at most SIBLING_SCAN of them (what lies beyond is told by the count and the parent's retained size), and
// grouped by the objects' type name, root nodes by their kind; each picture then decides which groups it draws
// folded (the DOT keeps outliers apart, the flame graph draws its biggest children one by one first).
import type { HeapSession, TreeNode } from './heap-session.js';

/** Children read per node (or per folded group of nodes) to fold them: the cap of every picture. */
export const SIBLING_SCAN = 10000;

export type Child = TreeNode & { retained: number };

export interface SiblingGroup {
  /** The objects' type name, or the root nodes' kind ("global", "goroutines"). */
  name: string;
  kind: 'object' | 'root';
  /** The children of the group, in the order given (largest first when read with dominatedChildren). */
  members: Child[];
  /** What the members retain together. */
  retained: number;
}

/** The first `limit` (at most SIBLING_SCAN) children of `node`, largest first, from `offset`, and how many it has. */
export function dominatedChildren(s: HeapSession, node: TreeNode, offset = 0, limit = SIBLING_SCAN): { items: Child[]; total: number } {
  const page = s.dominated(node, offset, Math.min(limit, SIBLING_SCAN));
  return { items: page.items, total: page.total };
}

/** `children` grouped by type (objects) or kind (root nodes): the groups by what they retain, largest first. */
export function foldByType(s: HeapSession, children: readonly Child[]): SiblingGroup[] {
  const groups = new Map<string, SiblingGroup>();
  for (const c of children) {
    if (c.kind === 'roots') continue;
    const kind = c.kind === 'object' ? 'object' : 'root';
    const name = c.kind === 'object' ? s.typeName(c.object) : s.rootNodes.kind[c.rootNode];
    const key = `${kind}\u0000${name}`;
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = { name, kind, members: [], retained: 0 }));
    g.members.push(c);
    g.retained += c.retained;
  }
  return [...groups.values()].sort((a, b) => b.retained - a.retained);
}
