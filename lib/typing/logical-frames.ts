// The frames of a goroutine as Go's traceback prints them: each physical frame of the dump expanded into the calls
// inlined at its pc (innermost first, the physical function last), with function, file and line from the binary's
// pclntab (lib/pclntab, the same tables runtime.Stack and runtime.CallersFrames read). The one place consumers
// (goroutines, group names, roots, paths, referrers, the viewer, exporters) get frame names from.
import type { HeapGraph } from '../graph/index.js';
import type { GoProgram } from '../gotypes/index.js';

export interface LogicalFrame {
  function: string;
  /** null without a binary or when the pc has no line. */
  file: string | null;
  line: number | null;
  /** True for a call inlined into the physical function (the last frame of a physical frame's list is not). */
  inlined: boolean;
}

const cache = new WeakMap<GoProgram, Map<number, LogicalFrame[]>>();

/** The pc frame f is symbolized at: a return address minus one, as the runtime's traceback does. */
export function symbolPc(graph: HeapGraph, f: number): number {
  const fr = graph.frames;
  const pc = fr.pc[f];
  return pc > fr.entryPc[f] ? pc - 1 : pc;
}

/** The logical frames of physical frame f, innermost first; one frame (the dump's function name) without a binary. */
export function logicalFrames(program: GoProgram | undefined, graph: HeapGraph, f: number): LogicalFrame[] {
  const fr = graph.frames;
  const physical = fr.functionNames[fr.functionId[f]];
  if (!program) return [{ function: physical, file: null, line: null, inlined: false }];
  const pc = symbolPc(graph, f);
  let byPc = cache.get(program);
  if (!byPc) cache.set(program, (byPc = new Map()));
  const hit = byPc.get(pc);
  if (hit) return hit;
  let out: LogicalFrame[] | undefined;
  const t = program.pclntab;
  const frames = t?.logicalFrames(pc);
  if (frames && frames.length > 0 && frames[frames.length - 1].function === physical) {
    out = frames.map((x) => ({ function: x.function, file: x.line >= 0 ? x.file : null, line: x.line >= 0 ? x.line : null, inlined: x.inlined }));
  } else {
    const at = program.lineAt(pc);
    out = [{ function: physical, file: at?.file ?? null, line: at?.line ?? null, inlined: false }];
  }
  byPc.set(pc, out);
  return out;
}

/** The innermost function of frame f (the inlined callee running there, else the physical function). */
export function innermostFunction(program: GoProgram | undefined, graph: HeapGraph, f: number): string {
  return logicalFrames(program, graph, f)[0].function;
}
