// `/goroutines`: goroutines grouped by identical stack, status and wait reason (lib/answers' goroutinesAnswer, the
// CLI's `goroutines --json`: biggest group first, frames with file:line, what each group keeps alive), each group
// expandable to its goroutines and each goroutine to its frames with typed locals; `/goroutines?goid=N` shows one
// goroutine. The twin /api/goroutines is the CLI's `goroutines --json --limit 0` document.
import { goroutinesAnswer } from '../../lib/answers/index.js';
import { type Html, html, url } from '../html.js';
import { count, objectLink, size, typeLink } from '../layout.js';
import type { Ctx, Router } from '../router.js';
import { queryOf, wholeNumber } from '../params.js';
import { notFound } from '../errors.js';
import { goroutineDetail, goroutineNodes } from '../data/goroutines.js';
import { rootSlotIndex } from '../data/root-slots.js';

/** Goroutines of a group expanded inline on the page (the others link to their own page). */
const INLINE = 10;

function answer(c: Ctx) {
  return c.state.memo('goroutines', () => goroutinesAnswer(c.s, { limit: 0 }));
}

function indexOfGoid(c: Ctx): Map<number, number> {
  return c.state.memo('goroutineById', () => new Map(c.s.graph.goroutines.map((x, k) => [x.goid, k])));
}

function detail(c: Ctx, g: number) {
  const s = c.s;
  const nodes = c.state.memo('goroutineNodes', () => goroutineNodes(s));
  const idx = c.state.memo('rootSlots', () => rootSlotIndex(s));
  const k = nodes[g];
  return goroutineDetail(s, g, k < 0 ? [] : idx.row.subarray(idx.start[k], idx.start[k + 1]));
}

/** The goroutines expanded inline, per group (the same on every visit: kept, and beside the index for a restart). */
function inline(c: Ctx): ReturnType<typeof detail>[][] {
  return c.state.memo('goroutinesInline', () => c.s.keptAnswer(`viewer-goroutines-inline-${INLINE}`, () => {
    const byId = indexOfGoid(c);
    return answer(c).groups.map((x) => x.ids.slice(0, INLINE).map((id) => detail(c, byId.get(id)!)));
  }));
}

export function register(r: Router): void {
  r.state.preparers.push((s) => inline({ s, state: r.state }));
  r.page({
    needsStructures: false,
    path: '/goroutines',
    data(c, req) {
      const q = queryOf(req);
      if (q.goid !== undefined) {
        const goid = wholeNumber(q, 'goid', 0);
        const g = indexOfGoid(c).get(goid);
        if (g === undefined) throw notFound(`no goroutine ${goid} in this dump`);
        return { mode: 'one' as const, goroutine: detail(c, g) };
      }
      const a = answer(c);
      return { mode: 'all' as const, ...a, inline: inline(c) };
    },
    json(d) {
      if (d.mode === 'one') return d.goroutine;
      const { mode, inline, ...rest } = d;
      void mode;
      void inline;
      return rest;
    },
    render(d) {
      if (d.mode === 'one') {
        const g = d.goroutine;
        return { title: `Goroutine ${g.goid}`, body: html`<p>${g.status}${g.waitReason ? html` (${g.waitReason})` : html``} · <a href="/goroutines">all goroutines</a></p>${framesView(g.frames)}` };
      }
      const items = d.groups.map((x, k) => html`<details class="group"${k === 0 ? html` open` : html``}><summary><strong>${count(x.count)}</strong> × <span class="fn">${x.function}</span> <span class="muted">${x.status}${x.waitReason ? ` (${x.waitReason})` : ''}${x.system ? ', runtime' : ''}; retain</span> ${size(x.retained)} <span class="muted">reach</span> ${size(x.reachable)}</summary>
<ol class="stack">${x.frames.map((f) => html`<li><span class="fn">${f.function}</span> <span class="muted">${f.file ?? ''}${f.line !== null ? `:${f.line}` : ''}</span></li>`)}</ol>
<div class="members">${d.inline[k].map((g) => html`<details class="goroutine"><summary>goroutine ${g.goid}</summary>${framesView(g.frames)}</details>`)}
${x.count > INLINE ? html`<p>Also: ${x.ids.slice(INLINE).map((id) => html`<a href="${url('/goroutines', { goid: id })}">${id}</a> `)}${x.count > x.ids.length ? `… (${count(x.count - x.ids.length)} more)` : ''}</p>` : html``}</div></details>`);
      return {
        title: 'Goroutines',
        body: html`<p>${count(d.goroutines)} goroutines in ${count(d.groupCount)} groups (same stack, status and wait reason). Retained: what the group alone keeps alive; reach: all it can reach, shared memory included.</p>${items}`,
      };
    },
  });
}

function framesView(frames: ReturnType<typeof goroutineDetail>['frames']): Html {
  return html`<ol class="frames">${frames.map((f) => html`<li><span class="fn">${f.function}</span> <span class="muted">${f.file ?? ''}${f.line !== null ? `:${f.line}` : ''}</span>
${f.locals.length > 0 ? html`<ul class="locals">${f.locals.map((l) => html`<li><span class="field">${l.name}</span> <span class="type">${l.type}</span>${l.param ? html` <span class="muted">(param)</span>` : html``}${l.points.map((p) => html` → ${objectLink(p.address)} ${typeLink(p.type)}`)}</li>`)}</ul>` : html``}
${f.otherPointers.length > 0 ? html`<ul class="locals">${f.otherPointers.map((p) => html`<li><span class="muted">stack slot</span> → ${objectLink(p.address)} ${typeLink(p.type)}</li>`)}</ul>` : html``}</li>`)}</ol>`;
}
