// goheap viewer: the one client script (served from /assets; the CSP forbids inline script). It only ever puts
// text into the page with textContent and builds elements with createElement: never innerHTML, so nothing that
// came from the heap can become markup. Parts: the loading page reloads itself; tables filter and sort in place;
// the retainers and dominator trees expand by fetching /api; the flame graph zooms on click.
'use strict';

(function () {
  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null) continue;
      if (k === 'text') e.textContent = String(v);
      else e.setAttribute(k, String(v));
    }
    for (const c of children) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return e;
  }

  function bytes(n) {
    if (n < 1024) return `${n} B`;
    const units = ['KiB', 'MiB', 'GiB', 'TiB'];
    let v = n / 1024;
    let u = 0;
    while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
    return `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
  }

  // Only same-origin paths built from values the server checked (hex addresses, root:N) go into links.
  function objectHref(address) {
    return /^0x[0-9a-f]+$/.test(address) ? `/object/${address}` : '#';
  }

  // ---- the loading page ----
  if (document.body && document.body.dataset.refresh) setTimeout(() => location.reload(), 1000 * (Number(document.body.dataset.refresh) || 1));

  // ---- filter box: hides rows of the table whose text does not contain the filter ----
  for (const input of $$('input[data-filter]')) {
    const table = document.getElementById(input.dataset.filter);
    if (!table) continue;
    input.addEventListener('input', () => {
      const f = input.value.toLowerCase();
      for (const tr of $$('tbody tr', table)) tr.hidden = f !== '' && !tr.textContent.toLowerCase().includes(f);
    });
  }

  // ---- sortable tables: a click on a header sorts the rows in place when the table holds them all; a page of a
  // longer list (data-paged) is sorted on the server by following the header's link ----
  for (const th of $$('table.grid th[data-sort]')) {
    th.addEventListener('click', (ev) => {
      const table = th.closest('table');
      if (table.dataset.paged) return;
      const tbody = $('tbody', table);
      const rows = $$('tr', tbody);
      if (rows.length >= 5000) return; // a long list: let the link sort on the server
      ev.preventDefault();
      const col = Array.from(th.parentNode.children).indexOf(th);
      const numeric = th.classList.contains('num');
      const dir = th.dataset.dir === 'desc' ? 'asc' : 'desc';
      th.dataset.dir = dir;
      const key = (tr) => {
        const cell = tr.children[col];
        if (!numeric) return cell.textContent.trim();
        const span = cell.querySelector('[title]');
        const t = span ? span.getAttribute('title') : cell.textContent;
        return Number(t.replace(/[^0-9.-]/g, '')) || 0;
      };
      rows.sort((a, b) => {
        const x = key(a);
        const y = key(b);
        const c = numeric ? x - y : String(x).localeCompare(String(y));
        return dir === 'desc' ? -c : c;
      });
      for (const r of rows) tbody.append(r);
    });
  }

  // ---- expandable trees ----
  function sizeSpan(n) {
    return el('span', { class: 'num', title: `${n.toLocaleString('en-US')} bytes`, text: bytes(n) });
  }

  function retainerItem(r) {
    if (r.kind === 'root') {
      return el('li', { class: 'leaf' }, el('span', { class: 'kind', text: r.rootKind }), ' ',
        el('a', { class: 'root', href: `/roots?name=${encodeURIComponent(r.name)}`, text: r.name }), ' ', el('span', { class: 'field', text: r.slot }));
    }
    const expandable = r.referrers > 0 || r.distance === 1;
    const li = el('li', { class: expandable ? 'node' : 'leaf', 'data-address': r.address });
    if (expandable) li.append(el('button', { class: 'toggle', 'aria-label': 'expand', 'aria-expanded': 'false', text: '▸' }), ' ');
    li.append(el('span', { class: 'field', text: r.field }), ' in ', el('a', { class: 'addr', href: objectHref(r.address), text: r.address }), ' ',
      el('a', { class: 'type', href: `/type/${encodeURIComponent(r.type)}`, text: r.type }), ' ',
      el('span', { class: 'muted', text: `distance ${r.distance < 0 ? '–' : r.distance}, size` }), ' ', sizeSpan(r.size), ' ',
      el('span', { class: 'muted', text: 'retained' }), ' ', sizeSpan(r.retained));
    return li;
  }

  function dominatorItem(x) {
    const li = el('li', { class: x.children > 0 ? 'node' : 'leaf', 'data-node': x.id });
    if (x.children > 0) li.append(el('button', { class: 'toggle', 'aria-label': 'expand', 'aria-expanded': 'false', text: '▸' }), ' ');
    li.append(sizeSpan(x.retained), ' ');
    if (x.address) {
      li.append(el('a', { class: 'addr', href: objectHref(x.address), text: x.address }), ' ', el('a', { class: 'type', href: `/type/${encodeURIComponent(x.type)}`, text: x.type }));
    } else {
      li.append(el('span', { class: 'kind', text: x.kind }), ' ', el('a', { class: 'root', href: `/roots?name=${encodeURIComponent(x.name)}`, text: x.name }));
    }
    if (x.children > 0) li.append(' ', el('span', { class: 'muted', text: `(${x.children.toLocaleString('en-US')} dominated)` }));
    return li;
  }

  async function expand(li, button) {
    const open = button.getAttribute('aria-expanded') === 'true';
    const sub = li.querySelector(':scope > ul.tree');
    if (open) {
      button.setAttribute('aria-expanded', 'false');
      button.textContent = '▸';
      if (sub) sub.hidden = true;
      return;
    }
    button.setAttribute('aria-expanded', 'true');
    button.textContent = '▾';
    if (sub) { sub.hidden = false; return; }
    const ul = el('ul', { class: 'tree' });
    li.append(ul);
    ul.append(el('li', { class: 'leaf muted', text: 'loading…' }));
    try {
      let items;
      let total;
      if (li.dataset.address) {
        const r = await fetch(`/api/object/${encodeURIComponent(li.dataset.address)}/retainers`);
        if (!r.ok) throw new Error(`${r.status}`);
        const d = await r.json();
        items = d.rows.map(retainerItem);
        total = d.total;
      } else {
        const r = await fetch(`/api/dominators?node=${encodeURIComponent(li.dataset.node)}&flame=0&limit=100`);
        if (!r.ok) throw new Error(`${r.status}`);
        const d = await r.json();
        items = d.children.map(dominatorItem);
        total = d.total;
      }
      ul.textContent = '';
      for (const it of items) ul.append(it);
      if (items.length === 0) ul.append(el('li', { class: 'leaf muted', text: 'nothing' }));
      if (total > items.length) ul.append(el('li', { class: 'leaf muted', text: `${(total - items.length).toLocaleString('en-US')} more not shown` }));
    } catch (e) {
      ul.textContent = '';
      ul.append(el('li', { class: 'leaf error', text: `could not load: ${e.message}` }));
    }
  }

  document.addEventListener('click', (ev) => {
    const button = ev.target.closest && ev.target.closest('button.toggle');
    if (!button) return;
    const li = button.closest('li');
    if (li) expand(li, button);
  });

  // ---- flame graph: click a bar to zoom to it (it spans the width, bars outside it hide), the top bar to zoom out ----
  const flame = document.getElementById('flame');
  if (flame) {
    const width = Number(flame.dataset.width) || 1200;
    const bars = $$('g.bar', flame);
    const info = document.getElementById('flame-info');
    const fit = (g, x, w) => {
      const rect = $('rect', g);
      const text = $('text', g);
      rect.setAttribute('x', (x * width).toFixed(2));
      rect.setAttribute('width', Math.max(0.5, w * width).toFixed(2));
      text.setAttribute('x', (x * width + 3).toFixed(2));
      const chars = Math.floor((w * width - 6) / 7);
      const label = g.dataset.label;
      text.textContent = chars >= 3 ? (label.length > chars ? `${label.slice(0, chars - 1)}…` : label) : '';
    };
    const zoom = (focus) => {
      const fx = Number(focus.dataset.x);
      const fw = Number(focus.dataset.w);
      const fd = Number(focus.dataset.depth);
      for (const g of bars) {
        const x = Number(g.dataset.x);
        const w = Number(g.dataset.w);
        const d = Number(g.dataset.depth);
        const inside = x >= fx - 1e-9 && x + w <= fx + fw + 1e-9;
        const above = d < fd && x <= fx + 1e-9 && x + w >= fx + fw - 1e-9;
        if (!inside && !above) { g.classList.add('hidden'); continue; }
        g.classList.remove('hidden');
        if (above) fit(g, 0, 1);
        else fit(g, (x - fx) / fw, w / fw);
      }
      flame.dataset.zoomed = focus === bars[0] ? '' : focus.dataset.node;
    };
    flame.addEventListener('click', (ev) => {
      const g = ev.target.closest('g.bar');
      if (!g) return;
      zoom(g);
      if (info) {
        info.textContent = '';
        const id = g.dataset.node;
        const what = `${g.dataset.label} retains ${bytes(Number(g.dataset.retained))}`;
        if (/^0x[0-9a-f]+$/.test(id)) info.append(what, ' · ', el('a', { href: objectHref(id), text: `open ${id}` }), ' · ', el('a', { href: `/dominators?node=${id}`, text: 'its own tree' }));
        else if (/^root:[0-9]+$/.test(id)) info.append(what, ' · ', el('a', { href: `/roots?name=${encodeURIComponent(g.dataset.label)}`, text: 'the root' }), ' · ', el('a', { href: `/dominators?node=${id}`, text: 'its own tree' }));
        else info.append(what);
      }
    });
  }
})();
