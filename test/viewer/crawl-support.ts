// The viewer's crawler (crawl.test.ts, tiny-objects.test.ts): every href of every HTML page and JSON answer,
// breadth-first from given pages, bounded, with the 4xx/5xx answers found.
import type { Viewer } from './viewer-support.js';

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

/** Crawls from `start` ('/') breadth-first, at most `bound` pages; the first 4xx/5xx responses (with the page that linked them). */
export async function crawl(v: Viewer, bound: number, start: string[] = ['/']): Promise<CrawlResult> {
  const seen = new Set<string>(start);
  const queue: [string, string][] = start.map((u) => [u, '(start)']);
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

