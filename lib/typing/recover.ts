// recoverTypes: gives heap objects Go types, in time linear in the graph. Seeds come from the dump and the
// executable: Go 1.22+ malloc headers and finalizer records (authoritative), globals in the Data/BSS segments,
// stack frame locals and parameters, goroutine/thread/defer/panic records. Types then flow along the edges to a
// fixpoint through a worklist (a bitmap swept in object order): each object is typed once and its edges are visited once
// per typing (a typing is replaced at most once, when a second answer explains the object's pointer bitmap and
// the first does not). No JS object is allocated per object or edge. This file holds the seeds and the run;
// recovery-state.ts the arrays and bookkeeping (offer, explains, headers, tiny blocks), slot-apply.ts what a slot
// says about its target and the propagation along edges.
//
// The sweeps follow pointers forwards in object order only, so a heap whose pointers mostly go backwards (a parser's
// tree, children allocated before their parents) takes one sweep per level; each sweep would read the dump again
// for the words next to the pointer slots (interface type words, slice capacities, interior pointer values). So a
// first sequential pass over the objects keeps those words, resolved, in two per-edge arrays (edgeRef, edgeCap), and
// the sweeps read the dump only for rarer slots (map directories, channel buffers, closures, conflicting typings).
// Hot paths read per-type typed arrays (size, has pointers, value typing) rather than GoType objects and Maps.
//
// Stack frames: a dumped frame's contents are [sp, sp + size), and its last word is the return address into the
// caller (checked on main.recurse frames: word size-8 equals the caller frame's pc; word size-16 is the saved
// frame pointer). DWARF frame locations are DW_OP_call_frame_cfa + offset, and on amd64 the CFA is the caller's
// sp before the CALL pushed the return address, that is sp + size. main.recurse's `pad` at CFA-56 is found at
// sp+16 and holds pad[n%4] = n in each frame; `ready` lives in a register (location list), so it is not seeded.
import type { HeapGraph } from '../graph/index.js';
import { RootKind } from '../graph/index.js';
import type { GoProgram } from '../gotypes/index.js';
import { frameVariables, variableAddress, variableOffset, type FrameVariable } from './frame-variables.js';
import { HeapTypes, RecoveredTypes } from './heap-types.js';
import { lastAtOrBelow } from './layout-math.js';
import { SlotApplication } from './slot-apply.js';
import { APPROX, VERIFIED, type RecoverOptions } from './recovery-state.js';

export type { RecoverOptions } from './recovery-state.js';
export { goMinor } from './recovery-state.js';

/** Recovers the types of the heap objects of `graph` from the executable `program`. */
export function recoverTypes(graph: HeapGraph, program: GoProgram, options: RecoverOptions = {}): HeapTypes {
  const r = new Recovery(graph, program, options);
  try {
    r.run();
  } finally {
    r.close();
  }
  return new RecoveredTypes(graph, program, r.typings, r.objectType, r.headers, r.tiny, r.inferred);
}

class Recovery extends SlotApplication {
  run(): void {
    this.readEdgeWords();
    this.options.afterEdgeWords?.();
    this.seedHeaders();
    this.seedFinalizers();
    this.seedRoots();
    this.seedFrames();
    this.drain();
    for (let round = 0; round < 4 && this.inferUnsafe(); round++) this.drain();
    this.finishTiny();
    this.inferred = Uint32Array.from(this.inferredList.filter((i) => this.objectType[i] !== 0)).sort();
  }

  // ---- seeds ----

  /** Go 1.22+: objects in size classes above the malloc-header bound with pointers start with their type's address. */
  protected seedHeaders(): void {
    const p = this.p;
    for (let k = 0; k < this.headerCount; k++) {
      const i = this.headerObject[k];
      const s = this.sizeOf(i);
      const u = this.types[this.headerType[k]];
      const count = Math.floor((s - p) / u.size);
      if (count < 1) continue;
      if (count === 1) this.offer(i, this.typings.value(u), VERIFIED);
      else this.offer(i, this.typings.array(u, count), VERIFIED | APPROX);
    }
  }

  /** Finalizer records name the object's pointer type (ot = *T). */
  protected seedFinalizers(): void {
    for (const f of this.graph.finalizers) {
      const t = this.graph.findObject(f.object);
      if (t < 0) continue;
      const pt = this.program.typeByRuntimeAddress(f.ot);
      const u = pt?.elem;
      if (u === undefined || u.size === 0) continue;
      if (this.isTinyType(u.id) && this.isTinyBlock(t)) this.sub(t, f.object - this.addressOf(t), u.size, this.valueOf(u.id));
      else if (f.object - this.addressOf(t) === this.headerFor(t, u.id)) this.offer(t, this.typings.value(u), VERIFIED);
    }
  }

  protected runtimeType(name: string): number {
    const t = this.program.typeByName(name);
    return t === undefined ? 0 : this.typings.value(t);
  }

