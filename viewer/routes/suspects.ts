// `/suspects`: leak suspects: what alone keeps a large share of the heap alive (`?threshold=0.1`, the CLI's
// default), where the memory accumulates (the dominated children by type), and the path from a root to it;
// aggregates (shared objects with one root set) and types with their composition; a goroutine group with what it
// keeps directly, by type. The
// twin /api/suspects is the CLI's `suspects --json` document.
import { html, url } from '../html.js';
import { count, objectLink, pct, size, table, typeLink } from '../layout.js';
import type { Router } from '../router.js';
import * as answers from '../answers.js';
import { queryOf, text } from '../params.js';
import { badRequest } from '../errors.js';
import { pathView, suspectSubject } from '../parts.js';

export function register(r: Router): void {
  r.page({
    needsStructures: false,
    path: '/suspects',
    data(c, req) {
      const raw = text(queryOf(req), 'threshold');
      let threshold = answers.SUSPECT_THRESHOLD;
      if (raw !== undefined && raw !== '') {
        threshold = Number(raw);
        if (!/^[0-9.]{1,10}$/.test(raw) || !(threshold >= 0 && threshold <= 1)) throw badRequest(`threshold: expected a number from 0 to 1, got ${JSON.stringify(raw.slice(0, 40))}`);
      }
      return answers.suspects(c, threshold);
    },
    render(d) {
      // Shares of `whole`: what the node dominates partitions its retained size; the members an aggregate's or a type's
      // accumulation point points at retain what the suspect retains, not that object's own (a few KiB).
      const groupsTable = (rows: { type: string; count: number; retained: number }[], whole: number) => table(
        [{ label: 'objects', num: true }, { label: 'type' }, { label: 'retained', num: true }, { label: 'share', num: true }],
        rows.map((g) => [html`${count(g.count)}`, typeLink(g.type), size(g.retained), html`${pct(g.retained, whole)}`]));
      const items = d.suspects.map((x, k) => {
        const a = x.accumulation;
        const spread = x.kind === 'aggregate' || x.kind === 'type';
        const subject = suspectSubject(x);
        return html`<li id="suspect-${k + 1}"><h3>${subject}
 retains ${size(x.retained)} (${(x.share * 100).toFixed(1)}% of ${size(d.reachableBytes)})${x.runtime ? html` <span class="muted">(the runtime's)</span>` : html``}</h3>
<p class="summary">${x.summary}</p>
${a && a.chain !== undefined && !spread ? html`<p>Accumulates in a chain of ${count(a.chain)} ${typeLink(a.type)}, each keeping the next, from ${objectLink(a.address)} (${size(a.retained)}):</p>
${groupsTable(a.childGroups, a.retained)}` : a && a.children === 0 && !spread ? html`<p>The memory is ${objectLink(a.address)} ${typeLink(a.type)} itself (${size(a.retained)}): it keeps no other object alive by itself.</p>` : a ? html`<p>Accumulates in ${objectLink(a.address)} ${typeLink(a.type)} (${size(a.retained)}), which ${spread ? 'points at' : 'dominates'} ${count(a.children)} ${spread ? 'of them' : a.children === 1 ? 'object' : 'objects'}:</p>
${groupsTable(a.childGroups, spread ? x.retained : a.retained)}` : html``}
${x.composition ? html`<h4>Composition: what they alone keep, by type</h4>${table([{ label: 'objects', num: true }, { label: 'type' }, { label: 'bytes', num: true }],
    x.composition.map((g) => [html`${count(g.count)}`, typeLink(g.type), size(g.bytes)]), { id: `composition-${k + 1}` })}` : html``}
${!a && x.childGroups && x.childGroups.length > 0 ? html`<h4>Composition: what it keeps alive directly, by type (${count(x.children ?? 0)} objects)</h4>
${groupsTable(x.childGroups, x.retained)}` : html``}
${x.path.length > 0 ? html`<h4>${spread ? 'Example path from a root' : 'Path from a root'}</h4>${pathView(x.path)}` : html``}</li>`;
      });
      return {
        title: 'Leak suspects',
        body: html`<p>Suspects: roots, objects, or groups of objects reachable from the same roots, that together keep at least ${(d.threshold * 100).toFixed(0)}% of the ${size(d.reachableBytes)} reachable alive.
 <a href="${url('/suspects', { threshold: 0.05 })}">5%</a> · <a href="${url('/suspects', { threshold: 0.01 })}">1%</a></p>
${d.suspects.length === 0 ? html`<p class="muted">No suspects at this threshold.</p>` : html`<ol class="suspects">${items}</ol>`}`,
      };
    },
  });
}
