// Goroutine groups: goroutines with identical stacks, as Go's own goroutine profile groups them (the same function
// and the same pc in it, frame by frame), and also the same status and wait reason, so that a group's state is one
// value. A group is a unit of leak hunting: 300 goroutines parked in main.handle are one group that retains the
// 300 requests, and two dumps of one program are compared group by group (their keys), not by goroutine id.
//
// Groups are numbered in dump order of their first goroutine; members are in dump order.
import type { HeapGraph } from '../graph/index.js';

export interface GoroutineGroup {
  /** Goroutines (indices into HeapGraph.goroutines) in the group, in dump order. */
  members: number[];
  /**
   * Identity of the stack across dumps of one binary: status, wait reason, and each frame's function with its
   * pc's offset in it. Equal keys mean equal stacks.
   */
  key: string;
  /** The top user frame's function (the first frame outside the runtime), else the outermost frame's; "" without frames. */
  function: string;
  status: number;
  waitReason: string;
}

export interface GoroutineGroups {
  groups: GoroutineGroup[];
  /** Per goroutine: its group. */
  groupOf: Uint32Array;
}

/** Function names the top user frame is chosen past: the runtime's own. */
export function isRuntimeFunction(name: string): boolean {
  return name.startsWith('runtime.') || name.startsWith('runtime/') || name.startsWith('internal/');
}

/**
 * The standard library's waits a goroutine parks in (sync's locks, wait groups and conditions, time.Sleep): a group
 * is named past them, after the program's function that waits (main.reader, not sync.(*WaitGroup).Wait), as the
 * group's wait reason already says what it waits for. Unlike the runtime's, they are the program's memory.
 */
function isWaitFunction(name: string): boolean {
  return name.startsWith('sync.') || name === 'time.Sleep';
}

/** Frames that start every goroutine and say nothing about it: goexit, and the wrappers of `go f(x)` statements. */
function isStartFrame(name: string): boolean {
  return name === 'runtime.goexit' || /\.gowrap\d+$/.test(name);
}

/**
 * The names of the functions running in physical frame f, innermost first: the calls inlined there, then its own
 * function (lib/typing logicalFrames with the binary). Without it, frames are named by the dump's function alone.
 */
export type FrameNames = (f: number) => readonly string[];

/**
 * The top user frame's function of goroutine g (an inlined call counts as a frame, as Go's traceback prints it),
 * past the standard library's waits (isWaitFunction) when a frame of the program's follows them; when every frame is
 * the runtime's (a system goroutine), its start function: the outermost frame past runtime.goexit and `go` statement
 * wrappers. "" without frames.
 */
export function goroutineFunction(graph: HeapGraph, g: number, names?: FrameNames): string {
  const f = graph.frames;
  const first = f.goroutineFirstFrame[g];
  const n = f.goroutineFrameCount[g];
  let outermost = '';
  let outermostDepth = -1;
  let wait = '';
  for (let k = 0; k < n; k++) {
    const list = names ? names(first + k) : [f.functionNames[f.functionId[first + k]]];
    for (const name of list) {
      if (isRuntimeFunction(name)) continue;
      if (isWaitFunction(name)) {
        if (wait === '') wait = name;
        continue;
      }
      // `go wg.Wait()`: the wait itself says more than the statement's wrapper.
      if (wait !== '' && isStartFrame(name)) continue;
      return name;
    }
    if (wait !== '') continue;
    const name = list[list.length - 1];
    if (f.depth[first + k] > outermostDepth && (!isStartFrame(name) || outermost === '')) {
      outermostDepth = f.depth[first + k];
      outermost = name;
    }
  }
  return wait !== '' ? wait : outermost;
}

/** The stack key of goroutine g (see GoroutineGroup.key). */
export function goroutineKey(graph: HeapGraph, g: number): string {
  const gr = graph.goroutines[g];
  const f = graph.frames;
  const first = f.goroutineFirstFrame[g];
  const n = f.goroutineFrameCount[g];
  const parts: string[] = [String(gr.status), gr.waitReason];
  for (let k = 0; k < n; k++) {
    const fr = first + k;
    const name = f.functionNames[f.functionId[fr]];
    // A generic function's instantiations print alike (`[...]`): their entry tells them apart.
    const which = name.includes('[...]') ? `@${f.entryPc[fr].toString(16)}` : '';
    parts.push(`${name}${which}+${(f.pc[fr] - f.entryPc[fr]).toString(16)}`);
  }
  return parts.join('|');
}

/** Groups the goroutines of `graph` by identical stack, status and wait reason. */
export function goroutineGroups(graph: HeapGraph, names?: FrameNames): GoroutineGroups {
  const count = graph.goroutines.length;
  const groupOf = new Uint32Array(count);
  const groups: GoroutineGroup[] = [];
  const byKey = new Map<string, number>();
  for (let g = 0; g < count; g++) {
    const key = goroutineKey(graph, g);
    let k = byKey.get(key);
    if (k === undefined) {
      k = groups.length;
      byKey.set(key, k);
      const gr = graph.goroutines[g];
      groups.push({ members: [], key, function: goroutineFunction(graph, g, names), status: gr.status, waitReason: gr.waitReason });
    }
    groups[k].members.push(g);
    groupOf[g] = k;
  }
  return { groups, groupOf };
}

/** Go's names of goroutine statuses (runtime2.go's _Gidle..._Gpreempted), as a goroutine dump prints them. */
const STATUS_NAMES = ['idle', 'runnable', 'running', 'syscall', 'waiting', 'moribund', 'dead', 'enqueue', 'copystack', 'preempted'];

/** A goroutine status as a word ("waiting"); the scan bit (0x1000) is dropped. */
export function goroutineStatusName(status: number): string {
  return STATUS_NAMES[status & ~0x1000] ?? `status ${status}`;
}
