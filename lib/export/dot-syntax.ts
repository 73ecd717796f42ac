// DOT syntax for the DOT exporter: quoting of strings (labels, tooltips), attribute lists, exact byte and count
// figures as the labels show them, and the graph's header. Everything a label holds passes through dotString,
// so Go type names (quotes, brackets, braces, angle brackets, backslashes), field names and heap strings (any bytes,
// already made printable by the caller) come out as one valid DOT string each.

/** Longest line of a label; longer lines are cut with "…" (tooltips keep the whole text). */
export const MAX_LABEL_LINE = 96;

/**
 * A DOT quoted string whose text, once Graphviz has read it as an escString (labels, tooltips), is exactly `s`:
 * backslashes doubled (so no \N, \G, \l... escape is formed), double quotes escaped, line breaks as \n (centered
 * lines), and the other control characters shown as \xNN (a visible backslash). Lone surrogates become U+FFFD.
 */
export function dotString(s: string): string {
  let out = '"';
  let plainFrom = 0;
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    let rep: string | undefined;
    if (c === 0x22) rep = '\\"';
    else if (c === 0x5c) rep = '\\\\';
    else if (c === 0x0a) rep = '\\n';
    else if (c === 0x26) rep = '&amp;'; // Graphviz reads HTML entities in labels: "&amp;" alone would draw as "&"
    else if (c < 0x20 || c === 0x7f) rep = `\\\\x${c.toString(16).padStart(2, '0')}`;
    else if (c >= 0xd800 && c <= 0xdfff) {
      const pair = c <= 0xdbff && k + 1 < s.length && (s.charCodeAt(k + 1) & 0xfc00) === 0xdc00;
      if (pair) {
        k++;
        continue;
      }
      rep = '\ufffd';
    }
    if (rep !== undefined) {
      out += s.slice(plainFrom, k) + rep;
      plainFrom = k + 1;
    }
  }
  return `${out}${s.slice(plainFrom)}"`;
}

/** A label of several lines, each cut to MAX_LABEL_LINE characters. */
export function labelText(lines: readonly string[]): string {
  return lines.flatMap((l) => l.split('\n')).map((l) => (l.length > MAX_LABEL_LINE ? `${l.slice(0, MAX_LABEL_LINE - 1)}…` : l)).join('\n');
}

export type DotAttrs = Record<string, string | number | undefined>;

/** `[a="x", b=2]` (attributes whose value is undefined are left out); '' when there are none. */
export function attrList(a: DotAttrs): string {
  let out = '';
  for (const k in a) {
    const v = a[k];
    if (v === undefined) continue;
    out += `${out === '' ? '' : ', '}${k}=${typeof v === 'number' ? String(v) : dotString(v)}`;
  }
  return out === '' ? '' : ` [${out}]`;
}

/** An integer with thousands separators: 1234567 -> "1,234,567". */
export function count(n: number): string {
  const s = String(Math.round(n));
  if (s.length <= 3) return s;
  let out = '';
  const lead = s.length % 3;
  if (lead) out = s.slice(0, lead);
  for (let k = lead; k < s.length; k += 3) out += `${out === '' ? '' : ','}${s.slice(k, k + 3)}`;
  return out;
}

/** A byte figure as labels show it: exact ("40,960 B"), with a rounded form after it from 1 MiB on ("(1.5 MiB)"). */
export function bytes(n: number): string {
  const exact = `${count(n)} B`;
  if (n < 1 << 20) return exact;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${exact} (${v.toFixed(v < 10 ? 2 : 1)} ${units[u]})`;
}

/** Four hex digits of every 16-bit value: addresses above 2^31 are doubles, whose toString(16) is slow. */
const HEX4: string[] = Array.from({ length: 65536 }, (_, k) => k.toString(16).padStart(4, '0'));

/** "0x1f00" (an address below 2^53). */
export function hex(a: number): string {
  if (a < 0x80000000) return `0x${a.toString(16)}`;
  const hi = Math.floor(a / 4294967296);
  const lo = a - hi * 4294967296;
  const low8 = HEX4[lo >>> 16] + HEX4[lo & 0xffff];
  return hi === 0 ? `0x${low8.replace(/^0+/, '')}` : `0x${hi.toString(16)}${low8}`;
}

/** The opening of a digraph with goheap's defaults for nodes and edges; `title` becomes its label. */
export function graphHeader(name: string, title: string, rankdir: 'LR' | 'TB'): string {
  return `digraph ${dotString(name)} {\n`
    + `  graph${attrList({ label: title, labelloc: 't', fontname: 'Helvetica', rankdir, nodesep: 0.15, ranksep: 0.4 })};\n`
    + `  node${attrList({ shape: 'box', style: 'rounded,filled', fillcolor: '#eef3fb', color: '#4a6fa5', fontname: 'Helvetica', fontsize: 10 })};\n`
    + `  edge${attrList({ fontname: 'Helvetica', fontsize: 9, color: '#555555', arrowsize: 0.6 })};\n`;
}

/** Node style of garbage (objects no root reaches). */
export const GARBAGE: DotAttrs = { color: '#aaaaaa', fontcolor: '#888888', fillcolor: '#f2f2f2', style: 'rounded,filled,dashed' };
/** Node style of root nodes: globals, goroutines, finalizers. */
export const ROOT: DotAttrs = { shape: 'box', style: 'filled', fillcolor: '#fff2cc', color: '#b58900' };
/** Node style of a collapsed subtree. */
export const COLLAPSED: DotAttrs = { shape: 'folder', style: 'filled', fillcolor: '#e8e8e8', color: '#777777' };
/** Edge style of a dominator-tree edge where no pointer is drawn (the dominated object is reached through others). */
export const DOMINATES: DotAttrs = { style: 'dashed', color: '#999999', arrowhead: 'empty' };
