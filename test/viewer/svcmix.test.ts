// The viewer on fixtures/svcmix (a service-shaped program), as a new user clicks through it: a global pointing at a
// value the linker allocated (main.Sessions) shows what that value retains and links to it; that value's address
// (as a field shows it, or typed in the search box) leads to its root page instead of a 404; time.Timer on Go 1.23+
// names the type the runtime allocates; the diff page shows the broker's messages growing as shared memory. Numbers
// from the program's facts; the CLI's --json as the other side. And `goheap serve` whose dump is replaced under it
// says so once on stderr, and its pages answer 409.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'chai';
import { ROOT, scratchDir } from '../support/fixtures.js';
import { svcmixBinary, svcmixDump, svcmixFacts } from '../support/svcmix.js';
import { CACHE, cli, getJson, openViewer, type Viewer } from './viewer-support.js';

describe('viewer on fixtures/svcmix go1.26 (fastify inject)', function () {
  const version = '1.26';
  const facts = svcmixFacts(version);
  const dump = svcmixDump(version, 'heap2');
  const bin = svcmixBinary(version);
  let v: Viewer;
  before(async function () {
    v = await openViewer(dump, bin, svcmixDump(version, 'heap1'));
  });
  after(async () => v?.close());

  it('a global pointing at a statically allocated value: its root page says what that value retains, and links to it', async function () {
    const o = cli('object', dump, bin, 'main.Sessions');
    const page = await v.app.inject('/roots?name=main.Sessions');
    expect(page.statusCode).to.equal(200);
    expect(page.body).to.include(`<a class="root" href="/roots?name=*main.Sessions">*main.Sessions</a>`);
    const j = await getJson(v.app, '/api/roots?name=main.Sessions');
    expect(j.pointsAt).to.deep.equal(o.pointsAt);
    expect(j.pointsAt.type).to.equal(facts.static['main.Sessions'].type);
    const value = await getJson(v.app, `/api/roots?name=${encodeURIComponent('*main.Sessions')}`);
    expect(value.root.retained).to.equal(o.pointsAt.retained);
  });

  it('its address, opened as an object or searched for, leads to its root page', async function () {
    const a = cli('object', dump, bin, 'main.Broker').pointsAt.address as string;
    const inside = `0x${(Number.parseInt(a, 16) + 8).toString(16)}`;
    for (const url of [`/object/${a}`, `/object/${inside}`, `/search?q=${a}`]) {
      const r = await v.app.inject(url);
      expect(r.statusCode, url).to.be.oneOf([302, 303]);
      expect(r.headers.location, url).to.equal(`/roots?name=${encodeURIComponent('*main.Broker')}`);
    }
  });

  it('time.Timer: the page says the runtime allocates it as runtime.timeTimer, and the search lists that type first', async function () {
    const t = facts.timers;
    const r = await v.app.inject('/type/time.Timer');
    expect(r.statusCode).to.equal(404);
    expect(r.body).to.include(`the runtime allocates time.Timer objects as runtime.timeTimer (${t.newTimer + t.newTicker + t.afterFunc} runtime.timeTimer objects in this dump`);
    const s = await getJson(v.app, '/api/search?q=time.Timer');
    expect(s.results[0]).to.include({ kind: 'type', name: 'runtime.timeTimer' });
  });

  it('diff: the messages\' growth is the first row of the roots that changed, as shared memory', async function () {
    const j = await getJson(v.app, '/api/diff?limit=1000');
    const c = cli('diff', svcmixDump(version, 'heap1'), dump, bin, '--limit', '0');
    expect(j.roots).to.deep.equal(c.roots.slice(0, j.roots.length));
    expect(j.roots[0]).to.include({ kind: 'shared', retainedDelta: facts.heap2.alone.messages.bytes - facts.heap1.alone.messages.bytes });
    const page = await v.app.inject('/diff');
    expect(page.body).to.include('<span class="kind">shared</span> ← *main.Broker, main.(*Subscriber).run');
  });
});

describe('goheap serve on fixtures/svcmix: the dump replaced under it', function () {
  this.timeout(120000);
  it('says it once on stderr, its pages answer 409, and Ctrl-C still stops it cleanly', async function () {
    const dir = scratchDir('viewer-svcmix-replaced');
    const live = path.join(dir, 'live.dump');
    fs.copyFileSync(svcmixDump('1.26', 'heap1'), live);
    const child = spawn(process.execPath, [path.join(ROOT, 'dist/cli/goheap.js'), 'serve', live, svcmixBinary('1.26'), '--port', '0'],
      { env: { ...process.env, GOHEAP_CACHE_DIR: CACHE } });
    let stderr = '';
    const waitFor = (re: RegExp): Promise<void> => new Promise((resolve, reject) => {
      const check = (): void => { if (re.test(stderr)) resolve(); };
      child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); check(); });
      child.on('exit', (code) => reject(new Error(`exited ${code} before ${re}: ${stderr}`)));
      check();
    });
    try {
      await waitFor(/loaded in/);
      const url = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stderr)![1];
      expect((await fetch(`${url}api/types`)).status).to.equal(200);
      fs.copyFileSync(svcmixDump('1.26', 'heap2'), live);
      for (let k = 0; k < 3; k++) {
        const r = await fetch(`${url}types`);
        expect(r.status).to.equal(409);
        expect(await r.text()).to.include('the dump changed on disk since it was loaded (rewritten): restart goheap serve');
      }
      expect(stderr.split('\n').filter((l) => l.includes('changed on disk'))).to.deep.equal([
        `goheap: ${live} changed on disk since it was loaded (rewritten): the pages answer 409 until goheap serve is restarted`,
      ]);
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGINT');
      expect(await exited).to.equal(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
