// OutputSink: where every exporter (DOT, HPROF, heap snapshot, pprof) writes its file. Shared by all of them:
// open it with OutputSink.open(path, { inputs: [dump, binary], format }), write strings or bytes, then finish() on
// success or abort() on failure (always one of the two, e.g. in try/catch). One policy for every exporter:
//
// - A path of "-" writes to stdout (with 'drain' backpressure on a pipe). Stdout that is one of the inputs (`>> DUMP`:
//   the same device and inode) is refused. A closed pipe (EPIPE) ends the export as a quiet success (cli/errors.ts).
// - A regular file is written under a temporary name beside it (".NAME.goheap-PID-RANDOM.tmp", created O_EXCL) and
//   renamed over the final name by finish(); abort() (or the process ending by SIGINT/SIGTERM/SIGHUP, said in one
//   line naming the output, or exit) removes it, so a failed export never leaves a half-written file under the final name nor replaces an older
//   good one. Writing to a file yields to the event loop every ~100 ms, so a signal stops an export at once.
//   Temporary files of killed runs (their PID gone) beside the output are removed when the next one opens.
// - An output that is a symbolic link is written through: the file it names is replaced, the link stays.
// - An existing file that is not of the format being written (`format`: HPROF, DOT, heap snapshot, pprof) is never
//   replaced: `goheap pprof DUMP BIN` with the output forgotten does not write over the executable.
// - An existing path that is not a regular file (/dev/null, a FIFO, /dev/stdout) is written in place, never renamed.
// - It refuses to write over any of its inputs (same real path, or same device and inode: a hard link or symlink
//   to the dump or binary), with an OutputError naming the path.
// - Any I/O error (ENOSPC, EIO, EFBIG...) is an OutputError naming the user's path, never the temporary name.
// - Writes are buffered (strings are joined and encoded in chunks of about 1 MiB, bytes copied in) and flushed
//   synchronously to a file; write() returns a promise when the caller must wait (stdout draining, or a turn of the
//   event loop), so a hot loop does `const p = sink.write(s); if (p) await p;` and memory stays flat.
// - bytesWritten counts the bytes handed to the file so far (after finish(): the output's size); over 4 GiB is fine.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { GoheapError } from '../errors.js';
import { removeDeadTemps } from '../temp-files.js';

/** Something wrong with the output path: it is an input, a folder, or cannot be written. */
export class OutputError extends GoheapError {
  constructor(file: string, expected: string) {
    super(`${file}: ${expected}`, file, undefined, expected);
  }
}

/** A file format an export writes: an existing file is replaced only when it is of this format. */
export interface OutputFormat {
  /** "an HPROF file" */
  name: string;
  /** Whether a file starting with these bytes (up to 64) is of the format. */
  test(head: Buffer): boolean;
  /** How the command line goes, for the refusal: "DUMP [BINARY] heap.hprof". */
  usage: string;
}

export const FORMATS = {
  hprof: { name: 'an HPROF file', test: (h: Buffer) => h.toString('latin1', 0, 12) === 'JAVA PROFILE', usage: 'DUMP [BINARY] heap.hprof' },
  dot: {
    name: 'a DOT file',
    test: (h: Buffer) => /^\s*(\/\/[^\n]*\n\s*)*(strict\s+)?(di)?graph\b/i.test(h.toString('latin1')),
    usage: 'DUMP [BINARY] -o heap.dot',
  },
  heapsnapshot: { name: 'a heap snapshot', test: (h: Buffer) => /^\s*\{\s*"snapshot"/.test(h.toString('latin1')), usage: 'DUMP [BINARY] heap.heapsnapshot' },
  pprof: { name: 'a gzipped pprof profile', test: (h: Buffer) => h[0] === 0x1f && h[1] === 0x8b, usage: 'DUMP [BINARY] -o heap.pb.gz' },
} satisfies Record<string, OutputFormat>;

export interface OutputOptions {
  /** Files the export reads (the dump, the binary): the output must not be any of them. */
  inputs?: readonly (string | undefined)[];
  /** The format written: an existing regular file of another format (not empty) is not replaced. */
  format?: OutputFormat;
  /** Buffer size before a flush (bytes, about); default 1 MiB. */
  bufferSize?: number;
}

/** Temporary files not yet renamed or removed (each with the output path the user gave), removed if the process ends first. */
const liveTemps = new Map<string, string>();
let handlersInstalled = false;

function removeLiveTemps(): void {
  for (const t of liveTemps.keys()) {
    try {
      fs.unlinkSync(t);
    } catch {
      // already gone
    }
  }
  liveTemps.clear();
}

/**
 * Whether an output file is being written under its temporary name: a signal then ends with that export's own line
 * (said by the handler below), which the CLI's cold open does not repeat (cli/cold-open.ts).
 */
export function outputInProgress(): boolean {
  return liveTemps.size > 0;
}

/** Set when a signal arrived: writes fail from then on (the handler also ends the process). */
let interrupted: string | undefined;

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', removeLiveTemps);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      interrupted = sig;
      // One line per export cut short, as for any other failure: the user's path, and that nothing was written.
      for (const p of new Set(liveTemps.values())) {
        try {
          fs.writeSync(2, `goheap: ${p}: interrupted by ${sig}; nothing was written\n`);
        } catch {
          // stderr is gone: the exit status says it
        }
      }
      removeLiveTemps();
      // Die of the same signal, as if nobody had listened.
      process.removeListener(sig, onSignal);
      process.kill(process.pid, sig);
    };
    process.on(sig, onSignal);
  }
}

