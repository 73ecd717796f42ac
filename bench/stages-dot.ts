// Bench stages of the DOT exporter (lib/export/dot*.ts) on the bench dump: 'dot' writes the default picture (top of
// the dominator tree, --max-nodes default) and has Debian's `dot -Tpng` draw it, as a user would: the PNG must be
// drawn at scale 1 (cairo scales a bitmap over 32,767 px a side down and says so on stderr; Graphviz warns "Unable
// to reclaim box space" for a layout it cannot fit: dot's stderr must be empty), with its size in pixels, the
// picture's node count and dot's wall and CPU time (goal: under a minute);
// 'dot-all' streams every object and pointer (--all) with the output's MB/s (goal >= 100) and the peak RSS after the
// open and after the export (the export streams, so it should add little to what the open needs);
// 'dot-sigint' runs the real CLI's `goheap dot --all` on the bench dump and sends SIGINT once it has written
// 100 MB: it must end within a second (seconds from the signal to the exit), by the signal, leaving no file.
// Registered in bench/stages.ts.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
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
  // Files of its own outside the shared bench/output, removed at the end.
  const out = join(tmpdir(), `goheap-bench-${process.pid}${all ? '-all' : ''}.dot`);
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
      drawnObjects: tr.drawnObjects, drawnRootNodes: tr.drawnRootNodes, groupNodes: tr.groupNodes, chainNodes: tr.chainNodes, collapsedNodes: tr.collapsedNodes,
      collapsedObjects: tr.collapsedObjects, garbageObjects: tr.garbageObjects,
    });
    // The picture drawn by Debian's dot (its own process; its RSS is not in this stage's).
    const png = `${out}.png`;
    const r0 = performance.now();
    // bash's `times` prints the children's user and system CPU time: the layout's cost on a busy machine.
    const r = spawnSync('bash', ['-c', 'dot -Tpng "$0" -o "$1" && times', out, png], { encoding: 'utf8', timeout: 600000 });
    figures.dotRenderSeconds = round3((performance.now() - r0) / 1000);
    const cpu = /(\d+)m([\d.]+)s (\d+)m([\d.]+)s\s*$/.exec(r.stdout);
    if (cpu) figures.dotRenderCpuSeconds = round3(Number(cpu[1]) * 60 + Number(cpu[2]) + Number(cpu[3]) * 60 + Number(cpu[4]));
    // Nodes: the ids of node statements ("  o264 [label=...]", "  r40;"); edges ("r4 -> r5") do not match.
    figures.dotNodes = new Set([...readFileSync(out, 'utf8').matchAll(/^ {2}(\w+)(?: \[|;)/gm)].map((m) => m[1]).filter((id) => !['graph', 'node', 'edge'].includes(id))).size;
    figures.dotRenderOk = r.status === 0 && r.stderr === '';
    if (r.status === 0) {
      // The PNG's own size (IHDR), pixels at 96 dpi: at scale 1 when no side is over cairo's 32,767.
      const head = readFileSync(png).subarray(16, 24);
      figures.pngWidth = head.readUInt32BE(0);
      figures.pngHeight = head.readUInt32BE(4);
      figures.pngAtScale1 = figures.dotRenderOk && Math.max(figures.pngWidth, figures.pngHeight) <= 32767;
    }
    rmSync(png, { force: true });
    if (!figures.dotRenderOk) figures.dotRenderError = (r.stderr || String(r.error ?? r.status)).slice(0, 200);
  }
  rmSync(out, { force: true });
  return figures;
}

/** SIGINT sent to `goheap dot --all` once its temporary output holds `after` bytes: how long until it ends. */
async function dotSigint(dumpPath: string, binary: string | undefined, after: number): Promise<StageFigures> {
  const goheap = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'cli', 'goheap.js');
  const dir = mkdtempSync(join(tmpdir(), 'goheap-bench-sigint-'));
  try {
    const child = spawn(process.execPath, [goheap, 'dot', dumpPath, ...(binary ? [binary] : []), '--all', '-o', join(dir, 'all.dot'), '--quiet'],
      { env: { ...process.env, GOHEAP_CACHE_DIR: benchCacheDir() }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString('utf8'); });
    const started = performance.now();
    let sentAt = 0;
    let writtenAtSignal = 0;
    const exited = new Promise<[number | null, string | null]>((res) => child.on('exit', (code, signal) => res([code, signal])));
    const poll = setInterval(() => {
      if (sentAt) return;
      for (const n of readdirSync(dir)) {
        const size = n.endsWith('.tmp') ? statSync(join(dir, n)).size : 0;
        if (size >= after) {
          sentAt = performance.now();
          writtenAtSignal = size;
          child.kill('SIGINT');
        }
      }
    }, 5);
    const [code, signal] = await exited;
    const end = performance.now();
    clearInterval(poll);
    const left = readdirSync(dir);
    if (!sentAt) throw new Error(`goheap dot --all ended (${code ?? signal}) before writing ${after} bytes: ${stderr.slice(0, 200)}`);
    return {
      secondsToSignal: round3((sentAt - started) / 1000), bytesAtSignal: writtenAtSignal,
      secondsToExit: round3((end - sentAt) / 1000), exitSignal: signal ?? `exit ${code}`, filesLeft: left.length,
      ok: signal === 'SIGINT' && left.length === 0 && end - sentAt < 1000, stderr: stderr.trim().slice(0, 200),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const DOT_STAGES: Record<string, Stage> = {
  dot: {
    description: 'HeapSession.open (the index of the dominators stage) then the default DOT (top of the dominator tree, lib/export/dot-tree.ts), and `dot -Tpng` drawing it: PNG size (at scale 1), nodes, dot\'s time',
    run: (dump, binary, progress) => dotStage(dump, binary, progress, false),
  },
  'dot-all': {
    description: 'HeapSession.open then DOT --all: every object and pointer streamed (lib/export/dot-all.ts): output MB/s, peak RSS after the open and after the export',
    run: (dump, binary, progress) => dotStage(dump, binary, progress, true),
  },
  'dot-sigint': {
    description: 'the CLI\'s `goheap dot --all` on the bench dump, SIGINT once 100 MB are written: seconds to its exit (goal < 1), nothing left behind',
    run: (dump, binary) => dotSigint(dump, binary, 100e6),
  },
};
