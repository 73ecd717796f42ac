// `/diff` (with `goheap serve --baseline OLD_DUMP`): growth per type and per root between the baseline and this
// dump, biggest growth first; each type links to its instances in this dump. The twin /api/diff is the CLI's
// `diff --json` document (`goheap diff OLD_DUMP DUMP`).
import { diffAnswer, diffSide } from '../../lib/answers/index.js';
import { html, url } from '../html.js';
import { bytes, count, pager, rootLink, size, table, typeLink } from '../layout.js';
import type { Router } from '../router.js';
import { paging, queryOf } from '../params.js';
import { HttpError, notFound } from '../errors.js';

function signed(n: number, f: (x: number) => string): string {
  return n > 0 ? `+${f(n)}` : n < 0 ? `−${f(-n)}` : '0';
}

export function register(r: Router): void {
  r.page({
    needsStructures: false,
    path: '/diff',
    data(c, req) {
      const st = c.state;
      if (st.baselineStatus === 'none') throw notFound('no baseline: start goheap serve with --baseline OLD_DUMP to compare two dumps');
      if (st.baselineStatus === 'loading') throw new HttpError(503, 'the baseline dump is still loading; retry in a moment');
      if (st.baselineStatus === 'failed' || !st.baseline) throw new HttpError(500, `the baseline could not be opened: ${st.baselineError}`);
      const base = st.baseline;
      const all = st.memo('diff', () => diffAnswer(base, diffSide(c.s), 0));
      const { offset, limit } = paging(queryOf(req), 1000, 10000);
      return { ...all, offset, limit, typeCount: all.types.length, rootCount: all.roots.length,
        types: all.types.slice(offset, offset + limit), roots: all.roots.slice(offset, offset + limit) };
    },
    render(d) {
      const types = table([{ label: 'bytes', num: true }, { label: 'objects', num: true }, { label: 'before → after', num: true }, { label: 'retained before → after', num: true }, { label: 'type' }],
        d.types.filter((t) => t.bytesDelta !== 0 || t.countDelta !== 0).map((t) => [html`${signed(t.bytesDelta, bytes)}`, html`${signed(t.countDelta, count)}`,
          html`${count(t.countBefore)} → ${count(t.countAfter)}`, html`${size(t.retainedBefore)} → ${size(t.retainedAfter)}`, typeLink(t.type)]), { id: 'diff-types' });
      const roots = table([{ label: 'retained', num: true }, { label: 'before → after', num: true }, { label: 'root' }],
        d.roots.filter((x) => x.retainedDelta !== 0).map((x) => [html`${signed(x.retainedDelta, bytes)}`, html`${size(x.retainedBefore)} → ${size(x.retainedAfter)}`, x.kind === 'shared' ? html`<span class="kind">shared</span> ${x.name}` : rootLink(x.kind, x.name)]), { id: 'diff-roots' });
      return {
        title: 'Diff against the baseline',
        body: html`${d.hint ? html`<p class="hint" id="diff-hint">Hint: ${d.hint}</p>` : ''}<p>Reachable: ${size(d.reachableBefore)} → ${size(d.reachableAfter)} (${signed(d.reachableAfter - d.reachableBefore, bytes)}).</p>
<section><h2>Types that changed</h2>${types}</section><section><h2>Roots that changed</h2>${roots}</section>
${pager(Math.max(d.typeCount, d.rootCount), d.offset, d.limit, (o) => url('/diff', { offset: o }))}`,
      };
    },
  });
}
