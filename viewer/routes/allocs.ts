// `/allocs`: allocation sites from the dump's MemProf records (lib/answers' allocsAnswer, the CLI's `allocs --json`):
// per call stack the sampled allocations and frees and their bytes, and the live objects whose allocation was
// sampled; biggest first, paged. The twin /api/allocs is the CLI's `allocs --json --limit 0` document, paged.
import { allocsAnswer } from '../../lib/answers/index.js';
import { html, url } from '../html.js';
import { count, pager, size } from '../layout.js';
import type { Router } from '../router.js';
import { paging, queryOf } from '../params.js';

export function register(r: Router): void {
  r.page({
    needsStructures: false,
    path: '/allocs',
    data(c, req) {
      const { offset, limit } = paging(queryOf(req), 100, 100000);
      const all = c.state.memo('allocs', () => allocsAnswer(c.s, 0));
      return { ...all, offset, limit, sites: all.sites.slice(offset, offset + limit) };
    },
    render(d) {
      const items = d.sites.map((x) => html`<li><p><strong>${count(x.count)}</strong> allocations, ${size(x.bytes)}; in use ${count(x.inUse)}, ${size(x.inUseBytes)}${x.liveSamples > 0 ? html`; ${count(x.liveSamples)} sampled objects in this dump (${size(x.liveSampleBytes)})` : html``}</p>
<ol class="stack">${x.frames.map((f) => html`<li><span class="fn">${f.inlined ? `${f.function}(...)` : f.function}</span> <span class="muted">${f.file}:${f.line}</span></li>`)}</ol></li>`);
      return {
        title: 'Allocation sites',
        body: html`<p>${count(d.siteCount)} allocation sites from ${count(d.buckets)} memory-profile records and ${count(d.samples)} sampled objects. Go samples one allocation per MemProfileRate bytes; counts are of samples, as the runtime recorded them.</p>
${d.sites.length === 0 ? html`<p class="muted">The dump has no memory profile records.</p>` : html`<ol class="sites">${items}</ol>`}
${pager(d.siteCount, d.offset, d.limit, (o) => url('/allocs', { offset: o }))}`,
      };
    },
  });
}