  /** Globals (Data/BSS slots) and the runtime's own records (g, m, _defer, _panic, funcvals). */
  protected seedRoots(): void {
    const roots = this.graph.roots;
    const globals = this.program.globals;
    const gAddr = Float64Array.from(globals, (g) => g.address);
    const seg = new Map<number, number>();
    for (const s of this.graph.segments) seg.set(s.kind === 'data' ? RootKind.Data : RootKind.Bss, s.contentOffset);
    const gType = this.runtimeType('runtime.g');
    const mType = this.runtimeType('runtime.m');
    const deferType = this.runtimeType('runtime._defer');
    const panicType = this.runtimeType('runtime._panic');
    const panicByAddress = new Map<number, number>();
    for (const pr of this.graph.panics) panicByAddress.set(pr.address, pr.argType);
    for (let r = 0; r < roots.count; r++) {
      const kind = roots.kind[r];
      const t = roots.target[r];
      const value = roots.value[r];
      const slot = roots.slotAddress[r];
      switch (kind) {
        case RootKind.Data:
        case RootKind.Bss: {
          const k = lastAtOrBelow(gAddr, slot);
          if (k < 0) break;
          const g = globals[k];
          if (g.type === undefined || slot >= g.address + g.type.size) break;
          const table = this.slots.table(g.type);
          const w = (slot - g.address) / this.p;
          if (table === null || !Number.isInteger(w) || table[w] === 0) break;
          this.apply(table[w], (seg.get(kind) ?? 0) + roots.owner[r], value - this.addressOf(t), t, -1);
          break;
        }
        case RootKind.Goroutine:
          if (gType !== 0 && value === this.addressOf(t)) this.offer(t, gType, 0);
          break;
        case RootKind.Thread:
          if (mType !== 0 && value === this.addressOf(t)) this.offer(t, mType, 0);
          break;
        case RootKind.Defer:
          if (deferType !== 0 && value === this.addressOf(t)) this.offer(t, deferType, 0);
          break;
        case RootKind.Panic:
          if (panicType !== 0 && value === this.addressOf(t)) this.offer(t, panicType, 0);
          break;
        case RootKind.GoroutineContext:
        case RootKind.DeferFunc:
        case RootKind.FinalizerFunc:
        case RootKind.QueuedFinalizerFunc:
          this.closure(t, value - this.addressOf(t));
          break;
        case RootKind.PanicArg: {
          const at = panicByAddress.get(slot);
          const u = at === undefined ? undefined : this.efaceType.get(at);
          if (u !== undefined) this.boxed(u, -1, t, value - this.addressOf(t), -1);
          break;
        }
        default:
          break;
      }
    }
  }

  /** Stack frames: locals and parameters at CFA-relative locations (CFA = sp + size, see the file comment). */
  protected seedFrames(): void {
    const fr = this.graph.frames;
    const roots = this.graph.roots;
    // Roots of frame f: rootIndex[rootStart[f] .. rootStart[f+1]).
    const rootStart = new Uint32Array(fr.count + 1);
    for (let r = 0; r < roots.count; r++) if (roots.kind[r] === RootKind.StackFrame) rootStart[roots.owner[r] + 1]++;
    for (let f = 0; f < fr.count; f++) rootStart[f + 1] += rootStart[f];
    const fill = rootStart.slice(0, fr.count);
    const rootIndex = new Uint32Array(rootStart[fr.count]);
    for (let r = 0; r < roots.count; r++) if (roots.kind[r] === RootKind.StackFrame) rootIndex[fill[roots.owner[r]]++] = r;

    this.inFrame = true;
    for (let f = 0; f < fr.count; f++) {
      const vars = frameVariables(this.program, this.graph, f);
      if (vars.length === 0 && this.graph.stackSlotTypes.size === 0) continue;
      // The variables may lie in this frame or (stack-passed arguments) in the caller's, the next frame.
      const last = f + 1 < fr.count && fr.goroutine[f + 1] === fr.goroutine[f] ? f + 1 : f;
      for (let ff = f; ff <= last; ff++) {
        for (let k = rootStart[ff]; k < rootStart[ff + 1]; k++) {
          const r = rootIndex[k];
          const slot = roots.slotAddress[r];
          const hint = this.graph.stackSlotTypes.get(slot);
          if (hint !== undefined && slot >= fr.sp[ff] && slot < fr.sp[ff] + fr.size[ff]) {
            // A stack object a blocked send or select offers: typed by its channel's element type.
            const ht = this.program.typeByRuntimeAddress(hint.type);
            const table = ht === undefined ? null : this.slots.table(ht);
            const w = hint.offset / this.p;
            if (table !== null && Number.isInteger(w) && table[w] !== 0) {
              this.apply(table[w], fr.contentOffset[ff] + (slot - fr.sp[ff]), roots.value[r] - this.addressOf(roots.target[r]), roots.target[r], -1);
              continue;
            }
          }
          for (const v of vars) {
            const o = variableOffset(v, slot);
            if (o < 0) continue;
            const table = this.slots.table(v.type);
            const w = o / this.p;
            if (table === null || !Number.isInteger(w) || table[w] === 0) continue;
            // A variable in pieces: its slot's neighbours (a slice's capacity, an interface's type word) are read
            // where the frame holds them, and are unknown where it does not (slot-apply.ts near).
            if (v.parts !== undefined) {
              this.pieceFile = this.pieceWords(v, f, last);
              this.pieceSlot = w;
            }
            this.apply(table[w], fr.contentOffset[ff] + (slot - fr.sp[ff]), roots.value[r] - this.addressOf(roots.target[r]), roots.target[r], -1);
            this.pieceFile = null;
          }
        }
      }
    }
    this.inFrame = false;
  }

  /** The file offset of each word of frame variable v (in frame f or the caller's, `last`), -1 where they hold none. */
  private pieceWords(v: FrameVariable, f: number, last: number): Float64Array {
    const fr = this.graph.frames;
    const p = this.p;
    const out = new Float64Array(Math.floor(v.type.size / p)).fill(-1);
    for (let k = 0; k < out.length; k++) {
      const a = variableAddress(v, k * p, p);
      if (a === undefined) continue;
      for (let ff = f; ff <= last; ff++) {
        if (a >= fr.sp[ff] && a + p <= fr.sp[ff] + fr.size[ff]) {
          out[k] = fr.contentOffset[ff] + (a - fr.sp[ff]);
          break;
        }
      }
    }
    return out;
  }
}
