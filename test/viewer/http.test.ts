// The viewer's HTTP edges: methods other than GET/HEAD get 405, a request with two Host headers is refused, a URL
// too long gets a 414 after the Host check, every refusal carries the security headers, and a dump changed on disk
// after loading (rewritten in place, replaced by rename, truncated, deleted) makes every page answer 409.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { expect } from 'chai';
import { scratchDir, zooBinary, zooDump } from '../support/fixtures.js';
import { serve } from '../../viewer/server.js';
import { CACHE, openViewer } from './viewer-support.js';

const HEADERS = ['content-security-policy', 'x-content-type-options', 'x-frame-options', 'cross-origin-opener-policy'];

function secure(headers: Record<string, unknown>): void {
  for (const h of HEADERS) expect(headers[h], h).to.be.a('string');
}

/** A raw HTTP/1.1 request to 127.0.0.1:port; the status line and the headers (lower-cased names). */
function raw(port: number, request: string): Promise<{ status: number; headers: Record<string, string> }> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(request));
    let out = '';
    s.on('data', (d) => { out += d.toString('latin1'); });
    s.on('error', reject);
    s.on('end', () => {
      const [head] = out.split('\r\n\r\n');
      const lines = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const l of lines.slice(1)) {
        const k = l.indexOf(':');
        headers[l.slice(0, k).toLowerCase()] = l.slice(k + 1).trim();
      }
      resolve({ status: Number(lines[0].split(' ')[1]), headers });
    });
  });
}

describe('viewer HTTP: methods, Host headers, long URLs', function () {
  this.timeout(120000);
  it('405 for POST, PUT, DELETE, PATCH on pages and unknown paths, with Allow and the security headers', async () => {
    const v = await openViewer(zooDump('1.26'), zooBinary('1.26'));
    try {
      for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const) {
        for (const u of ['/', '/types', '/api/types', '/nowhere']) {
          const r = await v.app.inject({ method, url: u, headers: { host: 'localhost' } });
          expect(r.statusCode, `${method} ${u}`).to.equal(405);
          expect(r.headers.allow).to.equal('GET, HEAD');
          secure(r.headers);
        }
      }
      expect((await v.app.inject({ method: 'HEAD', url: '/types', headers: { host: 'localhost' } })).statusCode).to.equal(200);
      // A foreign Host is refused before the method is looked at, with the headers too.
      const foreign = await v.app.inject({ method: 'POST', url: '/types', headers: { host: 'evil.example' } });
      expect(foreign.statusCode).to.equal(403);
      secure(foreign.headers);
      // 414: after the Host check (a foreign host gets 403 whatever the URL), with the headers.
      const long = `/type/${'x'.repeat(9000)}`;
      const l = await v.app.inject({ url: long, headers: { host: 'localhost' } });
      expect(l.statusCode).to.equal(414);
      secure(l.headers);
      expect((await v.app.inject({ url: long, headers: { host: 'evil.example' } })).statusCode).to.equal(403);
    } finally {
      await v.close();
    }
  });

  it('a real server refuses a request with two Host headers (400), and answers one with one', async () => {
    const server = await serve({ dump: zooDump('1.26'), binary: zooBinary('1.26'), port: 0, host: '127.0.0.1', cacheDir: CACHE, log: () => undefined });
    try {
      const port = Number(new URL(server.url).port);
      const two = await raw(port, 'GET /types HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\nConnection: close\r\n\r\n');
      expect(two.status).to.equal(400);
      secure(two.headers);
      const twoGood = await raw(port, 'GET /types HTTP/1.1\r\nHost: localhost\r\nhost: 127.0.0.1\r\nConnection: close\r\n\r\n');
      expect(twoGood.status).to.equal(400);
      const one = await raw(port, 'GET /assets/viewer.css HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
      expect(one.status).to.equal(200);
      secure(one.headers);
    } finally {
      await server.close();
    }
  });
});

