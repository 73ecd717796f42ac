// The neighbourhood of an object as an SVG: the object, who points at it (objects with the field, roots by name),
// what it points at, and its immediate dominator, laid out by Graphviz (@hpcc-js/wasm-graphviz, the WebAssembly
// build: no process is started, no file is read). Each object is drawn once per session and kept in an LRU cache.
// Labels are quoted for DOT here; Graphviz escapes them for SVG; the SVG is then checked to hold no script or
// event handler before a page embeds it.
import { Graphviz } from '@hpcc-js/wasm-graphviz';
import { LRUCache } from 'lru-cache';
import type { HeapSession } from '../../lib/session/index.js';

export interface NeighbourNode {
  id: string;
  /** 'object' (this one or another), or a root's kind. */
  kind: string;
  label: string;
  address: string | null;
  /** This object, a referrer, a target, or its dominator. */
  role: 'self' | 'referrer' | 'target' | 'dominator';
  /** A tiny block that holds sub-objects (its page is /object/ADDRESS?block=1: the address names its first sub-object). */
  block?: true;
}

export interface NeighbourEdge {
  from: string;
  to: string;
  label: string;
  /** The dominator edge (dashed) rather than a pointer. */
  dominates?: boolean;
}

export interface Neighbourhood {
  nodes: NeighbourNode[];
  edges: NeighbourEdge[];
  /** Referrers and targets left out of the picture. */
  moreReferrers: number;
  moreTargets: number;
}

/** Referrers and targets drawn at most. */
const SHOWN = 8;

function hex(a: number): string {
  return `0x${a.toString(16)}`;
}

function short(s: string, n = 48): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** The neighbourhood of object i as nodes and edges (the data the SVG draws). */
export function neighbourhood(s: HeapSession, i: number): Neighbourhood {
  const nodes: NeighbourNode[] = [];
  const edges: NeighbourEdge[] = [];
  const ids = new Map<number, string>();
  const objectNode = (j: number, role: NeighbourNode['role']): string => {
    let id = ids.get(j);
    if (id === undefined) {
      id = `n${nodes.length}`;
      ids.set(j, id);
      nodes.push({ id, kind: 'object', label: s.typeName(j), address: hex(s.address(j)), role, ...(s.isSplitBlock(j) ? { block: true as const } : {}) });
    }
    return id;
  };
  const self = objectNode(i, 'self');
  const refs = s.referrers(i);
  for (const r of refs.slice(0, SHOWN)) {
    if (r.kind === 'object') edges.push({ from: objectNode(r.object, 'referrer'), to: self, label: r.field });
    else {
      const id = `n${nodes.length}`;
      nodes.push({ id, kind: r.rootKind, label: r.name, address: null, role: 'referrer' });
      edges.push({ from: id, to: self, label: r.slot });
    }
  }
  const g = s.graph;
  // A tiny sub-object has no pointers.
  const { first: start, end } = i < s.objectCount ? g.edgesOf(i) : { first: 0, end: 0 };
  let shownTargets = 0;
  for (let e = start; e < end && shownTargets < SHOWN; e++) {
    const off = g.edgeOffsetAt(e);
    const t = s.pointerTarget(i, off, g.edgeTargetAt(e));
    edges.push({ from: self, to: objectNode(t, t === i ? 'self' : 'target'), label: s.types.fieldName(i, off) ?? `+0x${off.toString(16)}` });
    shownTargets++;
  }
  const d = s.dominator(i);
  if (d.kind === 'object') {
    const id = objectNode(d.object, 'dominator');
    edges.push({ from: id, to: self, label: 'dominates', dominates: true });
  } else if (d.kind === 'root' || d.kind === 'roots') {
    const id = `n${nodes.length}`;
    nodes.push({ id, kind: d.kind === 'root' ? s.rootNodes.kind[d.rootNode] : 'roots', label: d.kind === 'root' ? s.rootNodes.name[d.rootNode] : 'several roots', address: null, role: 'dominator' });
    edges.push({ from: id, to: self, label: 'dominates', dominates: true });
  }
  return { nodes, edges, moreReferrers: Math.max(0, refs.length - SHOWN), moreTargets: Math.max(0, end - start - shownTargets) };
}

