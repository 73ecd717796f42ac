// PclntabError: the one error class for a malformed .gopclntab (or the moduledata and funcdata it points to),
// carrying the binary's path and the byte offset in the section where the problem was found.
import { GoheapError } from '../errors.js';

/** A pclntab decode failure at a byte offset of `section` in `file`. */
export class PclntabError extends GoheapError {
  declare readonly offset: number;

  constructor(file: string, readonly section: string, offset: number, readonly detail: string) {
    super(`${file}: ${section}: offset 0x${offset.toString(16)}: ${detail}`, file, offset, detail);
  }
}
