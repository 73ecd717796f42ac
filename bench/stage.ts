// Runs one bench stage in this process and prints one JSON line: { name, wallSeconds, peakRssMB, ...figures }.
// Usage: node dist/bench/stage.js <stage> <dump> [binary]. bench/run.ts starts it once per stage, so every
// stage's peak RSS is its own. Progress goes to stderr.
import { performance } from 'node:perf_hooks';
import { STAGES } from './stages.js';

async function main(): Promise<number> {
  const [name, dumpPath, binaryPath] = process.argv.slice(2);
  const stage = name === undefined ? undefined : STAGES[name];
  if (!stage || !dumpPath) {
    process.stderr.write(`usage: stage.js <stage> <dump> [binary]\nstages: ${Object.keys(STAGES).join(', ')}\n`);
    return 2;
  }
  let lastReport = 0;
  const progress = (done: number, total: number): void => {
    const now = performance.now();
    if (now - lastReport < 2000) return;
    lastReport = now;
    const at = Number.isFinite(done) && Number.isFinite(total) && total > 0 ? `${((100 * done) / total).toFixed(0)}%` : `${done}/${total}`;
    process.stderr.write(`  ${name}: ${at} (${((now - start) / 1000).toFixed(1)} s)\n`);
  };
  const start = performance.now();
  const figures = await stage.run(dumpPath, binaryPath, progress);
  const wallSeconds = (performance.now() - start) / 1000;
  const peakRssMB = process.resourceUsage().maxRSS / 1024; // maxRSS is in KB
  process.stdout.write(JSON.stringify({ name, wallSeconds: round(wallSeconds, 3), peakRssMB: round(peakRssMB, 1), ...figures }) + '\n');
  return 0;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

main().then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    process.stderr.write(`stage failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
