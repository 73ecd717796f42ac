// recoverTypes: gives heap objects Go types, in time linear in the graph. Seeds come from the dump and the
// executable: Go 1.22+ malloc headers and finalizer records (authoritative), globals in the Data/BSS segments,
// stack frame locals and parameters, goroutine/thread/defer/panic records. Types then flow along the edges to a
// fixpoint through a worklist (a bitmap swept in object order): each object is typed once and its edges are visited once
// per typing (a typing is replaced at most once, when a second answer explains the object's pointer bitmap and
// the first does not). No JS object is allocated per object or edge.
//
// Stack frames: a dumped frame's contents are [sp, sp + size), and its last word is the return address into the
// caller (checked on main.recurse frames: word size-8 equals the caller frame's pc; word size-16 is the saved
// frame pointer). DWARF frame locations are DW_OP_call_frame_cfa + offset, and on amd64 the CFA is the caller's
// sp before the CALL pushed the return address, that is sp + size. main.recurse's `pad` at CFA-56 is found at
// sp+16 and holds pad[n%4] = n in each frame; `ready` lives in a register (location list), so it is not seeded.
import type { HeapGraph } from '../graph/index.js';
import { RootKind } from '../graph/index.js';
import type { GoFunction, GoProgram, GoType } from '../gotypes/index.js';
import { DumpBytes } from './dump-bytes.js';
import { SlotKind, SlotTables } from './slots.js';
import { TypingKind, TypingTable } from './typings.js';
import { HeapTypes, RecoveredTypes } from './heap-types.js';

export interface RecoverOptions {
  /** At most this many bytes of the dump are cached in memory while reading words (default 64 MiB). */
  pageBudgetBytes?: number;
}

const VERIFIED = 1;
const APPROX = 2;
const CHECKED_BAD = 4;

const MASK = 0x7fffffff;
const HEADER_MIN = 512;
const HEADER_MAX = 32768;

/** Recovers the types of the heap objects of `graph` from the executable `program`. */
export function recoverTypes(graph: HeapGraph, program: GoProgram, options: RecoverOptions = {}): HeapTypes {
  const r = new Recovery(graph, program, options);
  try {
    r.run();
  } finally {
    r.close();
  }
  return new RecoveredTypes(graph, program, r.typings, r.objectType, r.headers);
}

/** Go minor version of a dump or binary ("go1.22.3" -> 22), or 0. */
export function goMinor(v: string | null | undefined): number {
  const m = /go1\.(\d+)/.exec(v ?? '');
  return m ? Number(m[1]) : 0;
}

class Recovery {
  readonly typings: TypingTable;
  readonly objectType: Uint32Array;
  readonly headers: boolean;
  private readonly flags: Uint8Array;
  private readonly slots: SlotTables;
  private readonly bytes: DumpBytes;
  private readonly p: number;
  private readonly address: Float64Array;
  private readonly size: Uint32Array;
  private readonly content: Float64Array;
  private readonly types: readonly GoType[];
  private readonly itabType = new Map<number, number>();
  /** Objects whose typing is still to be propagated: bit i of dirty[i >> 5]. */
  private readonly dirty: Uint32Array;
  private cursor = 0;
  private again = false;
  private readonly fl = { offsets: new Uint32Array(64) };
  /** Per typing id: 1 when its type has pointers (objects above 512 bytes then carry a malloc header), 2 not, 0 unknown. */
  private typingPtr = new Uint8Array(256);

  constructor(
    private readonly graph: HeapGraph,
    private readonly program: GoProgram,
    options: RecoverOptions,
  ) {
    const n = graph.objectCount;
    this.typings = new TypingTable(program.types.length);
    this.objectType = new Uint32Array(n);
    this.flags = new Uint8Array(n);
    this.slots = new SlotTables(program);
    this.p = graph.params.ptrSize;
    this.bytes = new DumpBytes(graph.path, this.p, !graph.params.bigEndian, options.pageBudgetBytes);
    this.address = graph.objectAddress;
    this.size = graph.objectSize;
    this.content = graph.objectContentOffset;
    this.types = program.types;
    this.headers = (goMinor(graph.params.goVersion) || goMinor(program.goVersion)) >= 22;
    this.dirty = new Uint32Array((n >>> 5) + 1);
    for (const it of graph.itabs) this.itabType.set(it.address, it.typeAddress);
  }

