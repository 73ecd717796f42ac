// The viewer in headless Chromium on fixtures/spread (go1.26 heap2): the suspects page shows the subscriptions'
// aggregate with its composition and a goroutine group's composition (what the jobs' goroutines keep, by type), and
// /roots page 1 shows the program's globals with their reachable sizes (the CLI's numbers, read from the page).
import * as path from 'node:path';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import type { RunningViewer } from '../../viewer/server.js';
import { bytes } from '../../lib/answers/index.js';
import { json } from '../cli/analysis-cli.js';
import { spreadBinary, spreadDump, spreadFacts } from '../support/spread.js';
import { scratchDir } from '../support/fixtures.js';
import { type BrowserViewer, outputDir, serveInBrowser } from './viewer-support.js';

describe('viewer in Chromium: leaks spread over many objects (fixtures/spread)', function () {
  this.timeout(300000);
  const f = spreadFacts('1.26').heap2;
  const dump = spreadDump('1.26', 'heap2');
  const bin = spreadBinary('1.26');
  const cache = scratchDir('viewer-spread');
  let v: BrowserViewer;
  let server: RunningViewer;
  let page: Page;
  let errors: string[];

  before(async () => {
    v = await serveInBrowser({ dump, binary: bin });
    ({ server, page, errors } = v);
    await page.goto(server.url);
    await page.waitForSelector('h1:text("Overview")', { timeout: 120000 });
  });
  after(async () => {
    await v?.close();
  });

  it('suspects: the subscriptions first with their composition, and the jobs\' goroutine group with what it keeps', async () => {
    await page.goto(`${server.url}suspects`);
    await page.waitForSelector('h1:text("Leak suspects")');
    const first = await page.locator('#suspect-1').innerText();
    expect(first).to.match(new RegExp(`aggregate ${f.subscriptions.count.toLocaleString('en-US')} x main\\.Subscription\\[`));
    expect(first).to.include('Composition');
    // The members the accumulation point points at: their shares are of what the suspect retains (all of it here).
    const shares = (await page.locator('#suspect-1 table').first().locator('tr td:last-child').allInnerTexts()).map((t) => Number.parseFloat(t));
    expect(shares.length).to.be.above(0);
    for (const s of shares) expect(s).to.be.at.most(100);
    expect(shares.reduce((x, y) => x + y, 0)).to.be.within(99.8, 100.2); // the members retain what the suspect does
    const profiles = await page.locator('#composition-1 tr', { hasText: 'main.Profile' }).innerText();
    expect(profiles).to.include(f.profiles.count.toLocaleString('en-US'));
    expect(profiles).to.include(bytes(f.profiles.bytes));
    // The goroutine group: no accumulation point, no path; its composition by type instead.
    const cli = json(cache, 'suspects', dump, bin);
    const k = cli.suspects.findIndex((x: { kind: string }) => x.kind === 'goroutines');
    const group = await page.locator(`#suspect-${k + 1}`).innerText();
    expect(group).to.match(/main\.\(\*Job\)\.run/);
    expect(group).to.include('Composition: what it keeps alive directly');
    expect(group).to.not.include('Unreachable');
    const row = await page.locator(`#suspect-${k + 1} table tr`, { hasText: bytes(f.scratch.bytes) }).first().innerText();
    expect(row.split('\t')[0]).to.equal(f.scratch.count.toLocaleString('en-US'));
    await page.screenshot({ path: path.join(outputDir(), 'spread-suspects.png') });
  });

  it('/roots page 1 shows the program\'s globals with their reachable sizes', async () => {
    await page.goto(`${server.url}roots`);
    await page.waitForSelector('h1:text("Roots")');
    const cli = json(cache, 'roots', dump, bin, '--limit', '0');
    for (const name of ['main.ByID', 'main.ByHash', 'main.Registry']) {
      const g = cli.globals.find((x: { name: string }) => x.name === name);
      const text = await page.locator('#globals tr', { hasText: name }).first().innerText();
      expect(text).to.include(bytes(g.reachable));
      expect(g.reachable).to.be.above(g.retained);
    }
    // The cache's two indexes reach every entry: their reachable size covers the entries and values.
    const byId = cli.globals.find((x: { name: string }) => x.name === 'main.ByID');
    expect(byId.reachable - byId.retained).to.equal(f.entriesAlone.bytes);
    expect(byId.sharesWith).to.deep.equal(['main.ByHash']);
    expect(await page.locator('#globals tr', { hasText: 'main.ByID' }).first().innerText()).to.include('main.ByHash');
    // The shared entries are one row of the roots table, with their count.
    // (The subscriptions with their channels are another row of as many objects, above it.)
    const shared = await page.locator('#roots tr', { hasText: `${f.entries.count.toLocaleString('en-US')} objects` }).filter({ hasText: 'main.Entry' }).first().innerText();
    expect(shared).to.match(/shared 0x[0-9a-f]+\s+main\.Entry\b/);
    expect(shared).to.include(bytes(f.entriesAlone.bytes));
    await page.screenshot({ path: path.join(outputDir(), 'spread-roots.png') });
    expect(errors).to.deep.equal([]);
  });
});
