// Maps failures to what the CLI prints. Errors the input or the user caused are of two classes: GoheapError
// (lib/errors.ts: a dump, executable or index at fault, naming the file and offset) and UsageError (arguments);
// each is printed as one line `goheap: ...` with exit status 1. Anything else is a bug in goheap: exit status 2
// with its stack trace.
import { GoheapError } from '../lib/errors.js';
import { ioError } from '../lib/export/output.js';

/** An error the user caused with the command line (bad arguments, an address not in the heap): one line, exit 1. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The line to print for `e` and whether it is a bug (exit 2, with its stack) rather than bad input (exit 1). */
export function describeError(e: unknown): { message: string; bug: boolean } {
  if (e instanceof GoheapError || e instanceof UsageError) return { message: firstLine(e.message), bug: false };
  const err = e as NodeJS.ErrnoException;
  // stdout closed by the reader (goheap ... | head): nothing to say.
  if (err?.code === 'EPIPE') return { message: '', bug: false };
  // A system call on a file the user named (an output file, a folder without permission) failed: say which.
  if (typeof err?.code === 'string' && typeof err.path === 'string' && typeof err.syscall === 'string') {
    return { message: `${err.path}: ${firstLine(err.message)}`, bug: false };
  }
  return { message: (e as Error)?.stack ?? String(e), bug: true };
}

function firstLine(s: string): string {
  const i = s.indexOf('\n');
  return i < 0 ? s : s.slice(0, i);
}

/** Prints the error on stderr (`goheap: ...`) and exits 1, or 2 with the stack trace for an internal bug. */
export function exitWithError(e: unknown): never {
  // The reader of stdout went away (goheap ... | head): it has what it wanted; a quiet success.
  if ((e as NodeJS.ErrnoException)?.code === 'EPIPE') process.exit(0);
  const { message, bug } = describeError(e);
  if (message) process.stderr.write(bug ? `goheap: internal error: ${message}\n` : `goheap: ${message}\n`);
  process.exit(bug ? 2 : 1);
}

/**
 * Makes stdout's failures what the policy says (lib/export/output.ts): a closed pipe (EPIPE) is a quiet success,
 * exit 0; any other error (ENOSPC on `> /dev/full`) one line naming stdout, exit 1. Without it Node prints
 * "Unhandled 'error' event" with a stack. Called once by every entry point.
 */
export function guardStdout(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => exitWithError(e.code === 'EPIPE' ? e : ioError('stdout', e)));
}
