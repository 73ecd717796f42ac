// `--focus ADDRESS|GLOBAL`: one object's (or one global's) neighbourhood and its paths to the roots. The
// neighbourhood is every object within `depth` pointers of the focus, both ways (what it points to, what points to
// it, roots included), at most `fanout` per node and direction (the rest collapsed into a "+N more" node); the paths
// are the shortest path from a root to the focus and to each of its drawn referrers, and the focus' immediate
// dominator is linked to it with a dashed edge when no pointer already shows it.
import type { HeapSession } from '../session/index.js';
import { COLLAPSED, DOMINATES, count, hex, labelText } from './dot-syntax.js';
import { type DotGraph, addPointer, newDotGraph } from './dot-graph.js';
import { FieldNames, goroutineOfRootNode, objectAttrs, objectId, rootAttrs, rootId, rootSlotLabel, slotText } from './dot-labels.js';

/** What to focus on: an object, or a root node (a global). */
export type FocusTarget = { kind: 'object'; object: number } | { kind: 'root'; rootNode: number };

export interface FocusOptions {
  /** Pointers away from the focus, both ways (default 1). */
  depth?: number;
  /** Referents or referrers drawn per node and direction (default 25). */
  fanout?: number;
  /** Paths to roots drawn besides the focus' own (from its referrers; default 10). */
  paths?: number;
  /** Most nodes drawn (the neighbourhood stops growing there). */
  maxNodes?: number;
}

export interface FocusSummary {
  focus: string;
  drawnObjects: number;
  drawnRootNodes: number;
  /** Pointers left out by the fanout limit (in "+N more" nodes). */
  omittedPointers: number;
  paths: number;
}

const FOCUS_STYLE = { penwidth: 2.5, fillcolor: '#ffd6d6', color: '#c0392b' };

