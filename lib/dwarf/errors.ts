// DwarfError: the one error class for malformed DWARF data, carrying the section name and byte offset.

/** A DWARF decode failure at a byte offset of a (decompressed) debug section. */
export class DwarfError extends Error {
  override readonly name = 'DwarfError';

  constructor(
    readonly section: string,
    readonly offset: number,
    readonly detail: string,
  ) {
    super(`${section}: ${detail} at offset 0x${offset.toString(16)}`);
  }
}
