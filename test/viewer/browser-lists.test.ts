// In real Chromium (Debian's chromium through playwright-core), on `goheap serve` over the zoo go1.26 fixture:
// a column sort of a paged list sorts every row on the server (not only the rows on screen); the flame graph fills
// the width of a node with many children (the map buckets holding 500 sessions and 499 tiny blocks); and a
// screenshot of every kind of page goes to .cache/test-output/viewer/pages-*.png for a person to look at.
import * as path from 'node:path';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import type { RunningViewer } from '../../viewer/server.js';
import { zooBinary, zooDump } from '../support/fixtures.js';
import { type BrowserViewer, outputDir, serveInBrowser } from './viewer-support.js';

describe('viewer in Chromium: paged sorts, the flame graph, every page type', function () {
  this.timeout(300000);
  let v: BrowserViewer;
  let server: RunningViewer;
  let page: Page;
  let errors: string[];
  const api = async (u: string): Promise<any> => (await fetch(new URL(u, server.url))).json();

  before(async () => {
    v = await serveInBrowser({ dump: zooDump('1.26', 'heap2'), binary: zooBinary('1.26'), baseline: zooDump('1.26', 'heap1') });
    ({ server, page, errors } = v);
    await page.goto(server.url);
    await page.waitForSelector('h1:text("Overview")', { timeout: 120000 });
  });
  after(async () => {
    await v?.close();
  });

  it('a click on a column of a paged list sorts all rows on the server', async () => {
    const all: { name: string; count: number }[] = (await api('/api/types')).types;
    const byName = all.map((t) => t.name).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    // The first 20 rows (by bytes) do not hold the name that comes first of all: an in-page sort would show another.
    expect(all.slice(0, 20).map((t) => t.name)).to.not.include(byName[0]);
    await page.goto(new URL('/types?limit=20', server.url).toString());
    expect(await page.getAttribute('#types', 'data-paged')).to.equal('1');
    await Promise.all([page.waitForURL(/sort=name/), page.click('#types th[data-sort=name] a')]);
    const first = await page.locator('#types tbody tr').first().locator('td').last().innerText();
    expect(first).to.equal(byName[0]);
    expect(page.url()).to.include('limit=20');
    expect(await page.locator('#types tbody tr').count()).to.equal(20);
  });

  it('the flame graph of a node with 999 children is filled to what they retain together', async () => {
    const sus = await api('/api/suspects');
    const acc = sus.suspects.find((x: { name: string }) => x.name === 'main.LeakyCache').accumulation;
    expect(acc.children).to.equal(999);
    // The cache accumulates in its map; the entries hang below the map's own parts (directory, table, groups):
    // go down while a node dominates one object only, to the node whose children they are.
    let node = await api(`/api/dominators?node=${acc.address}`);
    while (node.total === 1) node = await api(`/api/dominators?node=${node.children[0].id}`);
    expect(node.total).to.be.at.least(999);
    const focus = node.node.address;
    await page.goto(new URL(`/dominators?node=${focus}`, server.url).toString());
    const widths = await page.$$eval('#flame g.bar', (gs) => gs.map((g) => ({
      depth: Number((g as any).dataset.depth), w: Number((g as any).dataset.w), label: (g as any).dataset.label ?? '',
    })));
    const obj = await api(`/api/object/${focus}`);
    const children = widths.filter((x) => x.depth === 1);
    const filled = children.reduce((a, x) => a + x.w, 0);
    // What the children retain together is the node's retained bytes less its own size.
    expect(filled).to.be.closeTo((obj.retained - obj.size) / obj.retained, 1e-9);
    expect(children.some((x) => /^[0-9,]+ × main\.Session$/.test(x.label))).to.equal(true);
    await page.screenshot({ path: path.join(outputDir(), 'pages-flame-filled.png') });
  });

  it('every kind of page draws without script errors (screenshots)', async () => {
    const sus = await api('/api/suspects');
    const obj = sus.suspects.find((x: { name: string }) => x.name === 'main.LeakyCache').accumulation.address;
    const session = (await api('/api/type/main.Session')).instances[0].address;
    const pages: [string, string][] = [
      ['overview', '/'], ['types', '/types'], ['type', '/type/main.Session'], ['type-array', `/type/${encodeURIComponent('[]*main.Node')}`],
      ['object', `/object/${session}`], ['object-buckets', `/object/${obj}`], ['roots', '/roots'], ['root', '/roots?name=main.LeakyCache'],
      ['goroutines', '/goroutines'], ['dominators', '/dominators'], ['suspects', '/suspects'], ['allocs', '/allocs'], ['diff', '/diff'],
      ['search', '/search?q=Session'], ['not-found', '/type/nothing.Here'],
    ];
    errors.length = 0;
    for (const [name, u] of pages) {
      const r = await page.goto(new URL(u, server.url).toString());
      expect(r?.status(), u).to.equal(name === 'not-found' ? 404 : 200);
      await page.screenshot({ path: path.join(outputDir(), `pages-${name}.png`), fullPage: false });
    }
    // (Chromium logs the 404 of the last page as a failed resource: not an error of a page.)
    expect(errors.filter((e) => !/status of 404/.test(e))).to.deep.equal([]);
    expect(errors.length).to.be.at.most(1);
  });
});