describe('viewer: 409 once the dump changed on disk', function () {
  this.timeout(300000);
  const PAGES = ['/', '/types', '/api/types', '/roots', '/goroutines', '/dominators', '/suspects', '/type/main.Session'];

  /** Opens a copy of zoo 1.26 heap1, checks the pages answer, applies `change`, checks every page answers 409. */
  async function after(name: string, change: (file: string, dir: string) => void): Promise<void> {
    const dir = scratchDir(`viewer-409-${name}`);
    const file = path.join(dir, 'heap.dump');
    fs.copyFileSync(zooDump('1.26', 'heap1'), file);
    const v = await openViewer(file, zooBinary('1.26'));
    try {
      const top = JSON.parse((await v.app.inject({ url: '/api/types', headers: { host: 'localhost' } })).body);
      expect(top.types.length).to.be.greaterThan(0);
      const sessions = JSON.parse((await v.app.inject({ url: '/api/type/main.Session', headers: { host: 'localhost' } })).body);
      const pages = [...PAGES, ...sessions.instances.slice(0, 2).map((o: { address: string }) => `/object/${o.address}`)];
      expect(pages.length).to.equal(PAGES.length + 2);
      for (const u of pages) expect((await v.app.inject({ url: u, headers: { host: 'localhost' } })).statusCode, u).to.be.oneOf([200, 302]);
      change(file, dir);
      for (const u of pages) {
        const r = await v.app.inject({ url: u, headers: { host: 'localhost' } });
        expect(r.statusCode, `${name}: ${u}`).to.equal(409);
        expect(r.body).to.include('the dump changed on disk since it was loaded');
        expect(r.body).to.include('restart goheap serve');
        secure(r.headers);
      }
    } finally {
      await v.close();
    }
  }

  it('rewritten in place (same size, other bytes)', async () => {
    await after('rewrite', (file) => {
      const b = fs.readFileSync(file);
      // Another dump's bytes, cut to the same size: what a program writing its next dump over the old one leaves.
      const other = fs.readFileSync(zooDump('1.26', 'heap2')).subarray(0, b.length);
      fs.writeFileSync(file, other);
    });
  });
  it('replaced by rename', async () => {
    await after('rename', (file, dir) => {
      const tmp = path.join(dir, 'next.dump');
      fs.copyFileSync(zooDump('1.26', 'heap2'), tmp);
      fs.renameSync(tmp, file);
    });
  });
  it('truncated', async () => {
    await after('truncate', (file) => fs.truncateSync(file, 1000));
  });
  it('deleted', async () => {
    await after('delete', (file) => fs.rmSync(file));
  });
});

describe('viewer: --baseline checked at start; Diff in the menu only with a baseline', function () {
  this.timeout(300000);
  const leak = (d: string) => path.join(path.dirname(zooDump('1.26')), '../../leak/go1.26', d);

  for (const withBinary of [true, false]) {
    it(`a baseline of another program ${withBinary ? '(with the binary)' : '(without a binary)'} ends serve with one line`, async () => {
      let fatal: string | undefined;
      const server = await serve({
        dump: zooDump('1.26', 'heap2'), binary: withBinary ? zooBinary('1.26') : undefined, baseline: leak('heap1.dump'), port: 0, host: '127.0.0.1',
        cacheDir: CACHE, log: () => undefined, onFatal: (line) => { fatal = line; },
      });
      try {
        for (let k = 0; k < 1200 && fatal === undefined; k++) await new Promise((r) => setTimeout(r, 50));
        expect(fatal).to.be.a('string');
        expect(fatal!.split('\n')).to.have.length(1);
        expect(fatal).to.match(withBinary ? /^goheap: --baseline .*heap1\.dump: .*zoo: does not match .*heap1\.dump/ : /^goheap: --baseline .*heap1\.dump: .*written by another program than/);
      } finally {
        await server.close();
      }
    });
  }

  it('"Diff" is in the menu with a baseline of the same program, and not without one', async () => {
    const nav = (body: string) => /<nav>(.*?)<\/nav>/s.exec(body)![1];
    const plain = await openViewer(zooDump('1.26', 'heap2'), zooBinary('1.26'));
    try {
      expect(nav((await plain.app.inject({ url: '/', headers: { host: 'localhost' } })).body)).to.not.include('/diff');
    } finally {
      await plain.close();
    }
    const withBase = await openViewer(zooDump('1.26', 'heap2'), zooBinary('1.26'), zooDump('1.26', 'heap1'));
    try {
      expect(withBase.state.baselineStatus).to.equal('ready');
      expect(nav((await withBase.app.inject({ url: '/', headers: { host: 'localhost' } })).body)).to.include('href="/diff"');
      expect((await withBase.app.inject({ url: '/diff', headers: { host: 'localhost' } })).statusCode).to.equal(200);
    } finally {
      await withBase.close();
    }
  });

  it('/diff shows the CLI\'s hint when the baseline looks newer than the dump (arguments swapped), and none otherwise', async () => {
    const swapped = await openViewer(zooDump('1.26', 'heap1'), zooBinary('1.26'), zooDump('1.26', 'heap2'));
    try {
      const page = await swapped.app.inject({ url: '/diff', headers: { host: 'localhost' } });
      expect(page.statusCode).to.equal(200);
      const hint = /<p class="hint" id="diff-hint">Hint: (.*?)<\/p>/.exec(page.body);
      expect(hint, 'hint paragraph').to.not.equal(null);
      expect(hint![1]).to.match(/heap2\.dump looks newer than .*heap1\.dump/);
      const api = await swapped.app.inject({ url: '/api/diff', headers: { host: 'localhost' } });
      expect(api.json().hint).to.match(/looks newer/);
    } finally {
      await swapped.close();
    }
    const inOrder = await openViewer(zooDump('1.26', 'heap2'), zooBinary('1.26'), zooDump('1.26', 'heap1'));
    try {
      expect((await inOrder.app.inject({ url: '/diff', headers: { host: 'localhost' } })).body).to.not.include('diff-hint');
    } finally {
      await inOrder.close();
    }
  });
});