  close(): void {
    this.bytes.close();
  }

  run(): void {
    this.seedHeaders();
    this.seedFinalizers();
    this.seedRoots();
    this.seedFrames();
    this.drain();
  }

  // ---- worklist ----
  // A dirty bitmap swept in object index order (file order): objects typed ahead of the sweep are handled in
  // the same sweep, objects behind it in the next. Index order keeps the reads of edges and contents sequential.

  private push(i: number): void {
    this.dirty[i >>> 5] |= 1 << (i & 31);
    if (i < this.cursor) this.again = true;
  }

  private drain(): void {
    const dirty = this.dirty;
    const nw = dirty.length;
    do {
      this.again = false;
      this.cursor = 0;
      for (let w = 0; w < nw; w++) {
        while (dirty[w] !== 0) {
          const bits = dirty[w];
          const low = bits & -bits;
          dirty[w] = bits ^ low;
          const i = w * 32 + (31 - Math.clz32(low));
          this.cursor = i + 1;
          this.propagate(i);
        }
      }
    } while (this.again);
  }

  // ---- typings ----

  private hasPointers(tid: number): boolean {
    if (tid >= this.typingPtr.length) {
      const bigger = new Uint8Array(Math.max(tid + 1, this.typingPtr.length * 2));
      bigger.set(this.typingPtr);
      this.typingPtr = bigger;
    }
    let v = this.typingPtr[tid];
    if (v === 0) {
      const t = this.typings.goType[tid];
      v = t !== undefined && this.program.pointerMap(t).length > 0 ? 1 : 2;
      this.typingPtr[tid] = v;
    }
    return v === 1;
  }

  /** Bytes of malloc header before the value in object i if it had typing tid. */
  private headerSize(i: number, tid: number): number {
    if (!this.headers) return 0;
    const s = this.size[i];
    return s > HEADER_MIN && s <= HEADER_MAX && this.hasPointers(tid) ? this.p : 0;
  }

  /** Header size for a value of type t in object i. */
  private headerFor(i: number, t: GoType): number {
    if (!this.headers) return 0;
    const s = this.size[i];
    return s > HEADER_MIN && s <= HEADER_MAX && this.program.pointerMap(t).length > 0 ? this.p : 0;
  }

  /** Proposes typing tid for object i. */
  private offer(i: number, tid: number, flags: number): void {
    const cur = this.objectType[i];
    if (cur === tid) return;
    if (cur === 0) {
      this.objectType[i] = tid;
      this.flags[i] = flags;
      this.push(i);
      return;
    }
    const f = this.flags[i];
    const tb = this.typings;
    // Same element type, different length: an exact length replaces one guessed from the object's size.
    if (tb.goType[cur] !== undefined && tb.goType[cur] === tb.goType[tid] && tb.kind[cur] === TypingKind.Array && tb.kind[tid] === TypingKind.Array) {
      if ((f & APPROX) !== 0 && (flags & APPROX) === 0) {
        this.objectType[i] = tid;
        this.flags[i] = (f & ~APPROX) | flags;
      }
      return;
    }
    if ((f & VERIFIED) !== 0) return;
    if ((f & CHECKED_BAD) === 0) {
      if (this.explains(i, cur)) {
        this.flags[i] = f | VERIFIED;
        return;
      }
      this.flags[i] = f | CHECKED_BAD;
    }
    if (this.explains(i, tid)) {
      this.objectType[i] = tid;
      this.flags[i] = flags | VERIFIED;
      this.push(i);
    }
  }

