// The graph stage: a heap dump as a compact object graph in typed arrays, with roots, goroutines and reachability.
export { loadHeapGraph } from './load.js';
export type { LoadOptions, LoadPhase } from './load.js';
export type { SplitReport } from './load-split.js';
export { HeapGraph, memStatsToJson } from './heap-graph.js';
export type { HeapGraphStats, ReverseEdges, GraphColumn } from './heap-graph.js';
export { type Column, type ColumnArray, columnOf } from './column.js';
export { RootKind, ROOT_KIND_NAMES } from './roots.js';
export type { RootTable } from './roots.js';
export type { FrameTable } from './frames.js';
export { funcNameForPrint } from './frames.js';
export type { Segment } from './builder.js';
export { INTERIOR_EDGE, EDGE_OFFSET_MASK } from './edges.js';
export { markReachable } from './reachability.js';
export { reverseEdgesOf, type ReverseEdgeColumns } from './reverse-of.js';
export { AddressIndex } from './address-index.js';
export { stackObjectRoots } from './stack-objects.js';
export type { StackObjectSource, StackObjectLayout } from './stack-objects.js';
