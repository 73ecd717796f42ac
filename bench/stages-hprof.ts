// Bench stages of the HPROF exporter (lib/export/hprof.ts): the bench dump written as HPROF, with the output's
// MB/s and the peak RSS after the open and after the export (the export should add nothing to what the open needs:
// it streams); and the same file opened with VisualVM's heap library (test/java/HprofCheck.java in its summary
// mode, as the HPROF tests run it: test/support/visualvm.ts), which must count goheap's instances and read every
// goroutine as a thread with its stack. Registered in bench/stages.ts.
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { HeapSession } from '../lib/session/index.js';
import { OutputSink, writeHprof } from '../lib/export/index.js';
import type { Stage, StageFigures } from './stages.js';
import { benchCacheDir, round3, peakRssMB } from './measure.js';
import { hprofCheck } from '../test/support/visualvm.js';

async function hprofStage(dumpPath: string, binary: string | undefined, progress: (done: number, total: number) => void, live: boolean): Promise<StageFigures> {
  let t = performance.now();
  const s = await HeapSession.open(dumpPath, { binary, cacheDir: benchCacheDir() });
  const openSeconds = (performance.now() - t) / 1000;
  const openPeakRssMB = peakRssMB();
  const out = new URL(`../../bench/output/bigheap${live ? '-live' : ''}.hprof`, import.meta.url).pathname;
  const sink = OutputSink.open(out, { inputs: [dumpPath, binary] });
  t = performance.now();
  const cpu0 = process.cpuUsage();
  let stats;
  try {
    stats = await writeHprof(s, sink, { live, onProgress: progress });
    await sink.finish();
  } catch (e) {
    sink.abort();
    throw e;
  }
  const exportSeconds = (performance.now() - t) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const bytes = sink.bytesWritten;
  rmSync(out, { force: true });
  s.close();
  return {
    fromIndex: s.fromIndex.graph && s.fromIndex.analysis, openSeconds: round3(openSeconds), openPeakRssMB,
    exportSeconds: round3(exportSeconds), exportCpuSeconds: round3((cpu.user + cpu.system) / 1e6),
    outputBytes: bytes, outputMBps: round3(bytes / 1e6 / exportSeconds),
    // Per second of CPU: the export is one thread, so on an idle machine this is its wall-clock rate.
    outputMBpsCpu: round3(bytes / 1e6 / ((cpu.user + cpu.system) / 1e6)), exportPeakRssMB: peakRssMB(),
    objects: stats.objects, instances: stats.instances, objectArrays: stats.objectArrays, primitiveArrays: stats.primitiveArrays,
    tinySubObjects: stats.tinySubObjects, classes: stats.classes, threads: stats.threads, segments: stats.segments,
    unplacedPointers: stats.unplacedPointers,
  };
}

/** What HprofCheck prints in summary mode. */
interface VisualVmSummary {
  summary: { instances: number; bytes: number };
  classCount: number;
  widest: { name: string; fields: number };
  gcRoots: number;
  threads: { name: string; daemon: boolean; tid: number; locals: number; frames: string[] }[];
}

async function visualVmStage(dumpPath: string, binary: string | undefined, progress: (done: number, total: number) => void): Promise<StageFigures> {
  const s = await HeapSession.open(dumpPath, { binary, cacheDir: benchCacheDir() });
  // A file of its own (about 1 GB) outside the shared bench/output, removed at the end.
  const out = join(tmpdir(), `goheap-bench-visualvm-${process.pid}.hprof`);
  const sink = OutputSink.open(out, { inputs: [dumpPath, binary] });
  let t = performance.now();
  let stats;
  try {
    stats = await writeHprof(s, sink, { onProgress: progress });
    await sink.finish();
  } catch (e) {
    sink.abort();
    throw e;
  }
  const exportSeconds = (performance.now() - t) / 1000;
  const goroutines = s.graph.goroutines.length;
  s.close();
  t = performance.now();
  let vv: VisualVmSummary;
  try {
    vv = hprofCheck<VisualVmSummary>(out, ['0', 'summary']);
  } finally {
    rmSync(out, { force: true });
  }
  const visualVmSeconds = (performance.now() - t) / 1000;
  const goheapInstances = stats.instances + stats.objectArrays + stats.primitiveArrays;
  const withStacks = vv.threads.filter((x) => x.frames.length > 0).length;
  const figures: StageFigures = {
    exportSeconds: round3(exportSeconds), outputBytes: sink.bytesWritten, visualVmSeconds: round3(visualVmSeconds),
    visualVmClasses: vv.classCount, visualVmInstances: vv.summary.instances, goheapInstances,
    instancesEqual: vv.summary.instances === goheapInstances, widestClass: vv.widest.name, widestClassFields: vv.widest.fields,
    visualVmThreads: vv.threads.length, threadsWithStacks: withStacks, goroutines,
    framesRead: vv.threads.reduce((a, x) => a + x.frames.length, 0), gcRoots: vv.gcRoots,
    // The first thread as VisualVM's Threads view names it, with its top frames' functions (their files are paths of
    // the machine that built the binary).
    firstThread: vv.threads[0] ? `${vv.threads[0].name}: ${vv.threads[0].frames.slice(0, 3).map((f) => f.replace(/\(.*\)$/, '')).join(' < ')}` : '',
  };
  if (!figures.instancesEqual) throw new Error(`VisualVM counts ${vv.summary.instances} instances, goheap wrote ${goheapInstances}`);
  if (vv.threads.length !== goroutines || withStacks !== goroutines) throw new Error(`VisualVM reads ${vv.threads.length} threads (${withStacks} with a stack) for ${goroutines} goroutines`);
  return figures;
}

export const HPROF_STAGES: Record<string, Stage> = {
  hprof: {
    description: 'HeapSession.open (the index of the dominators stage) then writeHprof of every object (lib/export/hprof.ts): output MB/s, peak RSS after the open and after the export',
    run: (dump, binary, progress) => hprofStage(dump, binary, progress, false),
  },
  'hprof-visualvm': {
    description: 'writeHprof of every object, then VisualVM\'s heap library opens the file (test/java/HprofCheck.java summary): classes, instances (must equal goheap\'s), the widest class, threads with stacks',
    run: visualVmStage,
  },
};
