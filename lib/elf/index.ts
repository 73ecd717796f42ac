// Public face of the ELF stage: a lazy ELF32/ELF64 reader with section decompression and symbols.

export { ElfFile } from './file.js';
export type { ElfSection, ElfSymbol } from './file.js';
export { ElfError } from './errors.js';
export * from './constants.js';
