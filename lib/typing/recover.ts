// recoverTypes: gives heap objects Go types, in time linear in the graph. Seeds come from the dump and the
// executable: Go 1.22+ malloc headers and finalizer records (authoritative), globals in the Data/BSS segments,
// stack frame locals and parameters, goroutine/thread/defer/panic records. Types then flow along the edges to a
// fixpoint through a worklist (a bitmap swept in object order): each object is typed once and its edges are visited once
// per typing (a typing is replaced at most once, when a second answer explains the object's pointer bitmap and
// the first does not). No JS object is allocated per object or edge.
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
import { GoKind } from '../gotypes/index.js';
import type { GoProgram, GoType } from '../gotypes/index.js';
import { AddressTable } from './address-table.js';
import { DumpBytes } from './dump-bytes.js';
import { SlotKind, SlotTables } from './slots.js';
import { frameVariables } from './frame-variables.js';
import { TypingKind, TypingTable } from './typings.js';
import { HeapTypes, RecoveredTypes, TinyObjects, emptyTinyObjects } from './heap-types.js';
import { headeredSizeClass } from './malloc-header.js';
import { TINY_BLOCK, addSubObject, sortSubObjects } from './tiny-blocks.js';
import { alignOf, contains, lastAtOrBelow, packageOf, sizeClass, viewWord } from './layout-math.js';
import { runtimeSpellings, SpellingKind } from './runtime-wrappers.js';
import { closureLayout } from './closures.js';

export interface RecoverOptions {
  /** At most this many bytes of the dump are cached in memory while reading words (default 16 MiB). */
  pageBudgetBytes?: number;
}

const VERIFIED = 1;
const APPROX = 2;
const CHECKED_BAD = 4;

const MASK = 0x7fffffff;
/** edgeRef value: read the words from the dump (the edge needs both a type reference and an interior offset). */
const SLOW = -0x80000000;
/** Slice capacities at or above this are taken as this (a size class is below 2^32, so the result is the same). */
const CAP_MAX = 0xffffffff;
/**
 * The per-edge words are kept in 16 bits (4 bytes an edge less than 32-bit arrays: 100 MB on a 14 M-object heap).
 * A value that does not fit is kept as an escape, and the word is read from the dump when used (rare: a type id
 * above 32766, an interior offset above 32 KiB, a capacity of 65535 or more; in a tiny block, a length or capacity
 * of 255 or more).
 */
