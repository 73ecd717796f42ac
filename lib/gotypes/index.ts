// Public face of the Go type model: a GoProgram built from an executable's ELF symbols and DWARF.

export { GoProgram, globalAt, loadGoProgram } from './program.js';
export type { AddressRange, GoFunction, GoGlobal, GoInlinedCall, GoLocationRange, GoSections, GoVariable } from './program.js';
export { GoType } from './types.js';
export type { GoField, MapLayout } from './types.js';
export { GoKind, isInterface, isPointerShaped, kindName } from './kind.js';
export { fieldAt, isNotInHeap, pointerMap } from './layout.js';
