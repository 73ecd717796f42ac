// The hostile fixture (fixtures/hostile: a Go 1.26 heap whose strings, type names, field names and a struct tag
// carry script tags, attribute breakers, quotes and invalid UTF-8) through the viewer: in the HTML every payload is
// escaped, and in real Chromium no dialog opens, no script from the heap runs, no element from the heap appears,
// and the strings show as text.
import * as path from 'node:path';
import * as fs from 'node:fs';
import { expect } from 'chai';
import { chromium, type Browser } from 'playwright-core';
import { ROOT } from '../support/fixtures.js';
import { serve, type RunningViewer } from '../../viewer/server.js';
import { isInert, neighbourhoodDot, renderSvg } from '../../viewer/data/neighbourhood.js';
import { CACHE, CHROMIUM, getJson, openViewer, outputDir, type Viewer } from './viewer-support.js';

const DIR = path.join(ROOT, '.cache/fixtures/hostile/go1.26');
const DUMP = path.join(DIR, 'heap1.dump');
const BIN = path.join(DIR, 'hostile');

interface HostileFacts {
  payloads: string[];
  addresses: { Root: string; Tagged: string; Strings: string[]; Chain: string };
  typeName: string;
  fieldNames: string[];
  globalName: string;
}

function facts(): HostileFacts {
  return JSON.parse(fs.readFileSync(path.join(ROOT, 'fixtures/hostile/go1.26/facts.json'), 'utf8')) as HostileFacts;
}

/** Raw markup from the payloads that must never reach a page unescaped. */
const ACTIVE = ['<script>alert', '<img src=x', '<svg onload', '</textarea><script>', '"><img', "'><svg", '" onmouseover="'];

describe('viewer on the hostile fixture: everything from the heap is escaped (inject)', function () {
  this.timeout(120000);
  const f = facts();
  let v: Viewer;
  before(async () => {
    v = await openViewer(DUMP, BIN);
  });
  after(async () => v?.close());

  function pages(): string[] {
    const tagged = `/type/${encodeURIComponent('struct { V string "<script>alert(\\"tag\\")</script>" }')}`;
    return ['/', '/types', '/roots', `/roots?name=${encodeURIComponent(f.globalName)}`, '/goroutines', '/dominators', '/suspects',
      `/object/${f.addresses.Root}`, `/object/${f.addresses.Chain}`, `/object/${f.addresses.Tagged}`, ...f.addresses.Strings.map((a) => `/object/${a}`),
      `/type/${encodeURIComponent(f.typeName)}`, tagged, `/search?q=${encodeURIComponent('Ωμέγα')}`, `/search?q=${encodeURIComponent('<script>alert(1)</script>')}`,
      `/types?q=${encodeURIComponent('"><img src=x onerror=alert(9)>')}`];
  }

  it('holds the payloads, the odd names and the tag, and shows them escaped on every page', async () => {
    const root = await getJson(v.app, `/api/object/${f.addresses.Root}`);
    expect(root.type).to.equal(f.typeName);
    expect(root.fields.map((x: { name: string }) => x.name)).to.include.members(['Ñame', '𝓕ield', 'ǅata', 'Ключ']);
    expect(root.fields.find((x: { name: string }) => x.name === 'Ñame').value).to.equal(JSON.stringify(f.payloads[0]));
    const tagged = await getJson(v.app, `/api/object/${f.addresses.Tagged}`);
    expect(tagged.type).to.equal('struct { V string "<script>alert(\\"tag\\")</script>" }');
    let sawEscaped = 0;
    for (const p of pages()) {
      const r = await v.app.inject(p);
      expect(r.statusCode, p).to.be.oneOf([200, 302]);
      for (const a of ACTIVE) expect(r.body, `${p} holds ${a}`).not.to.include(a);
      expect(r.body.match(/<script\b[^>]*>/g) ?? [], p).to.deep.equal(r.statusCode === 302 ? [] : ['<script src="/assets/viewer.js" defer>']);
      if (r.body.includes('&lt;script&gt;alert(1)&lt;/script&gt;')) sawEscaped++;
    }
    expect(sawEscaped).to.be.greaterThan(2);
    // The neighbourhood picture is drawn (not refused by the inert check) on the hostile objects' pages.
    for (const a of [f.addresses.Root, f.addresses.Tagged, f.addresses.Chain]) expect((await v.app.inject(`/object/${a}`)).body, a).to.include('<div class="neighbourhood"><svg');
    const page = await v.app.inject(`/object/${f.addresses.Tagged}`);
    expect(page.body).to.include('struct { V string &quot;&lt;script&gt;alert(\\&quot;tag\\&quot;)&lt;/script&gt;&quot; }');
    const g = await v.app.inject(`/roots?name=${encodeURIComponent(f.globalName)}`);
    expect(g.statusCode).to.equal(200);
    expect(g.body).to.include(f.globalName);
  });
});

