// Goroutines grouped by identical stack (`goroutines`, the viewer's goroutines page), as Go's goroutine profile
// groups them: per group the count, status and wait reason, the frames with file:line from the binary, and what
// the group alone keeps alive (its root node's retained size) and can reach. With `all`, each goroutine of each
// group with the local variables of its frames (typed from DWARF; pointer words with the object they point into).
import { goroutineStatusName } from '../analysis/index.js';
import type { HeapGraph } from '../graph/index.js';
import { GoKind, type GoProgram, type GoType } from '../gotypes/index.js';
import type { HeapSession } from '../session/index.js';
import { sessionGroups, topReachable } from '../session/leak-queries.js';
import { type FrameVariable, frameVariables, logicalFrames, variableAddress } from '../typing/index.js';
import { firstRows, hex } from './common.js';

export interface FrameJson {
  function: string;
  /** From the binary's line table; null without a binary or when the pc has no line. */
  file: string | null;
  line: number | null;
  /** True for a call inlined into the next frame's function (Go prints it as `f(...)`). */
  inlined?: boolean;
}

export interface LocalJson {
  name: string;
  type: string;
  param: boolean;
  /** Stack address of the variable. */
  address: string;
  /**
   * Numbers and bools: the value as Go prints it; a pointer into a global: its address and the global ("0x5ee970
   * (&*main.Srv)"); undefined for other kinds or when the frame does not hold it.
   */
  value?: string;
  /** Heap pointers the variable holds: offset in it, address pointed to, and the object's type. */
  pointers: { offset: number; target: string; type: string }[];
  /**
   * A variable in pieces (DWARF DW_OP_piece) of which the frame holds only some: bytes [offset, offset + size) of
   * it at `address` each (the rest is in registers or optimized out, and not shown).
   */
  parts?: { offset: number; size: number; address: string }[];
}

export interface GoroutineJson {
  id: number;
  status: string;
  waitReason: string;
  /** Goroutine address (its g). */
  address: string;
  frames: (FrameJson & { locals: LocalJson[] })[];
}

export interface GoroutineGroupJson {
  count: number;
  /** The top user frame's function (outside the runtime). */
  function: string;
  /** The group's root node name: the function for a group, "goroutine 7 (main.f)" for a group of one. */
  name: string;
  status: string;
  waitReason: string;
  /** True when the goroutines are the runtime's own (system goroutines). */
  system: boolean;
  /** Bytes the group alone keeps alive, and bytes reachable from it (shared with other roots included). */
  retained: number;
  reachable: number;
  /** Goroutine ids, the first 20. */
  ids: number[];
  frames: FrameJson[];
  goroutines?: GoroutineJson[];
}

export interface GoroutinesAnswer {
  goroutines: number;
  groupCount: number;
  groups: GoroutineGroupJson[];
}

/**
 * The file:line of frame f. Like Go's own tracebacks, a frame's pc is a return address (also the innermost frame's
 * of a parked goroutine: the return from mcall), so the line is that of pc - 1 when pc is past the function's entry.
 * The physical frame only: frameLines lists the calls inlined there too.
 */
export function frameLine(program: GoProgram | undefined, graph: HeapGraph, f: number): FrameJson {
  const l = logicalFrames(program, graph, f);
  const x = l[l.length - 1];
  return { function: x.function, file: x.file, line: x.line };
}

/** The frames of physical frame f as Go's traceback prints them: the calls inlined there (inlined: true), then f's function. */
export function frameLines(program: GoProgram | undefined, graph: HeapGraph, f: number): FrameJson[] {
  return logicalFrames(program, graph, f).map((x) => ({ function: x.function, file: x.file, line: x.line, ...(x.inlined ? { inlined: true } : {}) }));
}

/**
 * Goroutine groups, most goroutines first (then most retained, then function); `limit` groups (0: all). The groups
 * without their goroutines are computed once per dump and binary (per limit) and kept beside the index
 * (HeapSession.keptAnswer); `all` (every goroutine with its locals, as large as the stacks) is computed each time.
 */
export function goroutinesAnswer(s: HeapSession, options: { all?: boolean; limit?: number } = {}): GoroutinesAnswer {
  if (options.all) return computeGoroutines(s, options);
  return s.keptAnswer(`goroutines-${options.limit ?? 0}`, () => computeGoroutines(s, options));
}

function computeGoroutines(s: HeapSession, options: { all?: boolean; limit?: number }): GoroutinesAnswer {
  const g = sessionGroups(s);
  const graph = s.graph;
  const fr = graph.frames;
  const rows = g.groups.map((grp, k) => {
    const node = g.firstNode + k;
    const lead = grp.members[0];
    const first = fr.goroutineFirstFrame[lead];
    const frames: FrameJson[] = [];
    for (let f = first; f < first + fr.goroutineFrameCount[lead]; f++) frames.push(...frameLines(s.program, graph, f));
    const row: GoroutineGroupJson = {
      count: grp.members.length,
      function: grp.function,
      name: s.rootNodes.name[node],
      status: goroutineStatusName(grp.status),
      waitReason: grp.waitReason,
      system: graph.goroutines[lead].isSystem,
      retained: s.rootRetained(node),
      reachable: 0,
      ids: grp.members.slice(0, 20).map((m) => graph.goroutines[m].goid),
      frames,
    };
    return { row, node, members: grp.members };
  });
  rows.sort((a, b) => b.row.count - a.row.count || b.row.retained - a.row.retained ||
    (a.row.function < b.row.function ? -1 : a.row.function > b.row.function ? 1 : 0) || a.node - b.node);
  const shown = firstRows(rows, options.limit ?? 0);
  for (const x of shown) {
    x.row.reachable = topReachable(s, x.node);
    if (options.all) x.row.goroutines = x.members.map((m) => goroutineJson(s, m));
  }
  return { goroutines: graph.goroutines.length, groupCount: rows.length, groups: shown.map((x) => x.row) };
}

