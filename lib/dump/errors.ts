// Errors of the dump stage: one class for a dump that cannot be decoded, carrying the file and byte offset.
import { GoheapError } from '../errors.js';

/** A heap dump that is not what it should be at a byte offset: truncated, garbage, unknown tag, bad header. */
export class HeapDumpError extends GoheapError {
  /** Byte offset in the file where decoding found the problem. */
  declare readonly offset: number;

  /** `expected`: what was expected there, in words ("a record tag", "16-byte header 'go1.7 heap dump\n'"). */
  constructor(file: string, offset: number, expected: string) {
    super(`${file}: offset ${offset}: ${expected}`, file, offset, expected);
  }
}

/** A file that cannot be opened or read at all (missing, a directory, no permission). */
export class DumpFileError extends GoheapError {
  constructor(file: string, reason: string) {
    super(`${file}: ${reason}`, file, undefined, reason);
  }
}
