// The DOT exporter: a heap session drawn for Graphviz in one of four modes. 'tree' (the default): the top of the
// dominator tree, at most maxNodes nodes, siblings of one type and chains folded, the rest collapsed (dot-tree.ts); 'all': every object streamed
// (dot-all.ts); 'focus': one object's or global's neighbourhood and paths to roots (dot-focus.ts); 'types': the type
// graph (dot-types.ts). exportDot writes to an OutputSink and returns what it drew and what it cut, in figures and
// as lines for stderr.
import type { HeapSession } from '../session/index.js';
import { GoheapError } from '../errors.js';
import type { OutputSink } from './output.js';
import { bytes, count, graphHeader, hex } from './dot-syntax.js';
import { writeDotGraph } from './dot-graph.js';
import { dominatorTop, type TreeSummary } from './dot-tree.js';
import { writeAllObjects, type AllSummary } from './dot-all.js';
import { focusGraph, type FocusSummary, type FocusTarget } from './dot-focus.js';
import { typeGraph, type TypeGraphSummary } from './dot-types.js';
import { objects } from './dot-labels.js';

export type DotMode = 'tree' | 'all' | 'focus' | 'types';

/** Default --max-nodes: what `dot` lays out in seconds and a reader can still follow. */
export const DEFAULT_MAX_NODES = 1500;
/**
 * Most objects and root nodes drawn in the default picture (each may bring a collapsed node: a few hundred nodes in
 * all), so that `dot -Tpng` renders it at 100% (cairo caps bitmaps at 32,767 px a side) and a person can read it.
 */
export const DEFAULT_TREE_NODES = 120;

export interface DotOptions {
  mode?: DotMode;
  /** Most nodes drawn in the tree, focus and type modes. */
  maxNodes?: number;
  /** For 'focus': an address ("0xc000123456", decimal, inside the object is fine) or a global's name ("main.Cache"). */
  focus?: string;
  /** For 'focus': pointers away from the focus, both ways. */
  depth?: number;
  /** For 'types': count unreachable objects too (by default only reachable ones count, as `goheap types`). */
  unreachable?: boolean;
  /** Reports progress of --all. */
  onProgress?: (done: number, total: number) => void;
}

export type DotSummary =
  | { mode: 'tree'; tree: TreeSummary }
  | { mode: 'all'; all: AllSummary }
  | { mode: 'focus'; focus: FocusSummary }
  | { mode: 'types'; types: TypeGraphSummary };

/** A --focus that names nothing in the heap. */
export class FocusError extends GoheapError {
  constructor(file: string, expected: string) {
    super(`${file}: ${expected}`, file, undefined, expected);
  }
}

/** Finds what `text` names: an object by address, else a global (its root node). */
export function resolveFocus(s: HeapSession, text: string): FocusTarget {
  const t = text.trim();
  const lower = t.toLowerCase();
  const address = /^0x[0-9a-f]+$/.test(lower) ? Number.parseInt(lower.slice(2), 16) : /^[0-9]+$/.test(t) ? Number(t) : Number.NaN;
  if (!Number.isNaN(address)) {
    const i = s.findObject(address);
    if (i < 0) throw new FocusError(s.dumpPath, `no heap object at ${hex(address)}`);
    return { kind: 'object', object: i };
  }
  const rn = s.rootNodes;
  for (let k = 0; k < rn.count; k++) if (rn.kind[k] === 'global' && rn.name[k] === t) return { kind: 'root', rootNode: k };
  if (!s.program) throw new FocusError(s.dumpPath, `${JSON.stringify(t)} is not an address (0x...); naming a global needs the binary`);
  if (s.findGlobal(t)) throw new FocusError(s.dumpPath, `global ${t} points to no heap object`);
  throw new FocusError(s.binaryPath ?? s.dumpPath, `no global named ${JSON.stringify(t)} (and not an address)`);
}

