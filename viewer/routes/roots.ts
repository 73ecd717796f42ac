// `/roots`: root nodes by what they alone retain: globals with their Go type and value (the objects their pointer
// slots hold), goroutines (grouped on /goroutines), finalizers and the runtime's other roots, and shared memory
// grouped by the roots that reach it; page 1 first lists the globals by reachable size. `/roots?name=N` shows
// one root node: each slot and the object it holds. The twin /api/roots is the CLI's `roots --json --limit 0`
// document (rows paged as the page shows them; globals carry `type` and `value` besides the CLI's fields).
import { html, url } from '../html.js';
import { count, objectLink, pager, size, table, typeLink } from '../layout.js';
import { rootRowLink } from '../parts.js';
import { globalAnswer } from '../../lib/answers/index.js';
import { valueCell } from './object.js';
import type { Ctx, Router } from '../router.js';
import * as answers from '../answers.js';
import { paging, queryOf, text } from '../params.js';
import { notFound } from '../errors.js';
import { rootSlotIndex, rootSlots, type RootSlot } from '../data/root-slots.js';

function slotIndex(c: Ctx) {
  return c.state.memo('rootSlots', () => rootSlotIndex(c.s));
}

function nodeByName(c: Ctx): Map<string, number> {
  return c.state.memo('rootByName', () => {
    const m = new Map<string, number>();
    c.s.rootNodes.name.forEach((n, k) => { if (!m.has(n)) m.set(n, k); });
    return m;
  });
}

