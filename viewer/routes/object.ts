// `/object/:address` (any address inside the object): one object: type, address, size, retained size, fields
// decoded at any depth (strings escaped, pointers as links), outgoing references, retainers as an expandable tree
// (Chrome's Retainers panel: each referrer with its field and distance to a root, its own referrers on expand,
// fetched from /api/object/:address/retainers), the shortest path from a root, the roots that keep it alive, the
// dominator chain, the objects it dominates (biggest first, paged), its allocation stack when sampled, a hex view,
// and an SVG of its neighbourhood. An address inside a tiny allocator block names the sub-object there (a boxed
// value: its type, its bytes, its block linked); `?block=1` names the block itself, whose page lists its sub-objects. The twin /api/object/:address is the CLI's `object --json` document (fields,
// retained, dominator) with the page's other parts beside it; `path` is the CLI's `path --json` document.
import { allocationOf, dominatorText, globalAnswer, objectAnswer, type ObjectAnswer, pathAnswer, unreachableReferrers } from '../../lib/answers/index.js';
import type { FastifyRequest } from 'fastify';
import { type Html, html, trusted, url } from '../html.js';
import { blockHref, count, hex, objectLink, pager, rootHref, rootLink, size, table, typeLink } from '../layout.js';
import type { HeapSession } from '../../lib/session/index.js';
import type { Ctx, Router } from '../router.js';
import { instanceAt, objectAt, paging, parseAddress, queryOf, wholeNumber } from '../params.js';
import { pathView } from '../parts.js';
import { chainLink, hexBytes, outgoing, retainers, type RetainerRow } from '../data/object-parts.js';
import { NeighbourhoodCache, loadGraphviz } from '../data/neighbourhood.js';

/**
 * The CLI's object answer; without a binary (no field decoding) the same shape with no fields. `withReferrers` false
 * (the referrers of every object are still being built on a first start): without what they give, referrers and
 * unreachableReferrers null.
 */
function describe(c: Ctx, i: number, withReferrers: boolean): Omit<ObjectAnswer, 'referrers' | 'unreachableReferrers'> & { referrers: number | null; unreachableReferrers: number | null } {
  const s = c.s;
  if (s.typed && withReferrers) return objectAnswer(s, i);
  const dominator = dominatorText(s, i);
  const referrers = withReferrers ? { referrers: s.objectReferrerCount(i), unreachableReferrers: unreachableReferrers(s, i) } : { referrers: null, unreachableReferrers: null };
  if (s.typed) return { ...s.describe(i, false), ...referrers, retained: s.retained(i), dominator, allocation: allocationOf(s, i) };
  return { address: hex(s.address(i)), index: i, size: s.size(i), type: s.typeName(i), typed: false, inferred: false, reachable: s.isReachable(i),
    ...referrers, fields: [], truncated: false, retained: s.retained(i), dominator };
}


/**
 * The object page's data: the CLI's object answer and the page's other parts. `withReferrers` false: the parts the
 * referrers give (their count, the retainers, the roots that keep it alive, the neighbourhood) are null, the page
 * saying they are being built.
 */
async function objectData(c: Ctx, req: FastifyRequest, i: number, pictures: NeighbourhoodCache, withReferrers: boolean) {
  const q = queryOf(req);
  const { offset, limit } = paging(q, 20, 500);
      const s = c.s;
      // A tiny sub-object has no pointers and dominates nothing (its block is the tree's node).
      const dominated = i < s.objectCount ? s.dominated({ kind: 'object', object: i }, offset, limit) : { total: 0, offset, items: [] };
      const picture = withReferrers ? await pictures.get(s, i) : undefined;
      return {
        ...describe(c, i, withReferrers),
        distance: s.distance(i),
        outgoing: outgoing(s, i),
        retainers: withReferrers ? retainers(s, i) : null,
        path: pathAnswer(s, i, 50, withReferrers),
        dominatorChain: s.dominatorChain(i, DOMINATOR_CHAIN_SHOWN).map((d) => chainLink(s, d)),
        dominates: {
          total: dominated.total, offset, limit,
          items: dominated.items.map((n) => (n.kind === 'object'
            ? { address: hex(s.address(n.object)), type: s.typeName(n.object), size: s.size(n.object), retained: n.retained } : { address: null, type: n.kind, size: 0, retained: n.retained })),
        },
        allocation: allocationOf(s, i),
        hex: hexBytes(s, i),
        neighbourhood: picture?.data ?? null,
        // Not part of the JSON twin's meaning, but the page needs it: the drawn SVG (not sent under /api).
        svg: picture?.svg,
        // Seconds since the start while the referrers are being built (the page then says so), else null.
        buildingSince: withReferrers ? null : (Date.now() - c.state.startedAt) / 1000,
      };
}

