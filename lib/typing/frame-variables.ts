// The Go variables (parameters and locals) of a goroutine stack frame, placed at their addresses: DWARF frame
// locations are offsets from the CFA, and the CFA of a frame is sp + size (see recover.ts's file comment). A frame
// whose pc lies in the body of an inlined call also holds that call's variables (DWARF's inlined_subroutine
// entries nested in the function's subprogram, each with its pc ranges): they are listed first, innermost call
// first, each with the inlined function's name, so that a slot is named in the function Go's traceback shows
// running there. The one place frame slots get their names (type recovery, referrers, paths, goroutines,
// the viewer).
import type { HeapGraph } from '../graph/index.js';
import type { GoFunction, GoProgram, GoType, GoVariable } from '../gotypes/index.js';

export interface FrameVariable {
  name: string;
  type: GoType;
  address: number;
  isParam: boolean;
  /** The inlined function whose body declares it (as logicalFrames names it); undefined for the frame's own function. */
  inlinedIn?: string;
}

/** The function frame f runs (the call's pc - 1 for callers, whose pc is a return address). */
export function frameFunction(program: GoProgram, graph: HeapGraph, f: number): GoFunction | undefined {
  const fr = graph.frames;
  const pc = fr.pc[f];
  return program.functionAt(pc) ?? (fr.depth[f] > 0 ? program.functionAt(pc - 1) : undefined);
}

/** The variables of frame f that live in memory at frame f's pc: those of the calls inlined there first. */
export function frameVariables(program: GoProgram, graph: HeapGraph, f: number): FrameVariable[] {
  const fr = graph.frames;
  const fn = frameFunction(program, graph, f);
  if (fn === undefined) return [];
  const lookPc = fr.depth[f] > 0 ? fr.pc[f] - 1 : fr.pc[f];
  const cfa = fr.sp[f] + fr.size[f];
  const out: FrameVariable[] = [];
  const add = (list: readonly GoVariable[], inlinedIn: string | undefined): void => {
    for (const v of list) {
      if (v.type === undefined || v.type.size === 0) continue;
      let loc = v.location;
      if (loc === undefined && v.locationList !== undefined) {
        for (const e of v.locationList) {
          if (e.low <= lookPc && lookPc < e.high) {
            loc = e.location;
            break;
          }
        }
      }
      if (loc === undefined || loc.kind !== 'frame') continue;
      out.push({ name: v.name, type: v.type, address: cfa + loc.offset, isParam: v.isParam, ...(inlinedIn === undefined ? {} : { inlinedIn }) });
    }
  };
  // The inlined calls whose bodies hold the pc, deepest first (their nesting is the pclntab's inline tree's).
  const calls = fn.inlined.filter((c) => inRanges(c.ranges, lookPc)).sort((a, b) => b.depth - a.depth);
  for (const c of calls) {
    add(c.params, c.name);
    add(c.locals, c.name);
  }
  add(fn.params, undefined);
  add(fn.locals, undefined);
  return out;
}

function inRanges(ranges: readonly number[], pc: number): boolean {
  for (let k = 0; k + 1 < ranges.length; k += 2) if (ranges[k] <= pc && pc < ranges[k + 1]) return true;
  return false;
}

/**
 * The variable holding `address` in frame f, or in the frame it called (stack-passed arguments lie in the
 * caller's frame), with the byte offset inside it; undefined when no variable covers it.
 */
export function frameVariableAt(program: GoProgram, graph: HeapGraph, f: number, address: number):
  { variable: FrameVariable; offset: number; frame: number } | undefined {
  const fr = graph.frames;
  const candidates = [f];
  if (f > 0 && fr.goroutine[f - 1] === fr.goroutine[f] && fr.depth[f - 1] + 1 === fr.depth[f]) candidates.push(f - 1);
  for (const ff of candidates) {
    for (const v of frameVariables(program, graph, ff)) {
      if (address >= v.address && address < v.address + v.type.size) return { variable: v, offset: address - v.address, frame: ff };
    }
  }
  return undefined;
}
