// `--by-type`: the type graph. A node per type (as `goheap types` groups objects: by Go type, untyped objects by
// size class) with its instance count, bytes and retained bytes; an edge per (type, field, target type) with the
// number of pointers, array indices folded ("Slots[]"); root nodes grouped by kind (globals, goroutine stacks,
// finalizers, other) with an edge per target type. Above maxNodes types, the biggest by bytes are drawn and the rest
// are summed in one node. Only reachable objects count, as `goheap types` counts them, unless `all` (then a type's
// node says how many of its objects are reachable, and types only garbage holds are drawn greyed). One pass over
// the edges, typed arrays per object, a Map per distinct (field, target type).
// Tiny allocator blocks' sub-objects (boxed values) are instances of their types, as `goheap types` counts them: a
// pointer into a tiny block is an edge to the type of the sub-object it lands in (to "tiny block (rest)" when it
// lands in none), and the blocks' other bytes are the "tiny block (rest)" node's.
import type { HeapSession } from '../session/index.js';
import { typeGroups } from '../analysis/index.js';
import { COLLAPSED, GARBAGE, ROOT, bytes, count, labelText } from './dot-syntax.js';
import { type DotGraph, newDotGraph } from './dot-graph.js';
import { objects } from './dot-labels.js';
import { TINY_REST_NAME, histogramRowNames } from '../typing/index.js';

export interface TypeGraphSummary {
  types: number;
  drawnTypes: number;
  omittedTypes: number;
  omittedObjects: number;
  omittedBytes: number;
  fieldEdges: number;
}

function typeId(row: number): string {
  return `t${row}`;
}