/** A DOT quoted string: quotes, backslashes (so \n, \l... are not label escapes) and ampersands escaped, control characters dropped. */
function dotString(...lines: string[]): string {
  // Graphviz reads HTML entities in labels ("&lt;" would draw as "<"): an ampersand is written as one.
  const quoted = lines.map((s) => s.replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/&/g, '&amp;'));
  return `"${quoted.join('\\n')}"`;
}

/** The DOT source of a neighbourhood; object nodes link to their pages. */
export function neighbourhoodDot(n: Neighbourhood): string {
  const lines = ['digraph neighbourhood {', '  graph [rankdir=LR, bgcolor="transparent", fontname="Helvetica", fontsize=10];',
    '  node [shape=box, style="rounded,filled", fillcolor="#eef3fb", color="#6b89b8", fontname="Helvetica", fontsize=10];',
    '  edge [color="#7a869a", fontname="Helvetica", fontsize=9];'];
  for (const v of n.nodes) {
    const label = v.address ? dotString(short(v.label), v.address) : dotString(v.kind, short(v.label));
    const attrs = [`label=${label}`, `tooltip=${dotString(v.label)}`];
    if (v.address) attrs.push(`URL=${dotString(`/object/${v.address}${v.block ? '?block=1' : ''}`)}`);
    if (v.role === 'self') attrs.push('fillcolor="#ffe9a8"', 'color="#b8860b"', 'penwidth=2');
    else if (!v.address) attrs.push('fillcolor="#e3f4e1"', 'color="#5a9a52"');
    lines.push(`  ${v.id} [${attrs.join(', ')}];`);
  }
  for (const e of n.edges) {
    const attrs = [`label=${dotString(short(e.label, 32))}`];
    if (e.dominates) attrs.push('style=dashed', 'color="#b8860b"', 'fontcolor="#b8860b"');
    lines.push(`  ${e.from} -> ${e.to} [${attrs.join(', ')}];`);
  }
  lines.push('}');
  return lines.join('\n');
}

let graphviz: Promise<Graphviz> | undefined;

/** Graphviz's WebAssembly module, loaded once per process. */
export function loadGraphviz(): Promise<Graphviz> {
  graphviz ??= Graphviz.load();
  return graphviz;
}

/** Graphviz's SVG of `dot`, cleaned for embedding: no XML prolog, doctype or comments; undefined if it holds anything active. */
export async function renderSvg(dot: string): Promise<string | undefined> {
  const gv = await loadGraphviz();
  const svg = gv.dot(dot, 'svg');
  const body = svg.replace(/<\?xml[^>]*\?>/g, '').replace(/<!DOCTYPE[^>]*>/g, '').replace(/<!--[\s\S]*?-->/g, '').trim();
  // Graphviz writes no script; check that rather than trust it: no script or foreign element, no event-handler
  // attribute, and links only to object pages (labels are text: their quotes and brackets arrive escaped).
  return isInert(body) ? body : undefined;
}

const ATTRIBUTE = /\s([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=\s*("[^"]*"|'[^']*')/g;

/** True when the SVG markup has no script, no foreignObject, no on* attribute and no link but to /object/0x... */
export function isInert(svg: string): boolean {
  for (const tag of svg.match(/<[^>]*>/g) ?? []) {
    if (/^<\/?\s*(script|foreignobject|iframe|object|embed|image|use)\b/i.test(tag)) return false;
    for (const m of tag.matchAll(ATTRIBUTE)) {
      const name = m[1].toLowerCase();
      const value = m[2].slice(1, -1);
      if (name.startsWith('on')) return false;
      if ((name === 'href' || name.endsWith(':href')) && !/^\/object\/0x[0-9a-f]+$/.test(value)) return false;
      if (name === 'style') return false;
    }
  }
  return true;
}

/** Draws object neighbourhoods once per session and keeps the last ones (keyed by object index). */
export class NeighbourhoodCache {
  private readonly cache = new LRUCache<number, { data: Neighbourhood; svg: string | undefined }>({ max: 256 });

  async get(s: HeapSession, i: number): Promise<{ data: Neighbourhood; svg: string | undefined }> {
    const hit = this.cache.get(i);
    if (hit) return hit;
    const data = neighbourhood(s, i);
    const v = { data, svg: await renderSvg(neighbourhoodDot(data)) };
    this.cache.set(i, v);
    return v;
  }
}
