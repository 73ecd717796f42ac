// The table of measured bench stages: each one runs in its own child process (bench/stage.ts) and returns
// its figures. Add a stage ("types", "dominators", "reopen", ...) by adding an entry here.
import { rmSync, statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { streamCount } from './naive-count.js';

/** Figures a stage reports besides its wall time and peak RSS. */
export type StageFigures = Record<string, number | string | boolean>;

export interface Stage {
  description: string;
  run(dumpPath: string, binaryPath: string | undefined, progress: (done: number, total: number) => void): Promise<StageFigures>;
}

/** The part of lib/graph's public face the bench uses (loaded at run time: the bench must build without it). */
interface HeapGraphModule {
  loadHeapGraph(dumpPath: string, options?: { onProgress?: (phase: string, done: number, total: number) => void }): {
    objectCount: number;
    edgeCount: number;
    stats(): Record<string, unknown>;
  };
}

async function loadGraphModule(): Promise<HeapGraphModule> {
  const url = new URL('../lib/graph/index.js', import.meta.url).href;
  const mod = (await import(url)) as Partial<HeapGraphModule>;
  if (typeof mod.loadHeapGraph !== 'function') throw new Error(`${url} does not export loadHeapGraph`);
  return mod as HeapGraphModule;
}

/** Keeps the scalar entries of a stats object (nested values are left out of the results table). */
function scalars(o: Record<string, unknown>): StageFigures {
  const out: StageFigures = {};
  for (const [k, v] of Object.entries(o)) {
    if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') out[k] = v;
  }
  return out;
}

/** The part of lib/store's public face the bench uses (loaded at run time, like lib/graph). */
interface StoreModule {
  openHeap(dumpPath: string, options: {
    binary?: string; cacheDir?: string; noCache?: boolean; onProgress?: (phase: string, done: number, total: number) => void;
  }): Promise<{
    graph: { objectCount: number };
    typed: boolean;
    types: { typedObjects: number; typedBytes: number };
    dominators: { retained: Float64Array; rootNodes: { count: number } };
    fromIndex: { graph: boolean; analysis: boolean };
    indexNotes: string[];
  }>;
  indexPaths(cacheDir: string, dump: unknown, binary: unknown): { graph: string; analysis: string };
  sourceIdentity(file: string): unknown;
}

async function loadStoreModule(): Promise<StoreModule> {
  const url = new URL('../lib/store/index.js', import.meta.url).href;
  return (await import(url)) as StoreModule;
}

/** The bench's own index folder (GOHEAP_CACHE_DIR if set), so that the user's cache is left alone. */
function benchCacheDir(): string {
  return process.env.GOHEAP_CACHE_DIR ?? new URL('../../bench/output/index-cache', import.meta.url).pathname;
}

/** Opens the dump through lib/store, timing each phase: load (decode, edges, roots), index, types, dominators, save. */
async function timedOpen(dumpPath: string, binary: string | undefined, progress: (done: number, total: number) => void): Promise<StageFigures> {
  const store = await loadStoreModule();
  // Seconds per phase: a phase lasts from its first report to the next phase's first report.
  const seconds: Record<string, number> = {};
  let phase = '';
  let since = performance.now();
  const t0 = since;
  const cpu0 = process.cpuUsage();
  const h = await store.openHeap(dumpPath, {
    binary, cacheDir: benchCacheDir(),
    onProgress: (p, done, total) => {
      if (p !== phase) {
        const now = performance.now();
        if (phase) seconds[phase] = (seconds[phase] ?? 0) + (now - since) / 1000;
        phase = p;
        since = now;
      }
      progress(done, total);
    },
  });
  const t1 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  if (phase) seconds[phase] = (seconds[phase] ?? 0) + (t1 - since) / 1000;
  const s = (...names: string[]): number => round3(names.reduce((sum, n) => sum + (seconds[n] ?? 0), 0));
  return {
    objects: h.graph.objectCount, rootNodes: h.dominators.rootNodes.count, reachableBytes: h.dominators.retained[0],
    typed: h.typed, typedObjects: h.types.typedObjects, typedBytes: h.types.typedBytes,
    graphFromIndex: h.fromIndex.graph, analysisFromIndex: h.fromIndex.analysis,
    loadSeconds: s('decode', 'edges', 'roots'), indexReadSeconds: s('index'), typesSeconds: s('types'),
    dominatorsSeconds: s('dominators'), saveSeconds: s('save'),
    // Everything but writing the index: load (with the failed index lookup), types, dominators and retained sizes.
    computeSeconds: round3((t1 - t0) / 1000 - s('save')),
    openSeconds: round3((t1 - t0) / 1000),
    // CPU time of the open (all threads): on a busy machine, closer to what the wall time would be on an idle one.
    openCpuSeconds: round3((cpu.user + cpu.system) / 1e6),
    notes: h.indexNotes.join('; '),
  };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export const STAGES: Record<string, Stage> = {
  'naive-count': {
    description: 'stream the dump in 8 MB chunks and count records (bench/naive-count.ts, no lib/ code)',
    async run(dumpPath, _binary, progress) {
      const total = statSync(dumpPath).size;
      const c = streamCount(dumpPath, (done) => progress(done, total));
      return {
        records: c.records, objects: c.objects, objectBytes: c.objectBytes, pointerFields: c.pointerFields,
        goroutines: c.goroutines, frames: c.frames, bytesRead: c.bytesRead,
      };
    },
  },
  decode: {
    description: 'loadHeapGraph(dump): decode records and build the object graph (lib/graph)',
    async run(dumpPath, _binary, progress) {
      const { loadHeapGraph } = await loadGraphModule();
      const graph = loadHeapGraph(dumpPath, { onProgress: (_phase, done, total) => progress(done, total) });
      return { objects: graph.objectCount, edges: graph.edgeCount, ...scalars(graph.stats()) };
    },
  },
  dominators: {
    description: 'openHeap(dump, binary) with an empty index: load, recover types (lib/typing), root nodes, dominators and retained sizes, then write the index (lib/store)',
    async run(dumpPath, binary, progress) {
      const store = await loadStoreModule();
      const files = store.indexPaths(benchCacheDir(), store.sourceIdentity(dumpPath), binary ? store.sourceIdentity(binary) : null);
      rmSync(files.graph, { force: true });
      rmSync(files.analysis, { force: true });
      return timedOpen(dumpPath, binary, progress);
    },
  },
  reopen: {
    description: 'openHeap(dump, binary) again: graph, types and dominators read back from the index the dominators stage wrote',
    async run(dumpPath, binary, progress) {
      return timedOpen(dumpPath, binary, progress);
    },
  },
  types: {
    description: 'loadHeapGraph + loadGoProgram + recoverTypes (lib/typing): typing seconds and coverage of reachable objects/bytes',
    async run(dumpPath, binaryPath, progress) {
      if (binaryPath === undefined) throw new Error('the types stage needs the binary');
      const { loadHeapGraph } = await loadGraphModule();
      const gotypes = (await import(new URL('../lib/gotypes/index.js', import.meta.url).href)) as {
        loadGoProgram(path: string): unknown;
      };
      const typing = (await import(new URL('../lib/typing/index.js', import.meta.url).href)) as {
        recoverTypes(graph: unknown, program: unknown): { objectType: Uint32Array; typedObjects: number; typedBytes: number };
      };
      const { performance: perf } = await import('node:perf_hooks');
      let t = perf.now();
      const graph = loadHeapGraph(dumpPath, { onProgress: (_phase, done, total) => progress(done, total) }) as unknown as {
        objectCount: number; reachable: Uint8Array; objectSize: Uint32Array;
      };
      const loadSeconds = (perf.now() - t) / 1000;
      t = perf.now();
      const program = gotypes.loadGoProgram(binaryPath);
      const programSeconds = (perf.now() - t) / 1000;
      t = perf.now();
      const types = typing.recoverTypes(graph, program);
      const typingSeconds = (perf.now() - t) / 1000;
      let objects = 0;
      let bytes = 0;
      let typedObjects = 0;
      let typedBytes = 0;
      for (let i = 0; i < graph.objectCount; i++) {
        if (graph.reachable[i] === 0) continue;
        objects++;
        bytes += graph.objectSize[i];
        if (types.objectType[i] !== 0) {
          typedObjects++;
          typedBytes += graph.objectSize[i];
        }
      }
      const r3 = (x: number): number => Math.round(x * 1000) / 1000;
      return {
        loadSeconds: r3(loadSeconds), programSeconds: r3(programSeconds), typingSeconds: r3(typingSeconds),
        objects: graph.objectCount, reachableObjects: objects, reachableBytes: bytes,
        typedReachableObjectsPct: r3((100 * typedObjects) / objects), typedReachableBytesPct: r3((100 * typedBytes) / bytes),
        typedObjects: types.typedObjects, typedBytes: types.typedBytes,
      };
    },
  },
};
