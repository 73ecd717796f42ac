// Allocation sites (`goheap allocs`, the viewer's allocations page) from the dump's memory-profile buckets: per
// call stack, the sampled allocations and frees and their bytes (Go records one bucket per stack and object size;
// buckets with the same stack are one site here, as pprof shows them), and the dump's allocation samples: live
// objects whose allocation was sampled, found by address. `object` shows an object's allocation stack with
// allocationOf. Frames read as Go's traceback prints them (the calls inlined at a frame's line expanded).
import type { MemProfBucketRecord } from '../dump/index.js';
import { isRuntimeFunction } from '../analysis/index.js';
import type { GoProgram } from '../gotypes/index.js';
import type { HeapSession } from '../session/index.js';
import { memProfStack } from '../typing/index.js';
import { firstRows } from './common.js';

export interface AllocFrameJson {
  function: string;
  file: string;
  line: number;
  /** A call inlined into the next frame's function (Go prints it `f(...)`). */
  inlined?: boolean;
}

export interface AllocSiteJson {
  /** Sampled allocations at this site since the program started, and their bytes. */
  count: number;
  bytes: number;
  /** Sampled frees of those allocations, and their bytes. */
  frees: number;
  freeBytes: number;
  /** Allocated and not freed (as of the last GC the dump's profile reflects). */
  inUse: number;
  inUseBytes: number;
  /** Objects in this dump whose sampled allocation is this site, and their bytes (object sizes). */
  liveSamples: number;
  liveSampleBytes: number;
  /** The first frame outside the runtime. */
  function: string;
  frames: AllocFrameJson[];
}

export interface AllocsAnswer {
  buckets: number;
  samples: number;
  /** Sites in all (before the limit). */
  siteCount: number;
  sites: AllocSiteJson[];
}

function frameKey(b: MemProfBucketRecord): string {
  return b.stack.map((f) => `${f.functionName}\u0000${f.file}\u0000${f.line}`).join('\u0001');
}

/** The frames of a record as Go's traceback prints them: the calls inlined at a frame's line before it. */
function stackFrames(program: GoProgram | undefined, b: MemProfBucketRecord): AllocFrameJson[] {
  const out: AllocFrameJson[] = [];
  for (const group of memProfStack(program, b.stack)) {
    for (const x of group) out.push({ function: x.function, file: x.file ?? '', line: x.line ?? 0, ...(x.inlined ? { inlined: true } : {}) });
  }
  return out;
}

/** The first function outside the runtime (an inlined one where the call was inlined). */
function topFunction(frames: AllocFrameJson[]): string {
  return (frames.find((f) => !isRuntimeFunction(f.function)) ?? frames[0])?.function ?? '';
}

/**
 * Allocation sites, most bytes allocated first (then most allocations, then function); `limit` sites (0: all). Kept
 * beside the index per limit (HeapSession.keptAnswer).
 */
export function allocsAnswer(s: HeapSession, limit = 0): AllocsAnswer {
  return s.keptAnswer(`allocs-${limit}`, () => computeAllocs(s, limit));
}

function computeAllocs(s: HeapSession, limit: number): AllocsAnswer {
  const graph = s.graph;
  const buckets = graph.memProfBuckets;
  const siteOf = new Map<number, AllocSiteJson>();
  const sites = new Map<string, AllocSiteJson>();
  for (const b of buckets) {
    const key = frameKey(b);
    let site = sites.get(key);
    if (!site) {
      site = {
        count: 0, bytes: 0, frees: 0, freeBytes: 0, inUse: 0, inUseBytes: 0, liveSamples: 0, liveSampleBytes: 0,
        function: '', frames: stackFrames(s.program, b),
      };
      site.function = topFunction(site.frames);
      sites.set(key, site);
    }
    site.count += b.allocs;
    site.bytes += b.allocs * b.size;
    site.frees += b.frees;
    site.freeBytes += b.frees * b.size;
    site.inUse += b.allocs - b.frees;
    site.inUseBytes += (b.allocs - b.frees) * b.size;
    siteOf.set(b.id, site);
  }
  const addr = graph.allocSampleAddress;
  const bucket = graph.allocSampleBucket;
  for (let k = 0; k < addr.length; k++) {
    const site = siteOf.get(bucket[k]);
    const i = graph.findObject(addr[k]);
    if (!site || i < 0) continue;
    site.liveSamples++;
    site.liveSampleBytes += graph.objectSize[i];
  }
  const all = [...sites.values()].sort((a, b) => b.bytes - a.bytes || b.count - a.count ||
    (a.function < b.function ? -1 : a.function > b.function ? 1 : 0));
  return { buckets: buckets.length, samples: addr.length, siteCount: all.length, sites: firstRows(all, limit) };
}

/** The allocation stack of object i when the dump sampled its allocation, else null. */
export function allocationOf(s: HeapSession, i: number): { size: number; frames: AllocFrameJson[] } | null {
  const graph = s.graph;
  const a = graph.addressOf(i);
  const addr = graph.allocSampleAddress;
  for (let k = 0; k < addr.length; k++) {
    if (addr[k] !== a) continue;
    const b = graph.memProfBuckets.find((x) => x.id === graph.allocSampleBucket[k]);
    if (!b) return null;
    return { size: b.size, frames: stackFrames(s.program, b) };
  }
  return null;
}
