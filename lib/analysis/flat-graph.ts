// The flat graph every analysis algorithm reads: nodes are ordinals 0..nodeCount-1, edges are CSR.
//
// Layout: the out-edges of node i are edgeTarget[firstEdge[i] .. firstEdge[i+1]), so firstEdge has
// nodeCount + 1 entries, firstEdge[0] = 0 and firstEdge[nodeCount] = edgeTarget.length. An edge is named
// by its index into edgeTarget. A graph may instead end in a tail: nodes from tail.node on are those of a second
// CSR, numbered from 0 there (node tail.node + k is its node k, edge edgeTarget.length + e its edge e, the targets
// it names shifted by tail.node), so that a heap's own edge arrays serve without a shifted copy
// (lib/analysis/heap-dominators.ts); firstEdge then covers the nodes before the tail only. dominatorsAndPreorder
// and shortestPathParents read tails; the other algorithms refuse them. Graphs may hold cycles, self-loops, duplicate edges and unreachable nodes;
// the algorithms here accept all of them. How the graph was loaded is none of this stage's business.

/** A directed graph in compressed sparse row form. */
export interface FlatGraph {
  /** Number of nodes; node ids are 0 .. nodeCount-1. */
  readonly nodeCount: number;
  /** Length nodeCount + 1: the edges of node i are edgeTarget[firstEdge[i] .. firstEdge[i+1]). */
  readonly firstEdge: Uint32Array;
  /** Target node of every edge. */
  readonly edgeTarget: Uint32Array;
  /** Nodes from `node` on, as a CSR of their own: see the file header. */
  readonly tail?: GraphTail;
}

/** The tail of a FlatGraph: its node k is node `node` + k, and the targets it names are shifted by `node` too. */
export interface GraphTail {
  readonly node: number;
  /** Length nodeCount - node + 1. */
  readonly firstEdge: Uint32Array;
  readonly edgeTarget: Uint32Array;
}

/**
 * A graph's two CSRs as the passes that read tails take them: nodes below `split` are the head's, the others the
 * tail's (node v is its node v - split, its targets shifted by split, its edge e numbered tailEdge + e). A graph
 * without a tail is all head (its "tail" arrays are the head's, never read).
 */
export interface GraphParts {
  n: number;
  split: number;
  headFirst: Uint32Array;
  headTarget: Uint32Array;
  tailFirst: Uint32Array;
  tailTarget: Uint32Array;
  tailEdge: number;
}

export function graphParts(g: FlatGraph): GraphParts {
  const n = g.nodeCount;
  const t = g.tail;
  return {
    n, split: t ? t.node : n, headFirst: g.firstEdge, headTarget: g.edgeTarget, tailFirst: t ? t.firstEdge : g.firstEdge,
    tailTarget: t ? t.edgeTarget : g.edgeTarget, tailEdge: g.edgeTarget.length,
  };
}

/** Marks "no node", "no edge" or "unreachable" in every Uint32Array result of this stage. */
export const NONE = 0xffffffff;

/** Thrown when a FlatGraph or an argument does not satisfy the layout above. */
export class GraphShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GraphShapeError';
  }
}

/** Checks the CSR invariants cheaply (O(1)) and that a node id is in range; throws GraphShapeError. */
export function checkGraph(g: FlatGraph, tails = false): void {
  const n = g.nodeCount;
  if (!Number.isInteger(n) || n < 0 || n >= NONE) throw new GraphShapeError(`bad nodeCount ${n}`);
  const t = g.tail;
  if (t && !tails) throw new GraphShapeError('a graph without a tail');
  const split = t ? t.node : n;
  if (!Number.isInteger(split) || split < 0 || split > n) throw new GraphShapeError(`bad tail node ${split}`);
  checkRows(g.firstEdge, g.edgeTarget, split, 'firstEdge', 'edgeTarget', t ? 'the tail node' : 'nodeCount');
  if (t) checkRows(t.firstEdge, t.edgeTarget, n - split, 'tail.firstEdge', 'tail.edgeTarget', 'nodeCount - tail node');
}

function checkRows(first: Uint32Array, target: Uint32Array, rows: number, f: string, e: string, what: string): void {
  if (first.length !== rows + 1) throw new GraphShapeError(`${f} has ${first.length} entries, expected ${what} + 1 = ${rows + 1}`);
  if (first[0] !== 0 || first[rows] !== target.length) {
    throw new GraphShapeError(`${f} must run from 0 to ${e}.length (${target.length}), got ${first[0]} .. ${first[rows]}`);
  }
}

/** Throws GraphShapeError unless node is a node id of g. */
export function checkNode(g: FlatGraph, node: number, what: string): void {
  if (!Number.isInteger(node) || node < 0 || node >= g.nodeCount) {
    throw new GraphShapeError(`${what} ${node} is not a node id (nodeCount ${g.nodeCount})`);
  }
}

/** Builds a FlatGraph from an edge list; for tests and small callers, not for hot paths. */
export function flatGraphFromEdges(nodeCount: number, edges: ReadonlyArray<readonly [number, number]>): FlatGraph {
  const firstEdge = new Uint32Array(nodeCount + 1);
  for (const [from, to] of edges) {
    if (from < 0 || from >= nodeCount || to < 0 || to >= nodeCount) {
      throw new GraphShapeError(`edge ${from} -> ${to} is outside 0..${nodeCount - 1}`);
    }
    firstEdge[from + 1]++;
  }
  for (let i = 0; i < nodeCount; i++) firstEdge[i + 1] += firstEdge[i];
  const cursor = firstEdge.slice(0, nodeCount);
  const edgeTarget = new Uint32Array(edges.length);
  for (const [from, to] of edges) edgeTarget[cursor[from]++] = to;
  return { nodeCount, firstEdge, edgeTarget };
}
