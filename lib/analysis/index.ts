// Public face of the analysis stage: graph algorithms over a FlatGraph (CSR), independent of loading.

export { type FlatGraph, NONE, GraphShapeError, checkGraph, flatGraphFromEdges } from './flat-graph.js';
export { computeDominators } from './dominators.js';
export {
  type DominatorTree,
  dominatorTreeChildren,
  dominatorTreeOrder,
  computeRetainedSizes,
} from './retained.js';
export {
  type ShortestPaths,
  type ReversedGraph,
  shortestPathParents,
  pathTo,
  markReachable,
  reverseEdges,
} from './paths.js';
