// The table of measured bench stages: each one runs in its own child process (bench/stage.ts) and returns
// its figures. Add a stage ("types", "dominators", "reopen", ...) by adding an entry here.
import { statSync } from 'node:fs';
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
};
