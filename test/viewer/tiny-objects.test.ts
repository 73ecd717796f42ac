// Tiny allocator blocks' sub-objects in the viewer, on the realtypes fixture (1-, 2-, 4- and 8-byte values boxed in
// interfaces, several to a 16-byte block): /type/main.Num lists the program's 1,000 boxed Nums, each linked to its own
// page, which shows the sub-object (its type, its 8 bytes holding the value the program stored, its block linked);
// the block's page (?block=1) lists its sub-objects; a crawl from the boxed types' pages finds no 4xx or 5xx; in
// Chromium, a click from /type/main.Num to an instance, to its block, and back to the sub-object.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'chai';
import { ROOT } from '../support/fixtures.js';
import { chromium } from 'playwright-core';
import { serve } from '../../viewer/server.js';
import { CACHE, CHROMIUM, getJson, openViewer, type Viewer } from './viewer-support.js';
import { crawl, pageLinks } from './crawl-support.js';

const BOXED = ['main.Flag', 'main.Half', 'main.Dot', 'main.Num'];

for (const version of ['1.19', '1.26']) {
  describe(`viewer: tiny sub-objects are instances (realtypes go${version})`, function () {
    this.timeout(600000);
    const dir = path.join(ROOT, '.cache/fixtures/realtypes', `go${version}`);
    const facts = JSON.parse(fs.readFileSync(path.join(ROOT, 'fixtures/realtypes', `go${version}`, 'facts.json'), 'utf8'));
    let v: Viewer;
    before(async () => { v = await openViewer(path.join(dir, 'heap1.dump'), path.join(dir, 'realtypes')); });
    after(async () => { await v?.close(); });

    it('/type/NAME counts the boxed values as the program does, and links each to its own page', async () => {
      for (const name of BOXED) {
        const d = await getJson(v.app, `/api/type/${encodeURIComponent(name)}?limit=1000`);
        expect([name, d.count, d.bytes]).to.deep.equal([name, facts.counts[name], facts.counts[name] * facts.sizes[name]]);
        expect(d.instances.every((x: { size: number }) => x.size === facts.sizes[name]), name).to.equal(true);
        const page = await v.app.inject(`/type/${encodeURIComponent(name)}`);
        expect(page.statusCode).to.equal(200);
        const links = pageLinks(page.body).filter((l) => l.startsWith('/object/'));
        expect(links.slice(0, 50)).to.deep.equal(d.instances.slice(0, 50).map((x: { address: string }) => `/object/${x.address}`));
        for (const l of links.slice(0, 5)) {
          const o = await getJson(v.app, `/api${l}`);
          expect([o.type, o.size, o.address]).to.deep.equal([name, facts.sizes[name], l.slice('/object/'.length)]);
        }
      }
    });

    it('/object/ADDRESS of a boxed Num: its type, its bytes (the value the program stored), its block; the block lists it', async () => {
      const d = await getJson(v.app, '/api/type/main.Num?limit=1000');
      const values = new Set<bigint>();
      for (const x of d.instances.slice(0, 100)) {
        const o = await getJson(v.app, `/api/object/${x.address}`);
        expect([o.type, o.size, o.reachable, o.retained]).to.deep.equal(['main.Num', 8, true, 8]);
        // Num(i*1000 + 300) for i in 0..999, little-endian in the sub-object's 8 bytes.
        expect(o.hex.size).to.equal(8);
        const value = Buffer.from(o.hex.hex, 'hex').readBigInt64LE(0);
        expect(value % 1000n, `${x.address}: ${value}`).to.equal(300n);
        values.add(value);
        // Its block: the address it is in, at its offset; the block's page lists the sub-object there.
        const offset = Number(BigInt(x.address) - BigInt(o.block.address));
        expect(offset).to.equal(o.block.offset);
        const b = await getJson(v.app, `/api/object/${o.block.address}?block=1`);
        expect(b.type).to.equal('tiny block');
        expect(b.subObjects.map((s: { offset: number; type: string }) => `${s.type}@${s.offset}`)).to.include(`main.Num@${offset}`);
        // The interface in main.Shapes points at the sub-object, not at its block.
        expect(o.retainers.rows.map((r: { type: string }) => r.type)).to.satisfy((t: string[]) => t.length > 0 && t.every((x) => /main\.Shape$/.test(x)));
        expect(o.fields).to.deep.equal([{ name: '(value)', offset: 0, type: 'main.Num', value: String(value) }]);
        expect(o.path.path[o.path.path.length - 1].type).to.equal('main.Num');
      }
      expect(values.size).to.equal(Math.min(100, d.instances.length));
      // The HTML page: the type linked, the block linked to its own page.
      const x = d.instances[0].address;
      const o = await getJson(v.app, `/api/object/${x}`);
      const page = await v.app.inject(`/object/${x}`);
      expect(page.statusCode).to.equal(200);
      expect(pageLinks(page.body)).to.include.members(['/type/main.Num', `/object/${o.block.address}?block=1`]);
      const block = await v.app.inject(`/object/${o.block.address}?block=1`);
      expect(pageLinks(block.body)).to.include(`/object/${x}`);
    });

    it('a crawl from the boxed types\' pages: 150 pages, no 4xx or 5xx', async () => {
      const { visited, failures } = await crawl(v, 150, BOXED.map((n) => `/type/${encodeURIComponent(n)}`));
      expect(visited).to.equal(150);
      expect(failures, failures.slice(0, 30).join('\n')).to.deep.equal([]);
    });
  });
}

describe('viewer in Chromium: type main.Num -> a boxed Num -> its tiny block -> the Num (realtypes go1.26)', function () {
  this.timeout(300000);
  it('each page shows what it is: the sub-object (type, 8 bytes, its block) and the block (its sub-objects)', async () => {
    const dir = path.join(ROOT, '.cache/fixtures/realtypes/go1.26');
    const server = await serve({ dump: path.join(dir, 'heap1.dump'), binary: path.join(dir, 'realtypes'), port: 0, host: '127.0.0.1', cacheDir: CACHE, log: () => undefined });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${server.url}type/main.Num`);
      await page.waitForSelector('h1:text("Type main.Num")', { timeout: 120000 });
      const first = (await page.locator('#instances a.addr').first().innerText()).trim();
      await page.locator('#instances a.addr').first().click();
      await page.waitForSelector(`h1:text("Object ${first}")`);
      const summary = await page.locator('#summary').innerText();
      expect(summary).to.match(/type\s+main\.Num/).and.to.match(/size\s+8 B/).and.to.match(/in tiny block\s+0x[0-9a-f]+ at offset \d+/);
      await page.locator('#summary a.addr').first().click();
      await page.waitForSelector('h1:text-matches("^Object 0x")');
      expect(page.url()).to.match(/\?block=1$/);
      expect(await page.locator('#summary').innerText()).to.match(/type\s+tiny block/);
      await page.locator(`#sub-objects a.addr:text-is("${first}")`).click();
      await page.waitForSelector(`h1:text("Object ${first}")`);
      expect(await page.locator('#summary').innerText()).to.match(/type\s+main\.Num/);
      expect(errors).to.deep.equal([]);
    } finally {
      await browser.close();
      await server.close();
    }
  });
});
