// OutputSink: where every exporter (DOT, HPROF, heap snapshot, pprof) writes its file. Shared by all of them:
// open it with OutputSink.open(path, { inputs: [dump, binary] }), write strings or bytes, then finish() on success
// or abort() on failure (always one of the two, e.g. in try/catch).
//
// - A path of "-" writes to stdout (with 'drain' backpressure on a pipe; EPIPE surfaces as an error with code EPIPE).
// - A regular file is written under a temporary name beside it (".NAME.goheap-PID-RANDOM.tmp", created O_EXCL) and
//   renamed over the final name by finish(); abort() (or the process dying by SIGINT/SIGTERM/SIGHUP or exit) removes
//   it, so a failed export never leaves a half-written file under the final name nor replaces an older good one.
// - An existing path that is not a regular file (/dev/null, a FIFO, /dev/stdout) is written in place, never renamed.
// - It refuses to write over any of its inputs (same real path, or same device and inode: a hard link or symlink
//   to the dump or binary), with an OutputError naming the path.
// - Writes are buffered (strings are joined and encoded in chunks of about 1 MiB, bytes copied in) and flushed
//   synchronously to a file; write() returns a promise only when a flush had to wait for stdout to drain, so a hot
//   loop can do `const p = sink.write(s); if (p) await p;` and memory stays flat whatever the output size.
// - bytesWritten counts the bytes handed to the file so far (after finish(): the output's size); over 4 GiB is fine.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { GoheapError } from '../errors.js';

/** Something wrong with the output path: it is an input, a folder, or cannot be written. */
export class OutputError extends GoheapError {
  constructor(file: string, expected: string) {
    super(`${file}: ${expected}`, file, undefined, expected);
  }
}

export interface OutputOptions {
  /** Files the export reads (the dump, the binary): the output must not be any of them. */
  inputs?: readonly (string | undefined)[];
  /** Buffer size before a flush (bytes, about); default 1 MiB. */
  bufferSize?: number;
}

/** Temporary files not yet renamed or removed, removed if the process ends first. */
const liveTemps = new Set<string>();
let handlersInstalled = false;

function removeLiveTemps(): void {
  for (const t of liveTemps) {
    try {
      fs.unlinkSync(t);
    } catch {
      // already gone
    }
  }
  liveTemps.clear();
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', removeLiveTemps);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
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

  private constructor(p: string, fd: number, temp: string | undefined, toStdout: boolean, bufferSize: number) {
    this.path = p;
    this.fd = fd;
    this.temp = temp;
    this.toStdout = toStdout;
    this.bufferSize = bufferSize;
    this.bytes = Buffer.allocUnsafe(bufferSize);
  }

  /** Opens `p` for writing ("-": stdout); see the file's header. Throws OutputError when `p` is an input or a folder. */
  static open(p: string, options: OutputOptions = {}): OutputSink {
    const bufferSize = Math.max(4096, options.bufferSize ?? 1 << 20);
    if (p === '-') return new OutputSink(p, 1, undefined, true, bufferSize);
    if (p === '') throw new OutputError(p, 'an output path is needed');
    const target = identity(p);
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
      st = fs.statSync(p);
    } catch {
      st = undefined;
    }
    if (st?.isDirectory()) throw new OutputError(p, 'is a folder; name a file to write');
    if (st && !st.isFile()) {
      // A device or FIFO: write to it directly (renaming over /dev/null would replace the device).
      return new OutputSink(p, fs.openSync(p, fs.constants.O_WRONLY), undefined, false, bufferSize);
    }
    installHandlers();
    const temp = path.join(path.dirname(p), `.${path.basename(p)}.goheap-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
    const fd = fs.openSync(temp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o666);
    liveTemps.add(temp);
    return new OutputSink(p, fd, temp, false, bufferSize);
  }

  /** Bytes written to the output so far (flushed or buffered). */
  get bytesWritten(): number {
    return this.written + this.used + Buffer.byteLength(this.pending, 'utf8');
  }

  /** Appends text (UTF-8) or bytes. Returns a promise only when the caller must wait (stdout draining). */
  write(chunk: string | Uint8Array): Promise<void> | undefined {
    if (this.done) throw new Error(`${this.path}: write after finish or abort`);
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
      return undefined;
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
    while (off < b.length) off += fs.writeSync(this.fd, b, off, b.length - off);
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
      return;
    }
    this.done = true;
    try {
      fs.closeSync(this.fd);
      this.fd = -1;
      if (this.temp) {
        fs.renameSync(this.temp, this.path);
        liveTemps.delete(this.temp);
      }
    } catch (e) {
      this.removeTemp();
      throw e;
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
