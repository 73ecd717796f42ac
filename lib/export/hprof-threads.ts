// Goroutines as Java threads in an HPROF export. Each goroutine is a `java.lang.Thread` instance (a synthetic
// object) with the fields VisualVM's Threads view reads: `name` (a java.lang.String, "goroutine 17 main.worker
// [chan receive]"), `daemon` (the runtime's own goroutines), `priority`, `tid` (the goroutine id) and
// `threadStatus` (JVMTI bits: runnable, waiting, terminated); besides, `g` (its runtime.g when that is a heap
// object) and `held` (a java.lang.Object[] of every object its frames, defers, panics and context point to), so
// that what a goroutine holds hangs below its thread object in a dominator tree. Its stack is a STACK TRACE of
// STACK FRAMEs (function as method of its package's class, file:line from the binary), named by the START THREAD
// record; the thread object is a ROOT THREAD OBJECT.
import { type HeapGraph, RootKind } from '../graph/index.js';
import type { GoProgram } from '../gotypes/index.js';
import { goroutineFunction, goroutineStatusName } from '../analysis/index.js';
import type { HprofClasses } from './hprof-classes.js';
import { HprofType } from './hprof-layout.js';
import { splitQualified } from './hprof-names.js';
import { logicalFrames } from '../typing/index.js';
import type { SyntheticIds } from './hprof-support.js';
import {
  type HprofWriter, SUB_INSTANCE_DUMP, SUB_OBJECT_ARRAY_DUMP, SUB_PRIMITIVE_ARRAY_DUMP, TAG_STACK_FRAME, TAG_STACK_TRACE,
  TAG_START_THREAD,
} from './hprof-writer.js';

/** JVMTI thread state bits (what java.lang.Thread.threadStatus holds). */
const ALIVE = 0x1;
const TERMINATED = 0x2;
const RUNNABLE = 0x4;
const WAITING_INDEFINITELY = 0x10;
const WAITING = 0x80;
const IN_OBJECT_WAIT = 0x100;

/** The name of goroutine k as a thread: "goroutine 17 main.worker [chan receive]". */
export function threadName(graph: HeapGraph, k: number): string {
  const gr = graph.goroutines[k];
  const fn = goroutineFunction(graph, k);
  const reason = gr.waitReason !== '' ? gr.waitReason : goroutineStatusName(gr.status);
  return `goroutine ${gr.goid}${fn === '' ? '' : ` ${fn}`} [${reason}]`;
}

function threadStatus(status: number): number {
  switch (status & ~0x1000) {
    case 1: case 2: case 3: return ALIVE | RUNNABLE;
    case 4: case 9: return ALIVE | WAITING | WAITING_INDEFINITELY | IN_OBJECT_WAIT;
    case 6: case 5: return TERMINATED;
    default: return ALIVE;
  }
}

export class HprofThreads {
  /** Per goroutine: its thread object's ID, its name's String and char[] IDs, its held array's ID (0: none). */
  readonly thread: number[] = [];
  private readonly nameString: number[] = [];
  private readonly nameChars: number[] = [];
  private readonly heldArray: number[] = [];
  /** Per goroutine: the roots it holds (their index in graph.roots), and its g's object ID (0: not a heap object). */
  private readonly held: number[][] = [];
  private readonly gObject: number[] = [];

  constructor(private readonly graph: HeapGraph, private readonly program: GoProgram | undefined, private readonly classes: HprofClasses) {
    const g = graph;
    for (let k = 0; k < g.goroutines.length; k++) this.held.push([]);
    const roots = g.roots;
    for (let r = 0; r < roots.count; r++) {
      const k = rootGoroutine(g, r);
      if (k >= 0 && !(roots.kind[r] === RootKind.Goroutine && roots.value[r] === g.goroutines[k].address)) this.held[k].push(r);
    }
  }

  /** IDs needed from SyntheticIds (four per goroutine). */
  get idsNeeded(): number {
    return 4 * this.graph.goroutines.length;
  }

  /** Takes the IDs; `gObject(address)` says whether a g is a heap object (its ID) or not (0). */
  assignIds(ids: SyntheticIds, gObject: (address: number) => number): void {
    for (let k = 0; k < this.graph.goroutines.length; k++) {
      this.thread.push(ids.take());
      this.nameString.push(ids.take());
      this.nameChars.push(ids.take());
      this.heldArray.push(this.held[k].length > 0 ? ids.take() : 0);
      this.gObject.push(gObject(this.graph.goroutines[k].address));
    }
  }

  /** Whether root r is a goroutine's own g, held by its thread object's `g` field rather than a root of its own. */
  isThreadsG(r: number): boolean {
    const roots = this.graph.roots;
    if (roots.kind[r] !== RootKind.Goroutine) return false;
    const k = rootGoroutine(this.graph, r);
    return k >= 0 && this.gObject[k] !== 0 && roots.value[r] === this.graph.goroutines[k].address;
  }