/** Draws the focus' neighbourhood and paths to roots; see the file's header. */
export function focusGraph(s: HeapSession, focus: FocusTarget, options: FocusOptions = {}): { graph: DotGraph; summary: FocusSummary } {
  const depth = options.depth ?? 1;
  const fanout = options.fanout ?? 25;
  const maxPaths = options.paths ?? 10;
  const maxNodes = options.maxNodes ?? 2000;
  const g = newDotGraph();
  const graph = s.graph;
  const fields = new FieldNames(s);
  const goroutines = goroutineOfRootNode(s);
  const rootNode = s.rootNodes.rootNode;
  const roots = graph.roots;
  let drawnObjects = 0;
  let drawnRoots = 0;
  let omitted = 0;

  const addObject = (i: number): string => {
    const id = objectId(i);
    if (!g.hasNode(id)) {
      g.setNode(id, objectAttrs(s, i));
      drawnObjects++;
    }
    return id;
  };
  const addRoot = (k: number): string => {
    const id = rootId(k);
    if (!g.hasNode(id)) {
      g.setNode(id, rootAttrs(s, k, goroutines[k]));
      drawnRoots++;
    }
    return id;
  };
  const more = (from: string, n: number, outward: boolean): void => {
    if (n <= 0) return;
    omitted += n;
    const id = `m_${outward ? 'out' : 'in'}_${from}`;
    g.setNode(id, { ...COLLAPSED, label: `+${count(n)} more ${outward ? 'pointers from here' : 'referrers'}` });
    if (outward) g.setEdge(from, id, { fields: [], attrs: { style: 'dashed' } });
    else g.setEdge(id, from, { fields: [], attrs: { style: 'dashed' } });
  };

  const focusId = focus.kind === 'object' ? addObject(focus.object) : addRoot(focus.rootNode);
  g.setNode(focusId, { ...g.node(focusId), ...FOCUS_STYLE });
  const focusName = focus.kind === 'object'
    ? `${s.typeName(focus.object)} at ${hex(s.address(focus.object))}`
    : `${s.rootNodes.kind[focus.rootNode]} ${s.rootNodes.name[focus.rootNode]}`;

  // Breadth-first, both ways, `depth` pointers out; root nodes only lead outwards.
  let frontier: { kind: 'object' | 'root'; index: number }[] = [focus.kind === 'object' ? { kind: 'object', index: focus.object } : { kind: 'root', index: focus.rootNode }];
  const seen = new Set<string>([focusId]);
  // A global's own pointers do not count as a level: its objects are where the neighbourhood starts.
  const levels = focus.kind === 'root' ? depth + 1 : depth;
  for (let level = 0; level < levels && frontier.length > 0; level++) {
    const next: typeof frontier = [];
    const visit = (kind: 'object' | 'root', index: number): void => {
      const id = kind === 'object' ? objectId(index) : rootId(index);
      if (seen.has(id)) return;
      seen.add(id);
      next.push({ kind, index });
    };
    for (const n of frontier) {
      if (drawnObjects + drawnRoots >= maxNodes) break;
      if (n.kind === 'root') {
        const from = rootId(n.index);
        let shown = 0;
        let total = 0;
        for (let r = 0; r < roots.count; r++) {
          if (rootNode[r] !== n.index) continue;
          total++;
          if (shown >= fanout) continue;
          shown++;
          const t = roots.target[r];
          addPointer(g, from, addObject(t), rootSlotLabel(s, r));
          visit('object', t);
        }
        more(from, total - shown, true);
        continue;
      }
      const i = n.index;
      const from = objectId(i);
      const start = graph.edgeStart[i];
      const end = graph.edgeStart[i + 1];
      const shownOut = Math.min(end - start, fanout);
      for (let e = start; e < start + shownOut; e++) {
        const t = graph.edgeTarget[e];
        addPointer(g, from, addObject(t), fields.name(i, graph.edgeOffset(e)));
        visit('object', t);
      }
      more(from, end - start - shownOut, true);
      const referrers = s.referrers(i);
      const shownIn = Math.min(referrers.length, fanout);
      for (let k = 0; k < shownIn; k++) {
        const ref = referrers[k];
        if (ref.kind === 'object') {
          addPointer(g, addObject(ref.object), from, ref.field);
          visit('object', ref.object);
        } else {
          // The slot's own words, as rootSlotLabel words them.
          addPointer(g, addRoot(ref.rootNode), from, slotText(ref.name, ref.rootKind, ref.slot));
        }
      }
      more(from, referrers.length - shownIn, false);
    }
    frontier = next;
  }

  // Shortest paths from the roots: to the focus, then to its drawn referrers.
  const byName = new Map<string, number>();
  for (let k = 0; k < s.rootNodes.count; k++) byName.set(`${s.rootNodes.kind[k]}\0${s.rootNodes.name[k]}\0${s.rootNodes.address[k]}`, k);
  const pathStarts: number[] = [];
  if (focus.kind === 'object') {
    pathStarts.push(focus.object);
    for (const ref of s.referrers(focus.object)) {
      if (pathStarts.length > maxPaths) break;
      if (ref.kind === 'object' && g.hasNode(objectId(ref.object))) pathStarts.push(ref.object);
    }
  }
  let paths = 0;
  for (const start of pathStarts) {
    const hops = s.pathToRoot(start);
    if (hops.length === 0) continue;
    paths++;
    let prev: string | undefined;
    // A long chain's hops come as one (PathHop.repeat): drawn as its first link, the pointer after it saying how many
    // links it stands for.
    let elided = 0;
    for (const hop of hops) {
      let id: string;
      if (hop.kind === 'object') id = addObject(hop.object!);
      else {
        const k = byName.get(`${hop.kind}\0${hop.name}\0${hop.address}`);
        if (k === undefined) break;
        id = addRoot(k);
      }
      const field = hop.field ?? '';
      if (prev !== undefined && !g.hasEdge(prev, id)) addPointer(g, prev, id, elided > 0 ? `${field} (through ${count(elided)} more)` : field);
      elided = (hop.repeat ?? 1) - 1;
      prev = id;
    }
  }

  // The immediate dominator, when no pointer already links it to the focus.
  if (focus.kind === 'object') {
    const d = s.dominator(focus.object);
    if (d.kind === 'object' || d.kind === 'root') {
      const from = d.kind === 'object' ? addObject(d.object) : addRoot(d.rootNode);
      if (!g.hasEdge(from, focusId)) g.setEdge(from, focusId, { fields: [], attrs: { ...DOMINATES, label: 'dominates' } });
    }
  }
  g.setNode(focusId, { ...g.node(focusId), ...FOCUS_STYLE, label: labelText([`FOCUS`, String(g.node(focusId).label ?? '')]) });
  return { graph: g, summary: { focus: focusName, drawnObjects, drawnRootNodes: drawnRoots, omittedPointers: omitted, paths } };
}
