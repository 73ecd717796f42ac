// Slot application and propagation for type recovery (recover.ts): what a pointer slot of a known Go type says about
// the object it points to (a value, an array of a slice's capacity, a boxed interface value, a closure, a map's
// directory or groups, a channel buffer), the sweep of a typed object's edges, the layouts of closures, and the
// types inferred for the targets of unsafe.Pointer fields.
import { GoKind } from '../gotypes/index.js';
import { SlotKind } from './slots.js';
import { TypingKind } from './typings.js';
import { TINY_BLOCK } from './tiny-blocks.js';
import { packageOf, sizeClass } from './layout-math.js';
import { closureLayout } from './closures.js';
import { APPROX, CAP_MAX, CAP_SLOW, MASK, REF_SLOW, RecoveryState, TINY_SLOW } from './recovery-state.js';

export abstract class SlotApplication extends RecoveryState {
  // ---- propagation ----

  protected propagate(i: number): void {
    const tid = this.objectType[i];
    const tb = this.typings;
    const kind = tb.kind[tid];
    if (kind === TypingKind.Closure) {
      this.propagateClosure(i, tid);
      return;
    }
    if (kind !== TypingKind.Value && kind !== TypingKind.Array) return;
    const id = tb.typeId[tid];
    if (id === this.channelHeader.id && kind === TypingKind.Value) this.refineChannel(i);
    const es = this.typeSize[id];
    if (es === 0) return;
    const table = this.tableOf(id);
    if (table === null) return;
    const count = kind === TypingKind.Array ? tb.count[tid] : 1;
    const base = this.headerFor(i, id);
    const edgeField = this.edgeField;
    const edgeTarget = this.edgeTarget;
    const edgeStart = this.edgeStart;
    const edgeRef = this.edgeRef!;
    const end = edgeStart[i + 1];
    const pm1 = this.p - 1;
    const shift = this.p === 8 ? 3 : 2;
    const contentAt = this.content.at(i);
    for (let e = edgeStart[i]; e < end; e++) {
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
      let toff = 0;
      if (field > MASK) {
        toff = edgeRef[e];
        if (toff === REF_SLOW) toff = this.bytes.word(slotFile) - this.addressOf(target);
      }
      this.apply(d, slotFile, toff, target, e);
    }
  }

  private channelHeader_: { id: number; elemtype: number } | undefined;

  /** runtime.hchan's type id and the offset of its elemtype field (-1 without them). */
  protected get channelHeader(): { id: number; elemtype: number } {
    if (this.channelHeader_ === undefined) {
      const h = this.program.typeByName('runtime.hchan');
      const f = h?.fields?.find((x) => x.name === 'elemtype');
      this.channelHeader_ = { id: h !== undefined && f !== undefined ? h.id : -1, elemtype: f?.offset ?? -1 };
    }
    return this.channelHeader_;
  }

  /**
   * Object i is typed as the runtime's own runtime.hchan (reached through a runtime structure: a select's cases, a
   * sudog, a timer): its elemtype word names the element's runtime type, hence the channel's own header type.
   */
  protected refineChannel(i: number): void {
    const c = this.channelHeader;
    const at = this.headerFor(i, c.id) + c.elemtype;
    if (at + this.p > this.sizeOf(i)) return;
    const elem = this.program.typeByRuntimeAddress(this.bytes.word(this.content.at(i) + at));
    const header = elem !== undefined ? this.slots.chanHeaderOfElem(elem.id) : undefined;
    if (header !== undefined) this.offer(i, this.valueOf(header), 0);
  }

  /**
   * While a slot of a frame variable in pieces is applied (recover.ts seedFrames): the file offset of each word of
   * the variable, -1 for a word the frame does not hold, and the slot's word in it; null otherwise.
   */
  protected pieceFile: Float64Array | null = null;
  protected pieceSlot = 0;
  /** While a frame variable's slot is applied (recover.ts seedFrames): its neighbours may be words never stored. */
  protected inFrame = false;

  /**
   * The word k words from the slot at file offset slotFile (its neighbours: a slice's length and capacity, an
   * interface's type word), or -1 when the frame does not hold it (a variable in pieces).
   */
  protected near(slotFile: number, k: number): number {
    const pf = this.pieceFile;
    if (pf === null) return this.bytes.word(slotFile + k * this.p);
    const j = this.pieceSlot + k;
    const at = j >= 0 && j < pf.length ? pf[j] : -1;
    return at < 0 ? -1 : this.bytes.word(at);
  }

