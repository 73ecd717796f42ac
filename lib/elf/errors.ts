// ElfError: the one error class for a malformed or unreadable ELF file (bad magic, truncated headers,
// out-of-range sections, broken compressed sections). Carries the file path and byte offset.
import { GoheapError } from '../errors.js';

/** An ELF decode failure at a byte offset of a file. */
export class ElfError extends GoheapError {
  declare readonly offset: number;

  constructor(
    file: string,
    offset: number,
    readonly detail: string,
  ) {
    super(`${file}: ${detail} at offset 0x${offset.toString(16)}`, file, offset, detail);
  }
}
