// Errors of the dump stage: one class for a dump that cannot be decoded, carrying the file and byte offset.

/** A heap dump that is not what it should be at a byte offset: truncated, garbage, unknown tag, bad header. */
export class HeapDumpError extends Error {
  /** The dump file's path as the user gave it. */
  readonly file: string;
  /** Byte offset in the file where decoding found the problem. */
  readonly offset: number;
  /** What was expected there, in words ("a record tag", "16-byte header 'go1.7 heap dump\n'"). */
  readonly expected: string;

  constructor(file: string, offset: number, expected: string) {
    super(`${file}: offset ${offset}: ${expected}`);
    this.name = 'HeapDumpError';
    this.file = file;
    this.offset = offset;
    this.expected = expected;
  }
}

/** A file that cannot be opened or read at all (missing, a directory, no permission). */
export class DumpFileError extends Error {
  readonly file: string;
  constructor(file: string, reason: string) {
    super(`${file}: ${reason}`);
    this.name = 'DumpFileError';
    this.file = file;
  }
}
