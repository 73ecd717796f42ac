// Goroutines grouped by identical stack (function and pc of every frame), status and wait reason, as Go's own
// goroutine profile groups them; each group with its top user frame, its frames' file:line (from the binary's line
// table), what its goroutines retain, and its goroutines; each goroutine with its frames and their typed locals
// (the variables DWARF places in the frame, with the heap objects their pointer slots hold). The group's JSON is
// the contract of the CLI's `goroutines --json` ({groups: [{count, function, status, waitReason, retained, frames}]}).
import type { HeapSession } from '../../lib/session/index.js';
import { frameVariables } from '../../lib/typing/index.js';
import { RootKind } from '../../lib/graph/index.js';

/** runtime.g status values (runtime2.go), without the scan bit. */
const STATUS = ['idle', 'runnable', 'running', 'syscall', 'waiting', 'moribund', 'dead', 'enqueue', 'copystack', 'preempted'];

export function statusName(status: number): string {
  return STATUS[status & ~0x1000] ?? `status ${status}`;
}

export interface FrameJson {
  function: string;
  file: string | null;
  line: number | null;
}

export interface GoroutineGroup {
  count: number;
  function: string;
  status: string;
  waitReason: string;
  /** What the group's goroutines retain: the retained sizes of their root nodes (each node counted once). */
  retained: number;
  frames: FrameJson[];
  /** Goroutine indices (into graph.goroutines), in dump order. */
  members: number[];
}

function isRuntime(name: string): boolean {
  return name.startsWith('runtime.') || name.startsWith('runtime/') || name.startsWith('internal/');
}

/** The frames of goroutine g, innermost first, with file:line when the binary is there. */
export function goroutineFrames(s: HeapSession, g: number): (FrameJson & { frame: number })[] {
  const f = s.graph.frames;
  const first = f.goroutineFirstFrame[g];
  const n = f.goroutineFrameCount[g];
  const out: (FrameJson & { frame: number })[] = [];
  for (let k = 0; k < n; k++) {
    const fr = first + k;
    const pc = f.pc[fr];
    // A caller's pc is a return address: its call is the instruction before.
    const at = s.program?.lineAt(f.depth[fr] > 0 ? pc - 1 : pc);
    out.push({ function: f.functionNames[f.functionId[fr]], file: at?.file ?? null, line: at?.line ?? null, frame: fr });
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

/** Every goroutine grouped (see the file comment), biggest group first (then most retained). */
export function goroutineGroups(s: HeapSession): GoroutineGroup[] {
  const gs = s.graph.goroutines;
  const nodes = goroutineNodes(s);
  const groups = new Map<string, GoroutineGroup>();
  const counted = new Set<number>();
  const f = s.graph.frames;
  for (let g = 0; g < gs.length; g++) {
    const first = f.goroutineFirstFrame[g];
    const n = f.goroutineFrameCount[g];
    let key = `${gs[g].status & ~0x1000}\u0000${gs[g].waitReason}`;
    for (let k = 0; k < n; k++) key += `\u0000${f.functionId[first + k]}@${f.pc[first + k]}`;
    let grp = groups.get(key);
    if (!grp) {
      const frames = goroutineFrames(s, g).map(({ frame, ...x }) => (void frame, x));
      const top = frames.find((x) => !isRuntime(x.function)) ?? frames[frames.length - 1];
      grp = { count: 0, function: top?.function ?? '(no frames)', status: statusName(gs[g].status), waitReason: gs[g].waitReason, retained: 0, frames, members: [] };
      groups.set(key, grp);
    }
    grp.count++;
    grp.members.push(g);
    if (nodes[g] >= 0 && !counted.has(nodes[g])) {
      counted.add(nodes[g]);
      grp.retained += s.rootRetained(nodes[g]);
    }
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || b.retained - a.retained || (a.function < b.function ? -1 : a.function > b.function ? 1 : 0));
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
  const frames = goroutineFrames(s, g).map((x) => {
    const locals: LocalJson[] = [];
    const held = slots.get(x.frame) ?? [];
    if (s.program) {
      for (const v of frameVariables(s.program, s.graph, x.frame)) {
        const points = held.filter((h) => h.slot >= v.address && h.slot < v.address + v.type.size)
          .map((h) => ({ slot: `+${h.slot - v.address}`, address: `0x${s.address(h.target).toString(16)}`, type: s.typeName(h.target) }));
        locals.push({ name: v.name, type: v.type.name, param: v.isParam, points });
      }
    }
    const unnamed = held.filter((h) => !locals.some((l) => l.points.some((p) => p.address === `0x${s.address(h.target).toString(16)}`)));
    return { function: x.function, file: x.file, line: x.line, locals, otherPointers: unnamed.map((h) => ({ address: `0x${s.address(h.target).toString(16)}`, type: s.typeName(h.target) })) };
  });
  return { goid: gr.goid, status: statusName(gr.status), waitReason: gr.waitReason, address: `0x${gr.address.toString(16)}`, frames };
}
