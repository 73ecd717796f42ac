// The typing stage: Go types for heap objects, recovered from the executable's DWARF and the dump's own type
// words, and checks that an executable is the one that wrote a dump.
export { recoverTypes, goMinor } from './recover.js';
export type { RecoverOptions } from './recover.js';
export { RecoveredTypes, untypedNames, typeHistogram, typeCoverage, fieldPath, histogramRowNames } from './heap-types.js';
export type { HeapTypes, ObjectTyping, SubObject, TinyObjects, TypeCount, TypeCoverage } from './heap-types.js';
export { TINY_BLOCK_NAME, TINY_REST_NAME, TypingKind, untypedName } from './typings.js';
export { DumpBytes } from './dump-bytes.js';
export { BinaryMismatchError, checkBinaryMatchesDump } from './binary-match.js';
export { describeGlobal, describeObject, quote } from './values.js';
export type { FieldValue, GlobalDescription, ObjectDescription } from './values.js';
export { storeTypes, restoreTypes } from './stored-types.js';
export type { StoredTypes } from './stored-types.js';
export { frameFunction, frameVariables, frameVariableAt, variableAddress, variableOffset } from './frame-variables.js';
export type { FramePart, FrameVariable } from './frame-variables.js';
export { stackObjectSource } from './stack-object-source.js';
export { logicalFrames, innermostFunction, memProfStack, symbolPc, type LogicalFrame } from './logical-frames.js';
export { allocatedAs } from './runtime-wrappers.js';
