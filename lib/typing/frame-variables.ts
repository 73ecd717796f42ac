// The Go variables (parameters and locals) of a goroutine stack frame, placed at their addresses: DWARF frame
// locations are offsets from the CFA, and the CFA of a frame is sp + size (see recover.ts's file comment).
import type { HeapGraph } from '../graph/index.js';
import type { GoFunction, GoProgram, GoType } from '../gotypes/index.js';

export interface FrameVariable {
  name: string;
  type: GoType;
  address: number;
  isParam: boolean;
}

/** The function frame f runs (the call's pc - 1 for callers, whose pc is a return address). */
export function frameFunction(program: GoProgram, graph: HeapGraph, f: number): GoFunction | undefined {
  const fr = graph.frames;
  const pc = fr.pc[f];
  return program.functionAt(pc) ?? (fr.depth[f] > 0 ? program.functionAt(pc - 1) : undefined);
}

/** The variables of frame f that live in memory at frame f's pc. */
export function frameVariables(program: GoProgram, graph: HeapGraph, f: number): FrameVariable[] {
  const fr = graph.frames;
  const fn = frameFunction(program, graph, f);
  if (fn === undefined) return [];
  const lookPc = fr.depth[f] > 0 ? fr.pc[f] - 1 : fr.pc[f];
  const cfa = fr.sp[f] + fr.size[f];
  const out: FrameVariable[] = [];
  for (const list of [fn.params, fn.locals]) {
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
      out.push({ name: v.name, type: v.type, address: cfa + loc.offset, isParam: v.isParam });
    }
  }
  return out;
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
