// The viewer end to end in real headless Chromium (Debian's chromium driven by playwright-core): `goheap serve`'s
// server on the zoo go1.26 fixture (heap2, with heap1 as the baseline), walked by clicking as a user would:
// overview → types → a type → an instance → a retainer (expanding the retainers tree) → the path to a root → the
// root → goroutines (a group, a goroutine); the dominator tree expanded and the flame graph zoomed. Screenshots of
// each step go to .cache/test-output/viewer/. Also: a foreign Host header is refused by the real server.
import * as http from 'node:http';
import * as path from 'node:path';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import type { RunningViewer } from '../../viewer/server.js';
import { zooBinary, zooDump, zooFacts } from '../support/fixtures.js';
import { type BrowserViewer, outputDir, serveInBrowser } from './viewer-support.js';

describe('viewer in Chromium: a walk through the zoo heap', function () {
  this.timeout(300000);
  const facts = zooFacts('1.26');
  let v: BrowserViewer;
  let server: RunningViewer;
  let page: Page;
  let errors: string[];
  let shot = 0;
  const snap = async (name: string): Promise<void> => {
    shot++;
    await page.screenshot({ path: path.join(outputDir(), `${String(shot).padStart(2, '0')}-${name}.png`), fullPage: false });
  };

  before(async () => {
    v = await serveInBrowser({ dump: zooDump('1.26', 'heap2'), binary: zooBinary('1.26'), baseline: zooDump('1.26', 'heap1') });
    ({ server, page, errors } = v);
  });
  after(async () => {
    await v?.close();
  });

  it('shows the load progress first, then the overview', async () => {
    await page.goto(server.url);
    // Either still loading (the page reloads itself) or already there.
    await page.waitForSelector('h1:text("Overview")', { timeout: 120000 });
    expect(await page.locator('table.facts').first().innerText()).to.include(facts.goVersion);
    await snap('overview');
  });

  it('walks overview → types → main.Session → an instance → a retainer → the path from a root → the root', async () => {
    await page.click('nav >> text=Types');
    await page.waitForSelector('h1:text("Types")');
    await page.fill('input[data-filter=types]', 'main.Session');
    const visible = await page.locator('#types tbody tr:visible').count();
    expect(visible).to.be.greaterThan(0);
    await snap('types-filtered');
    await page.click('#types a.type:text-is("main.Session")');
    await page.waitForSelector('h1:text("Type main.Session")');
    expect(await page.locator('main').innerText()).to.include(`${facts.counts.Session2} instances`);
    await snap('type-session');
    await page.locator('#instances a.addr').first().click();
    await page.waitForSelector('h1:text-matches("^Object 0x")');
    expect(await page.locator('#summary').innerText()).to.include('main.Session');
    await snap('object-session');
    // Expand the retainers tree: the first retainer's own referrers come from /api.
    const first = page.locator('ul.retainers > li.node').first();
    await first.locator('button.toggle').click();
    await first.locator('ul.tree > li').first().waitFor();
    expect(await first.locator('ul.tree > li').count()).to.be.greaterThan(0);
    await snap('retainers-expanded');
    // Follow a retainer to its own page.
    await first.locator('a.addr').first().click();
    await page.waitForSelector('h1:text-matches("^Object 0x")');
    // The shortest path from a root starts at a root: follow it to the root's page.
    const root = page.locator('ol.path a.root').first();
    const rootName = await root.innerText();
    expect(rootName).to.equal('main.LeakyCache');
    await snap('retainer-path');
    await root.click();
    await page.waitForSelector(`h1:text("Root ${rootName}")`);
    await snap('root');
  });

  it('opens the goroutines: a group, then one goroutine with its frames', async () => {
    await page.click('nav >> text=Goroutines');
    await page.waitForSelector('h1:text("Goroutines")');
    const group = page.locator('details.group', { hasText: facts.recurseFunc }).first();
    if ((await group.getAttribute('open')) === null) await group.locator('summary').first().click();
    await group.locator('details.goroutine summary').first().click();
    const frames = group.locator('details.goroutine ol.frames').first();
    await frames.waitFor();
    expect(await frames.innerText()).to.include(facts.recurseFunc);
    await snap('goroutines');
  });

  it('expands the dominator tree and zooms the flame graph', async () => {
    await page.click('nav >> text=Dominators');
    await page.waitForSelector('h1:text("Dominator tree")');
    const bars = page.locator('#flame g.bar');
    const n = await bars.count();
    expect(n).to.be.greaterThan(3);
    await snap('flame');
    // Click the second bar (the biggest root): it then spans the whole width.
    const bar = bars.nth(1);
    const before = Number(await bar.locator('rect').getAttribute('width'));
    await bar.click();
    const after = Number(await bar.locator('rect').getAttribute('width'));
    expect(after).to.be.greaterThan(before);
    expect(after).to.be.closeTo(1200, 0.5);
    expect(await page.locator('#flame-info').innerText()).to.match(/retains/);
    await snap('flame-zoomed');
    const node = page.locator('ul.dominators > li.node').first();
    await node.locator('button.toggle').click();
    await node.locator('ul.tree > li').first().waitFor();
    expect(await node.locator('ul.tree > li').count()).to.be.greaterThan(0);
    await snap('dominators-expanded');
  });

  it('shows the diff against the baseline and the object page of the list head with its neighbourhood', async () => {
    await page.click('nav >> text=Diff');
    await page.waitForSelector('h1:text("Diff against the baseline")');
    expect(await page.locator('#diff-types').innerText()).to.include('main.Session');
    await snap('diff');
    await page.fill('header input[name=q]', facts.addresses.ListHead);
    await page.press('header input[name=q]', 'Enter');
    await page.waitForSelector(`h1:text("Object ${facts.addresses.ListHead}")`);
    expect(await page.locator('div.neighbourhood > svg').count()).to.equal(1);
    await page.locator('div.neighbourhood').scrollIntoViewIfNeeded();
    await snap('neighbourhood');
    expect(errors).to.deep.equal([]);
  });

  it('refuses a foreign Host header on the real server', async () => {
    const u = new URL(server.url);
    const status = (host: string) => new Promise<number>((resolve, reject) => {
      http.get({ hostname: u.hostname, port: u.port, path: '/api/types', headers: { host } }, (res) => { res.resume(); resolve(res.statusCode ?? 0); }).on('error', reject);
    });
    expect(await status('attacker.example')).to.equal(403);
    expect(await status(`localhost:${u.port}`)).to.equal(200);
  });
});
