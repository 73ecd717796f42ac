// The one HTML-escaping helper every page uses. Pages are built with the `html` tagged template: every
// interpolated value is escaped (text and attribute contexts alike: & < > " ' are replaced), unless it is already
// Html (the result of another `html` template, or of `trusted` for markup the viewer itself produced, such as the
// SVG graphviz draws). Heap strings are arbitrary bytes: they reach here as JS strings (invalid UTF-8 decoded to
// U+FFFD or shown as \x escapes by lib/typing) and leave as inert text.

/** Markup that is safe to insert as is. */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Text made safe for an HTML text node or a quoted attribute value. */
export function esc(value: unknown): string {
  // Lone surrogates (from odd bytes) would be written as U+FFFD by the encoder anyway; control characters other
  // than tab and newline are shown as escapes so that they are visible.
  return String(value)
    .replace(/[&<>"'`]/g, (c) => ESCAPES[c])
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

type Part = Html | string | number | boolean | null | undefined | readonly Part[];

function render(v: Part): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof Html) return v.text;
  if (Array.isArray(v)) return v.map(render).join('');
  return esc(v);
}

/** html`<a href="${url}">${text}</a>`: the interpolated values escaped, arrays joined, Html inserted as is. */
export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0];
  for (let k = 0; k < values.length; k++) out += render(values[k]) + strings[k + 1];
  return new Html(out);
}

/** Markup the viewer produced itself (never heap data). */
export function trusted(markup: string): Html {
  return new Html(markup);
}

/** A path with query parameters, each key and value URL-encoded (escape it again when it goes into an attribute: html`` does). */
export function url(path: string, query: Record<string, string | number | undefined> = {}): string {
  const q = Object.entries(query).filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return q.length > 0 ? `${path}?${q.join('&')}` : path;
}
