// Allocation sites from the dump's MemProf bucket records: per bucket its sampled allocation count, bytes
// (count x size), frees, and stack, biggest bytes first; the CLI's `allocs --json` site shape.
import type { HeapSession } from '../../lib/session/index.js';

export interface AllocSite {
  count: number;
  bytes: number;
  frees: number;
  size: number;
  frames: { function: string; file: string; line: number }[];
}

export function allocSites(s: HeapSession): AllocSite[] {
  return s.graph.memProfBuckets
    .map((b) => ({ count: b.allocs, bytes: b.allocs * b.size, frees: b.frees, size: b.size, frames: b.stack.map((f) => ({ function: f.functionName, file: f.file, line: f.line })) }))
    .sort((a, b) => b.bytes - a.bytes || b.count - a.count);
}
