// Page parts more than one page shows: a path from a root drawn hop by hop, a root node's label.
import type { PathHopJson } from '../lib/answers/index.js';
import { type Html, html } from './html.js';
import { count, objectLink, rootLink, typeLink } from './layout.js';

/** `main.Cache → map[...] .buckets → [3]main.Node .Next → main.Node`, each object linked. */
export function pathView(path: readonly PathHopJson[]): Html {
  if (path.length === 0) return html`<p class="muted">Unreachable: no root keeps it alive.</p>`;
  const items = path.map((p, k) => {
    if (p.kind !== 'object') return html`<li>${rootLink(p.kind, p.name)}</li>`;
    const via = k > 0 && p.field ? html`<span class="field">${fieldLabel(p.field, path[k - 1].kind === 'object')}</span> → ` : html`→ `;
    // A long chain's hops in one: `.Next → 999,997 x 0x... main.Node` (the first of them linked).
    return html`<li>${via}${p.repeat !== undefined ? html`${count(p.repeat)} x ` : html``}${objectLink(p.address)} ${typeLink(p.type ?? p.name)}</li>`;
  });
  return html`<ol class="path">${items}</ol>`;
}

/** How a field reads after its holder: `.Next`, `[3]`, `[+0x10]`; a root slot as it is. */
function fieldLabel(field: string, afterObject: boolean): string {
  if (!afterObject) return field;
  if (field.startsWith('+')) return `[${field}]`;
  return field.startsWith('[') ? field : `.${field}`;
}

/**
 * A suspect's subject: a root node (linked to its slots), an object several roots share (linked to its page), or
 * many objects of a type (an aggregate or a type: linked to the type's page).
 */
export function suspectSubject(x: { kind: string; name: string; address: string; roots?: readonly string[]; count?: number }): Html {
  if (x.kind === 'aggregate' || x.kind === 'type') return html`<span class="kind">${x.kind}</span> ${count(x.count ?? 0)} x ${typeLink(x.name)}`;
  if (x.kind === 'shared' || x.kind === 'object') {
    return html`${x.kind === 'shared' ? html`<span class="kind">shared</span> ` : html``}object ${objectLink(x.address)} ${typeLink(x.name)}${x.roots && x.roots.length > 0 ? html` <span class="muted">reached from</span> ${x.roots.slice(0, 5).map((r, k) => html`${k > 0 ? ', ' : ''}<a class="root" href="/roots?name=${encodeURIComponent(r)}">${r}</a>`)}${x.roots.length > 5 ? ` and ${x.roots.length - 5} more` : ''}` : html``}`;
  }
  return rootLink(x.kind, x.name);
}

/** A row of the roots answer: a root node (linked to its slots) or a shared object (linked to its page). */
export function rootRowLink(x: { kind: string; name: string; address: string; roots?: readonly string[]; rootCount?: number; count?: number }): Html {
  if (x.kind === 'shared') {
    return html`<span class="kind">shared</span> ${objectLink(x.address)} ${typeLink(x.name)} <span class="muted">reached from ${x.rootCount ?? x.roots?.length ?? 0} roots</span>`;
  }
  return html`${rootLink(x.kind, x.name)}${x.count !== undefined && x.kind === 'goroutines' ? html` <span class="muted">(${x.count} goroutines)</span>` : html``}`;
}
