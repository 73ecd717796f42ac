// The dominator tree as a session asks it, by object index and TreeNode: an object's immediate dominator and its chain
// up to the roots, the nodes a node immediately dominates (the tree sorted by retained size: a derived index, read by
// position), how many objects a node keeps alive, and the analysis' per-node arrays by position. The dominator graph's
// numbering (super-root 0, root nodes 1..R, objects after) stays here; callers name nodes as TreeNode.
import { type Column, type ColumnArray, columnOf } from '../graph/index.js';
import { computeRetainedSizes, type DominatorTree, edgeSource, type HeapDominators, NONE, rootNodeEdgeStarts, sortedDominatorTree } from '../analysis/index.js';
import type { StoredAnalysis } from '../store/index.js';
import { type DerivedIndexes, treeCodec } from './derived.js';
import { traceMemoryPoint } from './load-state.js';

/** What dominates an object: another object, one root node, several roots together (the super-root), or nothing. */
export type Dominator =
  | { kind: 'object'; object: number }
  | { kind: 'root'; rootNode: number }
  | { kind: 'roots' }
  | { kind: 'none' };

/** A node of the dominator tree as callers name it. */
export type TreeNode = { kind: 'object'; object: number } | { kind: 'root'; rootNode: number } | { kind: 'roots' };

/** How many parents pathParentColumn remembers before it starts again. */
const PATH_PARENTS_KEPT = 1 << 16;

/** The analysis' arrays with one element per node of the dominator graph. */
export type NodeArray = 'idom' | 'retained' | 'pathParentEdge';

export class DominatorQueries {
  private tree: DominatorTree | undefined;
  private treeColumns_: { firstChild: Column; child: Column } | undefined;
  private retainedCounts: Float64Array | undefined;
  /** The per-node arrays of an analysis computed in this process, as columns. */
  private readonly nodeColumns = new Map<string, Column>();
  private pathParents: Column | undefined;

  /**
   * `builtBeside`: the sorted tree a cold open built on the thread that wrote its analysis, if it did; `edgeStart`:
   * the graph's first-edge offsets by position (the objects' edges are the analysis graph's tail).
   */
  constructor(
    private readonly dominators: HeapDominators,
    private readonly analysis: StoredAnalysis,
    private readonly derived: DerivedIndexes,
    private readonly builtBeside: () => DominatorTree | undefined,
    private readonly edgeStart: () => Column,
  ) {}

  /**
   * The shortest-path tree's parents by position: a node's parent is the source of its parent edge (pathParentEdge),
   * found by binary search over the root nodes' edge offsets or the graph's (a path of h hops reads h log n
   * elements, mostly from the same blocks); the super-root is its own parent, NONE where unreached. The parents
   * found are remembered (up to PATH_PARENTS_KEPT): the paths of an object's many referrers (a retainer list's
   * distances) meet a few hops up, and each shared hop is searched once.
   */
  pathParentColumn(): Column {
    if (this.pathParents !== undefined) return this.pathParents;
    const parentEdge = this.nodeColumn('pathParentEdge');
    const { rootNodes, nodeCount, firstObjectNode } = this.dominators;
    const head = rootNodeEdgeStarts(rootNodes);
    const edgeStart = this.edgeStart();
    const source = edgeSource(nodeCount, head[head.length - 1], (v) => head[v], { node: firstObjectNode, firstEdge: (v) => edgeStart.at(v) });
    const found = new Map<number, number>();
    const at = (v: number): number => {
      let p = found.get(v);
      if (p !== undefined) return p;
      const e = parentEdge.at(v);
      p = e !== NONE ? source(e) : v === 0 ? 0 : NONE;
      if (found.size >= PATH_PARENTS_KEPT) found.clear();
      found.set(v, p);
      return p;
    };
    this.pathParents = {
      length: parentEdge.length,
      at,
      range: (from, to) => {
        const out = new Uint32Array(to - from);
        for (let v = from; v < to; v++) out[v - from] = at(v);
        return out;
      },
    };
    return this.pathParents;
  }

  /**
   * One of the analysis' per-node arrays, by position: a block at a time when the analysis was read from the index
   * and the array is not in memory (a page's query reads a few elements of arrays of a node per object).
   */
  nodeColumn(name: NodeArray): Column {
    const a = this.analysis;
    if (a.column !== undefined) return a.column(name);
    let c = this.nodeColumns.get(name);
    if (c === undefined) this.nodeColumns.set(name, (c = columnOf(a[name])));
    return c;
  }

  /** The retained sizes of objects [lo, hi), by position (into `scratch` when it is long enough). */
  retainedOfObjects(lo: number, hi: number, scratch?: ArrayBuffer): ColumnArray {
    return this.nodeColumn('retained').range(this.objectNode(lo), this.objectNode(hi), scratch);
  }

