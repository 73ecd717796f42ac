// Bench stages of the command line as users run it, each command its own process: `cli-cold`, a first
// `goheap info` over an empty cache (the whole command: its cold open in a process of its own, then the index that
// wrote opened; cli/cold-open.ts); `warm`, `goheap info`, `types`, `suspects` (at the default threshold, which the cold
// open keeps, and at 5%, computed), `roots`, `goroutines` and `top` (with the binary, --json) over the index the
// dominators stage wrote, twice (the first run of a command may build a derived index or keep its answer; the
// second answers from it): wall seconds, CPU seconds and peak RSS of each run.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { Stage, StageFigures } from './stages.js';
import { benchCacheDir, round3 } from './measure.js';

const CLI = join(resolve(dirname(fileURLToPath(import.meta.url)), '..'), 'cli', 'goheap.js');
const TIME = '/usr/bin/time';

interface Run { seconds: number; cpuSeconds?: number; peakRssMB?: number; stdout: string; stderr: string }

/**
 * `goheap ARGS --json --quiet` in a child process, over the index in `cacheDir`; its CPU time and peak RSS come from
 * time(1) when there is one.
 */
function timedCommand(args: string[], cacheDir = benchCacheDir(), extraEnv: Record<string, string> = {}): Run {
  const env = { ...process.env, GOHEAP_CACHE_DIR: cacheDir, ...extraEnv };
  const cli = [process.execPath, CLI, ...args, '--json', '--quiet'];
  const dir = mkdtempSync(join(tmpdir(), 'goheap-bench-'));
  const report = join(dir, 'time');
  try {
    const withTime = existsSync(TIME);
    const t = performance.now();
    const r = withTime
      ? spawnSync(TIME, ['-o', report, '-f', '%U %S %M', ...cli], { stdio: ['ignore', 'pipe', 'pipe'], env, encoding: 'utf8', maxBuffer: 256 << 20 })
      : spawnSync(cli[0], cli.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env, encoding: 'utf8', maxBuffer: 256 << 20 });
    const seconds = (performance.now() - t) / 1000;
    if (r.status !== 0) throw new Error(`goheap ${args.join(' ')} exited with ${r.status ?? r.signal}: ${r.stderr.trim().split('\n').pop() ?? ''}`);
    if (!withTime) return { seconds: round3(seconds), stdout: r.stdout, stderr: r.stderr };
    const [user, sys, rssKB] = readFileSync(report, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
    return { seconds: round3(seconds), cpuSeconds: round3(user + sys), peakRssMB: Math.round(rssKB / 102.4) / 10, stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const WARM_STAGES: Record<string, Stage> = {
  'cli-cold': {
    description: 'goheap info DUMP BINARY --json as a user runs it first, over an empty cache of its own: the whole command (its cold open runs in a process of its own, then it opens the index that wrote; cli/cold-open.ts): wall and CPU seconds (both processes), peak RSS (the larger of the cold open process\'s peak plus the pages the command\'s process held of its own meanwhile (the node program\'s pages are the same in both), and the command\'s own peak; time(1) gives only the larger process\'s) and bytes per object',
    async run(dumpPath, binary, progress) {
      if (binary === undefined) throw new Error('the cli-cold stage needs the binary');
      const cache = join(dirname(benchCacheDir()), 'cli-cold-cache');
      rmSync(cache, { recursive: true, force: true });
      try {
        const r = timedCommand(['info', dumpPath, binary], cache, { GOHEAP_TRACE_MEMORY: '1' });
        progress(1, 1);
        const objects = (JSON.parse(r.stdout) as { objects: number }).objects;
        // The trace's lines: the cold open process's peak and this one's RSS meanwhile (cli/open-heap.ts), and the
        // command's own peaks as it goes on (lib/session load-state's trace).
        // The command's process adds its own pages only: the node program's (some 40 MB) are the same pages in both
        // (where Linux does not say which are its own, all of its RSS is counted).
        const both = /memory: cold open process peak (\d+) MB, this process meanwhile (\d+) MB(?: \((\d+) MB its own\))?/.exec(r.stderr);
        const ownPeaks = [...r.stderr.matchAll(/, peak (\d+) MB/g)].map((m) => Number(m[1]));
        const coldPeak = both ? Number(both[1]) + Number(both[3] ?? both[2]) : undefined;
        const peak = coldPeak !== undefined ? Math.max(coldPeak, ...ownPeaks, r.peakRssMB ?? 0) : r.peakRssMB;
        return {
          seconds: r.seconds, ...(r.cpuSeconds !== undefined ? { cpuSeconds: r.cpuSeconds } : {}),
          ...(peak !== undefined ? { cliPeakRssMB: peak, bytesPerObject: round3((peak * 1048576) / objects) } : {}),
          ...(both ? { coldOpenProcessPeakRssMB: Number(both[1]), commandProcessWaitingRssMB: Number(both[2]) } : {}),
          ...(both?.[3] !== undefined ? { commandProcessWaitingOwnMB: Number(both[3]) } : {}),
          objects,
        };
      } finally {
        rmSync(cache, { recursive: true, force: true });
      }
    },
  },
  warm: {
    description: 'goheap info, types, suspects (kept by the cold open; and at 5%, computed), roots, goroutines, top (with the binary, --json) as separate processes over the index the dominators stage wrote, twice each: wall and CPU seconds, peak RSS',
    async run(dumpPath, binary, progress) {
      if (binary === undefined) throw new Error('the warm stage needs the binary');
      const out: StageFigures = {};
      // [figure name, command, its options]: `suspectsAt5` asks for suspects at another threshold than the one the
      // cold open kept, so its first run computes them from the index's arrays.
      const commands: [string, string, string[]][] = [
        ['info', 'info', []], ['types', 'types', []], ['suspects', 'suspects', []], ['suspectsAt5', 'suspects', ['--threshold', '0.05']],
        ['roots', 'roots', []], ['goroutines', 'goroutines', []], ['top', 'top', []],
      ];
      let done = 0;
      for (const [name, c, options] of commands) {
        for (const which of ['First', '']) {
          const r = timedCommand([c, dumpPath, binary, ...options]);
          out[`${name}${which}Seconds`] = r.seconds;
          if (r.cpuSeconds !== undefined) out[`${name}${which}CpuSeconds`] = r.cpuSeconds;
          if (r.peakRssMB !== undefined) out[`${name}${which}PeakRssMB`] = r.peakRssMB;
          progress(++done, commands.length * 2);
        }
      }
      return out;
    },
  },
};
