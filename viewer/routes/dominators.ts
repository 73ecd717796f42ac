// `/dominators`: the dominator tree from the top, biggest first: `?node=ID` (roots, root:K or an object's
// address) lists what that node immediately dominates, paged, each row expandable in place (the client script
// fetches /api/dominators?node=ID&flame=0); and the same tree as an icicle chart of retained bytes (click a bar to
// zoom, click the top bar to zoom out). The twin /api/dominators is the node, its children and the chart's bars.
import { type Html, html, url } from '../html.js';
import { count, size, typeLink } from '../layout.js';
import type { Ctx, Router } from '../router.js';
import type { TreeNode } from '../../lib/session/index.js';
import { nodeId, paging, queryOf, text, treeNode } from '../params.js';
import { flameLayout, flameNodes } from '../data/flame.js';

export interface TreeRow {
  id: string;
  kind: string;
  name: string;
  address: string | null;
  type: string | null;
  size: number;
  retained: number;
  /** Nodes it dominates. */
  children: number;
}

function label(c: Ctx, n: TreeNode): { label: string; kind: string } {
  if (n.kind === 'roots') return { label: 'all roots', kind: 'roots' };
  if (n.kind === 'root') return { label: c.s.rootNodes.name[n.rootNode], kind: c.s.rootNodes.kind[n.rootNode] };
  return { label: c.s.typeName(n.object), kind: 'object' };
}

function retainedOf(c: Ctx, n: TreeNode): number {
  return n.kind === 'roots' ? c.s.reachableBytes : n.kind === 'root' ? c.s.rootRetained(n.rootNode) : c.s.retained(n.object);
}

function row(c: Ctx, n: TreeNode): TreeRow {
  const l = label(c, n);
  const obj = n.kind === 'object';
  return { id: nodeId(c.s, n), kind: l.kind, name: l.label, address: obj ? `0x${c.s.address(n.object).toString(16)}` : null, type: obj ? l.label : null,
    size: obj ? c.s.size(n.object) : 0, retained: retainedOf(c, n), children: c.s.dominated(n, 0, 0).total };
}

/** What node n's children retain together: its retained bytes less its own size. */
function childrenRetained(c: Ctx, n: TreeNode, retained: number): number {
  return n.kind === 'object' ? retained - c.s.size(n.object) : retained;
}

function flameOf(c: Ctx, n: TreeNode) {
  return flameNodes(c.s, n, (x) => nodeId(c.s, x), (x) => label(c, x), retainedOf(c, n), (x, r) => childrenRetained(c, x, r));
}

function rootFlame(c: Ctx) {
  return c.state.memo('flame:roots', () => flameOf(c, { kind: 'roots' }));
}

export function register(r: Router): void {
  r.state.laterPreparers.push((s) => rootFlame({ s, state: r.state }));
  r.page({
    path: '/dominators',
    needsStructures: ['tree'],
    data(c, req) {
      const q = queryOf(req);
      const n = treeNode(c.s, text(q, 'node'));
      const { offset, limit } = paging(q, 50, 1000);
      const withFlame = text(q, 'flame') !== '0';
      const build = () => {
        const kids = c.s.dominated(n, offset, limit);
        // The chart of the super-root is the same for every visit: keep it.
        const flame = !withFlame ? null : n.kind === 'roots' ? rootFlame(c) : flameOf(c, n);
        return { node: row(c, n), total: kids.total, offset, limit, children: kids.items.map((k) => row(c, k)), flame };
      };
      // The top of the tree as the page first shows it is kept beside the index (a restart shows it without reading
      // the dominator tree).
      if (n.kind === 'roots' && offset === 0 && limit === 50 && withFlame) {
        return c.state.memo('dominators:top', () => c.s.keptAnswer('viewer-dominators-top', build));
      }
      return build();
    },
    render(d) {
      const rows = d.children.map(treeRow);
      const more = d.offset + d.children.length < d.total
        ? html`<p class="pager"><a href="${url('/dominators', { node: d.node.id === 'roots' ? undefined : d.node.id, offset: d.offset + d.limit })}">next ${count(Math.min(d.limit, d.total - d.offset - d.children.length))} →</a> (${count(d.total)} in all)</p>` : html``;
      return {
        title: d.node.id === 'roots' ? 'Dominator tree' : `Dominator tree under ${d.node.name}`,
        body: html`<p>${d.node.id === 'roots' ? html`Everything reachable: ${size(d.node.retained)}. The top level: root nodes, and objects only several roots together keep alive.`
          : html`${d.node.address ? html`<a class="addr" href="/object/${d.node.address}">${d.node.address}</a> ` : html``}${d.node.type ? typeLink(d.node.type) : html`<span class="kind">${d.node.kind}</span> ${d.node.name}`} retains ${size(d.node.retained)}. <a href="/dominators">Back to the top</a>`}</p>
<section><h2>Flame graph of retained bytes</h2><p class="muted">Each bar: a node of the dominator tree, as wide as what it retains; below it, what it dominates. Click a bar to zoom in, the top bar to zoom out.</p>
${d.flame ? flameSvg(d.flame) : html``}<p id="flame-info" class="muted"></p></section>
<section><h2>Tree</h2><ul class="tree dominators">${rows}</ul>${more}</section>`,
      };
    },
  });
}

export function treeRow(x: TreeRow): Html {
  const what = x.address ? html`<a class="addr" href="/object/${x.address}">${x.address}</a> ${typeLink(x.type ?? '')}` : html`<span class="kind">${x.kind}</span> <a class="root" href="${url('/roots', { name: x.name })}">${x.name}</a>`;
  return html`<li class="${x.children > 0 ? 'node' : 'leaf'}" data-node="${x.id}">${x.children > 0 ? html`<button class="toggle" aria-label="expand" aria-expanded="false">▸</button> ` : html``}${size(x.retained)} ${what}${x.children > 0 ? html` <span class="muted">(${count(x.children)} dominated)</span>` : html``}</li>`;
}

function flameSvg(nodes: Parameters<typeof flameLayout>[0]): Html {
  const l = flameLayout(nodes);
  const bars = l.rects.map((b) => html`<g class="bar" data-x="${b.node.x}" data-w="${b.node.w}" data-depth="${b.node.depth}" data-node="${b.node.id}" data-label="${b.node.label}" data-retained="${b.node.retained}">
<title>${b.node.label} · ${b.node.folded ? 'folded siblings' : b.node.kind} · ${count(b.node.retained)} bytes retained</title><rect x="${b.x.toFixed(2)}" y="${b.y}" width="${Math.max(0.5, b.w).toFixed(2)}" height="${b.h}" fill="${b.fill}"></rect><text x="${(b.x + 3).toFixed(2)}" y="${b.y + 13}">${b.text}</text></g>`);
  return html`<svg class="flame" id="flame" viewBox="0 0 ${l.width} ${l.height}" width="100%" data-width="${l.width}" role="img" aria-label="flame graph of retained bytes">${bars}</svg>`;
}
