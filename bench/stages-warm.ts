// Bench stage of warm commands: `goheap info`, `types`, `suspects` (at the default threshold, which the cold open
// keeps, and at 5%, computed), `roots`, `goroutines` and `top` (with the binary, --json), each run as its own
// process over the index the dominators stage wrote, twice (the first run of a command may build a derived index or
// keep its answer; the second answers from it): wall seconds, CPU seconds and peak RSS of each run.
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

interface Run { seconds: number; cpuSeconds?: number; peakRssMB?: number }

/** `goheap ARGS --json --quiet` in a child process; its CPU time and peak RSS come from time(1) when there is one. */
function timedCommand(args: string[]): Run {
  const env = { ...process.env, GOHEAP_CACHE_DIR: benchCacheDir() };
  const cli = [process.execPath, CLI, ...args, '--json', '--quiet'];
  const dir = mkdtempSync(join(tmpdir(), 'goheap-bench-'));
  const report = join(dir, 'time');
  try {
    const withTime = existsSync(TIME);
    const t = performance.now();
    const r = withTime
      ? spawnSync(TIME, ['-o', report, '-f', '%U %S %M', ...cli], { stdio: ['ignore', 'ignore', 'inherit'], env })
      : spawnSync(cli[0], cli.slice(1), { stdio: ['ignore', 'ignore', 'inherit'], env });
    const seconds = (performance.now() - t) / 1000;
    if (r.status !== 0) throw new Error(`goheap ${args.join(' ')} exited with ${r.status ?? r.signal}`);
    if (!withTime) return { seconds: round3(seconds) };
    const [user, sys, rssKB] = readFileSync(report, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
    return { seconds: round3(seconds), cpuSeconds: round3(user + sys), peakRssMB: Math.round(rssKB / 102.4) / 10 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const WARM_STAGES: Record<string, Stage> = {
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