  /**
   * True when typing tid explains object i's pointer bitmap (its fieldlist): every listed slot is a pointer word
   * of the typing, and every pointer word of its first element is listed.
   */
  private explains(i: number, tid: number): boolean {
    const n = this.bytes.fieldList(this.content[i] + this.size[i], this.fl);
    const offs = this.fl.offsets;
    const tb = this.typings;
    const kind = tb.kind[tid];
    if (kind === TypingKind.StringData) return n === 0;
    if (kind === TypingKind.Closure) return n === 0 || offs[0] !== 0;
    const t = tb.goType[tid];
    if (t === undefined || t.size === 0) return false;
    const pm = this.program.pointerMap(t);
    const count = kind === TypingKind.Array ? tb.count[tid] : 1;
    const base = this.headerSize(i, tid);
    if (base + t.size * count > this.size[i]) return false;
    let first = 0;
    for (let k = 0; k < n; k++) {
      const rel = offs[k] - base;
      if (rel < 0) return false;
      const e = Math.floor(rel / t.size);
      if (e >= count) return false;
      const inner = rel - e * t.size;
      if (!contains(pm, inner)) return false;
      if (e === 0) first++;
    }
    return first === pm.length;
  }

  // ---- propagation ----

  private propagate(i: number): void {
    const tid = this.objectType[i];
    const tb = this.typings;
    const kind = tb.kind[tid];
    if (kind !== TypingKind.Value && kind !== TypingKind.Array) return;
    const t = tb.goType[tid]!;
    const es = t.size;
    if (es === 0) return;
    const table = this.slots.table(t);
    if (table === null) return;
    const count = kind === TypingKind.Array ? tb.count[tid] : 1;
    const base = this.headerSize(i, tid);
    const g = this.graph;
    const edgeField = g.edgeField;
    const edgeTarget = g.edgeTarget;
    const end = g.edgeStart[i + 1];
    const pm1 = this.p - 1;
    const shift = this.p === 8 ? 3 : 2;
    const contentAt = this.content[i];
    for (let e = g.edgeStart[i]; e < end; e++) {
      const field = edgeField[e];
      const off = field & MASK;
      let inner = off - base;
      if (inner < 0) continue;
      if (inner >= es) {
        if (count === 1) continue;
        const k = Math.floor(inner / es);
        if (k >= count) continue;
        inner -= k * es;
      }
      if ((inner & pm1) !== 0) continue;
      const d = table[inner >>> shift];
      if (d === 0) continue;
      const target = edgeTarget[e];
      const slotFile = contentAt + off;
      const toff = field > MASK ? this.bytes.word(slotFile) - this.address[target] : 0;
      this.apply(d, slotFile, toff, target);
    }
  }

  /** Applies descriptor d for a slot at file offset slotFile (-1: none) pointing `off` bytes into object t. */
  private apply(d: number, slotFile: number, off: number, t: number): void {
    const s = this.slots;
    switch (s.kind[d] as SlotKind) {
      case SlotKind.Ptr: {
        const u = this.types[s.type[d]];
        if (u.size === 0) return;
        if (off === this.headerFor(t, u)) this.offer(t, this.typings.value(u), 0);
        return;
      }
      case SlotKind.Slice: {
        const u = this.types[s.type[d]];
        if (u.size === 0 || slotFile < 0) return;
        const cap = this.bytes.word(slotFile + 2 * this.p);
        const hs = this.headerFor(t, u);
        const rel = off - hs;
        if (rel < 0 || rel % u.size !== 0) return;
        const max = Math.floor((this.size[t] - hs) / u.size);
        const n = Math.min(rel / u.size + cap, max);
        if (n >= 1) this.offer(t, this.typings.array(u, n), 0);
        return;
      }
      case SlotKind.String:
        this.offer(t, this.typings.stringData(), 0);
        return;
      case SlotKind.Eface:
      case SlotKind.Iface: {
        if (slotFile < 0) return;
        let typeWord = this.bytes.word(slotFile - this.p);
        if (s.kind[d] === SlotKind.Iface) {
          const ta = this.itabType.get(typeWord);
          if (ta === undefined) return;
          typeWord = ta;
        }
        this.boxed(typeWord, slotFile, t, off);
        return;
      }
      case SlotKind.Func:
        this.closure(t, off);
        return;
      case SlotKind.Buckets: {
        const u = this.types[s.type[d]];
        if (u.size === 0) return;
        const hs = this.headerFor(t, u);
        if (off !== hs) return;
        const n = Math.floor((this.size[t] - hs) / u.size);
        if (n >= 1) this.offer(t, this.typings.array(u, n), APPROX);
        return;
      }
      case SlotKind.MapDir: {
        if (slotFile < 0) return;
        const dirLen = this.bytes.word(slotFile + this.p);
        if (dirLen === 0) {
          const grp = this.types[s.type2[d]];
          if (off === this.headerFor(t, grp)) this.offer(t, this.typings.value(grp), 0);
        } else {
          const u = this.types[s.type[d]];
          const hs = this.headerFor(t, u);
          const n = Math.min(dirLen, Math.floor((this.size[t] - hs) / u.size));
          if (off === hs && n >= 1) this.offer(t, this.typings.array(u, n), 0);
        }
        return;
      }
      case SlotKind.ChanBuf: {
        if (slotFile < 0) return;
        const u = this.types[s.type[d]];
        const hs = this.headerFor(t, u);
        if (off !== hs) return;
        const n = Math.min(this.bytes.word(slotFile - this.p), Math.floor((this.size[t] - hs) / u.size));
        if (n >= 1) this.offer(t, this.typings.array(u, n), 0);
        return;
      }
      default:
        return;
    }
  }

