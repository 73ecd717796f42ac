// Who points at an object: other objects (by field) and roots (a global by variable name, a goroutine's frame by
// function and local variable, a finalizer, the runtime's own records).
import { type Column, type HeapGraph, RootKind, ROOT_KIND_NAMES } from '../graph/index.js';
import type { GoProgram } from '../gotypes/index.js';
import { fieldPath, frameVariableAt, innermostFunction, type HeapTypes } from '../typing/index.js';
import type { RootNodeKind, RootNodes } from '../analysis/index.js';
import { describeRootSlot } from '../analysis/heap-paths.js';

export type Referrer =
  | {
    kind: 'object';
    object: number;
    /** Byte offset of the pointer slot in the referrer. */
    offset: number;
    /** The slot's field path ("Next", "[3].Name") or "+0x18". */
    field: string;
  }
  | {
    kind: 'root';
    rootNode: number;
    rootKind: RootNodeKind;
    /** The root node's name: the global, "goroutine 7 (main.handle)", "finalizers". */
    name: string;
    /** What the slot is: "main.Cache.items", "main.handle: req", "stack main.f sp+0x18", "finalizer". */
    slot: string;
    /** For stack roots: the frame's function and, when DWARF says, the variable. */
    function?: string;
    variable?: string;
  };

/** The reverse edges by position: the referrers of object i are source[start[i] .. start[i+1]) (lib/graph ReverseEdges). */
export interface ReverseColumns {
  start: Column;
  source: Column;
}

/** Root table rows sorted by target object, for looking up the roots of one object (built once per session). */
export function rootsByTarget(graph: HeapGraph): Uint32Array {
  const target = graph.roots.target;
  return Uint32Array.from({ length: graph.roots.count }, (_, r) => r).sort((a, b) => target[a] - target[b] || a - b);
}

/** The referrers of object i: objects first (in edge order), then roots. */
export function referrersOf(graph: HeapGraph, types: HeapTypes, rootNodes: RootNodes, program: GoProgram | undefined,
  byTarget: Uint32Array, rev: ReverseColumns, i: number, limit = 10000): Referrer[] {
  const out: Referrer[] = [];
  const first = rev.start.at(i);
  const end = Math.min(rev.start.at(i + 1), first + limit);
  const sources = rev.source.range(first, end);
  // A source listed j times points at i with its first j edges into i (lib/graph ReverseEdges).
  let edges: number[] = [];
  let j = 0;
  for (let k = 0; k < sources.length; k++) {
    const src = sources[k];
    if (k === 0 || src !== sources[k - 1]) {
      edges = graph.edgesBetween(src, i);
      j = 0;
    }
    const offset = graph.edgeOffsetAt(edges[j++]);
    out.push({ kind: 'object', object: src, offset, field: types.fieldName(src, offset) ?? `+0x${offset.toString(16)}` });
  }
  const target = graph.roots.target;
  let lo = 0;
  let hi = byTarget.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (target[byTarget[mid]] < i) lo = mid + 1;
    else hi = mid;
  }
  for (let k = lo; k < byTarget.length && target[byTarget[k]] === i && out.length < limit; k++) {
    out.push(rootReferrer(graph, types, rootNodes, program, byTarget[k]));
  }
  return out;
}

/** Describes root row r as a referrer. */
export function rootReferrer(graph: HeapGraph, _types: HeapTypes, rootNodes: RootNodes, program: GoProgram | undefined, r: number): Referrer {
  const roots = graph.roots;
  const node = rootNodes.rootNode[r];
  const base = { kind: 'root' as const, rootNode: node, rootKind: rootNodes.kind[node], name: rootNodes.name[node] };
  const kind = roots.kind[r] as RootKind;
  if ((kind === RootKind.Data || kind === RootKind.Bss) && program) {
    const g = program.globalByName(rootNodes.name[node]);
    const off = roots.slotAddress[r] - rootNodes.address[node];
    if (g && g.type) {
      const f = fieldPath(g.type, off);
      return { ...base, slot: f === '' ? g.name : `${g.name}${f.startsWith('[') ? '' : '.'}${f}` };
    }
  }
  if (kind === RootKind.StackFrame) {
    const f = roots.owner[r];
    const fn = graph.frames.functionNames[graph.frames.functionId[f]];
    const at = program ? frameVariableAt(program, graph, f, roots.slotAddress[r]) : undefined;
    if (at) {
      const inner = fieldPath(at.variable.type, at.offset);
      const variable = inner === '' ? at.variable.name : `${at.variable.name}${inner.startsWith('[') ? '' : '.'}${inner}`;
      // A variable of an inlined body is named in the inlined function, as Go's traceback names the frame.
      const owner = at.variable.inlinedIn ?? graph.frames.functionNames[graph.frames.functionId[at.frame]];
      return { ...base, slot: `${owner}: ${variable}`, function: owner, variable };
    }
    if (program) {
      // No variable names the slot: name the function running there as Go prints it (an inlined call's callee).
      const inner = innermostFunction(program, graph, f);
      return { ...base, slot: `stack ${inner} sp+0x${(roots.slotAddress[r] - graph.frames.sp[f]).toString(16)}`, function: inner };
    }
    return { ...base, slot: describeRootSlot(graph, rootNodes, r), function: fn };
  }
  return { ...base, slot: kind === RootKind.Data || kind === RootKind.Bss ? describeRootSlot(graph, rootNodes, r) : ROOT_KIND_NAMES[kind] };
}
