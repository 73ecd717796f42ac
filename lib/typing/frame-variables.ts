// The Go variables (parameters and locals) of a goroutine stack frame, placed at their addresses: DWARF frame
// locations are offsets from the CFA, and the CFA of a frame is sp + size (see recover.ts's file comment). A frame
// whose pc lies in the body of an inlined call also holds that call's variables (DWARF's inlined_subroutine
// entries nested in the function's subprogram, each with its pc ranges): they are listed first, innermost call
// first, each with the inlined function's name, so that a slot is named in the function Go's traceback shows
// running there. A variable split into pieces (DW_OP_piece: a slice whose pointer is in a stack slot and whose
// length is in a register, or nowhere) lists the parts of it that lie in the frame, each at its own address
// (variableOffset, variableAddress): a slot holding only the pointer piece is the variable's own. The one place
// frame slots get their names (type recovery, referrers, paths, goroutines, the viewer).
import type { HeapGraph } from '../graph/index.js';
import type { GoFunction, GoProgram, GoType, GoVariable } from '../gotypes/index.js';
import type { SimpleLocation } from '../dwarf/index.js';

export interface FrameVariable {
  name: string;
  type: GoType;
  /** The address of its first byte; for a variable in pieces, that of its first part in the frame. */
  address: number;
  isParam: boolean;
  /** The inlined function whose body declares it (as logicalFrames names it); undefined for the frame's own function. */
  inlinedIn?: string;
  /**
   * A variable in pieces, not all of them in the frame as one block: its parts in the frame, in order of offset
   * (bytes [offset, offset + size) of the variable at `address`); undefined when the whole variable lies at `address`.
   */
  parts?: readonly FramePart[];
}

/** Bytes [offset, offset + size) of a variable in pieces, lying at `address` in the frame. */
export interface FramePart {
  offset: number;
  size: number;
  address: number;
}

/** The offset in variable v of the byte at `address` of the frame, or -1 when v does not hold it there. */
export function variableOffset(v: FrameVariable, address: number): number {
  if (v.parts === undefined) return address >= v.address && address < v.address + v.type.size ? address - v.address : -1;
  for (const x of v.parts) if (address >= x.address && address < x.address + x.size) return x.offset + address - x.address;
  return -1;
}

/** The frame address of bytes [offset, offset + size) of variable v, or undefined when the frame does not hold them all. */
export function variableAddress(v: FrameVariable, offset: number, size: number): number | undefined {
  if (offset < 0 || offset + size > v.type.size) return undefined;
  if (v.parts === undefined) return v.address + offset;
  for (const x of v.parts) if (offset >= x.offset && offset + size <= x.offset + x.size) return x.address + offset - x.offset;
  return undefined;
}

/**
 * The parts of a variable of `size` bytes whose location is `loc`, relative to the CFA: one part from offset 0 for a
 * frame location, the frame pieces of a composite (pieces in registers or optimized out are left out), merged when
 * they lie next to each other in the frame; undefined when no byte of it is in the frame or the pieces describe more
 * bytes than the variable has.
 */
function frameParts(loc: SimpleLocation, size: number): FramePart[] | undefined {
  if (loc.kind === 'frame') return [{ offset: 0, size, address: loc.offset }];
  if (loc.kind !== 'pieces') return undefined;
  // Pieces that add up to more than the variable (Go 1.19 describes some slices with four) place none of it surely.
  if (loc.pieces.reduce((n, pc) => n + pc.size, 0) > size) return undefined;
  const out: FramePart[] = [];
  let offset = 0;
  for (const pc of loc.pieces) {
    if (pc.location !== undefined && pc.location.kind === 'frame') {
      const last = out[out.length - 1];
      if (last !== undefined && last.offset + last.size === offset && last.address + last.size === pc.location.offset) last.size += pc.size;
      else out.push({ offset, size: pc.size, address: pc.location.offset });
    }
    offset += pc.size;
  }
  return out.length === 0 ? undefined : out;
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
      const parts = loc === undefined ? undefined : frameParts(loc, v.type.size);
      if (parts === undefined) continue;
      for (const x of parts) x.address += cfa;
      const whole = parts.length === 1 && parts[0].offset === 0 && parts[0].size === v.type.size;
      out.push({
        name: v.name, type: v.type, address: parts[0].address, isParam: v.isParam,
        ...(inlinedIn === undefined ? {} : { inlinedIn }), ...(whole ? {} : { parts }),
      });
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
      const offset = variableOffset(v, address);
      if (offset >= 0) return { variable: v, offset, frame: ff };
    }
  }
  return undefined;
}
