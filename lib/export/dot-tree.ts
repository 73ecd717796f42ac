// The default DOT picture: the top of the dominator tree. Nodes are taken best-first by retained size (a node's
// children come largest first from the session, so a priority queue of "next child of each drawn node" gives the
// maxNodes biggest retainers, always a connected top of the tree). Between drawn nodes it draws every pointer (fields
// as labels) and root slot; a dominated node no drawn pointer reaches gets a dashed dominator edge. Each drawn node's
// undrawn children are collapsed into one node saying how many subtrees, objects and bytes they hold, and garbage
// into one grey node: drawn objects + collapsed objects + garbage = every object of the dump. The root nodes are
// returned biggest first, for dot.ts to put them in the first rank in that order.
import type { HeapSession, TreeNode } from '../session/index.js';
import { COLLAPSED, DOMINATES, GARBAGE, bytes, count, labelText } from './dot-syntax.js';
import { type DotGraph, addPointer, newDotGraph } from './dot-graph.js';
import { FieldNames, goroutineOfRootNode, objectAttrs, objectId, objects, rootAttrs, rootId, rootSlotLabel, treeNodeId } from './dot-labels.js';

/** What the tree picture kept and what it cut. */
export interface TreeSummary {
  drawnObjects: number;
  drawnRootNodes: number;
  /** Collapsed nodes, and the subtrees, objects and bytes they stand for. */
  collapsedNodes: number;
  collapsedSubtrees: number;
  collapsedObjects: number;
  collapsedBytes: number;
  garbageObjects: number;
  garbageBytes: number;
  /** Reachable objects and bytes of the dump. */
  reachableObjects: number;
  reachableBytes: number;
}

/** A max-heap of candidate tree nodes: (parent, index of the child among the parent's children), by retained size. */
class Candidates {
  private readonly items: { parent: TreeNode; index: number; node: TreeNode; retained: number }[] = [];

  get size(): number {
    return this.items.length;
  }

  push(item: { parent: TreeNode; index: number; node: TreeNode; retained: number }): void {
    const a = this.items;
    a.push(item);
    let k = a.length - 1;
    while (k > 0) {
      const up = (k - 1) >> 1;
      if (a[up].retained >= a[k].retained) break;
      [a[up], a[k]] = [a[k], a[up]];
      k = up;
    }
  }

  pop(): { parent: TreeNode; index: number; node: TreeNode; retained: number } {
    const a = this.items;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let k = 0;
      for (;;) {
        const l = 2 * k + 1;
        const r = l + 1;
        let m = k;
        if (l < a.length && a[l].retained > a[m].retained) m = l;
        if (r < a.length && a[r].retained > a[m].retained) m = r;
        if (m === k) break;
        [a[m], a[k]] = [a[k], a[m]];
        k = m;
      }
    }
    return top;
  }
}