  /** An interface's data word `value` (slot at slotFile) whose dynamic type descriptor is at typeAddr. */
  private boxed(typeAddr: number, slotFile: number, t: number, off: number): void {
    const u = this.program.typeByRuntimeAddress(typeAddr);
    if (u === undefined || u.size === 0) return;
    if (this.isDirect(u)) {
      const d0 = this.slots.firstWord(u);
      if (d0 !== 0) this.apply(d0, slotFile, off, t);
      return;
    }
    if (off === this.headerFor(t, u)) this.offer(t, this.typings.value(u), 0);
  }

  /** Pointer-shaped types are stored in an interface's data word itself. */
  private isDirect(u: GoType): boolean {
    if (u.size !== this.p) return false;
    const pm = this.program.pointerMap(u);
    return pm.length === 1 && pm[0] === 0;
  }

  /** Object t is a funcval: names it after the function its code pointer is in. */
  private closure(t: number, off: number): void {
    if (off !== 0) return;
    const pc = this.bytes.word(this.content[t]);
    const fn = this.program.functionAt(pc);
    if (fn === undefined) return;
    this.offer(t, this.typings.closure(fn.name), 0);
  }

  // ---- seeds ----

  /** Go 1.22+: objects in size classes above 512 bytes with pointers start with their type's address. */
  private seedHeaders(): void {
    if (!this.headers) return;
    const n = this.graph.objectCount;
    const size = this.size;
    const p = this.p;
    for (let i = 0; i < n; i++) {
      const s = size[i];
      if (s <= HEADER_MIN || s > HEADER_MAX) continue;
      const u = this.program.typeByRuntimeAddress(this.bytes.word(this.content[i]));
      if (u === undefined || u.size === 0 || this.program.pointerMap(u).length === 0) continue;
      const count = Math.floor((s - p) / u.size);
      if (count < 1) continue;
      if (count === 1) this.offer(i, this.typings.value(u), VERIFIED);
      else this.offer(i, this.typings.array(u, count), VERIFIED | APPROX);
    }
  }

  /** Finalizer records name the object's pointer type (ot = *T). */
  private seedFinalizers(): void {
    for (const f of this.graph.finalizers) {
      const t = this.graph.findObject(f.object);
      if (t < 0) continue;
      const pt = this.program.typeByRuntimeAddress(f.ot);
      const u = pt?.elem;
      if (u === undefined || u.size === 0) continue;
      if (f.object - this.address[t] === this.headerFor(t, u)) this.offer(t, this.typings.value(u), VERIFIED);
    }
  }

  private runtimeType(name: string): number {
    const t = this.program.typeByName(name);
    return t === undefined ? 0 : this.typings.value(t);
  }

