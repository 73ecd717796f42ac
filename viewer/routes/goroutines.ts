// `/goroutines`: goroutines grouped by identical stack, status and wait reason (biggest group first), each group
// expandable to its goroutines and each goroutine to its frames with function, file:line and typed locals;
// `/goroutines?goid=N` shows one goroutine. The twin /api/goroutines is the CLI's `goroutines --json` document
// ({groups: [{count, function, status, waitReason, retained, frames}]}) with each group's goroutine ids.
import { type Html, html, url } from '../html.js';
import { count, objectLink, size, typeLink } from '../layout.js';
import type { Ctx, Router } from '../router.js';
import { queryOf, wholeNumber } from '../params.js';
import { notFound } from '../errors.js';
import { goroutineDetail, goroutineGroups, goroutineNodes } from '../data/goroutines.js';
import { rootSlotIndex } from '../data/root-slots.js';

/** Goroutines shown per group, and expanded inline. */
const MEMBERS = 200;
const INLINE = 10;

function groups(c: Ctx) {
  return c.state.memo('goroutineGroups', () => goroutineGroups(c.s));
}

function detail(c: Ctx, g: number) {
  const s = c.s;
  const nodes = c.state.memo('goroutineNodes', () => goroutineNodes(s));
  const idx = c.state.memo('rootSlots', () => rootSlotIndex(s));
  const k = nodes[g];
  return goroutineDetail(s, g, k < 0 ? [] : idx.row.subarray(idx.start[k], idx.start[k + 1]));
}

export function register(r: Router): void {
  r.state.preparers.push((s) => groups({ s, state: r.state }));
  r.page({
    path: '/goroutines',
    data(c, req) {
      const q = queryOf(req);
      const gs = c.s.graph.goroutines;
      if (q.goid !== undefined) {
        const goid = wholeNumber(q, 'goid', 0);
        const byId = c.state.memo('goroutineById', () => new Map(gs.map((x, k) => [x.goid, k])));
        const g = byId.get(goid);
        if (g === undefined) throw notFound(`no goroutine ${goid} in this dump`);
        return { mode: 'one' as const, goroutine: detail(c, g) };
      }
      return {
        mode: 'all' as const,
        groups: groups(c).map(({ members, ...x }) => ({ ...x, goroutines: members.slice(0, MEMBERS).map((g) => gs[g].goid) })),
        inline: groups(c).map((x) => x.members.slice(0, INLINE).map((g) => detail(c, g))),
      };
    },
    json(d) {
      return d.mode === 'one' ? d.goroutine : { groups: d.groups };
    },
    render(d) {
      if (d.mode === 'one') {
        const g = d.goroutine;
        return { title: `Goroutine ${g.goid}`, body: html`<p>${g.status}${g.waitReason ? html` (${g.waitReason})` : html``} · <a href="/goroutines">all goroutines</a></p>${framesView(g.frames)}` };
      }
      const total = d.groups.reduce((a, x) => a + x.count, 0);
      const items = d.groups.map((x, k) => html`<details class="group"${k === 0 ? html` open` : html``}><summary><strong>${count(x.count)}</strong> × <span class="fn">${x.function}</span> <span class="muted">${x.status}${x.waitReason ? ` (${x.waitReason})` : ''}, retain</span> ${size(x.retained)}</summary>
<ol class="stack">${x.frames.map((f) => html`<li><span class="fn">${f.function}</span> <span class="muted">${f.file ?? ''}${f.line !== null ? `:${f.line}` : ''}</span></li>`)}</ol>
<div class="members">${d.inline[k].map((g) => html`<details class="goroutine"><summary>goroutine ${g.goid}</summary>${framesView(g.frames)}</details>`)}
${x.count > INLINE ? html`<p>Also: ${x.goroutines.slice(INLINE).map((id) => html`<a href="${url('/goroutines', { goid: id })}">${id}</a> `)}${x.count > x.goroutines.length ? `… (${count(x.count - x.goroutines.length)} more)` : ''}</p>` : html``}</div></details>`);
      return {
        title: 'Goroutines',
        body: html`<p>${count(total)} goroutines in ${count(d.groups.length)} groups (same stack, status and wait reason). Retained: what the goroutines of a group keep alive (their root nodes, each counted once).</p>${items}`,
      };
    },
  });
}

function framesView(frames: ReturnType<typeof goroutineDetail>['frames']): Html {
  return html`<ol class="frames">${frames.map((f) => html`<li><span class="fn">${f.function}</span> <span class="muted">${f.file ?? ''}${f.line !== null ? `:${f.line}` : ''}</span>
${f.locals.length > 0 ? html`<ul class="locals">${f.locals.map((l) => html`<li><span class="field">${l.name}</span> <span class="type">${l.type}</span>${l.param ? html` <span class="muted">(param)</span>` : html``}${l.points.map((p) => html` → ${objectLink(p.address)} ${typeLink(p.type)}`)}</li>`)}</ul>` : html``}
${f.otherPointers.length > 0 ? html`<ul class="locals">${f.otherPointers.map((p) => html`<li><span class="muted">stack slot</span> → ${objectLink(p.address)} ${typeLink(p.type)}</li>`)}</ul>` : html``}</li>`)}</ol>`;
}
