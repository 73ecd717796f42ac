// `/type/:name` (the name URL-encoded, as the types page names it): one type: its Go fields (with a binary), its
// instances paged and sorted by retained size, size or address, and which types refer to it, by field, with
// counts. Its twin is the CLI's `instances --json` document ({type, count, bytes, instances: [{address, size,
// retained}]}, lib/answers' instancesAnswer) with the page's other parts beside it: retained, limit, fields,
// referencedBy.
import { html, url } from '../html.js';
import { allocatedAsHint, instancesAnswer, similarTypes } from '../../lib/answers/index.js';
import { blockHref, count, objectLink, pager, size, table, typeLink } from '../layout.js';
import { TINY_BLOCK_NAME, TINY_REST_NAME } from '../../lib/typing/index.js';
import type { Ctx, Router } from '../router.js';
import * as answers from '../answers.js';
import { choice, paging, queryOf } from '../params.js';
import { notFound } from '../errors.js';
import { referencingTypes, type ReferencingRow } from '../data/referencing.js';

const SORTS = ['retained', 'size', 'address'] as const;

/** The Go type behind a row name, when the binary knows it: its fields (name, offset, type). */
function goFields(c: Ctx, name: string): { name: string; offset: number; type: string }[] | null {
  const t = c.s.program?.typeByName(name);
  if (!t || !t.fields) return null;
  return t.fields.map((f) => ({ name: f.name, offset: f.offset, type: f.type.name }));
}

export function register(r: Router): void {
  r.state.laterPreparers.push((s) => {
    const first = s.typeRows()[0];
    if (first) r.state.memo(`referencing:${first.type}`, () => referencingTypes(s, first.type));
  });
  r.page({
    path: '/type/:name',
    // Its instances, and who refers to them: while a first start's worker builds their indexes, the session answers
    // from one pass over the edges (the sampled instances' referrers) and one over the objects (the type's row alone,
    // or on a heap too big for that, from the row's typing ids: a crowded row's head and bitmap, lib/session/crowded-row.ts).
    needsStructures: (req, c) => {
      const q = queryOf(req);
      return c.s.instanceStructuresToWaitFor((req.params as { name: string }).name, { sort: choice(q, 'sort', SORTS), ...paging(q, 50, 1000) });
    },
    data(c, req) {
      const name = (req.params as { name: string }).name;
      const q = queryOf(req);
      const sort = choice(q, 'sort', SORTS);
      const { offset, limit } = paging(q, 50, 1000);
      const p = instancesAnswer(c.s, name, { sort, offset, limit });
      if (!p) {
        const as = allocatedAsHint(c.s, name);
        const like = as ? [] : similarTypes(c.s, name);
        throw notFound(`no type ${JSON.stringify(name.slice(0, 200))} in this dump${as ? `: ${as}` : ''}${like.length > 0 ? ` (types like it: ${like.join(', ')})` : ''}`);
      }
      // A row of `types`, or of `types --by-length` (the name objects carry: "[37]*main.Node").
      const row = answers.typeRow(c, name);
      const referencedBy: { sampled: number; rows: ReferencingRow[] } = c.state.memo(`referencing:${name}`, () => referencingTypes(c.s, name));
      return {
        ...p,
        retained: row?.retainedBytes ?? 0,
        limit,
        fields: goFields(c, name),
        referencedBy,
      };
    },
    render(d) {
      const link = (o: Record<string, string | number | undefined>) => url(`/type/${encodeURIComponent(d.type)}`, { sort: d.sort === 'retained' ? undefined : d.sort, ...o });
      const inst = table([{ label: 'address' }, { label: 'size', num: true, sort: 'size' }, { label: 'retained', num: true, sort: 'retained' }],
        // Tiny blocks link to the block's own page (its address alone names the sub-object there).
        d.instances.map((x) => [d.type === TINY_REST_NAME || d.type === TINY_BLOCK_NAME ? html`<a class="addr" href="${blockHref(x.address)}">${x.address}</a>` : objectLink(x.address),
          size(x.size), size(x.retained)]),
        { id: 'instances', sortUrl: (k) => link({ sort: k === 'retained' ? undefined : k, limit: d.limit === 50 ? undefined : d.limit }), current: d.sort, paged: d.offset > 0 || d.count > d.limit });
      const fields = d.fields === null ? html`<p class="muted">No Go struct fields known for this type.</p>`
        : table([{ label: 'offset', num: true }, { label: 'field' }, { label: 'type' }], d.fields.map((f) => [html`${f.offset}`, html`<span class="field">${f.name}</span>`, html`<span class="type">${f.type}</span>`]));
      const rb = d.referencedBy;
      const refs = rb.rows.length === 0 ? html`<p class="muted">No object or root points to these instances.</p>`
        : table([{ label: 'references', num: true }, { label: 'from' }, { label: 'field or slot' }],
          rb.rows.map((x) => [html`${count(x.count)}`,
            x.kind !== 'object' ? html`<span class="kind">${x.kind}</span> ${x.from}` : x.reachable ? typeLink(x.from) : html`<span class="kind">unreachable</span> ${typeLink(x.from)}`,
            html`<span class="field">${x.field}</span>`]));
      return {
        title: `Type ${d.type}`,
        body: html`<p>${count(d.count)} instances, ${size(d.bytes)}; together they retain ${size(d.retained)}.</p>
<section><h2>Instances</h2>${inst}${pager(d.count, d.offset, d.limit, (o) => link({ offset: o, limit: d.limit === 50 ? undefined : d.limit }))}</section>
<section class="cols"><div><h2>Fields</h2>${fields}</div>
<div><h2>Referenced by</h2><p class="muted">${rb.sampled < d.count ? `Counted over the first ${count(rb.sampled)} of ${count(d.count)} instances.` : `Counted over all ${count(d.count)} instances.`}${rb.rows.some((x) => !x.reachable) ? ' Unreachable referrers (garbage not yet freed: they keep nothing alive) come last.' : ''}</p>${refs}</div></section>`,
      };
    },
  });
}