  /** Globals (Data/BSS slots) and the runtime's own records (g, m, _defer, _panic, funcvals). */
  private seedRoots(): void {
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
          this.apply(table[w], (seg.get(kind) ?? 0) + roots.owner[r], value - this.address[t], t);
          break;
        }
        case RootKind.Goroutine:
          if (gType !== 0 && value === this.address[t]) this.offer(t, gType, 0);
          break;
        case RootKind.Thread:
          if (mType !== 0 && value === this.address[t]) this.offer(t, mType, 0);
          break;
        case RootKind.Defer:
          if (deferType !== 0 && value === this.address[t]) this.offer(t, deferType, 0);
          break;
        case RootKind.Panic:
          if (panicType !== 0 && value === this.address[t]) this.offer(t, panicType, 0);
          break;
        case RootKind.GoroutineContext:
        case RootKind.DeferFunc:
        case RootKind.FinalizerFunc:
        case RootKind.QueuedFinalizerFunc:
          this.closure(t, value - this.address[t]);
          break;
        case RootKind.PanicArg: {
          const at = panicByAddress.get(slot);
          if (at !== undefined) this.boxed(at, -1, t, value - this.address[t]);
          break;
        }
        default:
          break;
      }
    }
  }

  /** Stack frames: locals and parameters at CFA-relative locations (CFA = sp + size, see the file comment). */
  private seedFrames(): void {
    const fr = this.graph.frames;
    const roots = this.graph.roots;
    // Roots of frame f: rootIndex[rootStart[f] .. rootStart[f+1]).
    const rootStart = new Uint32Array(fr.count + 1);
    for (let r = 0; r < roots.count; r++) if (roots.kind[r] === RootKind.StackFrame) rootStart[roots.owner[r] + 1]++;
    for (let f = 0; f < fr.count; f++) rootStart[f + 1] += rootStart[f];
    const fill = rootStart.slice(0, fr.count);
    const rootIndex = new Uint32Array(rootStart[fr.count]);
    for (let r = 0; r < roots.count; r++) if (roots.kind[r] === RootKind.StackFrame) rootIndex[fill[roots.owner[r]]++] = r;

    const varAddr: number[] = [];
    const varType: GoType[] = [];
    for (let f = 0; f < fr.count; f++) {
      const depth = fr.depth[f];
      const pc = fr.pc[f];
      const fn: GoFunction | undefined = this.program.functionAt(pc) ?? (depth > 0 ? this.program.functionAt(pc - 1) : undefined);
      if (fn === undefined) continue;
      const lookPc = depth > 0 ? pc - 1 : pc;
      const cfa = fr.sp[f] + fr.size[f];
      varAddr.length = 0;
      varType.length = 0;
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
          varAddr.push(cfa + loc.offset);
          varType.push(v.type);
        }
      }
      if (varAddr.length === 0) continue;
      // The variables may lie in this frame or (stack-passed arguments) in the caller's, the next frame.
      const last = f + 1 < fr.count && fr.goroutine[f + 1] === fr.goroutine[f] ? f + 1 : f;
      for (let ff = f; ff <= last; ff++) {
        for (let k = rootStart[ff]; k < rootStart[ff + 1]; k++) {
          const r = rootIndex[k];
          const slot = roots.slotAddress[r];
          for (let v = 0; v < varAddr.length; v++) {
            const a = varAddr[v];
            const vt = varType[v];
            if (slot < a || slot >= a + vt.size) continue;
            const table = this.slots.table(vt);
            const w = (slot - a) / this.p;
            if (table === null || !Number.isInteger(w) || table[w] === 0) continue;
            this.apply(table[w], fr.contentOffset[ff] + (slot - fr.sp[ff]), roots.value[r] - this.address[roots.target[r]], roots.target[r]);
          }
        }
      }
    }
  }
}

/** Binary search in a sorted Uint32Array. */
function contains(a: Uint32Array, x: number): boolean {
  let lo = 0;
  let hi = a.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = a[mid];
    if (v === x) return true;
    if (v < x) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** Index of the last element <= x in ascending `a`, or -1. */
function lastAtOrBelow(a: Float64Array, x: number): number {
  let lo = 0;
  let hi = a.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] <= x) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best;
}
