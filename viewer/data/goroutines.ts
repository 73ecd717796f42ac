// One goroutine as the goroutines page shows it: its frames (function, file:line as lib/answers' frameLines reads
// them) with their typed locals: the variables DWARF places in the frame, each with the heap objects its pointer
// slots hold as the dump's stack roots say (so only live pointer slots), and the stack slots no variable covers.
// (The grouping itself is lib/answers' goroutinesAnswer.)
import type { HeapSession } from '../../lib/session/index.js';
import { frameLines, type FrameJson } from '../../lib/answers/index.js';
import { goroutineStatusName } from '../../lib/analysis/index.js';
import { frameVariables, variableOffset } from '../../lib/typing/index.js';
import { RootKind } from '../../lib/graph/index.js';



/**
 * The frames of goroutine g as Go's traceback prints them, innermost first, with file:line when the binary is there:
 * the calls inlined in a physical frame (inlined: true, `physical` false) come before the frame's own function.
 */
export function goroutineFrames(s: HeapSession, g: number): (FrameJson & { frame: number; physical: boolean })[] {
  const f = s.graph.frames;
  const first = f.goroutineFirstFrame[g];
  const out: (FrameJson & { frame: number; physical: boolean })[] = [];
  for (let fr = first; fr < first + f.goroutineFrameCount[g]; fr++) {
    const lines = frameLines(s.program, s.graph, fr);
    lines.forEach((x, k) => out.push({ ...x, frame: fr, physical: k === lines.length - 1 }));
  }
  return out;
}

/**
 * Root node number of each goroutine, -1 when it has none: the node its stack roots belong to (one node per
 * goroutine, or one per group of goroutines with identical stacks, as lib/analysis groups them), else the node
 * named after its g's address.
 */
export function goroutineNodes(s: HeapSession): Int32Array {
  const g = s.graph;
  const out = new Int32Array(g.goroutines.length).fill(-1);
  const roots = g.roots;
  for (let r = 0; r < roots.count; r++) {
    if (roots.kind[r] !== RootKind.StackFrame) continue;
    const gi = g.frames.goroutine[roots.owner[r]];
    if (gi >= 0 && out[gi] < 0) out[gi] = s.rootNodes.rootNode[r];
  }
  const byAddress = new Map<number, number>();
  const rn = s.rootNodes;
  for (let k = 0; k < rn.count; k++) if (rn.kind[k] === 'goroutine' || rn.kind[k] === 'goroutines') byAddress.set(rn.address[k], k);
  g.goroutines.forEach((x, k) => { if (out[k] < 0) out[k] = byAddress.get(x.address) ?? -1; });
  return out;
}

export interface LocalJson {
  name: string;
  type: string;
  param: boolean;
  /** Heap objects the variable's pointer slots hold. */
  points: { slot: string; address: string; type: string }[];
}

/** One goroutine: id, status, its frames with typed locals (with a binary); rootRows: the rows of its root node. */
export function goroutineDetail(s: HeapSession, g: number, rootRows: ArrayLike<number>) {
  const gr = s.graph.goroutines[g];
  const roots = s.graph.roots;
  // Stack roots of this goroutine's frames, by frame: slot address -> target.
  const f = s.graph.frames;
  const first = f.goroutineFirstFrame[g];
  const n = f.goroutineFrameCount[g];
  const slots = new Map<number, { slot: number; target: number }[]>();
  for (let x = 0; x < rootRows.length; x++) {
    const r = rootRows[x];
    if (roots.kind[r] !== RootKind.StackFrame) continue;
    const fr = roots.owner[r];
    if (fr < first || fr >= first + n) continue;
    let l = slots.get(fr);
    if (!l) slots.set(fr, (l = []));
    l.push({ slot: roots.slotAddress[r], target: roots.target[r] });
  }
  const rows = goroutineFrames(s, g);
  // Each variable goes with the row of the function that declares it (an inlined call's own row, else the
  // physical function's row); the stack slots no variable covers stay with the physical row.
  const varsOf = new Map<number, ReturnType<typeof frameVariables>>();
  const rowVars = rows.map((x, k) => {
    if (!s.program) return [];
    let vars = varsOf.get(x.frame);
    if (!vars) varsOf.set(x.frame, (vars = frameVariables(s.program, s.graph, x.frame)));
    return vars.filter((v) => {
      if (v.inlinedIn === undefined) return x.physical;
      const home = rows.findIndex((y) => y.frame === x.frame && !y.physical && y.function === v.inlinedIn);
      return home < 0 ? x.physical : home === k;
    });
  });
  const frames = rows.map((x, k) => {
    const locals: LocalJson[] = [];
    const held = slots.get(x.frame) ?? [];
    for (const v of rowVars[k]) {
      const points = held.filter((h) => variableOffset(v, h.slot) >= 0)
        .map((h) => ({ slot: `+${variableOffset(v, h.slot)}`, address: `0x${s.address(h.target).toString(16)}`, type: s.typeName(h.target) }));
      locals.push({ name: v.name, type: v.type.name, param: v.isParam, points });
    }
    // Pointers none of the frame's variables holds (by target, as a temporary copy of a named pointer is no news).
    const all = varsOf.get(x.frame) ?? [];
    const named = new Set(held.filter((h) => all.some((v) => variableOffset(v, h.slot) >= 0)).map((h) => h.target));
    const unnamed = x.physical ? held.filter((h) => !named.has(h.target)) : [];
    return { function: x.inlined ? `${x.function}(...)` : x.function, file: x.file, line: x.line, locals, otherPointers: unnamed.map((h) => ({ address: `0x${s.address(h.target).toString(16)}`, type: s.typeName(h.target) })) };
  });
  return { goid: gr.goid, status: goroutineStatusName(gr.status), waitReason: gr.waitReason, address: `0x${gr.address.toString(16)}`, frames };
}
