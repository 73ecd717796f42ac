// ElfError: the one error class for a malformed or unreadable ELF file (bad magic, truncated headers,
// out-of-range sections, broken compressed sections). Carries the file path and byte offset.

/** An ELF decode failure at a byte offset of a file. */
export class ElfError extends Error {
  override readonly name = 'ElfError';

  constructor(
    readonly file: string,
    readonly offset: number,
    readonly detail: string,
  ) {
    super(`${file}: ${detail} at offset 0x${offset.toString(16)}`);
  }
}