/** The dominators an object's page lists, nearest first (a linked list's last link has a million). */
const DOMINATOR_CHAIN_SHOWN = 200;

export function register(r: Router): void {
  // Neighbourhood pictures, drawn once per object of this viewer's session (an LRU cache).
  const pictures = new NeighbourhoodCache();
  // The first object page pays for lazily built parts (Graphviz's module, the binary's function and line tables, the
  // reverse edges): Graphviz while loading, the rest once the pages are served, on the object that retains most.
  r.state.preparers.push(() => loadGraphviz());
  r.state.laterPreparers.push(async (s) => {
    const top = s.topObjects(1)[0];
    if (top === undefined) return;
    await pictures.get(s, top.object);
    if (s.typed) s.describe(top.object);
    pathAnswer(s, top.object);
  });
  r.page({
    path: '/object/:address',
    needsStructures: ['tree'],
    // On a first start, the page does not wait for the referrers of every object (seconds on a large heap): it shows
    // what the dominator tree and the object's own bytes give, and reloads itself until the referrers are there.
    optionalStructures: ['reverse'],
    async data(c, req) {
      const raw = (req.params as { address: string }).address;
      // A global's name (as the CLI's `object DUMP BIN main.Cache` takes it): its value; the page is its root's.
      // An address in no heap object but in a global's bytes (a value the linker allocated, "*main.Cache"): that global.
      const a = parseAddress(raw);
      const g = !c.s.typed ? undefined : Number.isNaN(a) ? c.s.findGlobal(raw) : c.s.findObject(a) < 0 ? c.s.globalAt(a) : undefined;
      if (g) return { global: globalAnswer(c.s, g) } as unknown as Awaited<ReturnType<typeof objectData>>;
      const whole = wholeNumber(queryOf(req), 'block', 0, 1) === 1;
      const i = whole ? objectAt(c.s, raw) : instanceAt(c.s, raw);
      // A tiny block's sub-object finds its path through its referrers: its page waits for them.
      if (i >= c.s.objectCount) await c.state.structures(['reverse']);
      return objectData(c, req, i, pictures, c.state.stillBuilding(['reverse']).length === 0);
    },
    redirect(d) {
      const g = (d as unknown as { global?: { global: string } }).global;
      return g ? url('/roots', { name: g.global }) : undefined;
    },
    json(d) {
      const g = (d as unknown as { global?: unknown }).global;
      if (g) return g;
      const { svg, buildingSince, ...rest } = d;
      void svg;
      void buildingSince;
      return rest;
    },
    render(d, c) {
      const svg = d.svg;
      const fields = d.fields.length === 0
        ? html`<p class="muted">${d.typed ? 'No fields.' : 'No decoded fields (the type is unknown: start goheap serve with the executable to decode it).'}</p>`
        : table([{ label: 'offset', num: true }, { label: 'field' }, { label: 'type' }, { label: 'value' }],
          d.fields.map((f) => [html`${f.offset}`, html`<span class="field">${f.name}</span>`, html`<span class="type">${f.type}</span>`, valueCell(f, c.s)]), { id: 'fields' });
      const out = d.outgoing.refs.length === 0 ? html`<p class="muted">No pointers into the heap.</p>`
        : table([{ label: 'field' }, { label: 'object' }, { label: 'type' }, { label: 'size', num: true }, { label: 'retained', num: true }],
          d.outgoing.refs.map((x) => [html`<span class="field">${x.field}</span>${x.interior ? html` <span class="muted">(interior)</span>` : html``}`, objectLink(x.address), typeLink(x.type), size(x.size), size(x.retained)]));
      const chain = d.dominatorChain.length === 0 ? html`<p class="muted">Unreachable: nothing dominates it.</p>`
        : html`<ol class="chain">${d.dominatorChain.map((x) => html`<li>${x.address ? html`${x.address === d.block?.address ? html`<a class="addr" href="${blockHref(x.address)}">${x.address}</a>` : objectLink(x.address)} ${typeLink(x.name)}` : x.kind === 'roots' ? html`<span class="kind">several roots</span> (the super-root)` : rootLink(x.kind, x.name)} <span class="muted">retains</span> ${size(x.retained)}</li>`)}</ol>
${d.dominatorChain.length === DOMINATOR_CHAIN_SHOWN && d.dominatorChain[DOMINATOR_CHAIN_SHOWN - 1].address ? html`<p class="muted">The first ${DOMINATOR_CHAIN_SHOWN} dominators; the chain goes on up to a root.</p>` : html``}`;
      const dom = d.dominates.total === 0 ? html`<p class="muted">It dominates no other object.</p>`
        : html`${table([{ label: 'object' }, { label: 'type' }, { label: 'size', num: true }, { label: 'retained', num: true }],
          d.dominates.items.map((x) => [x.address ? objectLink(x.address) : html``, typeLink(x.type), size(x.size), size(x.retained)]))}
${pager(d.dominates.total, d.dominates.offset, d.dominates.limit, (o) => url(`/object/${d.address}`, { offset: o }))}`;
      // While the referrers of every object are being built (a first start): what the sections that read them say.
      const building = d.buildingSince === null ? undefined
        : html`<p class="loading">Being built: the referrers of every object, on another core (${d.buildingSince.toFixed(0)} s since the start). This page reloads by itself until they are there.</p>`;
      const alive = building ?? (d.path.roots.length === 0 ? html`<p class="muted">No root reaches it.</p>`
        : html`<p>Reached from ${count(d.path.roots.length)}${d.path.roots.length >= 50 ? '+' : ''} root node(s) of kind ${d.path.rootKinds.join(', ')}:</p>
<ul class="roots">${d.path.roots.map((x) => html`<li>${rootLink(x.kind, x.name)}</li>`)}</ul>`);
      const alloc = d.allocation === null ? html`<p class="muted">Not sampled by the memory profiler (one allocation in MemProfileRate bytes is).</p>`
        : html`<p>Sampled allocation (${size(d.allocation.size)}):</p><ol class="stack">${d.allocation.frames.map((f) => html`<li><span class="fn">${f.inlined ? `${f.function}(...)` : f.function}</span> <span class="muted">${f.file}:${f.line}</span></li>`)}</ol>`;
      return {
        title: `Object ${d.address}`,
        // Until the referrers are there (a first start builds them): every few seconds, not every second.
        ...(d.buildingSince === null ? {} : { refresh: 3 }),
        body: html`<table class="facts" id="summary">
<tr><th>type</th><td>${typeLink(d.type)}</td></tr>
<tr><th>address</th><td><span class="addr">${d.address}</span></td></tr>
<tr><th>size</th><td>${size(d.size)}</td></tr>
<tr><th>retained</th><td>${size(d.retained)}</td></tr>
<tr><th>reachable</th><td>${d.reachable ? `yes, ${d.distance} pointer${d.distance === 1 ? '' : 's'} from a root` : 'no (garbage since the last GC)'}</td></tr>
${d.block ? html`<tr><th>in tiny block</th><td><a class="addr" href="${blockHref(d.block.address)}">${d.block.address}</a> at offset ${d.block.offset}</td></tr>` : html``}
<tr><th>dominator</th><td>${d.block ? html`<a class="addr" href="${blockHref(d.block.address)}">${d.block.address}</a> its tiny block` : dominatorCell(d.dominator)}</td></tr>
<tr><th>referrers</th><td>${d.referrers === null ? html`<span class="muted">being built</span>` : html`${count(d.referrers)} object${d.referrers === 1 ? '' : 's'}${d.unreachableReferrers !== null && d.unreachableReferrers > 0 ? html` <span class="muted">(${count(d.unreachableReferrers)} of them unreachable: garbage not yet freed)</span>` : html``}`}</td></tr>
</table>
${d.subObjects && d.subObjects.length > 0 ? html`<section><h2>Sub-objects (${count(d.subObjects.length)})</h2>${subObjectTable(d.address, d.subObjects)}</section>` : html``}
<section><h2>Fields</h2>${fields}</section>
<section><h2>Retainers</h2><p class="muted">Who points at it; expand a row for its own referrers. Distance: pointers from the nearest root.</p>
${d.retainers === null ? building : retainerTree(d.retainers.rows, d.retainers.total)}</section>
<section><h2>Shortest path from a root</h2>${pathView(d.path.path)}</section>
<section><h2>Roots keeping it alive</h2>${alive}</section>
<section class="cols"><div><h2>Dominator chain</h2>${chain}</div><div><h2>Dominates (${count(d.dominates.total)})</h2>${dom}</div></section>
<section><h2>Outgoing references (${count(d.outgoing.total)})</h2>${out}</section>
<section><h2>Neighbourhood</h2>${d.neighbourhood === null ? building : html`${svg ? html`<div class="neighbourhood">${trusted(svg)}</div>` : html`<p class="muted">The picture could not be drawn.</p>`}
${d.neighbourhood.moreReferrers + d.neighbourhood.moreTargets > 0 ? html`<p class="muted">Not drawn: ${d.neighbourhood.moreReferrers} referrers, ${d.neighbourhood.moreTargets} targets.</p>` : html``}`}</section>
<section><h2>Allocation</h2>${alloc}</section>
<section><h2>Bytes</h2>${hexView(d.hex.hex, d.hex.shown, d.hex.size)}</section>`,
      };
    },
  });
  // One level of the retainers tree, for the client script.
  r.api('/api/object/:address/retainers', (c, req) => {
    const raw = (req.params as { address: string }).address;
    const i = wholeNumber(queryOf(req), 'block', 0, 1) === 1 ? objectAt(c.s, raw) : instanceAt(c.s, raw);
    return { address: hex(c.s.address(i)), ...retainers(c.s, i) };
  }, ['reverse']);
}

