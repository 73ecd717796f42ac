// Bench stages of the heap snapshot and pprof exporters (lib/export/heapsnapshot.ts, lib/export/pprof*.ts): the
// bench dump written as a .heapsnapshot (output MB/s, peak RSS after the open and after the export: the export
// streams, so it should add little to what the open needs) and as a retention pprof profile (time, samples, size).
// Both open the index the dominators stage wrote. Registered in bench/stages.ts.
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { HeapSession } from '../lib/session/index.js';
import { OutputSink } from '../lib/export/output.js';
import { writeHeapSnapshot } from '../lib/export/heapsnapshot.js';
import { retentionProfile, writePprof } from '../lib/export/pprof.js';
import type { Stage, StageFigures } from './stages.js';
import { benchCacheDir, round3, peakRssMB } from './measure.js';

/** Opens the dump, then times `produce` writing bench/output/NAME (removed afterwards). */
async function exportStage(dumpPath: string, binary: string | undefined, name: string,
  produce: (s: HeapSession, sink: OutputSink) => Promise<StageFigures>): Promise<StageFigures> {
  let t = performance.now();
  const s = await HeapSession.open(dumpPath, { binary, cacheDir: benchCacheDir() });
  const openSeconds = (performance.now() - t) / 1000;
  const openPeakRssMB = peakRssMB();
  const out = new URL(`../../bench/output/${name}`, import.meta.url).pathname;
  const sink = OutputSink.open(out, { inputs: [dumpPath, binary] });
  t = performance.now();
  const cpu0 = process.cpuUsage();
  let figures: StageFigures;
  try {
    figures = await produce(s, sink);
    await sink.finish();
  } catch (e) {
    sink.abort();
    throw e;
  } finally {
    s.close();
  }
  const exportSeconds = (performance.now() - t) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const bytes = sink.bytesWritten;
  rmSync(out, { force: true });
  return {
    fromIndex: s.fromIndex.graph && s.fromIndex.analysis, openSeconds: round3(openSeconds), openPeakRssMB,
    exportSeconds: round3(exportSeconds), exportCpuSeconds: round3((cpu.user + cpu.system) / 1e6),
    outputBytes: bytes, outputMBps: round3(bytes / 1e6 / exportSeconds), exportPeakRssMB: peakRssMB(), ...figures,
  };
}

export const SNAPSHOT_STAGES: Record<string, Stage> = {
  heapsnapshot: {
    description: 'HeapSession.open (the index of the dominators stage) then writeHeapSnapshot of every object (lib/export/heapsnapshot.ts): output MB/s, peak RSS after the open and after the export',
    run: (dump, binary, progress) => exportStage(dump, binary, 'bigheap.heapsnapshot', async (s, sink) => {
      const st = await writeHeapSnapshot(s, sink, { onProgress: progress });
      return { objects: s.objectCount, nodes: st.nodes, edges: st.edges, strings: st.strings };
    }),
  },
  pprof: {
    description: 'HeapSession.open then retentionProfile + gzip (lib/export/pprof-retention.ts): dominator-tree paths aggregated per (stack, type)',
    run: (dump, binary) => exportStage(dump, binary, 'bigheap.pb.gz', async (s, sink) => {
      const t = performance.now();
      const { profile, stats } = retentionProfile(s);
      const profileSeconds = (performance.now() - t) / 1000;
      await writePprof(profile, sink);
      return { profileSeconds: round3(profileSeconds), ...stats };
    }),
  },
};