/** The real path and identity of `p` if it exists. */
function identity(p: string): { real: string; dev: number; ino: number } | undefined {
  try {
    const st = fs.statSync(p);
    return { real: fs.realpathSync(p), dev: st.dev, ino: st.ino };
  } catch {
    return undefined;
  }
}

export class OutputSink {
  /** The path as the user gave it ("-" for stdout). */
  readonly path: string;
  private fd: number;
  private readonly temp: string | undefined;
  private readonly toStdout: boolean;
  private readonly bufferSize: number;
  private pending = '';
  private bytes: Buffer;
  private used = 0;
  private written = 0;
  private done = false;

  private constructor(p: string, fd: number, temp: string | undefined, toStdout: boolean, bufferSize: number, file?: string) {
    this.path = p;
    this.file = file ?? p;
    this.fd = fd;
    this.temp = temp;
    this.toStdout = toStdout;
    this.bufferSize = bufferSize;
    this.bytes = Buffer.allocUnsafe(bufferSize);
  }

  /** Opens `p` for writing ("-": stdout); see the file's header. Throws OutputError when `p` may not be written. */
  static open(p: string, options: OutputOptions = {}): OutputSink {
    const bufferSize = Math.max(4096, options.bufferSize ?? 1 << 20);
    if (p === '-') {
      checkStdout(options.inputs ?? []);
      const sink = new OutputSink(p, 1, undefined, true, bufferSize);
      sink.watchStdout();
      return sink;
    }
    if (p === '') throw new OutputError(p, 'an output path is needed');
    // A symbolic link is written through: the file it names is the one replaced.
    const file = throughLinks(p);
    const target = identity(file);
    if (target) {
      for (const input of options.inputs ?? []) {
        if (input === undefined) continue;
        const id = identity(input);
        if (id && (id.real === target.real || (id.dev === target.dev && id.ino === target.ino))) {
          throw new OutputError(p, `refusing to write over the input ${input}`);
        }
      }
    }
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(file);
    } catch {
      st = undefined;
    }
    if (st?.isDirectory()) throw new OutputError(p, 'is a folder; name a file to write');
    if (st && !st.isFile()) {
      // A device or FIFO: write to it directly (renaming over /dev/null would replace the device).
      return new OutputSink(p, openOrFail(p, file, fs.constants.O_WRONLY), undefined, false, bufferSize);
    }
    if (st && st.size > 0 && options.format) checkFormat(p, file, options.format);
    installHandlers();
    const dir = path.dirname(file);
    for (const d of new Set([dir, path.dirname(p)])) removeDeadTemps(d, /^\..+\.goheap-(\d+)-[0-9a-f]{8}\.tmp$/);
    const temp = path.join(dir, `.${path.basename(file)}.goheap-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
    const fd = openOrFail(p, temp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o666);
    liveTemps.set(temp, p);
    return new OutputSink(p, fd, temp, false, bufferSize, file);
  }

  /** The final file (the symlink's target for a link) the temporary file is renamed to. */
  private file = '';

  /** stdout's first error (EPIPE, ENOSPC...), kept so that the next write or finish() throws it. */
  private stdoutError: Error | undefined;

  private watchStdout(): void {
    process.stdout.on('error', (e: Error) => {
      this.stdoutError ??= e;
    });
  }

  /** A turn of the event loop now and then while writing a file (signals are handled there). */
  private lastYield = Date.now();

  private maybeYield(): Promise<void> | undefined {
    if (interrupted) throw new OutputError(this.path, `interrupted by ${interrupted}`);
    const now = Date.now();
    if (now - this.lastYield < 100) return undefined;
    this.lastYield = now;
    return new Promise<void>((resolve) => setImmediate(resolve));
  }

  /** Bytes written to the output so far (flushed or buffered). */
  get bytesWritten(): number {
    return this.written + this.used + Buffer.byteLength(this.pending, 'utf8');
  }

  /** Appends text (UTF-8) or bytes. Returns a promise only when the caller must wait (stdout draining). */
  write(chunk: string | Uint8Array): Promise<void> | undefined {
    if (this.done) throw new Error(`${this.path}: write after finish or abort`);
    if (this.stdoutError) throw this.stdoutError;
    if (typeof chunk === 'string') {
      this.pending += chunk;
      // Characters are at most 3 UTF-8 bytes (a surrogate pair is 2 characters for 4 bytes).
      if (this.pending.length * 3 < this.bufferSize - this.used) return undefined;
      this.encodePending();
      return this.used >= this.bufferSize >> 1 ? this.flush() : undefined;
    }
    this.encodePending();
    // For stdout, flush() hands the buffer over and takes a fresh one, so the chunk goes in at once (order kept)
    // and the caller waits for the drain afterwards.
    const before = this.used + chunk.length > this.bufferSize ? this.flush() : undefined;
    if (chunk.length < this.bufferSize) {
      this.copyIn(chunk);
      return before;
    }
    // A big chunk goes out on its own (copied for stdout, which may keep it after the caller reuses it).
    const b = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    return this.emit(this.toStdout ? Buffer.from(b) : b) ?? before;
  }

  private copyIn(chunk: Uint8Array): void {
    this.bytes.set(chunk, this.used);
    this.used += chunk.length;
  }

  /** Moves the pending text into the byte buffer, flushing first if it may not fit. */
  private encodePending(): void {
    if (this.pending.length === 0) return;
    const s = this.pending;
    this.pending = '';
    if (s.length * 3 > this.bufferSize - this.used) {
      // Too big for what is left: emit the buffer, then the text on its own.
      const b = Buffer.from(s, 'utf8');
      if (b.length <= this.bufferSize - this.used) {
        this.copyIn(b);
        return;
      }
      this.emitSync(this.bytes.subarray(0, this.used));
      this.used = 0;
      if (b.length <= this.bufferSize) this.copyIn(b);
      else this.emitSync(b);
      return;
    }
    this.used += this.bytes.write(s, this.used, 'utf8');
  }

  /** Writes out the buffer; a promise when stdout asked to wait. */
  flush(): Promise<void> | undefined {
    this.encodePending();
    if (this.used === 0) return this.stdoutWait;
    const b = this.bytes.subarray(0, this.used);
    const p = this.emit(b);
    // The buffer was handed to stdout (which keeps a reference): take a new one.
    if (this.toStdout) this.bytes = Buffer.allocUnsafe(this.bufferSize);
    this.used = 0;
    return p;
  }

  private stdoutWait: Promise<void> | undefined;

  private emit(b: Buffer): Promise<void> | undefined {
    if (!this.toStdout) {
      this.emitSync(b);
      return this.maybeYield();
    }
    this.written += b.length;
    const out = process.stdout;
    if (out.write(b)) return undefined;
    this.stdoutWait = new Promise<void>((resolve, reject) => {
      const onDrain = (): void => { out.removeListener('error', onError); this.stdoutWait = undefined; resolve(); };
      const onError = (e: Error): void => { out.removeListener('drain', onDrain); reject(e); };
      out.once('drain', onDrain);
      out.once('error', onError);
    });
    return this.stdoutWait;
  }

  private emitSync(b: Buffer): void {
    if (this.toStdout) {
      void this.emit(Buffer.from(b));
      return;
    }
    let off = 0;
    try {
      while (off < b.length) off += fs.writeSync(this.fd, b, off, b.length - off);
    } catch (e) {
      throw ioError(this.path, e);
    }
    this.written += b.length;
  }

  /** Flushes everything and puts the file in place (renames the temporary file over the final name). */
  async finish(): Promise<void> {
    if (this.done) return;
    const p = this.flush();
    if (p) await p;
    if (this.toStdout) {
      this.done = true;
      if (this.stdoutWait) await this.stdoutWait;
      if (this.stdoutError) throw this.stdoutError;
      return;
    }
    this.done = true;
    try {
      fs.closeSync(this.fd);
      this.fd = -1;
      if (this.temp) {
        fs.renameSync(this.temp, this.file);
        liveTemps.delete(this.temp);
      }
    } catch (e) {
      this.removeTemp();
      throw ioError(this.path, e);
    }
  }

  /** Abandons the output: closes it and removes the temporary file (the final name is left as it was). */
  abort(): void {
    if (this.done) return;
    this.done = true;
    this.pending = '';
    this.used = 0;
    if (this.toStdout) return;
    try {
      if (this.fd >= 0) fs.closeSync(this.fd);
    } catch {
      // closing a broken file: nothing more to do
    }
    this.fd = -1;
    this.removeTemp();
  }

  private removeTemp(): void {
    if (!this.temp) return;
    try {
      fs.unlinkSync(this.temp);
    } catch {
      // already gone
    }
    liveTemps.delete(this.temp);
  }
}

/** The file a path names after following symbolic links (a dangling link: the path it points to). */
function throughLinks(p: string): string {
  let file = p;
  for (let hops = 0; hops < 40; hops++) {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(file);
    } catch {
      return file;
    }
    if (!st.isSymbolicLink()) return file;
    try {
      return fs.realpathSync(file);
    } catch {
      file = path.resolve(path.dirname(file), fs.readlinkSync(file));
    }
  }
  throw new OutputError(p, 'too many levels of symbolic links');
}

/** Refuses stdout when it is one of the inputs (`goheap dot DUMP >> DUMP`). */
export function checkStdout(inputs: readonly (string | undefined)[]): void {
  let out: fs.Stats;
  try {
    out = fs.fstatSync(1);
  } catch {
    return;
  }
  if (!out.isFile()) return;
  for (const input of inputs) {
    if (input === undefined) continue;
    try {
      const st = fs.statSync(input);
      if (st.dev === out.dev && st.ino === out.ino) throw new OutputError('stdout', `is the input ${input}; refusing to write over it`);
    } catch (e) {
      if (e instanceof OutputError) throw e;
    }
  }
}

function checkFormat(p: string, file: string, format: OutputFormat): void {
  const head = Buffer.alloc(64);
  let n = 0;
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    n = fs.readSync(fd, head, 0, 64, 0);
  } catch {
    return; // unreadable: the open for writing says why, if it fails
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
  if (!format.test(head.subarray(0, n))) {
    throw new OutputError(p, `exists and is not ${format.name}; refusing to replace it (the output comes last: ${format.usage})`);
  }
}

function openOrFail(p: string, file: string, flags: number, mode?: number): number {
  try {
    return fs.openSync(file, flags, mode);
  } catch (e) {
    throw ioError(p, e);
  }
}

const ERRNO_TEXT: Record<string, string> = {
  ENOSPC: 'no space left on device', EDQUOT: 'disk quota exceeded', EFBIG: 'file too large', EIO: 'input/output error',
  EACCES: 'permission denied', EPERM: 'operation not permitted', EROFS: 'read-only file system', ENOENT: 'no such folder',
  ENOTDIR: 'a part of the path is not a folder', EISDIR: 'is a folder', EXDEV: 'cannot rename across file systems',
};

/** An I/O error on the output as one line naming the user's path (never the temporary file). */
export function ioError(p: string, e: unknown): Error {
  const err = e as NodeJS.ErrnoException;
  if (e instanceof GoheapError || typeof err?.code !== 'string' || err.code === 'EPIPE') return e as Error;
  return new OutputError(p, `${ERRNO_TEXT[err.code] ?? err.code} (${err.code}); nothing was written`);
}

/**
 * Runs `produce` against a sink on `p` and finishes it, or aborts it (removing the temporary file) if `produce`
 * throws; returns the bytes written.
 */
export async function writeOutput(p: string, options: OutputOptions, produce: (sink: OutputSink) => Promise<void>): Promise<number> {
  const sink = OutputSink.open(p, options);
  try {
    await produce(sink);
    await sink.finish();
  } catch (e) {
    sink.abort();
    throw e;
  }
  return sink.bytesWritten;
}
