// `/allocs`: allocation sites from the dump's MemProf records (one per sampled stack and size): sampled
// allocation counts and bytes still in use by the sample, the stack with file:line, biggest first. The twin
// /api/allocs is the CLI's `allocs --json` contract: {sites: [{count, bytes, frames: [{function, file, line}]}]}.
import { html, url } from '../html.js';
import { count, pager, size } from '../layout.js';
import type { Router } from '../router.js';
import { paging, queryOf } from '../params.js';
import { allocSites } from '../data/allocs.js';

export function register(r: Router): void {
  r.page({
    path: '/allocs',
    data(c, req) {
      const { offset, limit } = paging(queryOf(req), 100, 1000);
      const all = c.state.memo('allocs', () => allocSites(c.s));
      return { siteCount: all.length, offset, limit, sites: all.slice(offset, offset + limit) };
    },
    render(d) {
      const items = d.sites.map((x) => html`<li><p><strong>${count(x.count)}</strong> allocations, ${size(x.bytes)} <span class="muted">(${count(x.frees)} freed, ${size(x.size)} each)</span></p>
<ol class="stack">${x.frames.map((f) => html`<li><span class="fn">${f.function}</span> <span class="muted">${f.file}:${f.line}</span></li>`)}</ol></li>`);
      return {
        title: 'Allocation sites',
        body: html`<p>${count(d.siteCount)} sampled allocation sites (Go samples one allocation per MemProfileRate bytes; counts are of samples as the runtime recorded them).</p>
${d.sites.length === 0 ? html`<p class="muted">The dump has no memory profile records.</p>` : html`<ol class="sites">${items}</ol>`}
${pager(d.siteCount, d.offset, d.limit, (o) => url('/allocs', { offset: o }))}`,
      };
    },
  });
}
