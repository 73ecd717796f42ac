// How a few type rows hold memory spread under many parents, for type leak suspects (lib/answers/suspects.ts): per
// row, its reachable instances outside every suspect already found, how many distinct immediate dominators those
// have, the bytes they keep together (each byte once: an instance inside another instance of the same row counts
// inside it, as the type histogram counts a type's retained bytes), and the instance that retains most.
//
// One depth-first walk of the dominator tree serves every row at once: active[r] counts the row's instances on the
// current tree path, and found suspects on it make everything below them "inside". Given the rows already judged
// suspects (`outerRow`), an instance whose nearest dominating instance of such a row is of another row is that row's
// (a request's body below its request), and not counted outside. An instance is an object (its
// node, its retained size), a tiny block's sub-object (its block's node, its own bytes: it holds no pointers), or a
// tiny block as a member of the rest row (its node, its retained size).
import { NONE } from './flat-graph.js';
import type { HeapDominators } from './heap-dominators.js';
import type { DominatorTree } from './retained.js';
import { grown } from './grown.js';
import { SubObjectRanges } from './sub-object-ranges.js';

/** Which rows the objects, sub-objects and tiny blocks are instances of: a row number, or -1 for none. */
export interface RowMembership {
  rows: number;
  /** Per object: its row, or -1. */
  objectRow: Int32Array;
  /** Tiny blocks' sub-objects (sorted by block): block, place (size << 8 | offset), row or -1. */
  sub?: { object: Uint32Array; place: Uint32Array; row: Int32Array };
  /** The row of tiny blocks with bytes no sub-object covers, or -1. */
  restRow: number;
}

export interface TypeSpread {
  /** Per row: reachable instances outside the found suspects, their distinct immediate dominators, the bytes they keep. */
  outside: Float64Array;
  parents: Float64Array;
  bytes: Float64Array;
  /**
   * Per row: the reachable instance that retains most (ties: the lowest address): an object index, or objectCount + k
   * for sub-object k; -1 for a row without reachable instances.
   */
  example: Float64Array;
}

/** Object addresses and sizes, looked up one at a time (HeapGraph: from the address index's runs, no arrays). */
export interface ObjectPlaces {
  addressOf(i: number): number;
  sizeOf(i: number): number;
}

/**
 * The spread of each row of `m` (see the file's header). `found` marks analysis nodes that are suspects already
 * (1), everything they dominate is inside them; `tree` is the dominator tree of `dom` (dominatorTreeChildren's: its
 * reachable nodes, children in any order);
 * `outerRow`, when given, is per analysis node the row of the type suspect it is an instance of, or -1 (instanceNodes).
 */
