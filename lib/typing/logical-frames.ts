// The frames of a goroutine as Go's traceback prints them: each physical frame of the dump expanded into the calls
// inlined at its pc (innermost first, the physical function last), with function, file and line from the binary's
// pclntab (lib/pclntab, the same tables runtime.Stack and runtime.CallersFrames read). The one place consumers
// (goroutines, group names, roots, paths, referrers, the viewer, exporters) get frame names from. A MemProf
// record's frame (no pc: the physical function's name with the inlined body's file:line, as the runtime writes
// it) is expanded the same way, through the pcs of its function at that line (memProfStack; where the line is
// inlined at several call sites of the function, the one the record's next frame names).
import type { MemProfFrame } from '../dump/index.js';
import { funcNameForPrint, type HeapGraph } from '../graph/index.js';
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
  if (frames && frames.length > 0 && funcNameForPrint(frames[frames.length - 1].function) === physical) {
    out = frames.map((x) => ({ function: funcNameForPrint(x.function), file: x.line >= 0 ? x.file : null, line: x.line >= 0 ? x.line : null, inlined: x.inlined }));
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

const memCache = new WeakMap<GoProgram, Map<string, LogicalFrame[][]>>();

/**
 * The candidate logical frames at a MemProf record's frame, innermost first: for each call site where its file:line
 * is inlined into its physical function, the calls inlined there, then the physical function (at the call site's
 * line); the frame as the runtime wrote it, alone, without a binary or when no pc of the function is at that line.
 */
function memProfChains(program: GoProgram | undefined, fr: MemProfFrame): LogicalFrame[][] {
  const plain = [[{ function: funcNameForPrint(fr.functionName), file: fr.file, line: fr.line, inlined: false }]];
  const t = program?.pclntab;
  if (!program || !t) return plain;
  let byKey = memCache.get(program);
  if (!byKey) memCache.set(program, (byKey = new Map()));
  const key = `${fr.functionName}\u0000${fr.file}\u0000${fr.line}`;
  let out = byKey.get(key);
  if (!out) {
    out = t.logicalFramesAtLine(fr.functionName, fr.file, fr.line)
      .filter((frames) => frames.length > 1 && frames[frames.length - 1].function === fr.functionName)
      .map((frames) => frames.map((x) => ({ function: funcNameForPrint(x.function), file: x.file, line: x.line, inlined: x.inlined })));
    if (out.length === 0) out = plain;
    byKey.set(key, out);
  }
  return out;
}

/**
 * A MemProf record's stack as Go symbolizes it, one list per physical frame (pprof's Location: the innermost
 * inlined call first, the physical function last), innermost first. The runtime already records one pc per logical
 * frame (tracebackPCs: an inlined call's own pc, then its call site's, wrappers elided) but writes each under its
 * physical function's name: a frame in an inlined body is renamed to the inlined function, and the frames after
 * it that are its callers' call sites in the same physical frame join its list.
 */
export function memProfStack(program: GoProgram | undefined, stack: readonly MemProfFrame[]): LogicalFrame[][] {
  const out: LogicalFrame[][] = [];
  for (let k = 0; k < stack.length;) {
    // The call site whose chain the record's next frames follow furthest (a callee inlined at two call sites of one
    // function has one chain per site, the same innermost line: the record's next frame names the site).
    let chain: LogicalFrame[] = [];
    let best = -1;
    for (const c of memProfChains(program, stack[k])) {
      let m = 1;
      while (m < c.length && k + m < stack.length && followed(stack[k + m - 1], stack[k + m], c[m])) m++;
      if (m > best) {
        best = m;
        chain = c;
      }
    }
    const group = chain.slice(0, best);
    k += best;
    // A physical frame whose own pc the runtime left out (the `go` statement's wrapper) ends with an inlined call.
    out.push(group);
  }
  return out;
}

/** True when the record's frame `next` (after `prev`, in the same physical function) is the call site `site`. */
function followed(prev: MemProfFrame, next: MemProfFrame, site: LogicalFrame): boolean {
  return next.functionName === prev.functionName && next.file === site.file && next.line === site.line;
}