  /** STACK FRAMEs, a STACK TRACE and a START THREAD per goroutine (top-level records, before the heap dump). */
  writeTraces(w: HprofWriter, stringId: (s: string) => number): void {
    const g = this.graph;
    const f = g.frames;
    const p = w.idSize;
    const signature = stringId('()');
    const group = stringId('goroutines');
    let frameId = 1;
    for (let k = 0; k < g.goroutines.length; k++) {
      const first = f.goroutineFirstFrame[k];
      const count = f.goroutineFrameCount[k];
      const rows: number[] = [];
      for (let r = first; r < first + count; r++) if (f.goroutine[r] === k) rows.push(r);
      rows.sort((a, b) => f.depth[a] - f.depth[b]);
      const ids: number[] = [];
      // Frames as Go's traceback prints them: the calls inlined in a physical frame come before it.
      for (const r of rows) for (const { function: fn, file, line: lineNo } of logicalFrames(this.program, g, r)) {
        const [pkg, method] = splitQualified(fn);
        const cls = this.classes.packages.get(pkg || '<functions>');
        const line = lineNo === null ? undefined : { file: file ?? '', line: lineNo };
        const id = frameId++;
        const methodId = stringId(method);
        const fileId = stringId(line?.file ?? '');
        w.record(TAG_STACK_FRAME, 4 * p + 8);
        w.putId(id);
        w.putId(methodId);
        w.putId(signature);
        w.putId(fileId);
        w.putU4(cls ? cls.layout.serial : 0);
        w.putI4(line ? line.line : 0);
        w.endRecord();
        ids.push(id);
      }
      w.record(TAG_STACK_TRACE, 12 + ids.length * p);
      w.putU4(k + 1);
      w.putU4(k + 1);
      w.putU4(ids.length);
      for (const id of ids) w.putId(id);
      w.endRecord();
      const name = stringId(threadName(g, k));
      w.record(TAG_START_THREAD, 4 + p + 4 + 3 * p);
      w.putU4(k + 1);
      w.putId(this.thread[k]);
      w.putU4(k + 1);
      w.putId(name);
      w.putId(group);
      w.putId(0);
      w.endRecord();
    }
  }

  /** Frames written by writeTraces (for the stats): logical frames, inlined calls included. */
  get frames(): number {
    const f = this.graph.frames;
    let n = 0;
    for (let k = 0; k < this.graph.goroutines.length; k++) {
      for (let r = f.goroutineFirstFrame[k]; r < f.goroutineFirstFrame[k] + f.goroutineFrameCount[k]; r++) {
        if (f.goroutine[r] === k) n += logicalFrames(this.program, this.graph, r).length;
      }
    }
    return n;
  }

  /** The thread objects, their names and held arrays (heap sub-records); `rootRef(r)`: the ID root r points to. */
  writeObjects(w: HprofWriter, rootRef: (r: number) => number): void {
    const g = this.graph;
    const p = w.idSize;
    const c = this.classes;
    for (let k = 0; k < g.goroutines.length; k++) {
      const gr = g.goroutines[k];
      // java.lang.Thread: name, daemon, priority, tid, threadStatus, g, held (the class's field order).
      w.sub(1 + p + 4 + p + 4 + c.thread.recordSize);
      w.putU1(SUB_INSTANCE_DUMP);
      w.putId(this.thread[k]);
      w.putU4(0);
      w.putId(c.thread.id);
      w.putU4(c.thread.recordSize);
      w.putId(this.nameString[k]);
      w.putU1(gr.isSystem ? 1 : 0);
      w.putU4(5);
      w.putU4(Math.floor(gr.goid / 4294967296));
      w.putU4(gr.goid >>> 0);
      w.putU4(threadStatus(gr.status));
      w.putId(this.gObject[k]);
      w.putId(this.heldArray[k]);
      w.endSub();
      // Its name: a java.lang.String (value, hash) over a char[].
      const name = threadName(g, k);
      w.sub(1 + p + 4 + p + 4 + c.string.recordSize);
      w.putU1(SUB_INSTANCE_DUMP);
      w.putId(this.nameString[k]);
      w.putU4(0);
      w.putId(c.string.id);
      w.putU4(c.string.recordSize);
      w.putId(this.nameChars[k]);
      w.putU4(0);
      w.endSub();
      w.sub(1 + p + 4 + 4 + 1 + 2 * name.length);
      w.putU1(SUB_PRIMITIVE_ARRAY_DUMP);
      w.putId(this.nameChars[k]);
      w.putU4(0);
      w.putU4(name.length);
      w.putU1(HprofType.Char);
      for (let i = 0; i < name.length; i++) w.putU2(name.charCodeAt(i));
      w.endSub();
      // What it holds.
      const held = this.held[k];
      if (held.length === 0) continue;
      w.sub(1 + p + 4 + 4 + p + held.length * p);
      w.putU1(SUB_OBJECT_ARRAY_DUMP);
      w.putId(this.heldArray[k]);
      w.putU4(0);
      w.putU4(held.length);
      w.putId(c.objectArray.id);
      for (const r of held) w.putId(rootRef(r));
      w.endSub();
    }
  }

  /** Sub-records writeObjects writes (for the stats): thread, String, char[] each, plus the held arrays. */
  get objects(): { instances: number; objectArrays: number; primitiveArrays: number } {
    const n = this.graph.goroutines.length;
    return { instances: 2 * n, objectArrays: this.held.filter((h) => h.length > 0).length, primitiveArrays: n };
  }
}

/** The goroutine root r belongs to (a frame's, a defer's, a panic's, a context's), or -1. */
export function rootGoroutine(g: HeapGraph, r: number): number {
  const roots = g.roots;
  const kind = roots.kind[r] as RootKind;
  const owner = roots.owner[r];
  if (kind === RootKind.StackFrame) return g.frames.goroutine[owner];
  if (kind >= RootKind.Goroutine && kind <= RootKind.PanicArg) return owner >= 0 && owner < g.goroutines.length ? owner : -1;
  return -1;
}
