// Every link of the viewer leads to a page: a breadth-first crawl (bounded) from the overview over several
// fixtures (zoo on Go 1.19 and 1.26, leak, httpserver, generics), following every href of every HTML page and its JSON
// twin, and finding no 4xx or 5xx. Links reached from the client script (a retainer's referrers, a tree node's
// children) are JSON: their hrefs are followed too.
import * as path from 'node:path';
import { expect } from 'chai';
import { ROOT, zooBinary, zooDump } from '../support/fixtures.js';
import { openViewer, type Viewer } from './viewer-support.js';

/** The hrefs of an HTML page (attribute values, entities decoded), same-site only. */
export function pageLinks(body: string): string[] {
  const out: string[] = [];
  for (const m of body.matchAll(/\bhref="([^"]*)"/g)) {
    const h = m[1].replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#96;/g, '`').replace(/&amp;/g, '&');
    if (h.startsWith('/') && !h.startsWith('//')) out.push(h);
  }
  return out;
}

/** The hrefs a JSON answer names ("href" members). */
function jsonLinks(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) for (const x of v) jsonLinks(x, out);
  else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k === 'href' && typeof x === 'string' && x.startsWith('/')) out.push(x);
      else jsonLinks(x, out);
    }
  }
  return out;
}

export interface CrawlResult {
  visited: number;
  failures: string[];
}

/** Crawls from '/' breadth-first, at most `bound` pages; the first 4xx/5xx responses (with the page that linked them). */
export async function crawl(v: Viewer, bound: number): Promise<CrawlResult> {
  const seen = new Set<string>(['/']);
  const queue: [string, string][] = [['/', '(start)']];
  const failures: string[] = [];
  let visited = 0;
  while (queue.length > 0 && visited < bound) {
    const [u, from] = queue.shift()!;
    visited++;
    const r = await v.app.inject(u);
    if (r.statusCode >= 400) {
      failures.push(`${r.statusCode} ${u} (linked from ${from}): ${r.body.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').slice(-200)}`);
      continue;
    }
    if (r.statusCode >= 300) {
      const to = String(r.headers.location ?? '');
      if (to !== '' && !seen.has(to)) {
        seen.add(to);
        queue.push([to, u]);
      }
      continue;
    }
    const ct = String(r.headers['content-type'] ?? '');
    const links = ct.startsWith('text/html') ? pageLinks(r.body) : ct.startsWith('application/json') ? jsonLinks(JSON.parse(r.body)) : [];
    // Pages the client script fetches: an object's retainers, a tree node's children.
    const obj = /^\/object\/(0x[0-9a-f]+)$/.exec(u);
    if (obj) links.push(`/api/object/${obj[1]}/retainers`);
    for (const m of r.body.matchAll(/data-node="([^"]+)"/g)) links.push(`/api/dominators?node=${encodeURIComponent(m[1])}&flame=0&limit=100`);
    for (const l of links) {
      if (l.startsWith('/assets/')) continue;
      if (!seen.has(l)) {
        seen.add(l);
        queue.push([l, u]);
      }
    }
  }
  return { visited, failures };
}

const fixture = (name: string, version: string, dump = 'heap1'): [string, string] => {
  const dir = path.join(ROOT, '.cache/fixtures', name, `go${version}`);
  return [path.join(dir, `${dump}.dump`), path.join(dir, name)];
};

const CASES: [string, string, string][] = [
  ['zoo 1.19', zooDump('1.19', 'heap2'), zooBinary('1.19')],
  ['zoo 1.26', zooDump('1.26', 'heap2'), zooBinary('1.26')],
  ['leak 1.26', ...fixture('leak', '1.26', 'heap2')],
  ['httpserver 1.22', ...fixture('httpserver', '1.22')],
  ['generics 1.19', ...fixture('generics', '1.19')],
];

describe('viewer crawl: every link leads to a page', function () {
  this.timeout(600000);
  for (const [name, dump, binary] of CASES) {
    it(`${name}: 300 pages breadth-first, no 4xx or 5xx`, async () => {
      const v = await openViewer(dump, binary);
      try {
        const { visited, failures } = await crawl(v, 300);
        expect(visited).to.equal(300);
        expect(failures, failures.slice(0, 30).join('\n')).to.deep.equal([]);
      } finally {
        await v.close();
      }
    });
  }
});
