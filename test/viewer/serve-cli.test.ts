// `goheap serve` as a user runs it: it prints the URL at once and answers; a second one on the same port ends with
// one line and exit 1; a missing dump is one line too; Ctrl-C (SIGINT) stops it cleanly with exit 0.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import { expect } from 'chai';
import { ROOT, scratchDir, zooBinary, zooDump } from '../support/fixtures.js';
import { CACHE } from './viewer-support.js';

const CLI = path.join(ROOT, 'dist/cli/goheap.js');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
    s.on('error', reject);
  });
}

/** Resolves with the first stderr text matching `re`. */
function waitFor(child: ChildProcess, re: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stderr!.on('data', (d: Buffer) => {
      text += d.toString();
      if (re.test(text)) resolve(text);
    });
    child.on('exit', (code) => reject(new Error(`exited ${code} before ${re}: ${text}`)));
  });
}

describe('goheap serve on the command line', function () {
  this.timeout(120000);
  const env = { ...process.env, GOHEAP_CACHE_DIR: CACHE };

  it('prints the URL, answers, refuses a second server on the same port with one line, and stops on Ctrl-C', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [CLI, 'serve', zooDump('1.26'), zooBinary('1.26'), '--port', String(port)], { env });
    try {
      const said = await waitFor(child, /serving .* at http:\/\/127\.0\.0\.1:\d+\//);
      expect(said).to.include(`http://127.0.0.1:${port}/`);
      // Answers at once (loading or loaded).
      const r = await fetch(`http://127.0.0.1:${port}/api/types`);
      expect(r.status).to.be.oneOf([200, 503]);
      await waitFor(child, /loaded in/);
      expect((await fetch(`http://127.0.0.1:${port}/api/types`)).status).to.equal(200);
      const second = spawnSync(process.execPath, [CLI, 'serve', zooDump('1.26'), '--port', String(port)], { env, encoding: 'utf8', timeout: 60000 });
      expect(second.status).to.equal(1);
      expect(second.stderr.trim().split('\n')).to.have.length(1);
      expect(second.stderr).to.match(new RegExp(`^goheap: 127\\.0\\.0\\.1:${port}: the port is in use`));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGINT');
      expect(await exited).to.equal(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('with GOHEAP_TRACE_MEMORY=1 on an index the CLI wrote, the derived-index builder\'s traces come out on its stderr, named as its', async () => {
    const cache = scratchDir('serve-builder-trace');
    const cold = spawnSync(process.execPath, [CLI, 'info', zooDump('1.26'), zooBinary('1.26')], { env: { ...env, GOHEAP_CACHE_DIR: cache }, encoding: 'utf8', timeout: 120000 });
    expect(cold.status, cold.stderr).to.equal(0);
    const port = await freePort();
    const child = spawn(process.execPath, [CLI, 'serve', zooDump('1.26'), zooBinary('1.26'), '--port', String(port)],
      { env: { ...env, GOHEAP_CACHE_DIR: cache, GOHEAP_TRACE_MEMORY: '1' } });
    try {
      // Each structure it writes, as it writes it, the last one (the instance lists by length) included.
      const said = await waitFor(child, /goheap: derived-index builder: memory: [0-9.]+ s derived instances-by-length kept: rss/);
      for (const name of ['instances', 'instances-by-length']) {
        expect(said).to.match(new RegExp(`^goheap: derived-index builder: memory: [0-9.]+ s derived ${name} kept: rss \\d+ MB`, 'm'));
      }
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('names a missing dump in one line, exit 1', () => {
    const r = spawnSync(process.execPath, [CLI, 'serve', '/no/such.dump', '--port', '0'], { env, encoding: 'utf8', timeout: 60000 });
    expect(r.status).to.equal(1);
    expect(r.stderr.trim()).to.equal('goheap: /no/such.dump: no such file');
  });
});
