// The default DOT picture: the top of the dominator tree, with repetition folded so that the budget of drawn nodes
// goes to distinct structure. Nodes are taken best-first by retained size: a priority queue holds "the next child of
// each drawn node" (children largest first), so the maxNodes biggest retainers are drawn, always a connected top of
// the tree. A drawn node's dominator children are read (largest first, at most SIBLING_SCAN) when they may come
// next, and folded (foldByType, lib/session/sibling-groups.ts, the flame graph's folding too):
// - siblings of one type (FOLD_MIN or more under one parent, outliers that retain much more apart) become one node
//   "400 × main.Job" with their count, bytes and what they retain together, as pprof's graph merges equal frames;
//   its children are its members' children, folded the same way;
// - a chain (each object dominating the next of its type through one field, the next holding most of what the
//   object retains: a linked list, a left-deep expression) becomes one node "main.Node × 998 via Next" between its
//   head and its tail, both drawn where they connect to the rest; the members' other children hang from the chain;
// - lists or trees side by side, folded level by level (a group whose largest child is a group of its type holding
//   most of what it retains, and so on) become one chain node between the first group and the last level.
// Between drawn nodes it draws every pointer (fields as labels) and root slot; a node no drawn pointer from its
// parent reaches gets a dashed dominator edge. Each drawn node's undrawn children are collapsed into one node saying
// how many subtrees, objects and bytes they hold, and garbage into one grey node: drawn objects + folded objects +
// collapsed objects + garbage = every object of the dump. The root nodes are returned biggest first, for dot.ts to
// put them in the first rank in that order.
import type { HeapSession, TreeNode } from '../session/index.js';
import { SIBLING_SCAN, dominatedChildren, foldByType, type Child } from '../session/index.js';
import { COLLAPSED, DOMINATES, GARBAGE, bytes, count, labelText } from './dot-syntax.js';
import { type DotGraph, addPointer, fieldsText, newDotGraph } from './dot-graph.js';
import { FieldNames, goroutineOfRootNode, objectAttrs, objectId, objects, rootAttrs, rootId, rootSlotLabel } from './dot-labels.js';

/** What the tree picture kept and what it cut. */
export interface TreeSummary {
  /** Objects drawn one node each, and root nodes. */
  drawnObjects: number;
  drawnRootNodes: number;
  /** Folded nodes (siblings of one type, chains) and the objects and bytes they stand for themselves. */
  groupNodes: number;
  chainNodes: number;
  foldedObjects: number;
  foldedBytes: number;
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

/** Siblings of one type folded into one node from this many on. */
export const FOLD_MIN = 2;
/**
 * A sibling retaining this share of its parent's retained bytes or more, and more than OUTLIER times the mean of its
 * type's siblings, is drawn on its own, never folded.
 */
const BIG_SHARE = 0.1;
const OUTLIER = 4;
/** Chains folded from this many objects between head and tail on. */
export const CHAIN_MIN = 2;

/** A node of the picture: a tree node drawn on its own, or folded objects. */
interface Item {
  id: string;
  kind: 'roots' | 'root' | 'object' | 'group' | 'chain';
  /** For 'roots', 'root' and 'object'. */
  node?: TreeNode;
  /** 'group': the siblings; 'chain': the objects between head and tail, in order. */
  members?: number[];
  /** 'chain': the tail (drawn as a child of the chain) and the field of every hop. */
  tail?: number;
  /** A chain of groups (lists side by side, folded level by level): its last level, drawn as a child, and levels. */
  tailItem?: Item;
  hops?: number;
  field?: string;
  type?: string;
  parent?: Item;
  /** What the item stands for in the dominator tree: retained bytes and objects, and its own. */
  retained: number;
  retainedObjects: number;
  ownObjects: number;
  ownBytes: number;
  /** How many dominator children of the parent it stands for (a group: its members; others: 1). */
  subtrees: number;
  /** Set when drawn: its child items, largest first, how many dominator children it has, how many were drawn. */
  children?: Item[];
  childSubtrees: number;
  drawn: Item[];
}

/**
 * A max-heap of candidates by retained size: the next child of a drawn item (a list of child items and an index in
 * it), or a drawn item whose children are not read yet, keyed by what its children can retain at most (read only
 * when it comes first: the last nodes drawn are never expanded).
 */
interface Candidate {
  key: number;
  list?: Item[];
  index?: number;
  unread?: Item;
}

class Candidates {
  private readonly items: Candidate[] = [];