/** The top `maxNodes` nodes (objects and root nodes) of the dominator tree as a graph; see the file's header. */
export function dominatorTop(s: HeapSession, maxNodes: number): { graph: DotGraph; summary: TreeSummary; rootOrder: string[] } {
  const g = newDotGraph();
  const superRoot: TreeNode = { kind: 'roots' };
  // Per drawn tree node (and the super-root): how many of its children were drawn (always its biggest ones).
  const drawnChildren = new Map<string, { node: TreeNode; children: number }>();
  drawnChildren.set('roots', { node: superRoot, children: 0 });
  const drawnObjects = new Map<number, TreeNode>();
  const drawnRoots = new Set<number>();
  /** Drawn root nodes' ids, biggest first (the order they were taken in). */
  const rootOrder: string[] = [];
  const queue = new Candidates();
  const offer = (parent: TreeNode, index: number): void => {
    const page = s.dominated(parent, index, 1);
    if (page.items.length > 0) queue.push({ parent, index, node: page.items[0], retained: page.items[0].retained });
  };
  offer(superRoot, 0);
  const goroutines = goroutineOfRootNode(s);
  while (queue.size > 0 && drawnObjects.size + drawnRoots.size < maxNodes) {
    const c = queue.pop();
    const node = c.node;
    const id = treeNodeId(node);
    drawnChildren.get(treeNodeId(c.parent))!.children++;
    drawnChildren.set(id, { node, children: 0 });
    if (node.kind === 'object') {
      drawnObjects.set(node.object, node);
      g.setNode(id, objectAttrs(s, node.object));
    } else if (node.kind === 'root') {
      drawnRoots.add(node.rootNode);
      rootOrder.push(id);
      g.setNode(id, rootAttrs(s, node.rootNode, goroutines[node.rootNode]));
    }
    offer(c.parent, c.index + 1);
    offer(node, 0);
  }

  // Pointers between drawn objects, and root slots from drawn root nodes to drawn objects.
  const graph = s.graph;
  const fields = new FieldNames(s);
  for (const u of drawnObjects.keys()) {
    const end = graph.edgeStart[u + 1];
    for (let e = graph.edgeStart[u]; e < end; e++) {
      const t = graph.edgeTarget[e];
      if (drawnObjects.has(t)) addPointer(g, objectId(u), objectId(t), fields.name(u, graph.edgeOffset(e)));
    }
  }
  const roots = graph.roots;
  const rootNode = s.rootNodes.rootNode;
  for (let r = 0; r < roots.count; r++) {
    const k = rootNode[r];
    if (drawnRoots.has(k) && drawnObjects.has(roots.target[r])) addPointer(g, rootId(k), objectId(roots.target[r]), rootSlotLabel(s, r));
  }

  // Dominator edges where no drawn pointer shows why the child hangs there.
  let superRootDrawn = false;
  const drawSuperRoot = (): void => {
    if (superRootDrawn) return;
    superRootDrawn = true;
    g.setNode('roots', {
      shape: 'box', style: 'filled', fillcolor: '#fff2cc', color: '#b58900',
      label: labelText(['GC roots', `${objects(s.retainedCount(superRoot))} reachable`, bytes(s.reachableBytes)]),
      tooltip: 'every root together: objects no single root dominates hang here',
    });
  };
  // Only dominator-tree edges rank the nodes (constraint=false on the other pointers): the layout is the tree's, and
  // dot does not spend minutes on chains of pointers across its levels.
  const treeEdge = new Set<string>();
  for (const [i] of drawnObjects) {
    const d = s.dominator(i);
    const from = d.kind === 'object' ? objectId(d.object) : d.kind === 'root' ? rootId(d.rootNode) : 'roots';
    if (from === 'roots') {
      // Held by several roots: ranked after a root that points at it, if any (not after an object: the objects of
      // a linked list all hang from the roots, and their Next pointers would rank it a thousand levels deep).
      const preds = g.predecessors(objectId(i)) ?? [];
      const root = preds.find((p) => p.startsWith('r'));
      if (root !== undefined) treeEdge.add(`${root}\0${objectId(i)}`);
      if (preds.length > 0) continue;
      drawSuperRoot();
    } else if (g.hasEdge(from, objectId(i))) {
      treeEdge.add(`${from}\0${objectId(i)}`);
      continue;
    }
    g.setEdge(from, objectId(i), { fields: [], attrs: { ...DOMINATES, tooltip: 'dominates (the pointers in between are not drawn)' } });
  }
  for (const e of g.edges()) {
    const label = g.edge(e);
    if (label.fields.length > 0 && !treeEdge.has(`${e.v}\0${e.w}`)) label.attrs.constraint = 'false';
  }

  // One collapsed node per drawn node whose smaller children were not drawn.
  const summary: TreeSummary = {
    drawnObjects: drawnObjects.size, drawnRootNodes: drawnRoots.size, collapsedNodes: 0, collapsedSubtrees: 0,
    collapsedObjects: 0, collapsedBytes: 0, garbageObjects: 0, garbageBytes: 0,
    reachableObjects: s.retainedCount(superRoot), reachableBytes: s.reachableBytes,
  };
  for (const [id, { node, children }] of drawnChildren) {
    const total = s.dominated(node, 0, 0).total;
    if (children >= total) continue;
    let objectsLeft = s.retainedCount(node);
    let bytesLeft = node.kind === 'object' ? s.retained(node.object) : node.kind === 'root' ? s.rootRetained(node.rootNode) : s.reachableBytes;
    if (node.kind === 'object') {
      objectsLeft -= 1;
      bytesLeft -= s.size(node.object);
    }
    for (const c of s.dominated(node, 0, children).items) {
      objectsLeft -= s.retainedCount(c);
      bytesLeft -= c.retained;
    }
    const subtrees = total - children;
    if (id === 'roots') drawSuperRoot();
    const cid = `c_${id}`;
    const what = id === 'roots' ? `${count(subtrees)} more root node${subtrees === 1 ? '' : 's'} and objects held by several roots` : `${count(subtrees)} more dominated subtree${subtrees === 1 ? '' : 's'}`;
    g.setNode(cid, {
      ...COLLAPSED, label: labelText([what, objects(objectsLeft), bytes(bytesLeft)]),
      tooltip: `collapsed: ${subtrees} subtrees, ${objectsLeft} objects, ${bytesLeft} B`,
    });
    g.setEdge(id, cid, { fields: [], attrs: { ...DOMINATES } });
    summary.collapsedNodes++;
    summary.collapsedSubtrees += subtrees;
    summary.collapsedObjects += objectsLeft;
    summary.collapsedBytes += bytesLeft;
  }

  // Garbage: one grey node.
  summary.garbageObjects = graph.objectCount - summary.reachableObjects;
  summary.garbageBytes = graph.objectBytes - summary.reachableBytes;
  if (summary.garbageObjects > 0) {
    g.setNode('garbage', {
      ...GARBAGE, shape: 'folder',
      label: labelText(['unreachable (garbage)', objects(summary.garbageObjects), bytes(summary.garbageBytes)]),
      tooltip: `garbage: ${summary.garbageObjects} objects, ${summary.garbageBytes} B no root reaches`,
    });
  }
  return { graph: g, summary, rootOrder };
}
