// Where persisted indexes live: a cache folder of the user's ($GOHEAP_CACHE_DIR, else $XDG_CACHE_HOME/goheap, else
// ~/.cache/goheap), never beside the dump. A dump's files are named after a hash of its absolute path; whether they
// still describe the dump is checked when they are read (graph-store.ts sameSource) against its SourceIdentity:
// size, mtime, inode, ctime and a hash of sampled blocks of its contents.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { DumpFileError, describeFsError } from '../dump/index.js';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SourceIdentity } from './graph-store.js';

/** The cache folder, from the environment. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.GOHEAP_CACHE_DIR) return path.resolve(env.GOHEAP_CACHE_DIR);
  if (env.XDG_CACHE_HOME) return path.join(path.resolve(env.XDG_CACHE_HOME), 'goheap');
  return path.join(os.homedir(), '.cache', 'goheap');
}

/** Bytes hashed at each end of a file, and the number and size of the blocks sampled in between. */
const END_BYTES = 64 * 1024;
const SAMPLES = 64;
const SAMPLE_BYTES = 4096;

/**
 * The identity of a file as the index records it: absolute path, size, mtime, inode, ctime, and a hash of its first
 * and last 64 KiB and of 64 blocks of 4 KiB spread evenly between them (the whole file when it is smaller than
 * that). A dump rewritten in place changes its ctime; a dump replaced by another file changes its inode; the hash
 * catches a copy whose metadata happens to agree. Opens without blocking (a FIFO is refused, never waited on);
 * throws DumpFileError for a missing or unreadable file, or one that is not a regular file.
 */
export function sourceIdentity(file: string): SourceIdentity {
  const abs = path.resolve(file);
  let fd: number;
  try {
    fd = fs.openSync(abs, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    throw new DumpFileError(file, describeFsError(e));
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new DumpFileError(file, `not a regular file (${fileKind(st)})`);
    let sample: string;
    try {
      sample = sampleHash(fd, st.size);
    } catch (e) {
      throw new DumpFileError(file, describeFsError(e));
    }
    return { path: abs, size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, ctimeMs: st.ctimeMs, sample };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * How the file `id` describes has changed since: undefined when it is the same file with the same contents (the
 * index's test: path, size, mtime, inode, ctime and sampled hash), else in words ("deleted", "replaced by another
 * file", "truncated from N to M bytes", "rewritten"). For a server that keeps a dump open (the viewer).
 */
export function sourceChange(id: SourceIdentity): string | undefined {
  let now: SourceIdentity;
  try {
    now = sourceIdentity(id.path);
  } catch (e) {
    const st = fs.statSync(id.path, { throwIfNoEntry: false });
    return st === undefined ? 'deleted' : (e as Error).message;
  }
  if (now.ino !== id.ino) return 'replaced by another file';
  if (now.size < id.size) return `truncated from ${id.size} to ${now.size} bytes`;
  if (now.size !== id.size || now.mtimeMs !== id.mtimeMs || now.ctimeMs !== id.ctimeMs || now.sample !== id.sample) return 'rewritten';
  return undefined;
}

/** What a non-regular file is, in words. */
export function fileKind(st: fs.Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

/** SHA-256 (hex, 32 digits) of the sampled blocks of the `size`-byte file open as `fd`, and of its size. */
export function sampleHash(fd: number, size: number): string {
  const h = createHash('sha256');
  h.update(`${size}\n`);
  const whole = 2 * END_BYTES + SAMPLES * SAMPLE_BYTES;
  if (size <= whole) {
    const buf = Buffer.alloc(size);
    readFully(fd, buf, 0);
    h.update(buf);
  } else {
    const buf = Buffer.alloc(END_BYTES);
    readFully(fd, buf, 0);
    h.update(buf);
    const block = buf.subarray(0, SAMPLE_BYTES);
    // Block k starts at END_BYTES + k * step: the blocks tile the middle evenly, the last one ending before the tail.
    const step = Math.floor((size - 2 * END_BYTES - SAMPLE_BYTES) / (SAMPLES - 1));
    for (let k = 0; k < SAMPLES; k++) {
      readFully(fd, block, END_BYTES + k * step);
      h.update(block);
    }
    readFully(fd, buf, size - END_BYTES);
    h.update(buf);
  }
  return h.digest('hex').slice(0, 32);
}

function readFully(fd: number, buf: Uint8Array, position: number): void {
  let done = 0;
  while (done < buf.length) {
    const n = fs.readSync(fd, buf, done, buf.length - done, position + done);
    if (n <= 0) throw Object.assign(new Error('file shrank while it was read'), { code: 'ESHRANK' });
    done += n;
  }
}

function key(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 16);
}

/** The index files of a dump (and of its analysis with a binary, or without one). */
export function indexPaths(cacheDir: string, dump: SourceIdentity, binary: SourceIdentity | null): { graph: string; analysis: string } {
  const base = path.join(cacheDir, `${path.basename(dump.path).replace(/[^\w.-]/g, '_')}-${key(dump.path)}`);
  return { graph: `${base}.graph.idx`, analysis: `${base}.analysis-${binary ? key(binary.path) : 'nobinary'}.idx` };
}