const REF_SLOW = -0x8000;
const CAP_SLOW = 0xffff;
const TINY_SLOW = 0xff;

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
  /** Per Go type id: its size. */
  private readonly typeSize: Float64Array;
  /** Per Go type id: 1 has pointers, 2 has none, 0 not known yet. */
  private readonly typePtr: Uint8Array;
  /** Per Go type id: 1 stored directly in an interface's data word (pointer-shaped), 2 not, 0 not known yet. */
  private readonly typeDirect: Uint8Array;
  /** Per Go type id: its slot table (undefined until asked). */
  private readonly typeTable: (Int32Array | null | undefined)[];
  /** Per Go type id: the typing "one value of it", or 0 until asked. */
  private readonly valueTyping: Int32Array;
  /**
   * Objects that carry a malloc header if their type has pointers (Go 1.22+, see malloc-header.ts): bit i of
   * headered[i >> 5]. A small bitmap instead of the size array for the header test made once per edge.
   */
  private readonly headered: Uint32Array;
  /**
   * A word before a pointer slot -> what an interface with that type word holds: id + 1 of the Go type of an eface
   * type descriptor, -(id + 1) of the dynamic type of an itab, SLOW when the address is both.
   */
  private readonly typeRef: AddressTable;
  /** The same, one interpretation each (for reads from the dump). */
  private readonly efaceType = new Map<number, number>();
  private readonly ifaceType = new Map<number, number>();
  /**
   * Per edge e (set by readEdgeWords): edgeRef[e], for an interior edge its offset into the target, else the typeRef
   * code of the word before the slot (REF_SLOW: read the words from the dump); edgeCap[e], the word two after the slot
   * (a slice's capacity; CAP_SLOW: read it), into a tiny block the word after the slot in its low byte and that one in
   * its high byte (TINY_SLOW: read it).
   */
  private edgeRef: Int16Array | null = null;
  private edgeCap: Uint16Array | null = null;
  /** Objects whose malloc header names a Go type with pointers (Go 1.22+), in object order: headerType[k] of headerObject[k]. */
  private headerObject = new Int32Array(0);
  private headerType = new Int32Array(0);
  private headerCount = 0;
  /** Objects whose typing is still to be propagated: bit i of dirty[i >> 5]. */
  private readonly dirty: Uint32Array;
  private cursor = 0;
  private again = false;
  /**
   * Objects that may be tiny allocator blocks: 16 bytes without pointers into the heap (bit i of tinyBlock[i >> 5];
   * an object whose pointers all point outside the heap is one too, so only pointer-free types under 16 bytes are
   * placed in them as sub-objects). The runtime
   * packs pointer-free allocations under 16 bytes several to such a block; each gets a sub-object, not the block.
   */
  private readonly tinyBlock: Uint32Array;
  /** Per Go type id: 1 a pointer-free type under 16 bytes (tiny-allocated), 2 not, 0 not known yet. */
  private readonly typeTiny: Uint8Array;
  /**
   * Sub-objects found in tiny blocks, in order found (some duplicates): record k is the 64-bit number
   * block * 2^32 + offset * 2^28 + size * 2^23 + typing, its two 32-bit halves at subWords[2k + SUB_LO] and
   * [2k + SUB_HI], so that a BigUint64Array over the same memory sorts them natively by block, then offset.
   */
  private subCount = 0;
  private subWords: Uint32Array = new Uint32Array(0);
  /** The typing "string data" (0 until first asked). */
  private stringDataTyping = 0;
  /** Targets of unsafe.Pointer fields (and the field's struct type id), for inferUnsafe. */
  private unsafeCount = 0;
  private unsafeObject: Uint32Array = new Uint32Array(0);
  private unsafeContainer: Uint32Array = new Uint32Array(0);
  private readonly inferredList: number[] = [];
  /** Objects whose typing was inferred from their shape, sorted. */
  inferred: Uint32Array = new Uint32Array(0);
  /** The tiny blocks' sub-objects, sorted and without duplicates (set by finishTiny). */
  tiny: TinyObjects = emptyTinyObjects();
  private readonly fl = { offsets: new Uint32Array(64) };
  /** Per Go type id: a runtime spelling that a container's own type replaces (SpellingKind, runtime-wrappers.ts). */
  private readonly genericHeader: Uint8Array;
  /**
   * Per Go type id: the runtime type an object allocated as that public type really is (time.Timer and
   * time.Ticker -> runtime.timeTimer on Go 1.23+), or -1; used when the object's size class fits the larger type.
   */
  private readonly wrapper: Int32Array;

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
    const nt = program.types.length;
    this.typeSize = new Float64Array(nt);
    for (let k = 0; k < nt; k++) this.typeSize[k] = program.types[k].size;
    this.typePtr = new Uint8Array(nt);
    this.typeDirect = new Uint8Array(nt);
    this.typeTable = new Array<Int32Array | null | undefined>(nt).fill(undefined);
    this.valueTyping = new Int32Array(nt);
    this.typeTiny = new Uint8Array(nt);
    this.tinyBlock = new Uint32Array((n >>> 5) + 1);
    {
      const size = this.size;
      const es = graph.edgeStart;
      for (let i = 0; i < n; i++) if (size[i] === TINY_BLOCK && es[i] === es[i + 1]) this.tinyBlock[i >>> 5] |= 1 << (i & 31);
    }
    this.headered = new Uint32Array((n >>> 5) + 1);
    if (this.headers) {
      const size = this.size;
      for (let i = 0; i < n; i++) if (headeredSizeClass(size[i], this.p)) this.headered[i >>> 5] |= 1 << (i & 31);
    }
    for (const t of program.types) {
      const a = t.runtimeTypeAddress;
      if (a === undefined || this.efaceType.has(a)) continue;
      const u = program.typeByRuntimeAddress(a);
      if (u !== undefined) this.efaceType.set(a, u.id);
    }
    const itabType = new Map<number, number>();
    for (const it of graph.itabs) itabType.set(it.address, it.typeAddress);
    for (const [a, ta] of itabType) {
      const u = program.typeByRuntimeAddress(ta);
      if (u !== undefined) this.ifaceType.set(a, u.id);
    }
    const spellings = runtimeSpellings(program);
    this.genericHeader = spellings.spelling;
    this.wrapper = spellings.wrapper;
    this.typeRef = new AddressTable(this.efaceType.size + this.ifaceType.size);
    for (const [a, id] of this.efaceType) this.typeRef.set(a, this.ifaceType.has(a) ? SLOW : id + 1);
    for (const [a, id] of this.ifaceType) if (!this.efaceType.has(a)) this.typeRef.set(a, -(id + 1));
  }

  close(): void {
    this.edgeRef = null;
    this.edgeCap = null;
    this.bytes.close();
  }

  run(): void {
    this.readEdgeWords();
    this.seedHeaders();
    this.seedFinalizers();
    this.seedRoots();
    this.seedFrames();
    this.drain();
    for (let round = 0; round < 4 && this.inferUnsafe(); round++) this.drain();
    this.finishTiny();
    this.inferred = Uint32Array.from(this.inferredList.filter((i) => this.objectType[i] !== 0)).sort();
  }

  /**
   * One pass over the objects in file order: keeps, per edge, the words next to its slot that the sweeps would
   * otherwise read from the dump (see the file comment and edgeRef/edgeCap), and the malloc header types.
   */
  private readEdgeWords(): void {
    const g = this.graph;
    const m = g.edgeTarget.length;
    const ref = new Int16Array(m);
    const cap = new Uint16Array(m);
    const edgeStart = g.edgeStart;
    const edgeField = g.edgeField;
    const edgeTarget = g.edgeTarget;
    const content = this.content;
    const size = this.size;
    const address = this.address;
    const bytes = this.bytes;
    const typeRef = this.typeRef;
    const p = this.p;
    const le = !g.params.bigEndian;
    const n = g.objectCount;
    const headered = this.headered;
    const tiny = this.tinyBlock;
    for (let i = 0; i < n; i++) {
      const end = edgeStart[i + 1];
      let e = edgeStart[i];
      if (e === end) {
        if ((headered[i >>> 5] & (1 << (i & 31))) !== 0) this.noteHeader(i, bytes.word(content[i]));
        continue;
      }
      // The object's words from one before its contents to two after (the fieldlist's bytes, not read as such);
      // further if a slot lies past the contents (a damaged fieldlist: the words read are those the sweeps would read).
      let span = size[i];
      for (let k = e; k < end; k++) if ((edgeField[k] & MASK) + p > span) span = (edgeField[k] & MASK) + p;
      const start = content[i] - p;
      const length = span + 3 * p;
      const base = start >= bytes.winStart && start + length <= bytes.winEnd ? start - bytes.winStart : bytes.window(start, length);
      const v = bytes.win;
      if ((headered[i >>> 5] & (1 << (i & 31))) !== 0) this.noteHeader(i, viewWord(v, base + p, p, le));
      for (; e < end; e++) {
        const field = edgeField[e];
        const at = base + (field & MASK); // the word before the slot
        const code = typeRef.get(viewWord(v, at, p, le));
        let r = code;
        if (field > MASK) {
          const o = viewWord(v, at + p, p, le) - address[edgeTarget[e]];
          r = code !== 0 || !(o >= 0 && o <= MASK) ? SLOW : o;
        }
        ref[e] = r > -0x8000 && r < 0x8000 ? r : REF_SLOW;
        const c = viewWord(v, at + 3 * p, p, le);
        const t = edgeTarget[e];
        if ((tiny[t >>> 5] & (1 << (t & 31))) !== 0) {
          // Into a tiny block: the two words after the slot (a string's length, a slice's length and capacity), each
          // below 16 when the slot is one (the block is 16 bytes): a byte each.
          const l = viewWord(v, at + 2 * p, p, le);
          cap[e] = (l < TINY_SLOW ? l : TINY_SLOW) | ((c < TINY_SLOW ? c : TINY_SLOW) << 8);
        } else cap[e] = c < CAP_SLOW ? c : CAP_SLOW;
      }
    }
    this.edgeRef = ref;
    this.edgeCap = cap;
  }

  /** Object i (with a malloc header if its type has pointers) starts with `word`: keeps the type it names, if any. */
  private noteHeader(i: number, word: number): void {
    const u = this.efaceType.get(word);
    if (u === undefined || this.typeSize[u] === 0 || !this.hasPointers(u)) return;
    if (this.headerCount === this.headerObject.length) {
      const k = Math.max(1024, 2 * this.headerCount);
      const o = new Int32Array(k);
      o.set(this.headerObject);
      this.headerObject = o;
      const t = new Int32Array(k);
      t.set(this.headerType);
      this.headerType = t;
    }
    this.headerObject[this.headerCount] = i;
    this.headerType[this.headerCount++] = u;
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

  /** True when Go type `id` has pointers (objects above the malloc-header bound then carry a header). */
  private hasPointers(id: number): boolean {
    let v = this.typePtr[id];
    if (v === 0) {
      v = this.program.pointerMap(this.types[id]).length > 0 ? 1 : 2;
      this.typePtr[id] = v;
    }
    return v === 1;
  }

  /** Slot table of Go type `id`, or null. */
  private tableOf(id: number): Int32Array | null {
    let tb = this.typeTable[id];
    if (tb === undefined) {
      tb = this.slots.table(this.types[id]);
      this.typeTable[id] = tb;
    }
    return tb;
  }

  /** Bytes of malloc header before a value of Go type `id` in object i. */
  private headerFor(i: number, id: number): number {
    return (this.headered[i >>> 5] & (1 << (i & 31))) !== 0 && this.hasPointers(id) ? this.p : 0;
  }

  /** The typing "one value of Go type id". */
  private valueOf(id: number): number {
    let v = this.valueTyping[id];
    if (v === 0) {
      v = this.typings.value(this.types[id]);
      this.valueTyping[id] = v;
    }
    return v;
  }

  /** Proposes typing tid for object i. */
  private offer(i: number, tid: number, flags: number): void {
    const cur = this.objectType[i];
    if (cur === tid) return;
    if (cur === 0) {
      this.objectType[i] = tid;
      // An untyped object's flags are 0 (objects are never untyped again): skip the store, a cache miss.
      if (flags !== 0) this.flags[i] = flags;
      this.push(i);
      return;
    }
    const f = this.flags[i];
    const tb = this.typings;
    // Same element type, different length: an exact length replaces one guessed from the object's size.
    if (tb.typeId[cur] >= 0 && tb.typeId[cur] === tb.typeId[tid] && tb.kind[cur] === TypingKind.Array && tb.kind[tid] === TypingKind.Array) {
      if ((f & APPROX) !== 0 && (flags & APPROX) === 0) {
        this.objectType[i] = tid;
        this.flags[i] = (f & ~APPROX) | flags;
      } else if ((f & APPROX) === 0 && (flags & APPROX) === 0 && tb.count[tid] > tb.count[cur]) {
        // Two slices into one array: the shorter capacity is a slice of a slice (s[:n:n]); the array is the longer.
        this.objectType[i] = tid;
        this.push(i);
      }
      return;
    }
    if (tb.typeId[cur] >= 0 && this.genericHeader[tb.typeId[cur]] === SpellingKind.TablePointer && tb.kind[cur] === TypingKind.Array && tb.kind[tid] === TypingKind.Array
      && tb.typeId[tid] >= 0 && tb.names[tid].includes('*table<')) {
      // A Swiss directory's malloc header names the runtime's own *maps.table; the map's dirPtr knows its K and V.
      this.objectType[i] = tid;
      this.flags[i] = (f & ~APPROX) | VERIFIED;
      this.push(i);
      return;
    }
    if (tb.typeId[cur] >= 0 && this.genericHeader[tb.typeId[cur]] === SpellingKind.Table && tb.kind[tid] === TypingKind.Value && tb.names[tid].startsWith('table<')) {
      // The runtime's own maps.table (reached through a directory typed by its header) gives way to table<K,V>.
      this.objectType[i] = tid;
      this.push(i);
      return;
    }
    if (tb.typeId[cur] >= 0 && this.genericHeader[tb.typeId[cur]] === SpellingKind.ContainerHeader && this.slots.isContainerHeader(tb.typeId[tid])) {
      // The runtime's own spelling (runtime.hchan, runtime.hmap) gives way to the channel's or map's own type.
      this.objectType[i] = tid;
      this.push(i);
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
    const base = this.headerFor(i, t.id);
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

  // ---- closures ----

  /** Per closure typing id: the slot table of its funcval (code pointer, then captured variables), or null. */
  private readonly closureTables = new Map<number, Int32Array | null>();

  /** Follows the pointers of funcval i (typing tid) through its captured variables' types; targets are inferred. */
  private propagateClosure(i: number, tid: number): void {
    let table = this.closureTables.get(tid);
    if (table === undefined) {
      table = this.closureLayout(i, tid);
      this.closureTables.set(tid, table);
    }
    if (table === null) return;
    const g = this.graph;
    const end = g.edgeStart[i + 1];
    const contentAt = this.content[i];
    for (let e = g.edgeStart[i]; e < end; e++) {
      const field = g.edgeField[e];
      const off = field & MASK;
      if (off % this.p !== 0 || off / this.p >= table.length) continue;
      const d = table[off / this.p];
      if (d === 0) continue;
      const target = g.edgeTarget[e];
      let toff = 0;
      if (field > MASK) {
        toff = this.edgeRef![e];
        if (toff === REF_SLOW) toff = this.bytes.word(contentAt + off) - this.address[target];
      }
      const before = this.objectType[target];
      this.apply(d, contentAt + off, toff, target, e);
      if (before === 0 && this.objectType[target] !== 0) this.inferredList.push(target);
    }
  }

  /** The layout of closure tid's funcval, inferred from funcval i (closures.ts). */
  private closureLayout(i: number, tid: number): Int32Array | null {
    const fn = this.program.functionByName(this.typings.names[tid].slice('closure '.length));
    if (fn === undefined) return null;
    const n = this.bytes.fieldList(this.content[i] + this.size[i], this.fl);
    if (n === 0) return null;
    return closureLayout(this.program, this.slots, fn, Array.from(this.fl.offsets.subarray(0, n)), this.size[i]);
  }

  // ---- unsafe.Pointer targets ----

  /** Object t is the target (`off` bytes in) of an unsafe.Pointer field of struct `container`. */
  private noteUnsafe(t: number, off: number, container: number): void {
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
  private inferUnsafe(): boolean {
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
        if (sizeClass(this.typeSize[u] + this.headerFor(t, u)) !== this.size[t]) continue;
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

  // ---- tiny blocks ----

  private isTinyBlock(i: number): boolean {
    return (this.tinyBlock[i >>> 5] & (1 << (i & 31))) !== 0;
  }

  /** True when Go type `id` is pointer-free and under 16 bytes: the runtime allocates it from tiny blocks. */
  private isTinyType(id: number): boolean {
    let v = this.typeTiny[id];
    if (v === 0) {
      const s = this.typeSize[id];
      v = s > 0 && s < TINY_BLOCK && !this.hasPointers(id) ? 1 : 2;
      this.typeTiny[id] = v;
    }
    return v === 1;
  }

  /** Notes a sub-object of `size` bytes at `off` in tiny block t, typed tid. */
  private sub(t: number, off: number, size: number, tid: number): void {
    if (off < 0 || off + size > TINY_BLOCK || tid >= 1 << 23) return;
    if (off === 0 && size === TINY_BLOCK) {
      // The whole block: a 16-byte allocation of its own (not tiny-allocated).
      this.offer(t, tid, 0);
      return;
    }
    const k = this.subCount;
    const w = addSubObject(this.subWords, k, t, off, size, tid);
    if (w === undefined) return; // the same again
    this.subWords = w;
    this.subCount = k + 1;
  }

  /** The typing "string data". */
  private stringData(): number {
    if (this.stringDataTyping === 0) this.stringDataTyping = this.typings.stringData();
    return this.stringDataTyping;
  }

  /** Sorts the sub-objects (tiny-blocks.ts) and types each block holding sub-objects "tiny block". */
  private finishTiny(): void {
    const n = this.subCount;
    const w = this.subWords;
    this.subWords = new Uint32Array(0);
    this.subCount = 0;
    this.tiny = sortSubObjects(w, n, this.stringData(), () => this.typings.tinyBlock(), this.objectType);
  }

  // ---- propagation ----

  private propagate(i: number): void {
    const tid = this.objectType[i];
    const tb = this.typings;
    const kind = tb.kind[tid];
    if (kind === TypingKind.Closure) {
      this.propagateClosure(i, tid);
      return;
    }
    if (kind !== TypingKind.Value && kind !== TypingKind.Array) return;
    const id = tb.typeId[tid];
    const es = this.typeSize[id];
    if (es === 0) return;
    const table = this.tableOf(id);
    if (table === null) return;
    const count = kind === TypingKind.Array ? tb.count[tid] : 1;
    const base = this.headerFor(i, id);
    const g = this.graph;
    const edgeField = g.edgeField;
    const edgeTarget = g.edgeTarget;
    const edgeRef = this.edgeRef!;
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
      let toff = 0;
      if (field > MASK) {
        toff = edgeRef[e];
        if (toff === REF_SLOW) toff = this.bytes.word(slotFile) - this.address[target];
      }
      this.apply(d, slotFile, toff, target, e);
    }
  }

  /**
   * Applies descriptor d for a slot at file offset slotFile (-1: none) pointing `off` bytes into object t; e is the
   * slot's edge (its words are in edgeRef/edgeCap), or -1 to read them from the dump.
   */
  private apply(d: number, slotFile: number, off: number, t: number, e: number): void {
    const s = this.slots;
    const kind = s.kind[d] as SlotKind;
    switch (kind) {
      case SlotKind.Ptr: {
        let u = s.type[d];
        if (this.typeSize[u] === 0) return;
        const w = this.wrapper[u];
        if (w >= 0 && off === 0 && sizeClass(this.typeSize[w]) === this.size[t]) u = w;
        if (this.isTinyType(u) && this.isTinyBlock(t)) this.sub(t, off, this.typeSize[u], this.valueOf(u));
        else if (off === this.headerFor(t, u)) this.offer(t, this.valueOf(u), 0);
        return;
      }
      case SlotKind.Slice: {
        const u = s.type[d];
        const us = this.typeSize[u];
        if (us === 0 || slotFile < 0) return;
        if (this.isTinyType(u) && this.isTinyBlock(t)) {
          const c8 = e >= 0 ? this.edgeCap![e] >>> 8 : TINY_SLOW;
          const n = c8 !== TINY_SLOW ? c8 : Math.min(this.bytes.word(slotFile + 2 * this.p), 0xffff);
          if (n >= 1 && n * us <= TINY_BLOCK) this.sub(t, off, n * us, this.typings.array(this.types[u], n));
          return;
        }
        const c16 = e >= 0 ? this.edgeCap![e] : CAP_SLOW;
        const cap = c16 !== CAP_SLOW ? c16 : e >= 0 ? Math.min(this.bytes.word(slotFile + 2 * this.p), CAP_MAX) : this.bytes.word(slotFile + 2 * this.p);
        const hs = this.headerFor(t, u);
        const rel = off - hs;
        if (rel < 0 || rel % us !== 0) return;
        const max = Math.floor((this.size[t] - hs) / us);
        const n = Math.min(rel / us + cap, max);
        if (n >= 1) this.offer(t, this.typings.array(this.types[u], n), 0);
        return;
      }
      case SlotKind.String:
        if (this.isTinyBlock(t)) {
          if (slotFile < 0 && e < 0) return;
          const l8 = e >= 0 ? this.edgeCap![e] & 0xff : TINY_SLOW;
          const len = l8 !== TINY_SLOW ? l8 : Math.min(this.bytes.word(slotFile + this.p), 0xffff);
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
          if (this.graph.edgeField[e] > MASK) return;
          if (kind === SlotKind.Eface) {
            if (ref <= 0) return;
            u = ref - 1;
          } else {
            if (ref >= 0) return;
            u = -ref - 1;
          }
        } else {
          const typeWord = this.bytes.word(slotFile - this.p);
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
        const n = Math.floor((this.size[t] - hs) / us);
        if (n >= 1) this.offer(t, this.typings.array(this.types[u], n), APPROX);
        return;
      }
      case SlotKind.MapDir: {
        if (slotFile < 0) return;
        const dirLen = this.bytes.word(slotFile + this.p);
        if (dirLen === 0) {
          const grp = s.type2[d];
          if (off === this.headerFor(t, grp)) this.offer(t, this.valueOf(grp), 0);
        } else {
          const u = s.type[d];
          const hs = this.headerFor(t, u);
          const n = Math.min(dirLen, Math.floor((this.size[t] - hs) / this.typeSize[u]));
          if (off === hs && n >= 1) this.offer(t, this.typings.array(this.types[u], n), 0);
        }
        return;
      }
      case SlotKind.ChanBuf: {
        if (slotFile < 0) return;
        const u = s.type[d];
        const hs = this.headerFor(t, u);
        if (off !== hs) return;
        const n = Math.min(this.bytes.word(slotFile - this.p), Math.floor((this.size[t] - hs) / this.typeSize[u]));
        if (n >= 1) this.offer(t, this.typings.array(this.types[u], n), 0);
        return;
      }
      case SlotKind.TrieNode: {
        // node.isEntry, the target's first byte, tells an entry from an indirect node.
        const entry = s.type[d];
        const indirect = s.type2[d];
        const at = this.content[t] + this.headerFor(t, entry);
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
  private boxed(u: number, slotFile: number, t: number, off: number, e: number): void {
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
  private isDirect(u: number): boolean {
    let v = this.typeDirect[u];
    if (v === 0) {
      const pm = this.program.pointerMap(this.types[u]);
      v = this.typeSize[u] === this.p && pm.length === 1 && pm[0] === 0 ? 1 : 2;
      this.typeDirect[u] = v;
    }
    return v === 1;
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

  /** Go 1.22+: objects in size classes above the malloc-header bound with pointers start with their type's address. */
  private seedHeaders(): void {
    const p = this.p;
    for (let k = 0; k < this.headerCount; k++) {
      const i = this.headerObject[k];
      const s = this.size[i];
      const u = this.types[this.headerType[k]];
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
      if (this.isTinyType(u.id) && this.isTinyBlock(t)) this.sub(t, f.object - this.address[t], u.size, this.valueOf(u.id));
      else if (f.object - this.address[t] === this.headerFor(t, u.id)) this.offer(t, this.typings.value(u), VERIFIED);
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
          this.apply(table[w], (seg.get(kind) ?? 0) + roots.owner[r], value - this.address[t], t, -1);
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
          const u = at === undefined ? undefined : this.efaceType.get(at);
          if (u !== undefined) this.boxed(u, -1, t, value - this.address[t], -1);
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
              this.apply(table[w], fr.contentOffset[ff] + (slot - fr.sp[ff]), roots.value[r] - this.address[roots.target[r]], roots.target[r], -1);
              continue;
            }
          }
          for (const v of vars) {
            const a = v.address;
            const vt = v.type;
            if (slot < a || slot >= a + vt.size) continue;
            const table = this.slots.table(vt);
            const w = (slot - a) / this.p;
            if (table === null || !Number.isInteger(w) || table[w] === 0) continue;
            this.apply(table[w], fr.contentOffset[ff] + (slot - fr.sp[ff]), roots.value[r] - this.address[roots.target[r]], roots.target[r], -1);
          }
        }
      }
    }
  }
}