/** Writes the session's heap as DOT to `sink` in the chosen mode; see the file's header. */
export async function exportDot(s: HeapSession, sink: OutputSink, options: DotOptions = {}): Promise<DotSummary> {
  const mode = options.mode ?? 'tree';
  const maxNodes = options.maxNodes ?? (mode === 'tree' ? DEFAULT_TREE_NODES : DEFAULT_MAX_NODES);
  const name = s.dumpPath.split('/').pop() ?? 'heap';
  switch (mode) {
    case 'all': {
      const header = graphHeader('heap', `${name}: every object (${count(s.objectCount)})`, 'LR');
      return { mode, all: await writeAllObjects(s, sink, header, options.onProgress) };
    }
    case 'focus': {
      if (options.focus === undefined) throw new FocusError(s.dumpPath, 'focus: name an address or a global');
      const target = resolveFocus(s, options.focus);
      const { graph, summary } = focusGraph(s, target, { depth: options.depth, maxNodes });
      await writeDotGraph(graph, sink, graphHeader('heap', `${name}: ${summary.focus}, its neighbourhood and paths to roots`, 'LR'));
      return { mode, focus: summary };
    }
    case 'types': {
      const all = options.unreachable === true;
      const { graph, summary } = typeGraph(s, maxNodes, all);
      const what = all ? 'types of every object, unreachable ones included' : 'types of the reachable objects';
      await writeDotGraph(graph, sink, graphHeader('types', `${name}: ${what} (${count(summary.types)}) and the fields that point between them`, 'LR'));
      return { mode, types: summary };
    }
    default: {
      const { graph, summary, rootOrder } = dominatorTop(s, maxNodes);
      // The root nodes, declared before anything else and smallest first, in one rank (nothing points at a root
      // node, so it is the first), chained biggest first by invisible edges: dot keeps that order top to bottom
      // whatever crossings the folded nodes' edges make. (rank=same, not rank=min: dot 2.43 then drops the labels
      // of some flat edges; no labelled edge joins two root nodes.)
      const first = rootOrder.map((id) => `  ${id};\n`).reverse().join('')
        + (rootOrder.length > 1 ? `  { rank=same; ${rootOrder.join('; ')}; }\n${rootOrder.slice(1).map((id, k) => `  ${rootOrder[k]} -> ${id} [style=invis];\n`).join('')}` : '');
      const folded = summary.foldedObjects > 0 ? `, ${count(summary.foldedObjects)} more in ${count(summary.groupNodes + summary.chainNodes)} folded nodes` : '';
      await writeDotGraph(graph, sink, graphHeader('heap', `${name}: top of the dominator tree (${count(summary.drawnObjects)} of ${count(s.objectCount)} objects${folded})`, 'LR') + first);
      return { mode: 'tree', tree: summary };
    }
  }
}

/** What the export left out, as lines for stderr (none when nothing was cut). */
export function cutLines(summary: DotSummary): string[] {
  switch (summary.mode) {
    case 'tree': {
      const t = summary.tree;
      const out: string[] = [];
      if (t.foldedObjects > 0) {
        out.push(`folded ${objects(t.foldedObjects)} (${bytes(t.foldedBytes)}) into ${count(t.groupNodes)} nodes of siblings of one type and ${count(t.chainNodes)} chains`);
      }
      if (t.collapsedSubtrees > 0) {
        out.push(`drew the top ${count(t.drawnObjects)} objects and ${count(t.drawnRootNodes)} root nodes of the dominator tree; `
          + `collapsed ${count(t.collapsedSubtrees)} smaller subtrees (${objects(t.collapsedObjects)}, ${bytes(t.collapsedBytes)}) into ${count(t.collapsedNodes)} nodes`);
      }
      if (t.garbageObjects > 0) out.push(`garbage drawn as one node: ${objects(t.garbageObjects)}, ${bytes(t.garbageBytes)}`);
      return out;
    }
    case 'focus':
      return summary.focus.omittedPointers > 0
        ? [`left out ${count(summary.focus.omittedPointers)} pointers beyond the fanout (shown as "+N more" nodes)`] : [];
    case 'types': {
      const t = summary.types;
      return t.omittedTypes > 0
        ? [`drew the ${count(t.drawnTypes)} biggest types of ${count(t.types)}; ${count(t.omittedTypes)} types (${objects(t.omittedObjects)}, ${bytes(t.omittedBytes)}) in one node`] : [];
    }
    default:
      return [];
  }
}
