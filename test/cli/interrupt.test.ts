// Ctrl-C (and SIGTERM) during a command's cold open, which runs in a worker thread (cli/cold-open.ts): the process
// ends at once by that signal with one line, leaves no unfinished index file in the cache, and the next run answers
// exactly as a run in an empty cache does. The biggest fixture's dump with its binary: its cold open takes seconds,
// and the signal is sent once the open has started writing its index (a temporary file appears in the cache).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'chai';
import { ROOT, scratchDir } from '../support/fixtures.js';
import { json } from './analysis-cli.js';

const DUMP = path.join(ROOT, '.cache/fixtures/httpserver/go1.26/heap1.dump');
const BIN = path.join(ROOT, '.cache/fixtures/httpserver/go1.26/httpserver');

/** Runs goheap with `args` over an empty cache, sends `signal` once a temporary file is in the cache; how it ended. */
async function interrupted(cache: string, signal: NodeJS.Signals, args: string[]): Promise<{ code: number | null; signal: string | null; stderr: string; sentAfterMs: number; endedAfterMs: number }> {
  const c = spawn(process.execPath, [path.join(ROOT, 'dist/cli/goheap.js'), ...args],
    { env: { ...process.env, GOHEAP_CACHE_DIR: cache }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  c.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
  const t0 = Date.now();
  let sentAt = 0;
  const poll = setInterval(() => {
    if (sentAt) return;
    const names = fs.existsSync(cache) ? fs.readdirSync(cache) : [];
    if (names.some((n) => n.endsWith('.tmp'))) {
      sentAt = Date.now();
      c.kill(signal);
    }
  }, 2);
  const [code, sig] = await new Promise<[number | null, string | null]>((resolve) => c.on('close', (a, b) => resolve([a, b])));
  clearInterval(poll);
  return { code, signal: sig, stderr, sentAfterMs: sentAt ? sentAt - t0 : -1, endedAfterMs: Date.now() - (sentAt || t0) };
}

describe('cli: a signal during a cold open', function () {
  it('Ctrl-C ends `goheap types` at once with one line, no unfinished index file, and the next run answers as an empty cache does', async function () {
    const cache = scratchDir('cli-interrupt-types');
    const r = await interrupted(cache, 'SIGINT', ['types', DUMP, BIN, '--json']);
    expect(r.sentAfterMs, 'the open never started writing its index').to.be.greaterThan(0);
    expect([r.code, r.signal]).to.deep.equal([null, 'SIGINT']);
    expect(r.stderr.split('\n').filter(Boolean)).to.deep.equal([`goheap: ${DUMP}: interrupted by SIGINT while opening it; no unfinished index file is left`]);
    // The worker is stopped where it is (the open runs for seconds more otherwise).
    expect(r.endedAfterMs).to.be.lessThan(2000);
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
  });
});
