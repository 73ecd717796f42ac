// Public face of the exporters: files other tools open (Graphviz DOT, HPROF, Chrome heap snapshots, pprof), each
// written through the shared OutputSink (output.ts). A plain list of re-exports: each exporter appends its own.
export { OutputSink, OutputError, type OutputOptions, writeOutput } from './output.js';
export { exportDot, cutLines, resolveFocus, FocusError, DEFAULT_MAX_NODES, type DotMode, type DotOptions, type DotSummary } from './dot.js';
export { dotString } from './dot-syntax.js';
export { writeHprof, type HprofOptions, type HprofStats } from './hprof.js';
export { hprofClassName, splitQualified } from './hprof-names.js';
export { writeHeapSnapshot, rootGroupName, rootNodeSnapshotName, type HeapSnapshotOptions, type HeapSnapshotStats } from './heapsnapshot.js';
export { FieldNames } from './heapsnapshot-fields.js';
export {
  writePprof, retentionProfile, allocationProfile, scaleHeapSample, type RetentionProfileOptions, type RetentionProfileStats,
  type AllocationProfileOptions, type AllocationProfileStats,
} from './pprof.js';
