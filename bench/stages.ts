// The table of measured bench stages: each one runs in its own child process (bench/stage.ts) and returns
// its figures. Add a stage ("types", "dominators", "reopen", ...) by adding an entry here.
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadHeapGraph } from '../lib/graph/index.js';
import { loadGoProgram } from '../lib/gotypes/index.js';
import { indexPaths, sourceIdentity } from '../lib/store/index.js';
import { HeapSession } from '../lib/session/index.js';
import { COLD_OPEN_NODE_OPTIONS, coldOpenEnvironment } from '../lib/session/array-process.js';
import { keepColdOpenAnswers } from '../lib/answers/index.js';
import { recoverTypes, typeCoverage } from '../lib/typing/index.js';
import { streamCount } from './naive-count.js';
import { SESSION_STAGES } from './stages-session.js';
import { HPROF_STAGES } from './stages-hprof.js';
import { SNAPSHOT_STAGES } from './stages-snapshot.js';
import { benchCacheDir, round3 } from './measure.js';

/** Figures a stage reports besides its wall time and peak RSS. */
export type StageFigures = Record<string, number | string | boolean>;

export interface Stage {
  description: string;
  /** Node options of the stage's process (bench/run.ts), when the command it measures runs with some. */
  nodeOptions?: readonly string[];
  /** The environment of the stage's process over the bench's (and the dump's size), when the command it measures runs with one. */
  environment?: (env: NodeJS.ProcessEnv, dumpBytes: number) => NodeJS.ProcessEnv;
  run(dumpPath: string, binaryPath: string | undefined, progress: (done: number, total: number) => void): Promise<StageFigures>;
}

/** Keeps the scalar entries of a stats object (nested values are left out of the results table). */
function scalars(o: Record<string, unknown>): StageFigures {
  const out: StageFigures = {};
  for (const [k, v] of Object.entries(o)) {
    if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') out[k] = v;
  }
  return out;
}

/**
 * Opens the dump through lib/store as the CLI does, timing each phase: load (decode, edges, roots), index, types,
 * dominators, save, and the answers a cold open keeps (keepColdOpenAnswers).
 */
