// `make bench`: builds bench/bigheap with Go 1.26, has it write a large heap dump into bench/output/ (kept
// while up to date), runs each measured stage of bench/stages.ts in a fresh `node dist/bench/stage.js`
// process, and writes bench/results.json plus a short table on stdout. A run of some stages (--stages a,b) updates
// those stages in the results file and keeps the others' last figures: each stage carries the date, commit and dump
// size (dumpBytes: a dump written again has another) it was measured at.
//
// Options: --objects N (live objects the generator aims at, default 14000000), --stages a,b (default: all),
// --regenerate (write the dump even if an up-to-date one exists), --heap ast|synthetic: which generator writes the
// dump: bench/bigheap (default: Go's sources parsed into ASTs, bench/results.json) or bench/genheap (a service's
// tenants, sessions, events and a tree, built without parsing: 70 M objects in about a minute; its own files,
// bench/output/genheap-N.dump and bench/results-synthetic-N.json for N objects), --binary PATH: the executable that
// wrote the existing dump (nothing is built or written: for a dump written by a build from another checkout, whose
// binary differs in its embedded paths and so in its segment addresses).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { STAGES } from './stages.js';

const GO_VERSION = '1.26';
const DEFAULT_OBJECTS = 14_000_000;

const here = dirname(fileURLToPath(import.meta.url)); // dist/bench
const root = resolve(here, '..', '..');
const benchDir = join(root, 'bench');
const outputDir = join(benchDir, 'output');
const goroot = join(root, '.toolchains', `go${GO_VERSION}`);
const goBin = join(goroot, 'bin', 'go');
let bigheapSrc = join(benchDir, 'bigheap');
let bigheapBin = join(outputDir, 'bigheap');
let dumpPath = join(outputDir, 'bigheap.dump');
let factsPath = join(outputDir, 'bigheap.json');
let resultsPath = join(benchDir, 'results.json');

/** The generator's sources and outputs for `--heap synthetic` (bench/genheap), per object count. */
function useSynthetic(objects: number): void {
  bigheapSrc = join(benchDir, 'genheap');
  bigheapBin = join(outputDir, 'genheap');
  dumpPath = join(outputDir, `genheap-${objects}.dump`);
  factsPath = join(outputDir, `genheap-${objects}.json`);
  resultsPath = join(benchDir, `results-synthetic-${objects}.json`);
}

/** What bigheap prints, plus how long the whole run took. */
interface BigheapFacts {
  goVersion: string;
  targetObjects: number;
  heapObjects: number;
  heapAllocBytes: number;
  filesParsed: number;
  sourceFiles: number;
  passes: number;
  astNodes: number;
  parseSeconds: number;
  dumpSeconds: number;
  dumpBytes: number;
  programWallSeconds: number;
  /** generatorSource() of the binary that wrote the dump. */
  generatorSource?: string;
}

interface Options { objects: number; stages: string[]; regenerate: boolean; heap: 'ast' | 'synthetic'; binary?: string }

class BenchError extends Error {}

function parseArgs(argv: string[]): Options {
  const opts: Options = { objects: DEFAULT_OBJECTS, stages: Object.keys(STAGES), regenerate: false, heap: 'ast' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--objects') opts.objects = Number(argv[++i]);
    else if (a === '--stages') opts.stages = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (a === '--regenerate') opts.regenerate = true;
    else if (a === '--binary') opts.binary = resolve(argv[++i] ?? '');
    else if (a === '--heap') {
      const h = argv[++i];
      if (h !== 'ast' && h !== 'synthetic') throw new BenchError('--heap wants ast or synthetic');
      opts.heap = h;
    } else throw new BenchError(`unknown argument ${a} (use --objects N, --stages a,b, --regenerate, --heap ast|synthetic, --binary PATH)`);
  }
  if (!Number.isSafeInteger(opts.objects) || opts.objects <= 0) throw new BenchError('--objects wants a positive integer');
  if (opts.binary !== undefined && opts.regenerate) throw new BenchError('--binary reuses the existing dump: it cannot go with --regenerate');
  for (const s of opts.stages) if (!STAGES[s]) throw new BenchError(`unknown stage ${s}; known: ${Object.keys(STAGES).join(', ')}`);
  return opts;
}

