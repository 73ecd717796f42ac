// The analysis graph of a heap dump and its dominator tree: which objects each root and each object keeps alive.
//
// Analysis node numbering: node 0 is the super-root; nodes 1..R are the root nodes (root-nodes.ts; root node k is
// analysis node k + 1); object i of the HeapGraph is analysis node i + R + 1 (firstObjectNode + i).
// Analysis edges, in this order: the super-root's R edges to the root nodes; then each root node's edges to the
// objects its roots point into (rootEdgeRoot[k] names the RootTable row of root-node edge k); then the objects'
// own edges, in HeapGraph edge order, so that analysis edge e >= objectEdgeBase is HeapGraph edge e - objectEdgeBase.
// The objects' edges are the HeapGraph's own arrays, read in place as the analysis graph's tail (flat-graph.ts): only
// the super-root's and the root nodes' edges are arrays of their own.
// The super-root and root nodes have size 0: a root node's retained size is the heap it alone keeps alive.
// Objects that no root reaches get idom NONE and retained 0: they are outside the tree.
import type { HeapGraph } from '../graph/index.js';
import { dominatorsAndPreorder } from './dominators.js';
import { type FlatGraph, NONE } from './flat-graph.js';
import { dominatorTreeChildren, type DominatorTree } from './retained.js';
import type { RootNodes } from './root-nodes.js';

/** The flat graph over super-root, root nodes and objects; see the file header for the numbering. */
export interface AnalysisGraph extends FlatGraph {
  /** Number of root nodes, R. */
  readonly rootNodeCount: number;
  /** Analysis node of object 0 (R + 1). */
  readonly firstObjectNode: number;
  /** First analysis edge that is a HeapGraph edge. */
  readonly objectEdgeBase: number;
  /** For analysis edge R + k (root node -> object, k < roots.count): the RootTable row it comes from. */
  readonly rootEdgeRoot: Uint32Array;
}

/** Builds the analysis graph of `graph` with the given root nodes (over the graph's own edge arrays). */
export function buildAnalysisGraph(graph: HeapGraph, rootNodes: RootNodes): AnalysisGraph {
  const R = rootNodes.count;
  const n = graph.objectCount;
  const roots = graph.roots;
  const rc = roots.count;
  const first = R + 1;
  const nodeCount = first + n;
  const objectEdgeBase = R + rc;
  const firstEdge = rootNodeEdgeStarts(rootNodes);
  const edgeTarget = new Uint32Array(objectEdgeBase);
  const rootEdgeRoot = new Uint32Array(rc);
  // Super-root -> every root node.
  for (let k = 0; k < R; k++) edgeTarget[k] = k + 1;
  // Root nodes -> their roots' targets, in RootTable order within each node.
  const fill = firstEdge.slice(1, R + 1);
  for (let r = 0; r < rc; r++) {
    const e = fill[rootNodes.rootNode[r]]++;
    edgeTarget[e] = roots.target[r] + first;
    rootEdgeRoot[e - R] = r;
  }
  // Objects -> objects: the graph's own CSR as the tail, node first + i being object i.
  const tail = { node: first, firstEdge: graph.edgeStart, edgeTarget: graph.edgeTarget };
  return { nodeCount, firstEdge, edgeTarget, tail, rootNodeCount: R, firstObjectNode: first, objectEdgeBase, rootEdgeRoot };
}

/**
 * The first-edge offsets of the analysis graph's super-root and root nodes (R + 2 of them: the super-root's R edges,
 * then each root node's, as many as it has roots), from the root nodes alone: a node's edges are [at[v], at[v + 1]).
 */
export function rootNodeEdgeStarts(rootNodes: RootNodes): Uint32Array {
  const R = rootNodes.count;
  const at = new Uint32Array(R + 2);
  for (let r = 0; r < rootNodes.rootNode.length; r++) at[rootNodes.rootNode[r] + 2]++;
  at[1] = R;
  for (let k = 2; k < R + 2; k++) at[k] += at[k - 1];
  return at;
}

/** Dominators and retained sizes of every analysis node (see the file header for the numbering). */
export interface HeapDominators {
  readonly rootNodes: RootNodes;
  readonly nodeCount: number;
  readonly firstObjectNode: number;
  /** Immediate dominator of every analysis node: idom[0] = 0, NONE for unreachable objects. */
  readonly idom: Uint32Array;
  /** Retained bytes of every analysis node; retained[0] is every reachable object's size together. */
  readonly retained: Float64Array;
}

/** What a caller of computeHeapDominators may pass besides the graph. */
export interface HeapDominatorOptions {
  /** The analysis graph of `graph`, when the caller built it already for another pass (it is not built again). */
  analysis?: AnalysisGraph;
  /**
   * Called between the dominator pass and the retained sizes, when the pass's working arrays (about 9 words per
   * node) have just become garbage: a caller that can collect garbage keeps them from adding to the peak.
   */
  afterDominators?: () => void;
  /** Called when the pass's depth-first search is over, before it allocates most of its memory (dominators.ts). */
  afterSearch?: () => void;
  /**
   * Give idom and retained SharedArrayBuffers, so that a worker thread can write them to an index while this thread
   * goes on reading them (lib/session/background-save.ts). idom is copied into one after the pass's working arrays
   * are let go, so the copy adds nothing to the pass's peak.
   */
  shared?: boolean;
}

/** Computes the exact dominator tree (Semi-NCA) and retained sizes over the analysis graph of `graph`. */
export function computeHeapDominators(graph: HeapGraph, rootNodes: RootNodes, options: HeapDominatorOptions = {}): HeapDominators {
  let g: AnalysisGraph | null = options.analysis ?? buildAnalysisGraph(graph, rootNodes);
  const first = g.firstObjectNode;
  const nodeCount = g.nodeCount;
  let idom: Uint32Array;
  let preorder: Uint32Array;
  ({ idom, preorder } = dominatorsAndPreorder(g, 0, options.afterSearch));
  g = null; // let the edges go before the retained-size pass allocates
  options.afterDominators?.();
  if (options.shared) idom = sharedCopy(idom); // the pass's own array is let go
  // Retained sizes in one backward pass over the DFS preorder: every node is finished before its dominator.
  // Each reached object's own size first, run by run (address index: no per-object size array).
  const retained = options.shared ? new Float64Array(new SharedArrayBuffer(8 * nodeCount)) : new Float64Array(nodeCount);
  const runs = graph.addressIndex;
  for (let r = 0; r < runs.runTotal; r++) {
    const size = runs.runObjectSize[r];
    const end = first + runs.runFirst[r] + runs.runCount[r];
    for (let v = first + runs.runFirst[r]; v < end; v++) if (idom[v] !== NONE) retained[v] = size;
  }
  for (let k = preorder.length - 1; k > 0; k--) {
    const v = preorder[k];
    retained[idom[v]] += retained[v];
  }
  return { rootNodes, nodeCount, firstObjectNode: first, idom, retained };
}

/** `a`'s words in a SharedArrayBuffer of their own. */
function sharedCopy(a: Uint32Array): Uint32Array {
  const out = new Uint32Array(new SharedArrayBuffer(a.byteLength));
  out.set(a);
  return out;
}

/** The children of every node of the dominator tree (built on demand: it costs two words per node). */
export function dominatorTree(d: HeapDominators): DominatorTree {
  return dominatorTreeChildren(d.idom);
}

export { NONE };
