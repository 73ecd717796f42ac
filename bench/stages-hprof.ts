// Bench stages of the HPROF exporter (lib/export/hprof.ts): the bench dump written as HPROF, with the output's
// MB/s and the peak RSS after the open and after the export (the export should add nothing to what the open needs:
// it streams). Registered in bench/stages.ts.
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { HeapSession } from '../lib/session/index.js';
import { OutputSink, writeHprof } from '../lib/export/index.js';
import type { Stage, StageFigures } from './stages.js';
import { benchCacheDir, round3, peakRssMB } from './measure.js';

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

export const HPROF_STAGES: Record<string, Stage> = {
  hprof: {
    description: 'HeapSession.open (the index of the dominators stage) then writeHprof of every object (lib/export/hprof.ts): output MB/s, peak RSS after the open and after the export',
    run: (dump, binary, progress) => hprofStage(dump, binary, progress, false),
  },
};
