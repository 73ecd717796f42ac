// The dominator tree as an icicle chart of retained bytes (a flame graph upside down, as pprof draws one): the
// focus node spans the full width, each child below its parent with a width proportional to what it retains,
// biggest first. Children narrower than MIN_SHARE of the focus, and levels past MAX_DEPTH, are left out (the
// client zooms into what is drawn; a node's own page draws deeper). Past the first FIRST_CHILDREN children, and
// below MIN_SHARE, siblings are folded by type into one bar each ("380 × main.Session"), the narrow groups into one
// "N more" bar, so that every node's width is filled by what it dominates (as pprof folds a flame graph's
// siblings; the folding is the DOT picture's, lib/session/sibling-groups.ts). Built from the session's dominator
// tree, children asked biggest first.
import { type HeapSession, type TreeNode, dominatedChildren, foldByType } from '../../lib/session/index.js';

export interface FlameNode {
  /** URL name of the node (params.ts nodeId): "roots", "root:K" or an address; "" for a folded bar. */
  id: string;
  label: string;
  kind: string;
  depth: number;
  /** Left edge and width, as shares of the focus node (0..1). */
  x: number;
  w: number;
  retained: number;
  /** A folded bar: how many siblings it stands for. */
  folded?: number;
}

export const MAX_DEPTH = 16;
export const MIN_SHARE = 0.002;
/** Children drawn one by one per node at most (biggest first); the others are folded by type. */
export const FIRST_CHILDREN = 20;

/**
 * The bars of the icicle under `focus`. `childrenRetained(n)` is what n's children retain together (its retained
 * bytes less its own size), so that siblings past the ones read (SIBLING_SCAN) still fill their parent's width.
 */
export function flameNodes(s: HeapSession, focus: TreeNode, nodeId: (n: TreeNode) => string, nodeLabel: (n: TreeNode) => { label: string; kind: string },
  focusRetained: number, childrenRetained: (n: TreeNode, retained: number) => number = (_n, r) => r): FlameNode[] {
  const out: FlameNode[] = [];
  if (focusRetained <= 0) return out;
  const walk = (n: TreeNode, retained: number, depth: number, x: number): void => {
    const w = retained / focusRetained;
    out.push({ id: nodeId(n), ...nodeLabel(n), depth, x, w, retained });
    if (depth + 1 >= MAX_DEPTH) return;
    const kids = dominatedChildren(s, n);
    if (kids.total === 0) return;
    let cx = x;
    let k = 0;
    // The biggest children, each its own bar (and subtree).
    for (; k < kids.items.length && k < FIRST_CHILDREN; k++) {
      const c = kids.items[k];
      if (c.retained / focusRetained < MIN_SHARE) break;
      walk(c, c.retained, depth + 1, cx);
      cx += c.retained / focusRetained;
    }
    if (k >= kids.total) return;
    // The others folded by type (root nodes by kind): one bar per group, biggest first; the narrow groups together.
    let seenRetained = 0;
    for (const c of kids.items) seenRetained += c.retained;
    const sorted = foldByType(s, kids.items.slice(k));
    let restCount = kids.total - kids.items.length;
    let restRetained = restCount > 0 ? Math.max(0, childrenRetained(n, retained) - seenRetained) : 0;
    for (const g of sorted) {
      const members = g.members.length;
      if (g.retained / focusRetained < MIN_SHARE) {
        restCount += members;
        restRetained += g.retained;
        continue;
      }
      const kind = g.kind === 'object' ? 'object' : g.name;
      out.push({ id: '', label: `${members.toLocaleString('en-US')} × ${g.name}`, kind, depth: depth + 1, x: cx, w: g.retained / focusRetained, retained: g.retained, folded: members });
      cx += g.retained / focusRetained;
    }
    if (restCount > 0 && restRetained > 0) {
      out.push({ id: '', label: `${restCount.toLocaleString('en-US')} more`, kind: 'folded', depth: depth + 1, x: cx, w: restRetained / focusRetained, retained: restRetained, folded: restCount });
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
