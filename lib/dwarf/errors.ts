// DwarfError: the one error class for malformed DWARF data, carrying the binary's path (when the reader was given
// it), the section name and the byte offset in that section.
import { GoheapError } from '../errors.js';

/** A DWARF decode failure at a byte offset of a (decompressed) debug section of `file`. */
export class DwarfError extends GoheapError {
  declare readonly offset: number;

  constructor(
    readonly section: string,
    offset: number,
    readonly detail: string,
    file = '',
  ) {
    super(file ? `${file}: ${section}: offset 0x${offset.toString(16)}: ${detail}`
      : `${section}: ${detail} at offset 0x${offset.toString(16)}`, file, offset, detail);
  }
}