  /** Object i's node. */
  objectNode(i: number): number {
    return this.dominators.firstObjectNode + i;
  }

  /** Object i's immediate dominator. */
  dominatorOf(i: number): Dominator {
    const d = this.nodeColumn('idom').at(this.objectNode(i));
    if (d === NONE) return { kind: 'none' };
    return this.nodeRef(d);
  }

  /** The chain of dominators from object i up to the root (nearest first, ending at a root node or 'roots'). */
  chainOf(i: number, limit: number): Dominator[] {
    const out: Dominator[] = [];
    const idom = this.nodeColumn('idom');
    let v = this.objectNode(i);
    if (idom.at(v) === NONE) return out;
    while (v !== 0 && out.length < limit) {
      v = idom.at(v);
      out.push(this.nodeRef(v));
    }
    return out;
  }

  /** The nodes `node` immediately dominates, most retained first, paged. */
  dominated(node: TreeNode, offset: number, limit: number): { total: number; offset: number; items: (TreeNode & { retained: number })[] } {
    const v = this.nodeNumber(node);
    const { firstChild, child } = this.treeColumns();
    const start = firstChild.at(v);
    const end = firstChild.at(v + 1);
    const items: (TreeNode & { retained: number })[] = [];
    const retained = this.nodeColumn('retained');
    const page = child.range(start + offset, Math.min(end, start + offset + limit));
    for (let c = 0; c < page.length; c++) {
      const w = page[c];
      items.push({ ...this.nodeRef(w), retained: retained.at(w) } as TreeNode & { retained: number });
    }
    return { total: end - start, offset, items };
  }

  /** How many objects `node` keeps alive: the objects of its dominator subtree, itself included (0 when unreachable). */
  retainedCount(node: TreeNode): number {
    if (!this.retainedCounts) {
      // Retained sizes over the same tree with a size of 1 per object and 0 per root node (computed once).
      const ones = new Float64Array(this.analysis.idom.length).fill(1, this.dominators.firstObjectNode);
      this.retainedCounts = computeRetainedSizes(this.analysis.idom, ones, 0, this.sortedTree());
    }
    return this.retainedCounts[this.nodeNumber(node)];
  }

  /**
   * The dominator tree in lib/analysis's node numbering, each node's children sorted by retained size, largest
   * first (a derived index): for handing to the pure analyses that walk it (findSuspects).
   */
  sortedTree(): DominatorTree {
    if (this.tree === undefined) {
      // A cold open's tree is built beside it, by the thread that writes the analysis index, which also keeps it as
      // the derived index (load-state.ts).
      this.tree = this.builtBeside();
      traceMemoryPoint('tree taken');
    }
    this.tree ??= this.derived.get('tree', () => sortedDominatorTree(this.analysis.idom, this.analysis.retained), treeCodec.encode,
      (p) => treeCodec.decode(p, this.dominators.nodeCount));
    return this.tree;
  }

  /** Lets go of the sorted tree once written (read back by position when next used). */
  letGoOfTree(): void {
    this.tree = undefined;
  }

  /** Lets go of the columns over arrays in memory (they would keep released arrays alive). */
  releaseColumns(): void {
    this.nodeColumns.clear();
    this.pathParents = undefined;
    this.treeColumns_ = undefined;
  }

  close(): void {
    this.tree = undefined;
    this.treeColumns_ = undefined;
    this.retainedCounts = undefined;
  }

  /**
   * The sorted dominator tree's children lists by position: the tree when in memory, else its derived index read a
   * block at a time (a page of one node's children reads a few blocks), else the tree built.
   */
  private treeColumns(): { firstChild: Column; child: Column } {
    if (this.treeColumns_ !== undefined) return this.treeColumns_;
    const nodes = this.dominators.nodeCount;
    const kept = this.tree === undefined ? this.derived.sections('tree') : undefined;
    if (kept !== undefined && kept.length('firstChild') === nodes + 1 && kept.column('firstChild').at(nodes) === kept.length('child')) {
      this.treeColumns_ = { firstChild: kept.column('firstChild'), child: kept.column('child') };
    } else {
      const t = this.sortedTree();
      this.treeColumns_ = { firstChild: columnOf(t.firstChild), child: columnOf(t.child) };
    }
    return this.treeColumns_;
  }

  private nodeRef(v: number): Dominator & TreeNode {
    if (v === 0) return { kind: 'roots' };
    const first = this.dominators.firstObjectNode;
    return v >= first ? { kind: 'object', object: v - first } : { kind: 'root', rootNode: v - 1 };
  }

  private nodeNumber(n: TreeNode): number {
    if (n.kind === 'roots') return 0;
    if (n.kind === 'root') return n.rootNode + 1;
    return this.dominators.firstObjectNode + n.object;
  }
}