/**
 * A field's value: escaped text, with each address that has a page linked: one inside a heap object to the
 * object, a global's (`0x... (&main.Cache)`) to its root. Other addresses (read-only data, code, type words, the
 * malloc header, memory outside the heap) stay text.
 */
export function valueCell(f: { value: string; target?: string; targetIndex?: number }, s: HeapSession): Html {
  if (f.target !== undefined && f.targetIndex !== undefined) return html`<span class="value">${f.value}</span> → ${objectLink(f.target)}`;
  const parts: Html[] = [];
  const re = /0x[0-9a-f]+(?= \((&?)([^)+ ]*))/g;
  let last = 0;
  for (const m of f.value.matchAll(re)) {
    const a = Number.parseInt(m[0].slice(2), 16);
    const link = m[1] === '&' ? (s.findGlobal(m[2]) !== undefined ? html`<a class="root" href="${rootHref(m[2])}">${m[0]}</a>` : undefined)
      : s.findObject(a) >= 0 ? objectLink(m[0]) : undefined;
    if (link === undefined) continue;
    parts.push(html`${f.value.slice(last, m.index)}`);
    parts.push(link);
    last = m.index! + m[0].length;
  }
  parts.push(html`${f.value.slice(last)}`);
  return html`<span class="value">${parts}</span>`;
}