  /**
   * Applies descriptor d for a slot at file offset slotFile (-1: none) pointing `off` bytes into object t; e is the
   * slot's edge (its words are in edgeRef/edgeCap), or -1 to read them from the dump.
   */
  protected apply(d: number, slotFile: number, off: number, t: number, e: number): void {
    const s = this.slots;
    const kind = s.kind[d] as SlotKind;
    switch (kind) {
      case SlotKind.Ptr: {
        let u = s.type[d];
        if (this.typeSize[u] === 0) return;
        const w = this.wrapper[u];
        let at = off;
        if (w >= 0 && off === this.wrapperOffset[u] && sizeClass(this.typeSize[w]) === this.sizeOf(t)) {
          u = w;
          at = 0;
          const pt = this.periodicTimer;
          if (pt !== undefined && this.bytes.word(this.content.at(t) + this.headerFor(t, u) + pt.period) !== 0) u = pt.ticker;
        }
        if (this.isTinyType(u) && this.isTinyBlock(t)) this.sub(t, off, this.typeSize[u], this.valueOf(u));
        else if (at === this.headerFor(t, u)) this.offer(t, this.valueOf(u), 0);
        return;
      }
      case SlotKind.Slice: {
        const u = s.type[d];
        const us = this.typeSize[u];
        if (us === 0 || slotFile < 0) return;
        if (this.isTinyType(u) && this.isTinyBlock(t)) {
          const c8 = e >= 0 ? this.edgeCap![e] >>> 8 : TINY_SLOW;
          const c = c8 !== TINY_SLOW ? c8 : this.near(slotFile, 2);
          if (c < 0) return;
          const n = Math.min(c, 0xffff);
          if (n >= 1 && n * us <= TINY_BLOCK) this.sub(t, off, n * us, this.typings.array(this.types[u], n));
          return;
        }
        const c16 = e >= 0 ? this.edgeCap![e] : CAP_SLOW;
        let cap = c16 !== CAP_SLOW ? c16 : e >= 0 ? Math.min(this.near(slotFile, 2), CAP_MAX) : this.near(slotFile, 2);
        // Go's DWARF can place a whole slice local in the frame where the compiler stores only its pointer (for the
        // GC; the length and capacity stay in registers): the words beside it then hold 0 or stale values. A
        // capacity of 0, or below the length, is none: unknown, as for a slice in pieces.
        if (this.inFrame && (cap === 0 || cap < this.near(slotFile, 1))) cap = -1;
        const hs = this.headerFor(t, u);
        const rel = off - hs;
        if (rel < 0 || rel % us !== 0) return;
        const max = Math.floor((this.sizeOf(t) - hs) / us);
        // A capacity the frame does not hold (a slice in pieces): the element type over the whole object.
        const n = cap < 0 ? max : Math.min(rel / us + cap, max);
        if (n >= 1) this.offer(t, this.typings.array(this.types[u], n), cap < 0 ? APPROX : 0);
        return;
      }
      case SlotKind.String:
        if (this.isTinyBlock(t)) {
          if (slotFile < 0 && e < 0) return;
          const l8 = e >= 0 ? this.edgeCap![e] & 0xff : TINY_SLOW;
          const len = l8 !== TINY_SLOW ? l8 : Math.min(this.near(slotFile, 1), 0xffff);
          if (len > 0) this.sub(t, off, len, this.stringData());
          return;
        }
        this.offer(t, this.stringData(), 0);
        return;
      case SlotKind.Eface:
      case SlotKind.Iface: {
        if (slotFile < 0) return;
        let u: number;
        const ref = e >= 0 ? this.edgeRef![e] : REF_SLOW;
        if (ref !== REF_SLOW) {
          // Interior edges keep their offset in edgeRef: their type word resolves to nothing.
          if (this.edgeField[e] > MASK) return;
          if (kind === SlotKind.Eface) {
            if (ref <= 0) return;
            u = ref - 1;
          } else {
            if (ref >= 0) return;
            u = -ref - 1;
          }
        } else {
          const typeWord = this.near(slotFile, -1);
          const have = kind === SlotKind.Iface ? this.ifaceType.get(typeWord) : this.efaceType.get(typeWord);
          if (have === undefined) return;
          u = have;
        }
        this.boxed(u, slotFile, t, off, e);
        return;
      }
      case SlotKind.Func:
        this.closure(t, off);
        return;
      case SlotKind.Buckets: {
        const u = s.type[d];
        const us = this.typeSize[u];
        if (us === 0) return;
        const hs = this.headerFor(t, u);
        if (off !== hs) return;
        const n = Math.floor((this.sizeOf(t) - hs) / us);
        if (n >= 1) this.offer(t, this.typings.array(this.types[u], n), APPROX);
        return;
      }
      case SlotKind.Groups: {
        // groups {data, lengthMask}: lengthMask + 1 groups, a power of two that fits the object; else (a word the
        // frame does not hold, a damaged table) as many as the object's size holds, approximate.
        const u = s.type[d];
        const us = this.typeSize[u];
        if (us === 0) return;
        const hs = this.headerFor(t, u);
        if (off !== hs) return;
        const max = Math.floor((this.sizeOf(t) - hs) / us);
        const mask = slotFile >= 0 ? this.near(slotFile, 1) : -1;
        const exact = mask >= 0 && mask < max && (mask & (mask + 1)) === 0;
        const n = exact ? mask + 1 : max;
        if (n >= 1) this.offer(t, this.typings.array(this.types[u], n), exact ? 0 : APPROX);
        return;
      }
      case SlotKind.MapDir: {
        if (slotFile < 0) return;
        const dirLen = this.near(slotFile, 1);
        if (dirLen < 0) return;
        if (dirLen === 0) {
          const grp = s.type2[d];
          if (off === this.headerFor(t, grp)) this.offer(t, this.valueOf(grp), 0);
        } else {
          const u = s.type[d];
          const hs = this.headerFor(t, u);
          const n = Math.min(dirLen, Math.floor((this.sizeOf(t) - hs) / this.typeSize[u]));
          if (off === hs && n >= 1) this.offer(t, this.typings.array(this.types[u], n), 0);
        }
        return;
      }
      case SlotKind.ChanBuf: {
        if (slotFile < 0) return;
        const u = s.type[d];
        const hs = this.headerFor(t, u);
        if (off !== hs) return;
        const n = Math.min(this.near(slotFile, -1), Math.floor((this.sizeOf(t) - hs) / this.typeSize[u]));
        if (n >= 1) this.offer(t, this.typings.array(this.types[u], n), 0);
        return;
      }
      case SlotKind.TrieNode: {
        // node.isEntry, the target's first byte, tells an entry from an indirect node.
        const entry = s.type[d];
        const indirect = s.type2[d];
        const at = this.content.at(t) + this.headerFor(t, entry);
        const u = this.bytes.byte(at) !== 0 ? entry : indirect;
        if (off === this.headerFor(t, u)) this.offer(t, this.valueOf(u), 0);
        return;
      }
      case SlotKind.Unsafe:
        if (this.objectType[t] === 0) this.noteUnsafe(t, off, s.type[d]);
        return;
      default:
        return;
    }
  }