/** The type graph of the session's heap; see the file's header. */
export function typeGraph(s: HeapSession, maxNodes: number, all = false): { graph: DotGraph; summary: TypeGraphSummary } {
  const graph = s.graph;
  const n = graph.objectCount;
  const { rowOf, names } = typeGroups(graph, s.types);
  const rows = names.length;
  const countOf = new Float64Array(rows);
  const bytesOf = new Float64Array(rows);
  const reachableOf = new Float64Array(rows);
  const size = graph.objectSize;
  const reachable = graph.reachable;
  for (let i = 0; i < n; i++) {
    if (!all && reachable[i] === 0) continue;
    const r = rowOf[i];
    countOf[r]++;
    bytesOf[r] += size[i];
    if (reachable[i] !== 0) reachableOf[r]++;
  }
  // Tiny blocks with sub-objects are counted by the session's rows (their sub-objects' and the rest's), not here;
  // splitRow marks the rows such blocks are in (a pointer there is resolved to the sub-object it lands in).
  const tiny = s.types.tinyObjects;
  const splitRow = new Uint8Array(rows);
  for (let k = 0; tiny !== undefined && k < tiny.object.length; k++) {
    const b = tiny.object[k];
    if (k > 0 && tiny.object[k - 1] === b) continue;
    const r = rowOf[b];
    splitRow[r] = 1;
    if (!all && reachable[b] === 0) continue; // not counted above
    countOf[r]--;
    bytesOf[r] -= size[b];
    if (reachable[b] !== 0) reachableOf[r]--;
  }
  // Labels say what `goheap types` says (the session's type rows: tiny blocks' sub-objects count as instances of
  // their types); rows only tiny sub-objects make (pointer-free, no edges) get nodes of their own after the others.
  const typeRows = new Map(s.typeRows().map((r) => [r.type, r]));
  const rowOfName = new Map(names.map((nm, r) => [nm, r]));
  const allNames = [...names, ...[...typeRows.keys()].filter((nm) => !rowOfName.has(nm))];
  const figures = (k: number): { count: number; bytes: number; reachable: number; retained: number } => {
    const row = typeRows.get(allNames[k]);
    if (row && !all) return { count: row.reachableCount, bytes: row.reachableBytes, reachable: row.reachableCount, retained: row.retained };
    if (row) return { count: row.count, bytes: row.bytes, reachable: row.reachableCount, retained: row.retained };
    return { count: countOf[k], bytes: bytesOf[k], reachable: reachableOf[k], retained: 0 };
  };
  const NR = allNames.length;
  const indexOfName = new Map(allNames.map((nm, k) => [nm, k]));
  const rowNames = histogramRowNames(s.types);
  const restIndex = indexOfName.get(TINY_REST_NAME) ?? -1;
  /** The drawn row of what a pointer into tiny block t lands in (instance j: a sub-object, or t itself). */
  const landingRow = (t: number, j: number): number => {
    if (j === t) return restIndex >= 0 ? restIndex : rowOf[t];
    return indexOfName.get(rowNames[s.subObjects.typing(j)]) ?? rowOf[t];
  };

  // Drawn types: the biggest by bytes.
  const order = Array.from({ length: allNames.length }, (_, k) => k)
    .filter((k) => figures(k).count > 0) // a row only of tiny blocks that all hold sub-objects, or only of garbage
    .sort((a, b) => figures(b).bytes - figures(a).bytes || figures(b).count - figures(a).count || a - b);
  const drawn = new Uint8Array(NR);
  const g = newDotGraph(true);
  const summary: TypeGraphSummary = { types: order.length, drawnTypes: 0, omittedTypes: 0, omittedObjects: 0, omittedBytes: 0, fieldEdges: 0 };
  for (const k of order) {
    const f = figures(k);
    if (summary.drawnTypes >= maxNodes) {
      summary.omittedTypes++;
      summary.omittedObjects += f.count;
      summary.omittedBytes += f.bytes;
      continue;
    }
    drawn[k] = 1;
    summary.drawnTypes++;
    const lines = [allNames[k], `${objects(f.count)}${f.reachable < f.count ? ` (${count(f.reachable)} reachable)` : ''}`, bytes(f.bytes),
      `retains ${bytes(f.retained)}`];
    g.setNode(typeId(k), {
      label: labelText(lines), tooltip: `${allNames[k]}: ${f.count} objects, ${f.bytes} B, retained ${f.retained} B`,
      ...(f.reachable === 0 ? GARBAGE : {}),
    });
  }

  // Pointers grouped by (source type, field) and target type.
  const objectType = s.types.objectType;
  const fieldKey = new Map<number, number>(); // typing id * 2^32 + offset -> field group id
  const groupKey = new Map<string, number>(); // "row\0field" -> field group id
  const groupRow: number[] = [];
  const groupField: string[] = [];
  const pointers = new Map<number, number>(); // group * NR + target row -> pointers
  const edgeStart = graph.edgeStart;
  const edgeTarget = graph.edgeTarget;
  const group = (row: number, field: string): number => {
    const key = `${row}\0${field}`;
    let id = groupKey.get(key);
    if (id === undefined) {
      id = groupRow.length;
      groupRow.push(row);
      groupField.push(field);
      groupKey.set(key, id);
    }
    return id;
  };
  for (let i = 0; i < n; i++) {
    const from = rowOf[i];
    // A reachable object points only at reachable ones: skipping garbage sources leaves the reachable graph.
    if (drawn[from] === 0 || (!all && reachable[i] === 0)) continue;
    const end = edgeStart[i + 1];
    for (let e = edgeStart[i]; e < end; e++) {
      const target = edgeTarget[e];
      const to = splitRow[rowOf[target]] === 0 ? rowOf[target] : landingRow(target, s.pointerTarget(i, graph.edgeOffset(e), target));
      if (drawn[to] === 0) continue;
      const t = objectType[i];
      let id: number;
      if (t === 0) id = group(from, '');
      else {
        const key = t * 4294967296 + graph.edgeOffset(e);
        let f = fieldKey.get(key);
        if (f === undefined) {
          const name = s.types.fieldName(i, graph.edgeOffset(e));
          f = group(from, name === undefined ? '' : name.replace(/\[\d+\]/g, '[]'));
          fieldKey.set(key, f);
        }
        id = f;
      }
      const k = id * NR + to;
      pointers.set(k, (pointers.get(k) ?? 0) + 1);
    }
  }
  for (const [k, c] of pointers) {
    const id = Math.floor(k / NR);
    const to = k - id * NR;
    const field = groupField[id];
    g.setEdge(typeId(groupRow[id]), typeId(to), {
      fields: [],
      attrs: { label: labelText([`${field === '' ? '' : `${field} `}×${count(c)}`]), tooltip: `${c} pointers`, penwidth: Math.round((1 + Math.log10(c) / 2) * 100) / 100 },
    }, `f${id}`);
    summary.fieldEdges++;
  }

  // Roots by kind, with an edge per target type.
  const kinds = ['global', 'goroutine', 'finalizer', 'other'];
  const kindLabel: Record<string, string> = { global: 'globals', goroutine: 'goroutines', finalizer: 'finalizers', other: 'other runtime roots' };
  // Goroutines and groups of goroutines count as one kind.
  const kindOf = (k: string): number => (k.startsWith('goroutine') ? 1 : Math.max(0, kinds.indexOf(k)));
  const rootPointers = new Map<number, number>();
  const roots = graph.roots;
  const rn = s.rootNodes;
  for (let r = 0; r < roots.count; r++) {
    const target = roots.target[r];
    const to = splitRow[rowOf[target]] === 0 ? rowOf[target] : landingRow(target, s.findInstance(roots.value[r]));
    if (drawn[to] === 0) continue;
    const k = kindOf(rn.kind[rn.rootNode[r]]) * NR + to;
    rootPointers.set(k, (rootPointers.get(k) ?? 0) + 1);
  }
  const nodesOfKind = new Map<string, number>();
  for (let k = 0; k < rn.count; k++) nodesOfKind.set(kinds[kindOf(rn.kind[k])], (nodesOfKind.get(kinds[kindOf(rn.kind[k])]) ?? 0) + 1);
  for (const [k, c] of rootPointers) {
    const kind = kinds[Math.floor(k / NR)];
    const to = k % NR;
    const id = `root_${kind}`;
    if (!g.hasNode(id)) g.setNode(id, { ...ROOT, label: labelText([kindLabel[kind], `${count(nodesOfKind.get(kind) ?? 0)} root nodes`]) });
    g.setEdge(id, typeId(to), { fields: [], attrs: { label: `×${count(c)}`, tooltip: `${c} root pointers` } }, 'root');
  }

  if (summary.omittedTypes > 0) {
    g.setNode('other_types', {
      ...COLLAPSED,
      label: labelText([`${count(summary.omittedTypes)} more types`, objects(summary.omittedObjects), bytes(summary.omittedBytes)]),
    });
  }
  return { graph: g, summary };
}
