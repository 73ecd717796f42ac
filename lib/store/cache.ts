// Where persisted indexes live: a cache folder of the user's ($GOHEAP_CACHE_DIR, else $XDG_CACHE_HOME/goheap, else
// ~/.cache/goheap), never beside the dump. A dump's files are named after a hash of its absolute path; whether they
// still describe the dump (size, mtime) is checked when they are read (graph-store.ts).
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

/** The identity of a file as the index records it: absolute path, size, mtime. Throws (ENOENT...) if it is missing. */
export function sourceIdentity(file: string): SourceIdentity {
  const abs = path.resolve(file);
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch (e) {
    throw new DumpFileError(file, describeFsError(e));
  }
  if (!st.isFile()) throw new DumpFileError(file, 'not a regular file');
  return { path: abs, size: st.size, mtimeMs: st.mtimeMs };
}

function key(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 16);
}

/** The index files of a dump (and of its analysis with a binary, or without one). */
export function indexPaths(cacheDir: string, dump: SourceIdentity, binary: SourceIdentity | null): { graph: string; analysis: string } {
  const base = path.join(cacheDir, `${path.basename(dump.path).replace(/[^\w.-]/g, '_')}-${key(dump.path)}`);
  return { graph: `${base}.graph.idx`, analysis: `${base}.analysis-${binary ? key(binary.path) : 'nobinary'}.idx` };
}