  /** An interface's data word (slot at slotFile, edge e or -1) whose dynamic type is Go type u. */
  protected boxed(u: number, slotFile: number, t: number, off: number, e: number): void {
    if (this.typeSize[u] === 0) return;
    if (this.isDirect(u)) {
      const d0 = this.slots.firstWord(this.types[u]);
      if (d0 !== 0) this.apply(d0, slotFile, off, t, e);
      return;
    }
    if (this.isTinyType(u) && this.isTinyBlock(t)) this.sub(t, off, this.typeSize[u], this.valueOf(u));
    else if (off === this.headerFor(t, u)) this.offer(t, this.valueOf(u), 0);
  }

  /** Pointer-shaped types are stored in an interface's data word itself. */
  protected isDirect(u: number): boolean {
    let v = this.typeDirect[u];
    if (v === 0) {
      const pm = this.program.pointerMap(this.types[u]);
      v = this.typeSize[u] === this.p && pm.length === 1 && pm[0] === 0 ? 1 : 2;
      this.typeDirect[u] = v;
    }
    return v === 1;
  }

  /** Object t is a funcval: names it after the function its code pointer is in. */
  protected closure(t: number, off: number): void {
    if (off !== 0) return;
    const pc = this.bytes.word(this.content.at(t));
    const fn = this.program.functionAt(pc);
    if (fn === undefined) return;
    this.offer(t, this.typings.closure(fn.name), 0);
  }

