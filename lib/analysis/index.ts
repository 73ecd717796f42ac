// Public face of the analysis stage: graph algorithms over a FlatGraph (CSR), independent of loading, and the heap
// analyses built on them: root nodes, dominators and retained sizes, paths, histograms, leak suspects, diffs.

export { type FlatGraph, NONE, GraphShapeError, checkGraph, flatGraphFromEdges } from './flat-graph.js';
export { computeDominators, dominatorsAndPreorder } from './dominators.js';
export {
  type DominatorTree,
  dominatorTreeChildren,
  sortedDominatorTree,
  dominatorTreeOrder,
  computeRetainedSizes,
} from './retained.js';
export {
  type ShortestPaths,
  type ReversedGraph,
  shortestPathParents,
  shortestPathEdges,
  edgeSource,
  pathTo,
  markReachable,
  reverseEdges,
} from './paths.js';
export { type RootNodeKind, type RootNodes, type GlobalVariable, buildRootNodes, goroutineName, firstGroupNode } from './root-nodes.js';
export {
  type GoroutineGroup, type GoroutineGroups, type FrameNames, goroutineGroups, goroutineKey, goroutineFunction, goroutineStatusName, isRuntimeFunction,
} from './goroutine-groups.js';
export {
  type SharedRetention, type RootSets, sharedRetention, reachableBytes, reachableBytesFrom, rootNodesReaching, sharedNode, rootSets,
} from './shared-retention.js';
export { type SharedGroups, groupSharedObjects } from './shared-groups.js';
export { type AnalysisGraph, type HeapDominators, buildAnalysisGraph, computeHeapDominators, dominatorTree, rootNodeEdgeStarts } from './heap-dominators.js';
export { type HeapTypes, untypedName, storedTypes, sizeClassTypes } from './heap-types.js';
export { type TypeRow, type ObjectRow, type RootNodeRow, typeGroups, typeHistogram, topObjects, rootNodeRows, rowNamer } from './histogram.js';
export { type PathHop, shortestRootPath, rootsKeepingAlive, describeRootSlot } from './heap-paths.js';
export {
  type Suspect, type SuspectOptions, type ChildGroup, type TypePart, type AggregateSuspect, type AggregateOptions, findSuspects,
  findAggregateSuspects, childGroups, isMapInternal,
} from './suspects.js';
export { type RowMembership, type TypeSpread, instanceNodes, typeSpread } from './type-spread.js';
export { type TypeDiffRow, type RootDiffRow, type RootSideRow, diffTypes, diffRootNodes } from './diff.js';
export { SubObjectRanges } from './sub-object-ranges.js';
export { bitCount } from './bit-count.js';