const goEnv = { ...process.env, GOROOT: goroot, GOTOOLCHAIN: 'local', GOPROXY: 'off', GOFLAGS: '', CGO_ENABLED: '0' };

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 });
  if (r.error) throw new BenchError(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new BenchError(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
  return r.stdout;
}

function ensureGo(): void {
  if (existsSync(goBin) && existsSync(join(goroot, 'src', 'runtime'))) return;
  console.log(`Installing Go ${GO_VERSION} into ${relative(root, goroot)} ...`);
  run(join(root, 'scripts', 'install-go.sh'), [GO_VERSION], root);
}

/** Builds bigheap unless the binary is newer than its sources. */
function ensureBigheap(): void {
  const stamp = `${bigheapBin}.source`;
  if (existsSync(bigheapBin) && existsSync(stamp) && readFileSync(stamp, 'utf8') === generatorSource()) return;
  console.log(`Building ${relative(root, bigheapSrc)} ...`);
  // -trimpath: the binary does not depend on the checkout it is built from (worktrees share bench/output).
  run(goBin, ['build', '-trimpath', '-o', bigheapBin, '.'], bigheapSrc, goEnv);
  writeFileSync(stamp, generatorSource());
}

/**
 * What the generator is built from: a hash of its sources and the Go version. The binary and the dumps it wrote
 * are reused while it is the same, whatever the files' modification times (a fresh checkout's are all new).
 */
function generatorSource(): string {
  const h = createHash('sha256').update(GO_VERSION);
  for (const f of ['main.go', 'go.mod']) h.update(readFileSync(join(bigheapSrc, f)));
  return h.digest('hex').slice(0, 16);
}

/** Writes the dump unless one exists that this binary wrote for the same target. */
function ensureDump(opts: Options): BigheapFacts {
  if (opts.binary !== undefined) {
    // The given binary wrote the dump: never write it again (the binary is likely newer than it).
    if (!existsSync(opts.binary) || !existsSync(factsPath) || !existsSync(dumpPath)) {
      throw new BenchError(`--binary wants an existing dump and its facts: ${relative(root, dumpPath)}, ${relative(root, factsPath)}`);
    }
    console.log(`Reusing ${relative(root, dumpPath)} with ${opts.binary}`);
    return JSON.parse(readFileSync(factsPath, 'utf8')) as BigheapFacts;
  }
  if (!opts.regenerate && existsSync(factsPath) && existsSync(dumpPath)) {
    const facts = JSON.parse(readFileSync(factsPath, 'utf8')) as BigheapFacts;
    if (facts.targetObjects === opts.objects && facts.dumpBytes === statSync(dumpPath).size && facts.generatorSource === generatorSource()) {
      console.log(`Reusing ${relative(root, dumpPath)} (${mb(facts.dumpBytes)} MB)`);
      return facts;
    }
  }
  console.log(`Writing ${relative(root, dumpPath)} (${relative(outputDir, bigheapBin)} -objects ${opts.objects}) ...`);
  const t0 = performance.now();
  const out = run(bigheapBin, ['-objects', String(opts.objects), dumpPath], outputDir, goEnv);
  const programWallSeconds = (performance.now() - t0) / 1000;
  const facts = { ...(JSON.parse(out.trim().split('\n').pop() ?? '{}') as BigheapFacts), programWallSeconds: round(programWallSeconds, 2), generatorSource: generatorSource() };
  writeFileSync(factsPath, JSON.stringify(facts, null, 2) + '\n');
  console.log(`  ${mb(facts.dumpBytes)} MB, ${facts.heapObjects} live objects, ${facts.programWallSeconds} s`);
  return facts;
}

type StageResult = {
  name: string; wallSeconds?: number; peakRssMB?: number; error?: string; measuredAt?: string; commit?: string; dumpBytes?: number;
} & Record<string, unknown>;

/**
 * The commit the working tree is at (with "+dirty" when it has uncommitted changes besides the results files), or
 * "unknown" outside git.
 */
function currentCommit(): string {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' });
  if (head.status !== 0) return 'unknown';
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no', '--', '.', ':(exclude)bench/results*.json'],
    { cwd: root, encoding: 'utf8' });
  return head.stdout.trim() + (dirty.status === 0 && dirty.stdout.trim() !== '' ? '+dirty' : '');
}

/**
 * The results file as the last runs left it, or null when there is none (or it cannot be read). Its stages are kept
 * with the size of the dump they were measured on (the file's, for stages written before stages carried it).
 */
function previousResults(): { dump?: { bytes?: number; objects?: number | null }; stages?: StageResult[] } | null {
  if (!existsSync(resultsPath)) return null;
  try {
    const r = JSON.parse(readFileSync(resultsPath, 'utf8')) as { dump?: { bytes?: number; objects?: number | null }; stages?: StageResult[] };
    for (const s of r.stages ?? []) if (s.dumpBytes === undefined && typeof r.dump?.bytes === 'number') s.dumpBytes = r.dump.bytes;
    return r;
  } catch {
    return null;
  }
}

