// GoheapError: the one base class of every error that bad input causes (a dump, an executable, an index file, an
// option). Each carries the file, the byte offset where the problem was found (when there is one) and what was
// expected there; its message is one line. The CLI prints these as `goheap: MESSAGE` with exit status 1; anything
// that is not a GoheapError (or a usage error) is a bug in goheap.

/** An error caused by the input, not by goheap: one line, naming the file and (when known) the byte offset. */
export class GoheapError extends Error {
  /** The file at fault, as the user named it ('' when the error concerns no file). */
  readonly file: string;
  /** Byte offset in that file (or in the section the subclass names) where the problem was found, if any. */
  readonly offset: number | undefined;
  /** What was expected there, or what is wrong, in words. */
  readonly expected: string;

  constructor(message: string, file: string, offset: number | undefined, expected: string) {
    super(message);
    this.name = new.target.name;
    this.file = file;
    this.offset = offset;
    this.expected = expected;
  }
}