/** The immediate dominator ("0x... TYPE", a root's name, or null): an object linked with its type. */
/** A tiny block's sub-objects: offset, type, size, each linked to its page. */
function subObjectTable(block: string, subs: readonly { offset: number; size: number; type: string }[]): Html {
  const base = parseAddress(block);
  return table([{ label: 'offset', num: true }, { label: 'object' }, { label: 'type' }, { label: 'size', num: true }],
    subs.map((x) => [html`${x.offset}`, objectLink(base + x.offset), typeLink(x.type), size(x.size)]), { id: 'sub-objects' });
}

function dominatorCell(dom: string | null): Html {
  if (dom === null) return html`none (unreachable)`;
  const m = /^(0x[0-9a-f]+) (.*)$/.exec(dom);
  return m ? html`${objectLink(m[1])} ${typeLink(m[2])}` : html`${dom}`;
}

/** The first level of the retainers tree; deeper levels are fetched by the client script when a row is expanded. */
export function retainerTree(rows: readonly RetainerRow[], total: number): Html {
  if (rows.length === 0) return html`<p class="muted">Nothing points at it.</p>`;
  return html`<ul class="tree retainers" data-api="/api/object/">${rows.map(retainerRow)}</ul>${total > rows.length ? html`<p class="muted">${count(total - rows.length)} more not shown.</p>` : html``}`;
}

export function retainerRow(r: RetainerRow): Html {
  if (r.kind === 'root') {
    return html`<li class="leaf"><span class="kind">${r.rootKind}</span> <a class="root" href="${url('/roots', { name: r.name })}">${r.name}</a> <span class="field">${r.slot}</span></li>`;
  }
  const expandable = r.referrers > 0 || r.distance === 1;
  return html`<li class="${expandable ? 'node' : 'leaf'}" data-address="${r.address}">${expandable ? html`<button class="toggle" aria-label="expand" aria-expanded="false">▸</button> ` : html``}<span class="field">${r.field}</span> in ${objectLink(r.address)} ${typeLink(r.type)}
 <span class="muted">distance ${r.distance < 0 ? '–' : r.distance}, size</span> ${size(r.size)} <span class="muted">retained</span> ${size(r.retained)}</li>`;
}

function hexView(hexText: string, shown: number, total: number): Html {
  const lines: Html[] = [];
  for (let off = 0; off < shown; off += 16) {
    const n = Math.min(16, shown - off);
    const hx: string[] = [];
    let ascii = '';
    for (let k = 0; k < n; k++) {
      const b = Number.parseInt(hexText.slice(2 * (off + k), 2 * (off + k) + 2), 16);
      hx.push(hexText.slice(2 * (off + k), 2 * (off + k) + 2));
      ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
    }
    lines.push(html`${off.toString(16).padStart(6, '0')}  ${hx.join(' ').padEnd(47)}  ${ascii}\n`);
  }
  return html`<pre class="hex">${lines}</pre>${shown < total ? html`<p class="muted">First ${count(shown)} of ${count(total)} bytes.</p>` : html``}`;
}
