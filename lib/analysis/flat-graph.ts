// The flat graph every analysis algorithm reads: nodes are ordinals 0..nodeCount-1, edges are CSR.
//
// Layout: the out-edges of node i are edgeTarget[firstEdge[i] .. firstEdge[i+1]), so firstEdge has
// nodeCount + 1 entries, firstEdge[0] = 0 and firstEdge[nodeCount] = edgeTarget.length. An edge is named
// by its index into edgeTarget. Graphs may hold cycles, self-loops, duplicate edges and unreachable nodes;
// the algorithms here accept all of them. How the graph was loaded is none of this stage's business.

/** A directed graph in compressed sparse row form. */
export interface FlatGraph {
  /** Number of nodes; node ids are 0 .. nodeCount-1. */
  readonly nodeCount: number;
  /** Length nodeCount + 1: the edges of node i are edgeTarget[firstEdge[i] .. firstEdge[i+1]). */
  readonly firstEdge: Uint32Array;
  /** Target node of every edge. */
  readonly edgeTarget: Uint32Array;
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
export function checkGraph(g: FlatGraph): void {
  const n = g.nodeCount;
  if (!Number.isInteger(n) || n < 0 || n >= NONE) throw new GraphShapeError(`bad nodeCount ${n}`);
  if (g.firstEdge.length !== n + 1) {
    throw new GraphShapeError(`firstEdge has ${g.firstEdge.length} entries, expected nodeCount + 1 = ${n + 1}`);
  }
  if (g.firstEdge[0] !== 0 || g.firstEdge[n] !== g.edgeTarget.length) {
    throw new GraphShapeError(
      `firstEdge must run from 0 to edgeTarget.length (${g.edgeTarget.length}), got ${g.firstEdge[0]} .. ${g.firstEdge[n]}`,
    );
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
