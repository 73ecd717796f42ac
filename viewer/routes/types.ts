// `/types`: the type histogram: objects, bytes and retained bytes per type, sortable by each column, with a
// filter (by name, case-insensitive). Its twin /api/types is the CLI's `types --json --limit 0` document, the rows
// filtered, sorted and paged as the page shows them (no parameters: exactly the CLI's rows).
import { html, url } from '../html.js';
import { count, pager, pct, size, table, typeLink } from '../layout.js';
import type { Router } from '../router.js';
import * as answers from '../answers.js';
import { choice, paging, queryOf, text } from '../params.js';

const SORTS = ['bytes', 'retained', 'count', 'name'] as const;

export function register(r: Router): void {
  r.page({
    needsStructures: false,
    path: '/types',
    data(c, req) {
      const q = queryOf(req);
      const sort = choice(q, 'sort', SORTS);
      const filter = text(q, 'q') ?? '';
      const { offset, limit } = paging(q, 1000, 5000);
      const all = answers.types(c);
      const f = filter.toLowerCase();
      let rows = f === '' ? all.types : all.types.filter((t) => t.name.toLowerCase().includes(f));
      if (sort !== 'bytes') {
        rows = [...rows].sort(sort === 'name' ? (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
          : sort === 'count' ? (a, b) => b.count - a.count || b.bytes - a.bytes : (a, b) => b.retainedBytes - a.retainedBytes || b.bytes - a.bytes);
      }
      return { ...all, sort, filter, offset, limit, matching: rows.length, types: rows.slice(offset, offset + limit) };
    },
    render(d) {
      const link = (o: Record<string, string | number>) => url('/types', { sort: d.sort === 'bytes' ? undefined : d.sort, q: d.filter, limit: d.limit === 1000 ? undefined : d.limit, ...o });
      const t = table(
        [{ label: 'objects', num: true, sort: 'count' }, { label: 'bytes', num: true, sort: 'bytes' }, { label: 'retained', num: true, sort: 'retained' },
          { label: 'type', sort: 'name' }],
        d.types.map((x) => [html`${count(x.count)}`, size(x.bytes), size(x.retainedBytes), typeLink(x.name)]),
        { id: 'types', sortUrl: (k) => url('/types', { sort: k, q: d.filter, limit: d.limit === 1000 ? undefined : d.limit }), current: d.sort, filterable: true, paged: d.offset > 0 || d.matching > d.limit },
      );
      return {
        title: 'Types',
        body: html`<p>${count(d.typeCount)} types; typed: ${count(d.typedObjects)} of ${count(d.reachableObjects)} reachable objects (${pct(d.typedObjects, d.reachableObjects)}),
 ${pct(d.typedBytes, d.reachableBytes)} of the reachable bytes. Retained: what all instances of a type keep alive together.</p>
<form class="filter" action="/types" method="get"><input type="search" name="q" value="${d.filter}" placeholder="filter types" data-filter="types" aria-label="filter types">
${d.sort !== 'bytes' ? html`<input type="hidden" name="sort" value="${d.sort}">` : html``}<button>Filter</button></form>
${d.filter ? html`<p>${count(d.matching)} types match.</p>` : html``}
${t}
${pager(d.matching, d.offset, d.limit, (o) => link({ offset: o }))}`,
      };
    },
  });
}