/** One goroutine with its frames and their local variables. */
function goroutineJson(s: HeapSession, m: number): GoroutineJson {
  const graph = s.graph;
  const gr = graph.goroutines[m];
  const fr = graph.frames;
  const first = fr.goroutineFirstFrame[m];
  const frames: GoroutineJson['frames'] = [];
  for (let f = first; f < first + fr.goroutineFrameCount[m]; f++) {
    const lines = frameLines(s.program, graph, f);
    // Each variable goes with the row of the function that declares it: an inlined call's with its row (the
    // innermost row of that name), the physical function's with the last row.
    const vars = s.program ? frameVariables(s.program, graph, f) : [];
    const rowOf = vars.map((v) => {
      const k = v.inlinedIn === undefined ? -1 : lines.findIndex((x, kk) => kk < lines.length - 1 && x.function === v.inlinedIn);
      return k < 0 ? lines.length - 1 : k;
    });
    const locals = s.program ? frameLocals(s, s.program, f, vars) : [];
    lines.forEach((x, k) => frames.push({ ...x, locals: locals.filter((_, j) => rowOf[j] === k) }));
  }
  return { id: gr.goid, status: goroutineStatusName(gr.status), waitReason: gr.waitReason, address: hex(gr.address), frames };
}

/** The variables `vars` of frame f (frameVariables) with their values and the heap pointers each holds. */
function frameLocals(s: HeapSession, program: GoProgram, f: number, vars: FrameVariable[]): LocalJson[] {
  const graph = s.graph;
  const fr = graph.frames;
  const p = graph.params.ptrSize;
  const le = !graph.params.bigEndian;
  // A variable lies in frame f, or (stack-passed arguments and their spill slots) in its caller's frame f + 1.
  const own = [f];
  if (f + 1 < fr.count && fr.goroutine[f + 1] === fr.goroutine[f] && fr.depth[f + 1] === fr.depth[f] + 1) own.push(f + 1);
  const views = own.map((x) => {
    const b = graph.frameContent(x);
    return { sp: fr.sp[x], view: new DataView(b.buffer, b.byteOffset, b.byteLength) };
  });
  const viewAt = (address: number, size: number): { view: DataView; at: number } | undefined => {
    for (const { sp, view } of views) {
      const at = address - sp;
      if (at >= 0 && at + size <= view.byteLength) return { view, at };
    }
    return undefined;
  };
  const wordAt = (address: number): number | undefined => {
    const v = viewAt(address, p);
    return v && (p === 8 ? Number(v.view.getBigUint64(v.at, le)) : v.view.getUint32(v.at, le));
  };
  const scalar = (t: GoType, address: number): string | undefined => {
    const v = viewAt(address, t.size);
    if (!v || t.size > 8) return undefined;
    const { view, at } = v;
    switch (t.kind) {
      case GoKind.Bool: return view.getUint8(at) !== 0 ? 'true' : 'false';
      case GoKind.Int8: return String(view.getInt8(at));
      case GoKind.Uint8: return String(view.getUint8(at));
      case GoKind.Int16: return String(view.getInt16(at, le));
      case GoKind.Uint16: return String(view.getUint16(at, le));
      case GoKind.Int32: return String(view.getInt32(at, le));
      case GoKind.Uint32: return String(view.getUint32(at, le));
      case GoKind.Float32: return String(view.getFloat32(at, le));
      case GoKind.Float64: return String(view.getFloat64(at, le));
      case GoKind.Int: case GoKind.Int64:
        return t.size === 8 ? view.getBigInt64(at, le).toString() : String(view.getInt32(at, le));
      case GoKind.Uint: case GoKind.Uint64: case GoKind.Uintptr:
        return t.size === 8 ? view.getBigUint64(at, le).toString() : String(view.getUint32(at, le));
      default: return undefined;
    }
  };
  return vars.map((v) => {
    const pointers: LocalJson['pointers'] = [];
    for (const off of program.pointerMap(v.type)) {
      // A variable in pieces: only the words the frame holds (the others are in registers or optimized out).
      const a = variableAddress(v, off, p);
      const w = a === undefined ? undefined : wordAt(a);
      const i = w === undefined || w === 0 ? -1 : graph.findObject(w);
      if (i >= 0) pointers.push({ offset: off, target: hex(w!), type: s.typeName(i) });
    }
    let value = v.parts === undefined ? scalar(v.type, v.address) : undefined;
    if (value === undefined && v.parts === undefined && v.type.kind === GoKind.Ptr && pointers.length === 0) {
      // A pointer into a global (a value the linker allocated, "*main.Srv"): named as object fields name it.
      const w = wordAt(v.address);
      const g = w === undefined || w === 0 ? undefined : s.globalAt(w);
      if (g !== undefined) value = `${hex(w!)} (&${g.name}${w === g.address ? '' : `+${w! - g.address}`})`;
    }
    const parts = v.parts?.map((x) => ({ offset: x.offset, size: x.size, address: hex(x.address) }));
    return {
      name: v.name, type: v.type.name, param: v.isParam, address: hex(v.address), ...(value === undefined ? {} : { value }), pointers,
      ...(parts === undefined ? {} : { parts }),
    };
  });
}