  get size(): number {
    return this.items.length;
  }

  pushChild(list: Item[], index: number): void {
    if (index < list.length) this.push({ key: list[index].retained, list, index });
  }

  pushUnread(item: Item): void {
    this.push({ key: item.retained - item.ownBytes, unread: item });
  }

  private push(c: Candidate): void {
    const a = this.items;
    a.push(c);
    let k = a.length - 1;
    while (k > 0) {
      const up = (k - 1) >> 1;
      if (a[up].key >= a[k].key) break;
      [a[up], a[k]] = [a[k], a[up]];
      k = up;
    }
  }

  pop(): Candidate {
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
        if (l < a.length && a[l].key > a[m].key) m = l;
        if (r < a.length && a[r].key > a[m].key) m = r;
        if (m === k) break;
        [a[m], a[k]] = [a[k], a[m]];
        k = m;
      }
    }
    return top;
  }
}

/** The top `maxNodes` nodes of the dominator tree, repetition folded, as a graph; see the file's header. */
export function dominatorTop(s: HeapSession, maxNodes: number): { graph: DotGraph; summary: TreeSummary; rootOrder: string[] } {
  const g = newDotGraph();
  const graph = s.graph;
  const fields = new FieldNames(s);
  let folds = 0;

  const objectItem = (i: number, retained: number, parent: Item): Item => ({
    id: objectId(i), kind: 'object', node: { kind: 'object', object: i }, parent, retained, retainedObjects: s.retainedCount({ kind: 'object', object: i }),
    ownObjects: 1, ownBytes: s.size(i), subtrees: 1, childSubtrees: 0, drawn: [],
  });

  /** The field through which object u points at t ('' when it does not point at it). */
  const fieldTo = (u: number, t: number): string => {
    const end = graph.edgeStart[u + 1];
    for (let e = graph.edgeStart[u]; e < end; e++) if (graph.edgeTarget[e] === t) return fields.name(u, graph.edgeOffset(e));
    return '';
  };
  /**
   * The next object of a chain after u: u's largest child, of u's type, reached through `field` (any field when
   * undefined), holding more than u's other children together; -1 when there is none.
   */
  const successor = (u: number, field: string | undefined): { next: number; field: string } | undefined => {
    const page = s.dominated({ kind: 'object', object: u }, 0, 1);
    const c = page.items[0];
    if (c === undefined || c.kind !== 'object' || s.typeName(c.object) !== s.typeName(u)) return undefined;
    if (2 * c.retained <= s.retained(u) - s.size(u)) return undefined;
    const f = fieldTo(u, c.object);
    if (f === '' || (field !== undefined && f !== field)) return undefined;
    return { next: c.object, field: f };
  };

  /** Folds raw dominator children of `parent` into items, largest first (see the file's header). */
  const fold = (parent: Item, raw: Child[]): Item[] => {
    const out: Item[] = [];
    for (const group of foldByType(s, raw)) {
      const all = group.members;
      if (group.kind === 'root') {
        for (const c of all) {
          if (c.kind !== 'root') continue;
          out.push({ id: rootId(c.rootNode), kind: 'root', node: c, parent, retained: c.retained, retainedObjects: s.retainedCount(c), ownObjects: 0, ownBytes: 0, subtrees: 1, childSubtrees: 0, drawn: [] });
        }
        continue;
      }
      const objectOf = (c: Child): number => (c.kind === 'object' ? c.object : -1);
      // Outliers stay on their own: a sibling that retains much more than the others of its type, and much of the
      // parent.
      let mean = 0;
      for (const c of all) mean += c.retained / all.length;
      const list = all.length < FOLD_MIN ? [] : all.filter((c) => c.retained < BIG_SHARE * parent.retained || c.retained <= OUTLIER * mean);
      if (list.length < FOLD_MIN) {
        for (const c of all) out.push(objectItem(objectOf(c), c.retained, parent));
        continue;
      }
      if (list.length < all.length) {
        const folded = new Set(list);
        for (const c of all) if (!folded.has(c)) out.push(objectItem(objectOf(c), c.retained, parent));
      }
      const members = list.map(objectOf);
      let retained = 0;
      let retainedObjects = 0;
      let ownBytes = 0;
      for (const c of list) {
        retained += c.retained;
        retainedObjects += s.retainedCount(c);
        ownBytes += s.size(objectOf(c));
      }
      out.push({ id: `fg${folds++}`, kind: 'group', members, type: group.name, parent, retained, retainedObjects, ownObjects: members.length, ownBytes, subtrees: members.length, childSubtrees: 0, drawn: [] });
    }
    out.sort((a, b) => b.retained - a.retained);
    return out;
  };

  /** Reads a drawn item's dominator children and folds them (sets children and childSubtrees). */
  const expand = (it: Item, chains = true): void => {
    if (it.children !== undefined) return;
    let raw: Child[] = [];
    let chain: Item | undefined;
    if (it.node !== undefined) {
      const page = dominatedChildren(s, it.node);
      it.childSubtrees = page.total;
      raw = page.items;
      // A chain starting below this object: replaces its first member among the children.
      if (it.node.kind === 'object') {
        const head = it.node.object;
        const first = successor(head, undefined);
        if (first !== undefined) {
          const path = [first.next];
          for (let n = successor(first.next, first.field); n !== undefined; n = successor(n.next, first.field)) path.push(n.next);
          if (path.length >= CHAIN_MIN + 1) {
            const members = path.slice(0, -1);
            const tail = path[path.length - 1];
            let ownBytes = 0;
            for (const m of members) ownBytes += s.size(m);
            chain = {
              id: `fc${folds++}`, kind: 'chain', members, tail, field: first.field, type: s.typeName(head), parent: it,
              retained: s.retained(first.next), retainedObjects: s.retainedCount({ kind: 'object', object: first.next }),
              ownObjects: members.length, ownBytes, subtrees: 1, childSubtrees: 0, drawn: [],
            };
            raw = raw.filter((c) => !(c.kind === 'object' && c.object === first.next));
          }
        }
      }
    } else {
      // A group: its members' children; a chain: its members' children but the next member, and the tail.
      const members = it.members!;
      let left = SIBLING_SCAN;
      let total = 0;
      for (let k = 0; k < members.length; k++) {
        const m = members[k];
        const next = it.kind === 'chain' ? (k + 1 < members.length ? members[k + 1] : it.tail!) : -1;
        const page = dominatedChildren(s, { kind: 'object', object: m }, 0, left);
        total += page.total - (next >= 0 ? 1 : 0);
        for (const c of page.items) {
          if (c.kind === 'object' && c.object === next) continue;
          raw.push(c);
          left--;
        }
        if (left <= 0) left = 0;
      }
      it.childSubtrees = total + (it.kind === 'chain' ? 1 : 0);
    }
    const children = fold(it, raw);
    if (chain !== undefined) children.push(chain);
    if (it.kind === 'chain') children.push(objectItem(it.tail!, s.retained(it.tail!), it));
    children.sort((a, b) => b.retained - a.retained);
    it.children = children;
    if (chains && it.kind === 'group') chainOfGroups(it);
  };

  /**
   * Lists side by side (a group whose largest child is a group of its type holding most of what it retains, and so
   * on: the members' next elements, level by level) fold into one chain between the group and the last level.
   */
  const chainOfGroups = (it: Item): void => {
    const levels: Item[] = [];
    for (let cur = it; ;) {
      const c = cur.children![0];
      if (c === undefined || c.kind !== 'group' || c.type !== it.type || 2 * c.retained <= cur.retained - cur.ownBytes) break;
      levels.push(c);
      expand(c, false);
      cur = c;
    }
    if (levels.length < CHAIN_MIN + 1) return;
    const middle = levels.slice(0, -1);
    const tail = levels[levels.length - 1];
    // The fields of the hops: how the group's first members point at the first level's ("Next"; "Left, Right").
    const firstLevel = new Set(levels[0].members);
    const names = new Set<string>();
    for (const m of it.members!.slice(0, 1000)) {
      for (let e = graph.edgeStart[m]; e < graph.edgeStart[m + 1]; e++) if (firstLevel.has(graph.edgeTarget[e])) names.add(fields.name(m, graph.edgeOffset(e)));
    }
    const field = [...names].slice(0, 3).join(', ') + (names.size > 3 ? ', …' : '');
    const members: number[] = [];
    let ownBytes = 0;
    let childSubtrees = tail.subtrees;
    const children: Item[] = [tail];
    for (let k = 0; k < middle.length; k++) {
      const level = middle[k];
      for (const m of level.members!) members.push(m);
      ownBytes += level.ownBytes;
      childSubtrees += level.childSubtrees - levels[k + 1].subtrees;
      for (const c of level.children!) if (c !== levels[k + 1]) children.push(c);
    }
    const chain: Item = {
      id: `fc${folds++}`, kind: 'chain', members, tailItem: tail, hops: levels.length, field: field || '?', type: it.type, parent: it,
      retained: levels[0].retained, retainedObjects: levels[0].retainedObjects, ownObjects: members.length, ownBytes,
      subtrees: levels[0].subtrees, childSubtrees, drawn: [],
    };
    for (const c of children) c.parent = chain;
    children.sort((a, b) => b.retained - a.retained);
    chain.children = children;
    it.children = it.children!.map((c) => (c === levels[0] ? chain : c));
  };

  const superRoot: Item = {
    id: 'roots', kind: 'roots', node: { kind: 'roots' }, retained: s.reachableBytes, retainedObjects: s.retainedCount({ kind: 'roots' }),
    ownObjects: 0, ownBytes: 0, subtrees: 1, childSubtrees: 0, drawn: [],
  };
  const drawnItems: Item[] = [];
  /** Drawn root nodes' ids, biggest first (the order they were taken in). */
  const rootOrder: string[] = [];
  const goroutines = goroutineOfRootNode(s);
  const queue = new Candidates();
  expand(superRoot);
  queue.pushChild(superRoot.children!, 0);
  while (queue.size > 0 && drawnItems.length < maxNodes) {
    const c = queue.pop();
    if (c.unread !== undefined) {
      expand(c.unread);
      queue.pushChild(c.unread.children!, 0);
      continue;
    }
    const it = c.list![c.index!];
    queue.pushChild(c.list!, c.index! + 1);
    it.parent!.drawn.push(it);
    drawnItems.push(it);
    if (it.kind === 'object') g.setNode(it.id, objectAttrs(s, it.node!.kind === 'object' ? it.node!.object : 0));
    else if (it.kind === 'root') {
      const k = (it.node as { rootNode: number }).rootNode;
      rootOrder.push(it.id);
      g.setNode(it.id, rootAttrs(s, k, goroutines[k]));
    } else g.setNode(it.id, foldAttrs(it));
    queue.pushUnread(it);
  }
  // Drawn items whose children were never read: how many there are, for their collapsed nodes.
  for (const it of drawnItems) {
    if (it.children !== undefined) continue;
    if (it.node !== undefined) it.childSubtrees = s.dominated(it.node, 0, 0).total;
    else {
      let total = 0;
      for (const m of it.members!) total += s.dominated({ kind: 'object', object: m }, 0, 0).total;
      // A chain's members each dominate the next (the last the tail), and the tail is one child of the chain.
      it.childSubtrees = it.kind === 'chain' ? total - it.members!.length + 1 : total;
    }
  }

  function foldAttrs(it: Item, inside?: string): Record<string, string> {
    const n = it.members!.length;
    if (it.kind === 'group') {
      return {
        shape: 'box3d', style: 'filled', fillcolor: '#e8f0fc', color: '#4a6fa5',
        label: labelText([`${count(n)} × ${it.type}`, ...(inside === undefined ? [] : [inside]), `${bytes(it.ownBytes)}, retain ${bytes(it.retained)}`]),
        tooltip: `${n} objects of type ${it.type} under one dominator, folded: ${it.ownBytes} B, retaining ${it.retained} B together`,
      };
    }
    if (it.tailItem !== undefined) {
      const rest = it.retained - it.tailItem.retained;
      return {
        shape: 'box', style: 'filled,bold', fillcolor: '#eef6e8', color: '#4f7a28', peripheries: '2',
        label: labelText([`${it.type} × ${count(n)} via ${it.field}`, `${count(it.hops! - 1)} levels folded, ${count(it.hops!)} hops to the last`, `${bytes(it.ownBytes)}, retain ${bytes(rest)}`]),
        tooltip: `${n} objects of type ${it.type} (lists or trees side by side) that point at the next level through ${it.field}, folded level by level: ${it.ownBytes} B, retaining ${rest} B besides the last level`,
      };
    }
    const beyond = it.retained - s.retained(it.tail!);
    return {
      shape: 'box', style: 'filled,bold', fillcolor: '#eef6e8', color: '#4f7a28', peripheries: '2',
      label: labelText([`${it.type} × ${count(n)} via ${it.field}`, `${count(n + 1)} hops from head to tail`, `${bytes(it.ownBytes)}, retain ${bytes(beyond)}`]),
      tooltip: `a chain of ${n} objects of type ${it.type}, each pointing at the next through ${it.field}, folded: ${it.ownBytes} B, retaining ${beyond} B besides the tail`,
    };
  }

  // Which drawn node each drawn or folded object is.
  const nodeOf = new Map<number, string>();
  const drawnRoots = new Set<number>();
  for (const it of drawnItems) {
    if (it.kind === 'object') nodeOf.set(it.node!.kind === 'object' ? it.node!.object : -1, it.id);
    else if (it.kind === 'root') drawnRoots.add((it.node as { rootNode: number }).rootNode);
    else for (const m of it.members!) nodeOf.set(m, it.id);
  }
  // Pointers between drawn nodes, and root slots from drawn root nodes. Pointers between the members of one folded
  // node are a line of its label (a chain's hops already are; dot cannot route labelled loops in every layout).
  for (const it of drawnItems) {
    if (it.kind === 'root') continue;
    const sources = it.kind === 'object' ? [(it.node as { object: number }).object] : it.members!;
    const inside: string[] = [];
    for (const u of sources) {
      const end = graph.edgeStart[u + 1];
      for (let e = graph.edgeStart[u]; e < end; e++) {
        const to = nodeOf.get(graph.edgeTarget[e]);
        if (to === undefined) continue;
        if (to === it.id) {
          if (it.kind === 'group') inside.push(fields.name(u, graph.edgeOffset(e)));
          continue;
        }
        addPointer(g, it.id, to, fields.name(u, graph.edgeOffset(e)));
      }
    }
    const text = fieldsText(inside);
    if (text !== undefined) g.setNode(it.id, foldAttrs(it, `between them: ${text}`));
  }
  const roots = graph.roots;
  const rootNode = s.rootNodes.rootNode;
  for (let r = 0; r < roots.count; r++) {
    const k = rootNode[r];
    const to = drawnRoots.has(k) ? nodeOf.get(roots.target[r]) : undefined;
    if (to !== undefined) addPointer(g, rootId(k), to, rootSlotLabel(s, r));
  }

  // Dominator edges where no drawn pointer shows why the child hangs there.
  let superRootDrawn = false;
  const drawSuperRoot = (): void => {
    if (superRootDrawn) return;
    superRootDrawn = true;
    g.setNode('roots', {
      shape: 'box', style: 'filled', fillcolor: '#fff2cc', color: '#b58900',
      label: labelText(['GC roots', `${objects(superRoot.retainedObjects)} reachable`, bytes(s.reachableBytes)]),
      tooltip: 'every root together: objects no single root dominates hang here',
    });
  };
  // Only dominator-tree edges rank the nodes (constraint=false on the other pointers): the layout is the tree's, and
  // dot does not spend minutes on chains of pointers across its levels.
  const treeEdge = new Set<string>();
  for (const it of drawnItems) {
    if (it.kind === 'root') continue;
    const from = it.parent!.id;
    if (from === 'roots') {
      // Held by several roots: ranked after a root that points at it, if any (not after an object: the objects of
      // a linked list all hang from the roots, and their Next pointers would rank it a thousand levels deep).
      const preds = (g.predecessors(it.id) ?? []).filter((p) => p !== it.id);
      const root = preds.find((p) => p.startsWith('r'));
      if (root !== undefined) treeEdge.add(`${root}\0${it.id}`);
      if (preds.length > 0) continue;
      drawSuperRoot();
    } else if (g.hasEdge(from, it.id)) {
      treeEdge.add(`${from}\0${it.id}`);
      continue;
    }
    g.setEdge(from, it.id, { fields: [], attrs: { ...DOMINATES, tooltip: 'dominates (the pointers in between are not drawn)' } });
  }
  for (const e of g.edges()) {
    const label = g.edge(e);
    if (label.fields.length > 0 && !treeEdge.has(`${e.v}\0${e.w}`)) {
      label.attrs.constraint = 'false';
      label.external = true;
    }
  }

  // One collapsed node per drawn node whose smaller children were not drawn.
  const summary: TreeSummary = {
    drawnObjects: 0, drawnRootNodes: drawnRoots.size, groupNodes: 0, chainNodes: 0, foldedObjects: 0, foldedBytes: 0,
    collapsedNodes: 0, collapsedSubtrees: 0, collapsedObjects: 0, collapsedBytes: 0, garbageObjects: 0, garbageBytes: 0,
    reachableObjects: superRoot.retainedObjects, reachableBytes: s.reachableBytes,
  };
  for (const it of drawnItems) {
    if (it.kind === 'object') summary.drawnObjects++;
    else if (it.kind === 'group' || it.kind === 'chain') {
      if (it.kind === 'group') summary.groupNodes++;
      else summary.chainNodes++;
      summary.foldedObjects += it.ownObjects;
      summary.foldedBytes += it.ownBytes;
    }
  }
  for (const it of [superRoot, ...drawnItems]) {
    let subtrees = it.childSubtrees;
    let objectsLeft = it.retainedObjects - it.ownObjects;
    let bytesLeft = it.retained - it.ownBytes;
    for (const c of it.drawn) {
      subtrees -= c.subtrees;
      objectsLeft -= c.retainedObjects;
      bytesLeft -= c.retained;
    }
    if (subtrees <= 0 && objectsLeft <= 0) continue;
    if (it.id === 'roots') drawSuperRoot();
    const cid = `c_${it.id}`;
    const what = it.id === 'roots' ? `${count(subtrees)} more root node${subtrees === 1 ? '' : 's'} and objects held by several roots` : `${count(subtrees)} more dominated subtree${subtrees === 1 ? '' : 's'}`;
    g.setNode(cid, {
      ...COLLAPSED, label: labelText([what, objects(objectsLeft), bytes(bytesLeft)]),
      tooltip: `collapsed: ${subtrees} subtrees, ${objectsLeft} objects, ${bytesLeft} B`,
    });
    g.setEdge(it.id, cid, { fields: [], attrs: { ...DOMINATES } });
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