describe('viewer on the hostile fixture in Chromium: nothing from the heap executes', function () {
  this.timeout(180000);
  const f = facts();
  let browser: Browser;
  let server: RunningViewer;
  before(async () => {
    server = await serve({ dump: DUMP, binary: BIN, port: 0, host: '127.0.0.1', cacheDir: CACHE, log: () => undefined });
    await server.state.settled();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('opens no dialog, runs no heap script, creates no heap element, and shows the strings as text', async () => {
    const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
    const dialogs: string[] = [];
    const errors: string[] = [];
    page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
    page.on('pageerror', (e) => errors.push(e.message));
    const blocked: string[] = [];
    page.on('console', (m) => { if (/Content Security Policy|Refused/.test(m.text())) blocked.push(m.text()); });
    const requested: string[] = [];
    page.on('request', (r) => requested.push(r.url()));
    const base = server.url.replace(/\/$/, '');
    const urls = [`/object/${f.addresses.Root}`, `/object/${f.addresses.Tagged}`, `/type/${encodeURIComponent(f.typeName)}`, '/types', '/roots',
      `/roots?name=${encodeURIComponent(f.globalName)}`, `/object/${f.addresses.Chain}`];
    for (const u of urls) {
      await page.goto(base + u);
      // Expand every retainer on the page (their rows come from /api and are built by the client script).
      for (const b of await page.locator('ul.retainers button.toggle').all()) await b.click();
      await page.waitForTimeout(200);
      // (A string: this project compiles without the DOM's types; the page runs it.)
      const active = await page.evaluate(`({
        imgs: document.querySelectorAll('img').length,
        handlers: Array.from(document.querySelectorAll('*')).filter((e) => Array.from(e.attributes).some((a) => a.name.startsWith('on'))).length,
        scripts: Array.from(document.scripts).map((s) => s.src),
        svgOnload: document.querySelectorAll('svg[onload]').length,
      })`) as { imgs: number; handlers: number; scripts: string[]; svgOnload: number };
      expect(active.imgs, u).to.equal(0);
      expect(active.handlers, u).to.equal(0);
      expect(active.svgOnload, u).to.equal(0);
      expect(active.scripts, u).to.deep.equal([`${base}/assets/viewer.js`]);
    }
    await page.goto(`${base}/object/${f.addresses.Root}`);
    const text = await page.locator('#fields').innerText();
    expect(text).to.include('<script>alert(1)</script>');
    expect(text).to.include('"><img src=x onerror=alert(2)>');
    expect(text).to.include('\\xff\\xfe<b>\\x00invalid utf-8');
    await page.screenshot({ path: path.join(outputDir(), 'hostile-object.png'), fullPage: true });
    await page.goto(`${base}/object/${f.addresses.Tagged}`);
    expect(await page.locator('h1').innerText()).to.equal(`Object ${f.addresses.Tagged}`);
    expect(await page.locator('#summary').innerText()).to.include('struct { V string "<script>alert(\\"tag\\")</script>" }');
    await page.screenshot({ path: path.join(outputDir(), 'hostile-tagged.png'), fullPage: true });
    expect(dialogs).to.deep.equal([]);
    expect(errors).to.deep.equal([]);
    // Nothing was fetched from anywhere but the viewer (an <img src=x> would have asked for /x).
    expect(requested.filter((u) => !u.startsWith(base) || /\/x$/.test(u))).to.deep.equal([]);
    await page.close();
  });
});

describe('viewer: the neighbourhood picture draws hostile labels as text', function () {
  this.timeout(60000);
  it('keeps each label as Graphviz text, entity-decoded back to the label, with nothing active in the SVG', async () => {
    const labels = [...facts().payloads.filter((p) => !/[\u0000-\u001f\u007f]/.test(p)), '&lt;b&gt; &amp;', '\\N \\G \\l trailing\\', 'a "quoted" label'];
    const nodes = labels.map((label, k) => ({ id: `n${k}`, kind: 'object', label, address: `0x${(k + 1).toString(16)}`, role: k === 0 ? 'self' as const : 'referrer' as const }));
    const edges = labels.slice(1).map((label, k) => ({ from: `n${k + 1}`, to: 'n0', label }));
    const svg = await renderSvg(neighbourhoodDot({ nodes, edges, moreReferrers: 0, moreTargets: 0 }));
    expect(svg).to.be.a('string');
    // Markup from the labels would show as a tag: none does (their "<" arrive as &lt;), and no attribute is active.
    expect(svg!).not.to.match(/<script|<img|<svg[^>]*onload/i);
    expect(isInert(svg!)).to.equal(true);
    expect(isInert('<svg><g onclick="x"></g></svg>')).to.equal(false);
    expect(isInert('<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>')).to.equal(false);
    expect(isInert('<svg><script>alert(1)</script></svg>')).to.equal(false);
    expect(isInert('<svg><a xlink:href="/object/0x1f" xlink:title="&quot; onmouseover=&quot;x"><text>a</text></a></svg>')).to.equal(true);
    const texts = [...svg!.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]
      .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&#45;/g, '-').replace(/&amp;/g, '&'));
    // Node labels are cut at 48 characters and edge labels at 32 (with an ellipsis): compare those prefixes.
    for (const l of labels) expect(texts.some((t) => t === l || (t.endsWith('…') && l.startsWith(t.slice(0, -1)))), l).to.equal(true);
  });
});
