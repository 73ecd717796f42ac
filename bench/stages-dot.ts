// Bench stages of the DOT exporter (lib/export/dot*.ts) on the bench dump: 'dot' writes the default picture (top of
// the dominator tree, --max-nodes default) and times Debian's `dot -Tsvg` laying it out (goal: under a minute);
// 'dot-all' streams every object and pointer (--all) with the output's MB/s (goal >= 100) and the peak RSS after the
// open and after the export (the export streams, so it should add little to what the open needs). Registered in
// bench/stages.ts.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { HeapSession } from '../lib/session/index.js';
import { exportDot, type DotSummary } from '../lib/export/dot.js';
import { OutputSink } from '../lib/export/output.js';
import type { Stage, StageFigures } from './stages.js';
import { benchCacheDir, round3, peakRssMB } from './measure.js';

async function dotStage(dumpPath: string, binary: string | undefined, progress: (done: number, total: number) => void, all: boolean): Promise<StageFigures> {
  let t = performance.now();
  const s = await HeapSession.open(dumpPath, { binary, cacheDir: benchCacheDir() });
  const openSeconds = (performance.now() - t) / 1000;
  const openPeakRssMB = peakRssMB();
  const out = new URL(`../../bench/output/bigheap${all ? '-all' : ''}.dot`, import.meta.url).pathname;
  const sink = OutputSink.open(out, { inputs: [dumpPath, binary] });
  t = performance.now();
  const cpu0 = process.cpuUsage();
  let summary: DotSummary;
  try {
    summary = await exportDot(s, sink, { mode: all ? 'all' : 'tree', onProgress: progress });
    await sink.finish();
  } catch (e) {
    sink.abort();
    throw e;
  }
  const exportSeconds = (performance.now() - t) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const bytes = sink.bytesWritten;
  const figures: StageFigures = {
    fromIndex: s.fromIndex.graph && s.fromIndex.analysis, openSeconds: round3(openSeconds), openPeakRssMB,
    exportSeconds: round3(exportSeconds), exportCpuSeconds: round3((cpu.user + cpu.system) / 1e6),
    outputBytes: bytes, outputMBps: round3(bytes / 1e6 / exportSeconds), exportPeakRssMB: peakRssMB(),
  };
  s.close();
  if (summary.mode === 'all') {
    Object.assign(figures, { objects: summary.all.objects, edges: summary.all.edges, rootEdges: summary.all.rootEdges });
  } else if (summary.mode === 'tree') {
    const tr = summary.tree;
    Object.assign(figures, {
      drawnObjects: tr.drawnObjects, drawnRootNodes: tr.drawnRootNodes, collapsedNodes: tr.collapsedNodes,
      collapsedObjects: tr.collapsedObjects, garbageObjects: tr.garbageObjects,
    });
    // Layout time of the default picture with Debian's dot (its own process; its RSS is not in this stage's).
    const r0 = performance.now();
    // bash's `times` prints the children's user and system CPU time: the layout's cost on a busy machine.
    const r = spawnSync('bash', ['-c', 'dot -Tsvg "$0" -o /dev/null && times', out], { encoding: 'utf8', timeout: 600000 });
    figures.dotRenderSeconds = round3((performance.now() - r0) / 1000);
    const cpu = /(\d+)m([\d.]+)s (\d+)m([\d.]+)s\s*$/.exec(r.stdout);
    if (cpu) figures.dotRenderCpuSeconds = round3(Number(cpu[1]) * 60 + Number(cpu[2]) + Number(cpu[3]) * 60 + Number(cpu[4]));
    figures.dotRenderOk = r.status === 0 && r.stderr === '';
    if (!figures.dotRenderOk) figures.dotRenderError = (r.stderr || String(r.error ?? r.status)).slice(0, 200);
  }
  rmSync(out, { force: true });
  return figures;
}

export const DOT_STAGES: Record<string, Stage> = {
  dot: {
    description: 'HeapSession.open (the index of the dominators stage) then the default DOT (top of the dominator tree, lib/export/dot-tree.ts), and `dot -Tsvg` laying it out',
    run: (dump, binary, progress) => dotStage(dump, binary, progress, false),
  },
  'dot-all': {
    description: 'HeapSession.open then DOT --all: every object and pointer streamed (lib/export/dot-all.ts): output MB/s, peak RSS after the open and after the export',
    run: (dump, binary, progress) => dotStage(dump, binary, progress, true),
  },
};
