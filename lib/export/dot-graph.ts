// The extracted subgraphs of the DOT exporter (top of the dominator tree, an object's neighbourhood, the type graph)
// as @dagrejs/graphlib graphs, and their writer. A node's label is its DOT attributes; an edge's label gathers the
// fields of every pointer between the same two nodes (drawn as one edge: "Next", "Slots[0], Slots[1], … +4998 more"),
// or carries its own attributes (dominator-tree edges, collapsed subtrees, type-graph edges).
import { Graph } from '@dagrejs/graphlib';
import type { OutputSink } from './output.js';
import { type DotAttrs, attrList, labelText } from './dot-syntax.js';

export interface DotEdge {
  /** Field names of the pointers this edge stands for (one entry per pointer). */
  fields: string[];
  attrs: DotAttrs;
  /** Write the fields as an external label (xlabel), placed after the layout: for edges that do not rank the
   * picture (constraint=false), whose labels dot cannot always route around (`triangulation failed`). */
  external?: boolean;
}

export type DotGraph = Graph<Record<string, never>, DotAttrs, DotEdge>;

/** Field names listed on a merged edge before "+N more". */
const FIELDS_SHOWN = 3;

export function newDotGraph(multigraph = false): DotGraph {
  return new Graph<Record<string, never>, DotAttrs, DotEdge>({ directed: true, multigraph });
}

/** Adds a pointer from `v` to `w` through `field`, merged with the other pointers between them. */
export function addPointer(g: DotGraph, v: string, w: string, field: string): void {
  const e = g.edge(v, w);
  if (e) e.fields.push(field);
  else g.setEdge(v, w, { fields: [field], attrs: {} });
}

/** The label of a merged edge. */
function fieldsLabel(fields: readonly string[]): string | undefined {
  const text = fieldsText(fields);
  return text === undefined ? undefined : labelText([text]);
}

/** The fields of merged pointers as one line: distinct names with their counts ("Next ×999, Prev"), the first few. */
export function fieldsText(fields: readonly string[]): string | undefined {
  // Distinct names, each with how often it occurs ("buckets ×2"); unnamed slots only counted.
  const times = new Map<string, number>();
  for (const f of fields) if (f !== '') times.set(f, (times.get(f) ?? 0) + 1);
  if (times.size === 0) return fields.length > 1 ? `×${fields.length}` : undefined;
  const named = [...times].map(([f, n]) => (n > 1 ? `${f} ×${n}` : f));
  const shown = named.slice(0, FIELDS_SHOWN).join(', ');
  const more = named.length - Math.min(named.length, FIELDS_SHOWN);
  return more > 0 ? `${shown}, … +${more} more` : shown;
}

/** Writes `g` as a DOT digraph after `header` (graphHeader), nodes in insertion order, then edges. */
export async function writeDotGraph(g: DotGraph, sink: OutputSink, header: string): Promise<void> {
  let p = sink.write(header);
  if (p) await p;
  for (const v of g.nodes()) {
    p = sink.write(`  ${v}${attrList(g.node(v) ?? {})};\n`);
    if (p) await p;
  }
  for (const e of g.edges()) {
    const label = g.edge(e);
    const attrs: DotAttrs = { ...label.attrs };
    if (label.fields.length > 0) {
      attrs[label.external ? 'xlabel' : 'label'] = fieldsLabel(label.fields);
      if (label.fields.length > 1) attrs.tooltip = `${label.fields.length} pointers: ${label.fields.slice(0, 50).join(', ')}${label.fields.length > 50 ? ', …' : ''}`;
    }
    p = sink.write(`  ${e.v} -> ${e.w}${attrList(attrs)};\n`);
    if (p) await p;
  }
  p = sink.write('}\n');
  if (p) await p;
}
