// Test helper: renders DOT with the two independent Graphviz builds (Debian's `dot` and @hpcc-js/wasm-graphviz) and
// reads the SVG back: per node and edge (by its <title>, the DOT id or "a->b"), the label lines as drawn and the
// tooltip. Numbers and names the tests check are read from what Graphviz drew, not from the DOT goheap wrote.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { Graphviz } from '@hpcc-js/wasm-graphviz';

export interface SvgItem {
  kind: 'node' | 'edge';
  title: string;
  lines: string[];
  tooltip: string;
}

export function unescapeXml(s: string): string {
  return s.replace(/&(#x?[0-9a-fA-F]+|lt|gt|amp|quot|apos);/g, (_, e: string) => {
    if (e === 'lt') return '<';
    if (e === 'gt') return '>';
    if (e === 'amp') return '&';
    if (e === 'quot') return '"';
    if (e === 'apos') return "'";
    return String.fromCodePoint(e[1] === 'x' ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1)));
  });
}

/** The nodes and edges of an SVG Graphviz wrote. */
export function readSvg(svg: string): SvgItem[] {
  const out: SvgItem[] = [];
  const parts = svg.split(/<g id="[^"]*" class="(node|edge)">/);
  for (let k = 1; k < parts.length; k += 2) {
    const kind = parts[k] as 'node' | 'edge';
    const body = parts[k + 1];
    const title = unescapeXml(/<title>([\s\S]*?)<\/title>/.exec(body)?.[1] ?? '');
    const lines = [...body.matchAll(/<text[^>]*>([\s\S]*?)<\/text>/g)].map((m) => unescapeXml(m[1]));
    const tooltip = unescapeXml(/xlink:title="([^"]*)"/.exec(body)?.[1] ?? '');
    out.push({ kind, title, lines, tooltip });
  }
  return out;
}

/** Renders with Debian's dot -Tsvg; fails the test on a non-zero exit or any error or warning. */
export function renderWithDot(dotPath: string, timeoutMs = 170000): string {
  const r = spawnSync('dot', ['-Tsvg', dotPath], { encoding: 'utf8', maxBuffer: 1 << 30, timeout: timeoutMs });
  expect(r.error, `dot: ${String(r.error)}`).to.equal(undefined);
  expect(r.status, r.stderr).to.equal(0);
  // Nothing on stderr but dot 2.43's own spline-router complaint (a layout quirk, not about the input).
  const other = r.stderr.split('\n').filter((l) => l !== '' && !/^Warning: Unable to reclaim box space in spline routing for edge .*Something is probably seriously wrong\.$/.test(l));
  expect(other, 'dot wrote on stderr').to.deep.equal([]);
  return r.stdout;
}

let wasm: Graphviz | undefined;

/** Renders with @hpcc-js/wasm-graphviz (Graphviz compiled to WebAssembly); throws on a syntax error. */
export async function renderWithWasm(dot: string): Promise<string> {
  wasm ??= await Graphviz.load();
  return wasm.layout(dot, 'svg', 'dot');
}