async function timedOpen(dumpPath: string, binary: string | undefined, progress: (done: number, total: number) => void): Promise<StageFigures> {
  // Seconds per phase: a phase lasts from its first report to the next phase's first report.
  const seconds: Record<string, number> = {};
  let phase = '';
  let since = performance.now();
  const t0 = since;
  const cpu0 = process.cpuUsage();
  // When the dominators phase ends (retained sizes done): the cold open, load + types + dominators +
  // retained, with what runs between them (the binary's program loaded, the graph's index started), and not the
  // answers kept nor the index written after it.
  let retainedAt = 0;
  const phaseStarts = (p: string): void => {
    if (p === phase) return;
    const now = performance.now();
    if (phase === 'dominators' && retainedAt === 0) retainedAt = now;
    if (phase) seconds[phase] = (seconds[phase] ?? 0) + (now - since) / 1000;
    phase = p;
    since = now;
  };
  // As the CLI's cold open does: keep the answers a first warm command would otherwise compute (the leak suspects),
  // while the analysis index is written.
  let keptSeconds = 0;
  const h = await HeapSession.open(dumpPath, {
    binary, cacheDir: benchCacheDir(), computeAll: true,
    onProgress: (p, done, total) => {
      phaseStarts(p);
      progress(done, total);
    },
    whileWriting: (session) => {
      phaseStarts('answers');
      const tk = performance.now();
      keepColdOpenAnswers(session);
      keptSeconds = (performance.now() - tk) / 1000;
      phaseStarts('save');
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
    dominatorsSeconds: s('dominators'), saveSeconds: s('save'), keptAnswersSeconds: round3(keptSeconds),
    // Everything but writing the index: load (with the failed index lookup), types, dominators and retained sizes.
    computeSeconds: round3((t1 - t0) / 1000 - s('save')),
    ...(retainedAt > 0 ? { untilRetainedSeconds: round3((retainedAt - t0) / 1000) } : {}),
    openSeconds: round3((t1 - t0) / 1000),
    // CPU time of the open (all threads): on a busy machine, closer to what the wall time would be on an idle one.
    openCpuSeconds: round3((cpu.user + cpu.system) / 1e6),
    // Its kernel part: mostly first touches of fresh memory. On this machine's virtual machine (free page reporting)
    // memory no process has used for a few seconds costs ~2 ms per MB on first touch against ~0.1 ms when it was
    // just freed, so a slow run with a high figure here was paying for memory, not computing.
    openSystemCpuSeconds: round3(cpu.system / 1e6),
    notes: h.indexNotes.join('; '),
  };
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
      const graph = loadHeapGraph(dumpPath, { onProgress: (_phase, done, total) => progress(done, total) });
      return { objects: graph.objectCount, edges: graph.edgeCount, ...scalars({ ...graph.stats() }) };
    },
  },
  dominators: {
    description: 'HeapSession.open(dump, { binary }) with an empty index: load, recover types (lib/typing), root nodes, dominators and retained sizes, then write the index (lib/store); with the node options and environment of the CLI\'s cold open process',
    nodeOptions: COLD_OPEN_NODE_OPTIONS,
    environment: coldOpenEnvironment,
    async run(dumpPath, binary, progress) {
      const files = indexPaths(benchCacheDir(), sourceIdentity(dumpPath), binary ? sourceIdentity(binary) : null);
      rmSync(files.graph, { force: true });
      rmSync(files.analysis, { force: true });
      // And the derived indexes and kept answers beside the analysis (<analysis>.NAME.idx) an earlier run left: the
      // warm stages' first runs must build them as a first run after a cold open does.
      const stem = basename(files.analysis).replace(/\.idx$/, '.');
      for (const f of existsSync(dirname(files.analysis)) ? readdirSync(dirname(files.analysis)) : []) {
        if (f.startsWith(stem) && f.endsWith('.idx')) rmSync(join(dirname(files.analysis), f), { force: true });
      }
      return timedOpen(dumpPath, binary, progress);
    },
  },
  reopen: {
    description: 'HeapSession.open(dump, { binary }) again: graph, types and dominators read back from the index the dominators stage wrote',
    async run(dumpPath, binary, progress) {
      return timedOpen(dumpPath, binary, progress);
    },
  },
  types: {
    description: 'loadHeapGraph + loadGoProgram + recoverTypes (lib/typing): typing seconds and coverage of reachable objects/bytes',
    async run(dumpPath, binaryPath, progress) {
      if (binaryPath === undefined) throw new Error('the types stage needs the binary');
      let t = performance.now();
      const graph = loadHeapGraph(dumpPath, { onProgress: (_phase, done, total) => progress(done, total) });
      const loadSeconds = (performance.now() - t) / 1000;
      t = performance.now();
      const program = loadGoProgram(binaryPath);
      const programSeconds = (performance.now() - t) / 1000;
      t = performance.now();
      const types = recoverTypes(graph, program);
      const typingSeconds = (performance.now() - t) / 1000;
      const c = typeCoverage(graph, types);
      return {
        loadSeconds: round3(loadSeconds), programSeconds: round3(programSeconds), typingSeconds: round3(typingSeconds),
        objects: graph.objectCount, reachableObjects: c.reachableObjects, reachableBytes: c.reachableBytes,
        typedReachableObjectsPct: round3((100 * c.typedReachableObjects) / c.reachableObjects),
        typedReachableBytesPct: round3((100 * c.typedReachableBytes) / c.reachableBytes),
        typedObjects: types.typedObjects, typedBytes: types.typedBytes,
      };
    },
  },
  ...HPROF_STAGES,
  ...SNAPSHOT_STAGES,
  ...(await import('./stages-dot.js')).DOT_STAGES,
  // After 'reopen': the session stages read the index the dominators stage wrote.
  ...(await import('./stages-warm.js')).WARM_STAGES,
  ...SESSION_STAGES,
  ...(await import('./stages-viewer.js')).viewerStages,
};