/** The stages of the last results with this run's replacing theirs (in the last order; new stages at the end). */
function mergeStages(previous: StageResult[], measured: StageResult[]): StageResult[] {
  const byName = new Map(measured.map((s) => [s.name, s]));
  const merged = previous.map((s) => byName.get(s.name) ?? s);
  const known = new Set(previous.map((s) => s.name));
  for (const s of measured) if (!known.has(s.name)) merged.push(s);
  return merged;
}

/** Runs one stage in a fresh node process and returns the JSON line it printed. */
function runStage(name: string): StageResult {
  console.log(`Stage ${name}: ${STAGES[name].description}`);
  const r = spawnSync(process.execPath, [...(STAGES[name].nodeOptions ?? []), join(here, 'stage.js'), name, dumpPath, bigheapBin], {
    cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20,
    env: STAGES[name].environment?.(process.env, statSync(dumpPath).size) ?? process.env,
  });
  const last = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !last.startsWith('{')) {
    return { name, error: r.error?.message ?? `exited with ${r.status ?? r.signal}` };
  }
  return JSON.parse(last) as StageResult;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function mb(bytes: number): number {
  return round(bytes / (1 << 20), 1);
}

function printTable(stages: StageResult[]): void {
  const rows = [['stage', 'wall s', 'peak RSS MB', 'figures']];
  for (const s of stages) {
    const { name, wallSeconds, peakRssMB, error, measuredAt: _at, commit: _commit, dumpBytes: _bytes, ...rest } = s;
    const figures = error ? `FAILED: ${error}` : Object.entries(rest).slice(0, 6).map(([k, v]) => `${k}=${String(v)}`).join(' ');
    rows.push([name, wallSeconds?.toFixed(2) ?? '-', peakRssMB?.toFixed(0) ?? '-', figures]);
  }
  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c].length)));
  for (const r of rows) console.log(`${r[0].padEnd(widths[0])}  ${r[1].padStart(widths[1])}  ${r[2].padStart(widths[2])}  ${r[3]}`);
}

function main(): number {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.heap === 'synthetic') useSynthetic(opts.objects);
  mkdirSync(outputDir, { recursive: true });
  if (opts.binary !== undefined) bigheapBin = opts.binary;
  else {
    ensureGo();
    ensureBigheap();
  }
  const facts = ensureDump(opts);
  const measuredAt = new Date().toISOString();
  const commit = currentCommit();
  const dumpBytes = statSync(dumpPath).size;
  const stages: StageResult[] = opts.stages.map((name) => ({ ...runStage(name), measuredAt, commit, dumpBytes }));
  const previous = previousResults();
  const counted = stages.find((s) => s.name === 'naive-count' && typeof s.objects === 'number');
  // The object count the naive-count stage found last, if it counted this same dump.
  const previousObjects = typeof previous?.dump?.objects === 'number' && previous.dump.bytes === dumpBytes ? previous.dump.objects : null;
  const results = {
    machine: { cpus: cpus().length, memGB: round(totalmem() / 2 ** 30, 1), node: process.version },
    dump: {
      path: relative(root, dumpPath),
      bytes: statSync(dumpPath).size,
      // Object records in the dump (counted by the naive-count stage); null when that stage did not run.
      objects: counted ? (counted.objects as number) : previousObjects,
      generator: { ...facts },
    },
    stages: mergeStages(previous?.stages ?? [], stages),
  };
  // Paths inside the project are written relative to it, so the results carry nothing machine-specific.
  // So are the generator's paths into another checkout's bench/output or .toolchains (the dumps are shared).
  const relativePaths = (_key: string, v: unknown) => {
    if (typeof v !== 'string' || !v.startsWith('/')) return v;
    if (v.startsWith(root + '/')) return relative(root, v);
    const at = Math.max(v.lastIndexOf('/bench/output/'), v.lastIndexOf('/.toolchains/'));
    return at >= 0 ? v.slice(at + 1) : v;
  };
  writeFileSync(resultsPath, JSON.stringify(results, relativePaths, 2) + '\n');
  console.log(`\nDump: ${results.dump.path}, ${mb(results.dump.bytes)} MB, ${results.dump.objects ?? '?'} objects ` +
    `(${facts.goVersion}, written in ${facts.programWallSeconds} s)`);
  printTable(stages);
  console.log(`Wrote ${relative(root, resultsPath)}`);
  return stages.some((s) => s.error) ? 1 : 0;
}

try {
  process.exitCode = main();
} catch (err) {
  if (!(err instanceof BenchError)) throw err;
  console.error(`bench: ${err.message}`);
  process.exitCode = 1;
}