export function register(r: Router): void {
  r.state.preparers.push((s) => slotIndex({ s, state: r.state }));
  r.page({
    needsStructures: false,
    path: '/roots',
    data(c, req) {
      const q = queryOf(req);
      const name = text(q, 'name');
      const s = c.s;
      if (name !== undefined) {
        const k = nodeByName(c).get(name);
        const g = s.findGlobal(name);
        // A global without pointers into the heap is no root node: its page shows its value alone.
        if (k === undefined && g === undefined) throw notFound(`no root named ${JSON.stringify(name.slice(0, 200))}`);
        const { offset, limit } = paging(q, 200, 2000);
        if (k === undefined) {
          const ga = s.typed ? globalAnswer(s, g!) : undefined;
          return {
            mode: 'one' as const,
            root: { kind: 'global', name, address: `0x${g!.address.toString(16)}`, retained: 0, type: g!.type?.name ?? null, size: g!.size ?? null },
            fields: ga?.fields ?? null, pointsAt: ga?.pointsAt ?? null, slotCount: 0, offset, limit, slots: [] as RootSlot[],
          };
        }
        const all = rootSlots(s, slotIndex(c), k, offset + limit);
        // A global's value decoded through its Go type (the CLI's `object DUMP BIN NAME` fields), with a binary.
        const fields = g && s.typed ? globalAnswer(s, g).fields : null;
        return {
          mode: 'one' as const,
          root: { kind: s.rootNodes.kind[k], name, address: `0x${s.rootNodes.address[k].toString(16)}`, retained: s.rootRetained(k), type: g?.type?.name ?? null, size: g?.size ?? null },
          fields, pointsAt: null, slotCount: all.total, offset, limit, slots: all.slots.slice(offset),
        };
      }
      const { offset, limit } = paging(q, 500, 100000);
      const build = () => {
        const a = answers.roots(c);
        const idx = slotIndex(c);
        const byName = nodeByName(c);
        const rows = a.roots.slice(offset, offset + limit).map((x) => {
          if (x.kind !== 'global') return x as typeof x & { type?: string | null; value?: RootSlot[]; valueSlots?: number };
          const k = byName.get(x.name);
          const v = k === undefined ? { total: 0, slots: [] as RootSlot[] } : rootSlots(s, idx, k, 3);
          return { ...x, type: s.findGlobal(x.name)?.type?.name ?? null, value: v.slots, valueSlots: v.total };
        });
        const { roots: all, ...head } = a;
        return { mode: 'all' as const, ...head, rootCount: all.length, offset, limit, roots: rows };
      };
      // The first page as it is first shown is kept beside the index (a restart shows the globals' values without
      // reading the per-object arrays).
      if (offset === 0 && limit === 500) return c.state.memo('roots:first', () => c.s.keptAnswer('viewer-roots-first', build));
      return build();
    },
    json(d) {
      const { mode, ...rest } = d;
      void mode;
      return rest;
    },
    render(d, c) {
      if (d.mode === 'one') {
        const x = d.root;
        const slots = table([{ label: 'slot' }, { label: 'object' }, { label: 'type' }, { label: 'retained', num: true }],
          d.slots.map((v) => [html`<span class="field">${v.slot}</span>`, objectLink(v.address), typeLink(v.type), size(v.retained)]));
        return {
          title: `Root ${x.name}`,
          body: html`<table class="facts"><tr><th>kind</th><td>${x.kind}</td></tr>${x.type ? html`<tr><th>type</th><td><span class="type">${x.type}</span></td></tr>` : html``}
<tr><th>retained</th><td>${size(x.retained)} (what it alone keeps alive)</td></tr><tr><th>pointer slots</th><td>${count(d.slotCount)}</td></tr>
${d.pointsAt ? html`<tr><th>points at</th><td><a class="root" href="${url('/roots', { name: d.pointsAt.global })}">${d.pointsAt.global}</a> <span class="muted">(${d.pointsAt.address}, allocated statically)</span>: retains ${size(d.pointsAt.retained)}, reaches ${size(d.pointsAt.reachableBytes)}</td></tr>` : html``}</table>
${x.kind === 'goroutine' ? html`<p><a href="/goroutines">Goroutines grouped by stack</a></p>` : html``}
${d.fields ? html`<h2>Value</h2>${table([{ label: 'offset', num: true }, { label: 'field' }, { label: 'type' }, { label: 'value' }],
    d.fields.map((f) => [html`${f.offset}`, html`<span class="field">${f.name}</span>`, html`<span class="type">${f.type}</span>`, valueCell(f, c.s)]), { id: 'fields' })}` : html``}
<h2>Slots and the objects they hold</h2>${slots}${pager(d.slotCount, d.offset, d.limit, (o) => url('/roots', { name: x.name, offset: o }))}`,
        };
      }
      const rows = d.roots.map((x) => [size(x.retained), size(x.reachable), html`${rootRowLink(x)}${x.kind === 'shared' && x.count !== undefined ? html` <span class="muted">${count(x.count)} objects</span>` : html``}`,
        'type' in x ? html`<span class="type">${x.type ?? ''}</span>` : html``,
        'value' in x ? html`${(x.value as RootSlot[]).map((v) => html`${objectLink(v.address)} <span class="muted">${v.type}</span> `)}${(x.valueSlots as number) > 3 ? html`… (${count(x.valueSlots as number)} pointers)` : html``}` : html``]);
      return {
        title: 'Roots',
        body: html`<p>${count(d.rootCount)} root nodes; retained: what each alone keeps alive (memory reachable from several roots is counted under none of them). Reachable in all: ${size(d.totalRetained)}.
 <a href="/goroutines">Goroutines by stack</a> · <a href="/dominators">Dominator tree</a></p>
${d.offset === 0 && d.globals.length > 0 ? html`<h2>Globals by reachable size</h2>${table([{ label: 'reachable', num: true }, { label: 'retained', num: true }, { label: 'global' }, { label: 'shares memory with' }],
    d.globals.slice(0, 20).map((g) => [size(g.reachable), size(g.retained), rootRowLink(g), html`${(g.sharesWith ?? []).slice(0, 5).join(', ')}${(g.sharesWithCount ?? 0) > 5 ? ` and ${count(g.sharesWithCount! - 5)} more` : ''}`]), { id: 'globals' })}
<h2>Roots and shared memory by retained size</h2>` : html``}
${table([{ label: 'retained', num: true }, { label: 'reachable', num: true }, { label: 'root' }, { label: 'type' }, { label: 'value' }], rows, { id: 'roots' })}
${pager(d.rootCount, d.offset, d.limit, (o) => url('/roots', { offset: o }))}`,
      };
    },
  });
}