  // ---- closures ----

  /** Per closure typing id: the slot table of its funcval (code pointer, then captured variables), or null. */
  protected readonly closureTables = new Map<number, Int32Array | null>();

  /** Follows the pointers of funcval i (typing tid) through its captured variables' types; targets are inferred. */
  protected propagateClosure(i: number, tid: number): void {
    let table = this.closureTables.get(tid);
    if (table === undefined) {
      table = this.closureLayout(i, tid);
      this.closureTables.set(tid, table);
    }
    if (table === null) return;
    const end = this.edgeStart[i + 1];
    const contentAt = this.content.at(i);
    for (let e = this.edgeStart[i]; e < end; e++) {
      const field = this.edgeField[e];
      const off = field & MASK;
      if (off % this.p !== 0 || off / this.p >= table.length) continue;
      const d = table[off / this.p];
      if (d === 0) continue;
      const target = this.edgeTarget[e];
      let toff = 0;
      if (field > MASK) {
        toff = this.edgeRef![e];
        if (toff === REF_SLOW) toff = this.bytes.word(contentAt + off) - this.addressOf(target);
      }
      const before = this.objectType[target];
      this.apply(d, contentAt + off, toff, target, e);
      if (before === 0 && this.objectType[target] !== 0) this.inferredList.push(target);
    }
  }

  /** The layout of closure tid's funcval, inferred from funcval i (closures.ts). */
  protected closureLayout(i: number, tid: number): Int32Array | null {
    const fn = this.program.functionByName(this.typings.names[tid].slice('closure '.length));
    if (fn === undefined) return null;
    const n = this.bytes.fieldList(this.content.at(i) + this.sizeOf(i), this.fl);
    if (n === 0) return null;
    return closureLayout(this.program, this.slots, fn, Array.from(this.fl.offsets.subarray(0, n)), this.sizeOf(i));
  }

  // ---- unsafe.Pointer targets ----

  /** Object t is the target (`off` bytes in) of an unsafe.Pointer field of struct `container`. */
  protected noteUnsafe(t: number, off: number, container: number): void {
    if (off !== 0 && off !== this.p) return;
    if (this.unsafeCount === this.unsafeObject.length) {
      const k = Math.max(256, 2 * this.unsafeCount);
      const o = new Uint32Array(k);
      o.set(this.unsafeObject);
      this.unsafeObject = o;
      const c = new Uint32Array(k);
      c.set(this.unsafeContainer);
      this.unsafeContainer = c;
    }
    this.unsafeObject[this.unsafeCount] = t;
    this.unsafeContainer[this.unsafeCount++] = container;
  }

  /**
   * Targets of unsafe.Pointer fields that nothing typed: when exactly one struct type of the container's package
   * fits the object (its size class and its pointer bitmap), the object gets it, marked inferred. Returns whether
   * any object was typed.
   */
  protected inferUnsafe(): boolean {
    const byPackage = new Map<string, number[]>();
    let typed = false;
    const n = this.unsafeCount;
    this.unsafeCount = 0;
    for (let k = 0; k < n; k++) {
      const t = this.unsafeObject[k];
      if (this.objectType[t] !== 0) continue;
      const pkg = packageOf(this.types[this.unsafeContainer[k]].name);
      if (pkg === '') continue;
      let cands = byPackage.get(pkg);
      if (cands === undefined) {
        cands = [];
        for (const u of this.types) {
          if (u.kind === GoKind.Struct && u.size > 0 && u.name.startsWith(`${pkg}.`) && !u.name.includes('go.shape.') && u.fields !== undefined && u.fields.length > 0) cands.push(u.id);
        }
        byPackage.set(pkg, cands);
      }
      let found = -1;
      for (const u of cands) {
        if (sizeClass(this.typeSize[u] + this.headerFor(t, u)) !== this.sizeOf(t)) continue;
        if (!this.explains(t, this.valueOf(u))) continue;
        if (found >= 0 && found !== u) {
          found = -2;
          break;
        }
        found = u;
      }
      if (found < 0) continue;
      this.offer(t, this.valueOf(found), 0);
      this.inferredList.push(t);
      typed = true;
    }
    return typed;
  }
}