export function typeSpread(dom: HeapDominators, tree: DominatorTree, reachable: Uint8Array, objects: ObjectPlaces,
  m: RowMembership, found: Uint8Array, outerRow?: Int32Array): TypeSpread {
  const { retained } = dom;
  const first = dom.firstObjectNode;
  const n = dom.nodeCount - first;
  const rows = m.rows;
  const outside = new Float64Array(rows);
  const bytes = new Float64Array(rows);
  const example = new Float64Array(rows).fill(-1);
  const exampleKept = new Float64Array(rows).fill(-1);
  const exampleAddress = new Float64Array(rows);
  const active = new Uint32Array(rows);
  const sub = m.sub;
  const ranges = sub ? new SubObjectRanges(sub.object, n) : undefined;
  // Distinct parents per row, counted on the walk: an outside instance's parent (its immediate dominator) is the node
  // whose children the walk is going through, which is on the walk's stack while all of them are, and never again.
  // So a bit per row for each node on the stack says whether the row has counted that node as a parent already:
  // seen[d * words ..] for the node at depth d; `seenAt` is that of the node being entered's parent.
  const parents = new Float64Array(rows);
  const words = (rows + 31) >>> 5;
  let seen = new Uint32Array(0); // sized with the walk's stacks below
  let seenAt = 0;
  let foundDepth = 0;
  // The row of the nearest proper dominator of the node being entered that outerRow names (-1: none).
  let outer = -1;

  /**
   * Counts instance `member` (retaining `kept`) of row r at object i's node, reachable, when first seen on the walk; the
   * member's address is object i's plus `offset` (looked up only when it may be the row's example).
   */
  const visit = (r: number, member: number, kept: number, i: number, offset: number): void => {
    if (kept >= exampleKept[r]) {
      const memberAddress = objects.addressOf(i) + offset;
      if (kept > exampleKept[r] || memberAddress < exampleAddress[r]) {
        example[r] = member;
        exampleKept[r] = kept;
        exampleAddress[r] = memberAddress;
      }
    }
    if (foundDepth > 0 || (outer >= 0 && outer !== r)) return;
    outside[r]++;
    const x = seenAt + (r >>> 5);
    const bit = 1 << (r & 31);
    if ((seen[x] & bit) === 0) {
      seen[x] |= bit;
      parents[r]++;
    }
    if (active[r] === 0) bytes[r] += kept;
  };
  /** Adds `delta` to active[] for every row node w (object i) is an instance of. */
  const activate = (i: number, delta: number): void => {
    const r = m.objectRow[i];
    if (r >= 0) active[r] += delta;
    const b = ranges ? ranges.block(i) : -1;
    if (!sub || !ranges || b < 0) return;
    let used = 0;
    for (let k = ranges.start(b), end = ranges.end(b); k < end; k++) {
      used += sub.place[k] >>> 8;
      if (sub.row[k] >= 0) active[sub.row[k]] += delta;
    }
    if (m.restRow >= 0 && used < objects.sizeOf(i)) active[m.restRow] += delta;
  };
  const enter = (w: number): void => {
    foundDepth += found[w];
    if (w < first) return;
    const i = w - first;
    if (reachable[i] === 0) return;
    const r = m.objectRow[i];
    if (r >= 0) visit(r, i, retained[w], i, 0);
    const b = ranges ? ranges.block(i) : -1;
    if (sub && ranges && b >= 0) {
      let used = 0;
      for (let k = ranges.start(b), end = ranges.end(b); k < end; k++) {
        const own = sub.place[k] >>> 8;
        used += own;
        if (sub.row[k] >= 0) visit(sub.row[k], n + k, own, i, sub.place[k] & 255);
      }
      if (m.restRow >= 0 && used < objects.sizeOf(i)) visit(m.restRow, i, retained[w], i, 0);
    }
    activate(i, 1);
  };
  const leave = (w: number): void => {
    foundDepth -= found[w];
    if (w >= first && reachable[w - first] !== 0) activate(w - first, -1);
  };

  // Depth-first from the super-root (it is no instance and never found); outerAt[d]: `outer` below stack[d]. The
  // stacks grow as deep as the tree proves (most are shallow; a list can be as deep as it is long).
  const { firstChild, child } = tree;
  let depth = Math.min(dom.nodeCount, 1 << 16);
  let stack = new Uint32Array(depth);
  let cursor = new Uint32Array(depth);
  let outerAt = outerRow ? new Int32Array(depth) : undefined;
  seen = new Uint32Array(depth * words);
  let sp = 1;
  stack[0] = tree.root;
  cursor[0] = firstChild[tree.root];
  if (outerAt) outerAt[0] = -1;
  while (sp > 0) {
    const v = stack[sp - 1];
    const c = cursor[sp - 1];
    if (c < firstChild[v + 1]) {
      cursor[sp - 1] = c + 1;
      // The tree holds the reachable nodes only (dominatorTreeChildren): w's idom is not NONE. Reading it here to make
      // sure was the walk's most costly line, a cache miss per node.
      const w = child[c];
      if (sp === depth) {
        depth = Math.min(dom.nodeCount, 2 * depth);
        stack = grown(stack, depth);
        cursor = grown(cursor, depth);
        if (outerAt) outerAt = grown(outerAt, depth);
        seen = grown(seen, depth * words);
      }
      if (outerRow && outerAt) {
        outer = outerAt[sp - 1];
        outerAt[sp] = outerRow[w] >= 0 ? outerRow[w] : outer;
      }
      seenAt = (sp - 1) * words;
      enter(w);
      for (let x = sp * words; x < (sp + 1) * words; x++) seen[x] = 0; // w's own, for its children
      stack[sp] = w;
      cursor[sp] = firstChild[w];
      sp++;
    } else {
      sp--;
      if (sp > 0) leave(v);
    }
  }

  return { outside, parents, bytes, example };
}

/**
 * Per analysis node, the row among `rows` (in their order: a later row wins a node two share) that the node is a
 * reachable instance of, or -1: typeSpread's outerRow for the rows judged suspects.
 */
export function instanceNodes(dom: HeapDominators, reachable: Uint8Array, objects: ObjectPlaces, m: RowMembership, rows: readonly number[]): Int32Array {
  const first = dom.firstObjectNode;
  const n = dom.nodeCount - first;
  const out = new Int32Array(dom.nodeCount).fill(-1);
  const live = (i: number): boolean => reachable[i] !== 0 && dom.idom[first + i] !== NONE;
  const sub = m.sub;
  for (const r of rows) {
    for (let i = 0; i < n; i++) if (m.objectRow[i] === r && live(i)) out[first + i] = r;
    if (!sub) continue;
    for (let k = 0; k < sub.object.length; k++) if (sub.row[k] === r && live(sub.object[k])) out[first + sub.object[k]] = r;
    if (m.restRow !== r) continue;
    for (let k = 0; k < sub.object.length;) {
      const b = sub.object[k];
      let used = 0;
      for (; k < sub.object.length && sub.object[k] === b; k++) used += sub.place[k] >>> 8;
      if (used < objects.sizeOf(b) && live(b)) out[first + b] = r;
    }
  }
  return out;
}
