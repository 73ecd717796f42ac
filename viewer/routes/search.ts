// `/search?q=`: an address (of any byte inside an object, or inside a global) leads to the object's page (the
// global's root page), a global's name to its root, a type's name to its page (time.Timer on Go 1.23+ lists
// runtime.timeTimer first, the type the runtime allocates its objects as); anything else lists the types and roots whose names contain the text. The
// twin /api/search answers {query, results: [{kind, name, href}]} (one exact match: the page redirects to it).
import { html } from '../html.js';
import { count, hex, objectHref, rootHref, typeHref } from '../layout.js';
import type { Ctx, Router } from '../router.js';
import { parseAddress, queryOf, text } from '../params.js';
import { badRequest } from '../errors.js';
import * as answers from '../answers.js';
import { allocatedAs } from '../../lib/typing/index.js';

interface Result {
  kind: 'object' | 'global' | 'root' | 'type';
  name: string;
  href: string;
}

const LIMIT = 50;

function search(c: Ctx, q: string): { exact: boolean; results: Result[] } {
  const s = c.s;
  const t = q.trim();
  const a = parseAddress(t);
  if (!Number.isNaN(a) && /^(0x)?[0-9a-f]+$/i.test(t)) {
    const i = s.findObject(a);
    if (i >= 0) return { exact: true, results: [{ kind: 'object', name: `${hex(s.address(i))} ${s.typeName(i)}`, href: objectHref(s.address(i)) }] };
    // A global's bytes (a value the linker allocated, "*main.Cache", is one): that global.
    const g = s.globalAt(a);
    if (g !== undefined) return { exact: true, results: [{ kind: 'global', name: g.name, href: rootHref(g.name) }] };
  }
  // A name can be a global's and a type's at once (main.Node the variable, main.Node the type): then both are listed.
  const roots = answers.roots(c).roots;
  const exact: Result[] = [];
  const root = roots.find((r) => r.name === t && r.kind !== 'shared');
  if (root) exact.push({ kind: root.kind === 'global' ? 'global' : 'root', name: root.name, href: rootHref(root.name) });
  if (s.hasInstances(t)) exact.push({ kind: 'type', name: t, href: typeHref(t) });
  if (exact.length > 0) return { exact: exact.length === 1, results: exact };
  const results: Result[] = s.findTypes(t, LIMIT).map((r) => ({ kind: 'type' as const, name: r.type, href: typeHref(r.type) }));
  // time.Timer on Go 1.23+: the runtime's own type its objects are allocated as, first.
  const as = s.program === undefined ? undefined : allocatedAs(s.program, t);
  if (as !== undefined && s.hasInstances(as)) results.unshift({ kind: 'type', name: as, href: typeHref(as) });
  const lower = t.toLowerCase();
  for (const r of roots) {
    if (results.length >= 2 * LIMIT) break;
    if (r.kind !== 'shared' && r.name.toLowerCase().includes(lower)) results.push({ kind: r.kind === 'global' ? 'global' : 'root', name: r.name, href: rootHref(r.name) });
  }
  return { exact: false, results };
}

export function register(r: Router): void {
  r.page({
    path: '/search',
    // Any text not found as an object or global is looked up as a type name, among the instances (search() trims
    // it): while a first start builds their index, the session looks for the name's row in one pass over the objects
    // (unless the heap is too big for it).
    needsStructures: (req, c) => c.s.instanceStructuresToWaitFor((text(queryOf(req), 'q') ?? '').trim()),
    data(c, req) {
      const q = text(queryOf(req), 'q') ?? '';
      if (q.trim() === '') throw badRequest('q: give an address, a global name or a type name');
      const found = search(c, q);
      return { query: q, exact: found.exact, results: found.results };
    },
    redirect(d) {
      return d.exact ? d.results[0].href : undefined;
    },
    render(d) {
      const list = d.results.length === 0 ? html`<p class="muted">Nothing matches: not an address inside a heap object, nor a global, nor a type.</p>`
        : html`<ul class="results">${d.results.map((x) => html`<li><span class="kind">${x.kind}</span> <a href="${x.href}">${x.name}</a></li>`)}</ul>`;
      return { title: `Search: ${d.query}`, body: html`<p>${count(d.results.length)} result${d.results.length === 1 ? '' : 's'}.</p>${list}` };
    },
  });
}
