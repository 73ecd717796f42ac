// The page shell every page shares (navigation, search box, the stylesheet and the one client script, both served
// from /assets under a CSP that forbids inline script), and the small pieces pages are made of: sizes, counts,
// links to objects, types and roots, tables with sortable headers, pagers. Everything goes through html``.
import { Html, html, url } from './html.js';

import { bytes, count } from '../lib/answers/index.js';

export { bytes, count };

export function pct(part: number, whole: number): string {
  return whole > 0 ? `${((100 * part) / whole).toFixed(1)}%` : '';
}

export function hex(a: number): string {
  return `0x${a.toString(16)}`;
}

/** A size in the CLI's units, with the exact byte count on hover. */
export function size(n: number): Html {
  return html`<span class="num" title="${count(n)} bytes">${bytes(n)}</span>`;
}

export function objectHref(address: number | string): string {
  return `/object/${typeof address === 'number' ? hex(address) : address}`;
}

/** The page of a tiny block itself (`/object/0x...` names the sub-object at that address, when one is there). */
export function blockHref(address: number | string): string {
  return url(objectHref(address), { block: 1 });
}

export function objectLink(address: number | string, label?: string): Html {
  const a = typeof address === 'number' ? hex(address) : address;
  return html`<a class="addr" href="${objectHref(a)}">${label ?? a}</a>`;
}

export function typeHref(name: string): string {
  return `/type/${encodeURIComponent(name)}`;
}

export function typeLink(name: string): Html {
  return html`<a class="type" href="${typeHref(name)}">${name}</a>`;
}

export function rootHref(name: string): string {
  return url('/roots', { name });
}

/** A root node's name linked to its detail on the roots page. */
export function rootLink(kind: string, name: string): Html {
  return html`<span class="kind">${kind}</span> <a class="root" href="${rootHref(name)}">${name}</a>`;
}

export interface Column {
  label: string;
  /** Right-aligned numbers. */
  num?: boolean;
  /** The `sort` value that orders by this column (a server-side sort link). */
  sort?: string;
}

/**
 * A table; headers of sortable columns link to the same page sorted by them on the server. The client sorts in
 * place only a table that holds every row (not `paged`): a page of a longer list is sorted by following the link.
 */
export function table(columns: Column[], rows: Html[][], opts: { id?: string; sortUrl?: (key: string) => string; current?: string; filterable?: boolean; paged?: boolean } = {}): Html {
  const head = columns.map((c) => {
    const cls = c.num ? 'num' : '';
    if (c.sort && opts.sortUrl) {
      return html`<th class="${cls}" data-sort="${c.sort}"><a href="${opts.sortUrl(c.sort)}">${c.label}${opts.current === c.sort ? ' ▾' : ''}</a></th>`;
    }
    return html`<th class="${cls}">${c.label}</th>`;
  });
  const body = rows.map((r) => html`<tr>${r.map((cell, k) => html`<td class="${columns[k]?.num ? 'num' : ''}">${cell}</td>`)}</tr>`);
  return html`<table class="${opts.filterable ? 'grid filterable' : 'grid'}" id="${opts.id ?? ''}"${opts.paged ? html` data-paged="1"` : html``}><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/** "rows 51-100 of 2,000" with previous/next links. */
export function pager(total: number, offset: number, limit: number, link: (offset: number) => string): Html {
  if (total <= limit && offset === 0) return html``;
  const end = Math.min(total, offset + limit);
  const prev = offset > 0 ? html`<a href="${link(Math.max(0, offset - limit))}">← previous</a>` : html``;
  const next = end < total ? html`<a rel="next" href="${link(end)}">next →</a>` : html``;
  return html`<p class="pager">${prev} rows ${count(total === 0 ? 0 : offset + 1)}–${count(end)} of ${count(total)} ${next}</p>`;
}

const NAV: [string, string][] = [
  ['/', 'Overview'], ['/types', 'Types'], ['/roots', 'Roots'], ['/goroutines', 'Goroutines'], ['/dominators', 'Dominators'],
  ['/suspects', 'Suspects'], ['/allocs', 'Allocations'], ['/diff', 'Diff'],
];

export interface PageInfo {
  title: string;
  /** The dump's file name, for the header. */
  dump?: string;
  /** The /api twin of this page, linked from its foot. */
  api?: string;
  /** The search box's text. */
  query?: string;
  /** Reload by itself, done by the client script: every second (the loading page), or every that many seconds. */
  refresh?: boolean | number;
  /** Show "Diff" in the menu (the viewer has a baseline). */
  diff?: boolean;
}

/** A whole page: head, navigation, search, the body, the JSON twin's link. */
export function page(info: PageInfo, body: Html): string {
  const nav = NAV.filter(([href]) => href !== '/diff' || info.diff === true).map(([href, label]) => html`<a href="${href}">${label}</a>`);
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${info.title} · goheap</title><link rel="stylesheet" href="/assets/viewer.css">
<script src="/assets/viewer.js" defer></script></head>
<body${info.refresh ? html` data-refresh="${info.refresh === true ? 1 : info.refresh}"` : html``}>
<header><a class="brand" href="/">goheap</a>${info.dump ? html` <span class="dump">${info.dump}</span>` : html``}
<nav>${nav}</nav>
<form class="search" action="/search" method="get"><input type="search" name="q" value="${info.query ?? ''}" placeholder="address, global or type" aria-label="search"><button>Search</button></form>
</header>
<main><h1>${info.title}</h1>
${body}
</main>
<footer>${info.api ? html`<a class="api" href="${info.api}">JSON of this page</a>` : html``}</footer>
</body></html>
`.text;
}
