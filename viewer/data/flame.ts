// The dominator tree as an icicle chart of retained bytes (a flame graph upside down, as pprof draws one): the
// focus node spans the full width, each child below its parent with a width proportional to what it retains,
// biggest first. Children narrower than MIN_SHARE of the focus, and levels past MAX_DEPTH, are left out (the
// client zooms into what is drawn; a node's own page draws deeper). Built from the session's dominator tree,
// children asked biggest first, so the walk stops at the first child too narrow to draw.
import type { HeapSession, TreeNode } from '../../lib/session/index.js';

export interface FlameNode {
  /** URL name of the node (params.ts nodeId): "roots", "root:K" or an address. */
  id: string;
  label: string;
  kind: string;
  depth: number;
  /** Left edge and width, as shares of the focus node (0..1). */
  x: number;
  w: number;
  retained: number;
}

export const MAX_DEPTH = 16;
export const MIN_SHARE = 0.002;
/** Children asked per node at most (biggest first). */
const CHILDREN = 200;

export function flameNodes(s: HeapSession, focus: TreeNode, nodeId: (n: TreeNode) => string, nodeLabel: (n: TreeNode) => { label: string; kind: string }, focusRetained: number): FlameNode[] {
  const out: FlameNode[] = [];
  if (focusRetained <= 0) return out;
  const walk = (n: TreeNode, retained: number, depth: number, x: number): void => {
    const w = retained / focusRetained;
    out.push({ id: nodeId(n), ...nodeLabel(n), depth, x, w, retained });
    if (depth + 1 >= MAX_DEPTH) return;
    const kids = s.dominated(n, 0, CHILDREN);
    let cx = x;
    for (const k of kids.items) {
      if (k.retained / focusRetained < MIN_SHARE) break;
      walk(k, k.retained, depth + 1, cx);
      cx += k.retained / focusRetained;
    }
  };
  walk(focus, focusRetained, 0, 0);
  return out;
}

const WIDTH = 1200;
const ROW = 18;

/** A stable colour per name (the type or root kind), warm for objects and green for roots. */
function colour(label: string, kind: string): string {
  let h = 0;
  for (let k = 0; k < label.length; k++) h = (h * 31 + label.charCodeAt(k)) >>> 0;
  if (kind !== 'object') return `hsl(${100 + (h % 40)}, 45%, ${62 + (h % 10)}%)`;
  return `hsl(${10 + (h % 45)}, ${70 + (h % 20)}%, ${60 + (h % 12)}%)`;
}

/** The SVG markup pieces: returns the values to be escaped by the caller's html`` (see routes/dominators.ts). */
export function flameLayout(nodes: readonly FlameNode[]): { width: number; height: number; rects: { x: number; y: number; w: number; h: number; fill: string; text: string; node: FlameNode }[] } {
  const depth = nodes.reduce((m, n) => Math.max(m, n.depth), 0) + 1;
  const rects = nodes.map((n) => {
    const w = n.w * WIDTH;
    const chars = Math.floor((w - 6) / 7);
    const text = chars >= 3 ? (n.label.length > chars ? `${n.label.slice(0, chars - 1)}…` : n.label) : '';
    return { x: n.x * WIDTH, y: n.depth * ROW, w, h: ROW - 1, fill: colour(n.label, n.kind), text, node: n };
  });
  return { width: WIDTH, height: depth * ROW, rects };
}
