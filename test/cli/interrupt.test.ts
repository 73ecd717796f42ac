// Ctrl-C (and SIGTERM) during a command's cold open, which runs in a process of its own (cli/cold-open.ts): the
// command ends at once by that signal with one line, leaves neither an unfinished index file in the cache nor the
// cold open's process running, and the next run answers exactly as a run in an empty cache does. A Ctrl-C is sent
// as a terminal sends it, to the whole process group. The biggest fixture's dump with its binary: its cold open takes seconds,
// and the signal is sent once the open has started writing its index (a temporary file appears in the cache).
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'chai';
import { ROOT, scratchDir } from '../support/fixtures.js';
import { json } from './analysis-cli.js';

const DUMP = path.join(ROOT, '.cache/fixtures/httpserver/go1.26/heap1.dump');
const BIN = path.join(ROOT, '.cache/fixtures/httpserver/go1.26/httpserver');

/** The processes (pids) whose command line names `script` and whose environment has GOHEAP_CACHE_DIR=`cache`. */
function processesOf(script: string, cache: string): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (cmd.includes(script) && fs.readFileSync(`/proc/${name}/environ`, 'utf8').split('\0').includes(`GOHEAP_CACHE_DIR=${cache}`)) out.push(Number(name));
    } catch {
      // gone meanwhile, or not ours
    }
  }
  return out;
}

/**
 * Runs goheap with `args` over an empty cache, sends `signal` once a temporary file is in the cache (to its whole
 * process group with `group`, as a terminal's Ctrl-C is); how it ended.
 */
async function interrupted(cache: string, signal: NodeJS.Signals, args: string[], group = false): Promise<{ code: number | null; signal: string | null; stderr: string; sentAfterMs: number; endedAfterMs: number }> {
  const c = spawn(process.execPath, [path.join(ROOT, 'dist/cli/goheap.js'), ...args],
    { env: { ...process.env, GOHEAP_CACHE_DIR: cache }, stdio: ['ignore', 'ignore', 'pipe'], detached: group });
  let stderr = '';
  c.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
  const t0 = Date.now();
  let sentAt = 0;
  const poll = setInterval(() => {
    if (sentAt) return;
    const names = fs.existsSync(cache) ? fs.readdirSync(cache) : [];
    if (names.some((n) => n.endsWith('.tmp'))) {
      sentAt = Date.now();
      if (group) process.kill(-c.pid!, signal);
      else c.kill(signal);
    }
  }, 2);
  const [code, sig] = await new Promise<[number | null, string | null]>((resolve) => c.on('close', (a, b) => resolve([a, b])));
  clearInterval(poll);
  return { code, signal: sig, stderr, sentAfterMs: sentAt ? sentAt - t0 : -1, endedAfterMs: Date.now() - (sentAt || t0) };
}

describe('cli: a signal during a cold open', function () {
  it('Ctrl-C ends `goheap types` at once with one line, no unfinished index file, and the next run answers as an empty cache does', async function () {
    const cache = scratchDir('cli-interrupt-types');
    const r = await interrupted(cache, 'SIGINT', ['types', DUMP, BIN, '--json'], true);
    expect(r.sentAfterMs, 'the open never started writing its index').to.be.greaterThan(0);
    expect([r.code, r.signal]).to.deep.equal([null, 'SIGINT']);
    expect(r.stderr.split('\n').filter(Boolean)).to.deep.equal([`goheap: ${DUMP}: interrupted by SIGINT while opening it; no unfinished index file is left`]);
    // The cold open's process is stopped where it is (the open runs for seconds more otherwise), and is gone.
    expect(r.endedAfterMs).to.be.lessThan(2000);
    expect(processesOf('cold-open-process.js', cache)).to.deep.equal([]);
    expect(fs.readdirSync(cache).filter((n) => n.endsWith('.tmp'))).to.deep.equal([]);
    // What is left is whole: the next run answers exactly as a first run in an empty cache.
    const again = json(cache, 'types', DUMP, BIN, '--limit', '0');
    const fresh = json(scratchDir('cli-interrupt-fresh'), 'types', DUMP, BIN, '--limit', '0');
    expect(again).to.deep.equal(fresh);
  });

  it('SIGTERM during an export\'s cold open says the export\'s own line once, and writes neither the output nor an index file', async function () {
    const cache = scratchDir('cli-interrupt-hprof');
    const out = scratchDir('cli-interrupt-hprof-out');
    const target = path.join(out, 'heap.hprof');
    const r = await interrupted(cache, 'SIGTERM', ['hprof', DUMP, BIN, target]);
    expect(r.sentAfterMs, 'the open never started writing its index').to.be.greaterThan(0);
    expect([r.code, r.signal]).to.deep.equal([null, 'SIGTERM']);
    expect(r.stderr.split('\n').filter(Boolean)).to.deep.equal([`goheap: ${target}: interrupted by SIGTERM; nothing was written`]);
    expect(fs.readdirSync(out)).to.deep.equal([]);
    expect(fs.readdirSync(cache).filter((n) => n.endsWith('.tmp'))).to.deep.equal([]);
    expect(processesOf('cold-open-process.js', cache)).to.deep.equal([]);
  });
});

describe('cli: a cold open whose process dies', function () {
  it('out of memory (a 16 MB JavaScript heap): one line that says so, exit 1, no stack trace, no index file left', function () {
    const cache = scratchDir('cli-cold-oom');
    const r = spawnSync(process.execPath, [path.join(ROOT, 'dist/cli/goheap.js'), 'info', DUMP, BIN], {
      env: { ...process.env, GOHEAP_CACHE_DIR: cache, NODE_OPTIONS: '--max-old-space-size=16' }, encoding: 'utf8', timeout: 60_000,
    });
    expect(r.status, r.stderr).to.equal(1);
    expect(r.stderr).to.equal(`goheap: ${DUMP}: opening it ran out of memory (the process opening it was killed by SIGABRT); a machine with more memory, or NODE_OPTIONS=--max-old-space-size=MB, may open it\n`);
    expect(r.stdout).to.equal('');
    expect(fs.readdirSync(cache).filter((n) => n.endsWith('.tmp'))).to.deep.equal([]);
    expect(processesOf('cold-open-process.js', cache)).to.deep.equal([]);
  });
});
