// Maps failures to the one-line messages the CLI prints: `goheap: FILE: offset N: what was expected`, exit 1.
import { DumpFileError, HeapDumpError } from '../lib/dump/index.js';

/** An error the user caused (bad arguments, bad input): printed as one line, no stack trace. */
export class UsageError extends Error {}

/** Known error families carry their file and offset in the message; anything else is a bug and keeps its stack. */
export function describeError(e: unknown): { message: string; bug: boolean } {
  if (e instanceof HeapDumpError || e instanceof DumpFileError || e instanceof UsageError) {
    return { message: e.message, bug: false };
  }
  const named = e as { name?: string; message?: string };
  if (named && typeof named.name === 'string' && /^(Elf|Dwarf|Binary|GoTypes|Mismatch)\w*Error$/.test(named.name)) {
    return { message: named.message ?? String(e), bug: false };
  }
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'EPIPE') return { message: '', bug: false };
  if (code && (e as NodeJS.ErrnoException).path) {
    return { message: `${(e as NodeJS.ErrnoException).path}: ${(e as Error).message}`, bug: false };
  }
  return { message: (e as Error)?.stack ?? String(e), bug: true };
}

/** Prints the error as `goheap: ...` on stderr and exits 1 (2 for an internal bug). */
export function exitWithError(e: unknown): never {
  const { message, bug } = describeError(e);
  if (message) process.stderr.write(`goheap: ${bug ? 'internal error: ' : ''}${message.split('\n')[0]}\n`);
  if (bug && process.env.GOHEAP_DEBUG) process.stderr.write(`${message}\n`);
  process.exit(bug ? 2 : 1);
}
