// The state of type recovery (recover.ts): the per-object and per-type arrays, the words kept per edge, the
// worklist, and the bookkeeping every stage goes through: offer (a typing proposed for an object, and which of two
// answers wins), explains (a typing checked against the object's pointer bitmap), malloc headers and tiny blocks'
// sub-objects. Slot application and propagation are in slot-apply.ts, the seeds in recover.ts.
import type { HeapGraph } from '../graph/index.js';
import type { GoProgram, GoType } from '../gotypes/index.js';
import { AddressTable } from './address-table.js';
import type { AddressIndex } from '../graph/address-index.js';
import type { ContentOffsets } from '../graph/content-offsets.js';
import { DumpBytes } from './dump-bytes.js';
import { SlotTables } from './slots.js';
import { TypingKind, TypingTable } from './typings.js';
import { TinyObjects, emptyTinyObjects } from './heap-types.js';
import { headeredSizeClass, MALLOC_HEADER_MAX } from './malloc-header.js';
import { TINY_BLOCK, SubObjectRecords, sortSubObjects } from './tiny-blocks.js';
import { contains } from './layout-math.js';
import { type EdgeWordSource, readAllEdgeWords, SLOW } from './edge-words.js';
import { runtimeSpellings, SpellingKind, type RuntimeSpellings } from './runtime-wrappers.js';

export interface RecoverOptions {
  /** At most this many bytes of the dump are cached in memory while reading words (default 16 MiB). */
  pageBudgetBytes?: number;
  /**
   * Called once the sweeps are over and their per-edge words are garbage, before the sub-objects are sorted: a
   * caller that can collect garbage keeps them from adding to the peak (as computeHeapDominators' afterDominators).
   */
  afterSweeps?: () => void;
  /** From this many objects on, the edge words are read on two threads (default EDGE_WORDS_SPLIT_MIN_OBJECTS). */
  edgeWordsSplitMinObjects?: number;
  /** Objects per chunk of the two threads' shared pass (default EDGE_WORDS_CHUNK; tests take small ones). */
  edgeWordsChunkObjects?: number;
  /** The worker reads the first chunk of that pass, this thread starting after it (tests: both threads read some). */
  edgeWordsWorkerFirst?: boolean;
  /**
   * Called once the edge words are read: what follows runs on this thread alone, so a caller with work for another
   * thread (a cold open's graph index to write) starts it here, where it competes with nothing.
   */
  afterEdgeWords?: () => void;
}

export const VERIFIED = 1;
export const APPROX = 2;
const CHECKED_BAD = 4;

export { MASK, SLOW, REF_SLOW, CAP_SLOW, TINY_SLOW } from './edge-words.js';
/** Slice capacities at or above this are taken as this (a size class is below 2^32, so the result is the same). */
export const CAP_MAX = 0xffffffff;

/** Go minor version of a dump or binary ("go1.22.3" -> 22), or 0. */
export function goMinor(v: string | null | undefined): number {
  const m = /go1\.(\d+)/.exec(v ?? '');
  return m ? Number(m[1]) : 0;
}

export abstract class RecoveryState {
  readonly typings: TypingTable;
  readonly objectType: Uint32Array;
  readonly headers: boolean;
  protected readonly flags: Uint8Array;
  protected readonly slots: SlotTables;
  protected readonly bytes: DumpBytes;
  protected readonly p: number;
  /** The objects' addresses are their runs' (addressOf): no per-object array of them is made for typing. */
  protected readonly addressIndex: AddressIndex;
  /** Object sizes in a byte each (sizeOf): the size of sizeTable[sizeId[i]], or the run's for id 255. */
  protected readonly sizeId: Uint8Array;
  protected readonly sizeTable: Float64Array;
  protected readonly content: ContentOffsets;
  protected readonly types: readonly GoType[];
  /** Per Go type id: its size. */
  protected readonly typeSize: Float64Array;
  /** Per Go type id: 1 has pointers, 2 has none, 0 not known yet. */
  protected readonly typePtr: Uint8Array;
  /** Per Go type id: 1 stored directly in an interface's data word (pointer-shaped), 2 not, 0 not known yet. */
  protected readonly typeDirect: Uint8Array;
  /** Per Go type id: its slot table (undefined until asked). */
  protected readonly typeTable: (Int32Array | null | undefined)[];
  /** Per Go type id: the typing "one value of it", or 0 until asked. */
  protected readonly valueTyping: Int32Array;
  /**
   * Objects that carry a malloc header if their type has pointers (Go 1.22+, see malloc-header.ts): bit i of
   * headered[i >> 5]. A small bitmap instead of the size array for the header test made once per edge.
   */
  protected readonly headered: Uint32Array;
  /**
   * A word before a pointer slot -> what an interface with that type word holds: id + 1 of the Go type of an eface
   * type descriptor, -(id + 1) of the dynamic type of an itab, SLOW when the address is both.
   */
  protected readonly typeRef: AddressTable;
  /** The same, one interpretation each (for reads from the dump). */
  protected readonly efaceType = new Map<number, number>();
  protected readonly ifaceType = new Map<number, number>();
  /**
   * Per edge e (set by readEdgeWords): edgeRef[e], for an interior edge its offset into the target, else the typeRef
   * code of the word before the slot (REF_SLOW: read the words from the dump); edgeCap[e], the word two after the slot
   * (a slice's capacity; CAP_SLOW: read it), into a tiny block the word after the slot in its low byte and that one in
   * its high byte (TINY_SLOW: read it).
   */
  protected edgeRef: Int16Array | null = null;
  protected edgeCap: Uint16Array | null = null;
  /** Objects whose malloc header names a Go type with pointers (Go 1.22+), in object order: headerType[k] of headerObject[k]. */
  protected headerObject = new Int32Array(0);
  protected headerType = new Int32Array(0);
  protected headerCount = 0;
  /** Objects whose typing is still to be propagated: bit i of dirty[i >> 5]. */
  protected readonly dirty: Uint32Array;
  protected cursor = 0;
  protected again = false;
  /**
   * Objects that may be tiny allocator blocks: 16 bytes without pointers into the heap (bit i of tinyBlock[i >> 5];
   * an object whose pointers all point outside the heap is one too, so only pointer-free types under 16 bytes are
   * placed in them as sub-objects). The runtime
   * packs pointer-free allocations under 16 bytes several to such a block; each gets a sub-object, not the block.
   */
  protected readonly tinyBlock: Uint32Array;
  /** Per Go type id: 1 a pointer-free type under 16 bytes (tiny-allocated), 2 not, 0 not known yet. */
  protected readonly typeTiny: Uint8Array;
  /**
   * Sub-objects found in tiny blocks, in order found (some duplicates): each a 64-bit record
   * block * 2^32 + offset * 2^28 + size * 2^23 + typing (tiny-blocks.ts), sorted at the end by block, then offset.
   */
  protected readonly subs = new SubObjectRecords();
  /** The typing "string data" (0 until first asked). */
  protected stringDataTyping = 0;
  /** Targets of unsafe.Pointer fields (and the field's struct type id), for inferUnsafe. */
  protected unsafeCount = 0;
  protected unsafeObject: Uint32Array = new Uint32Array(0);
  protected unsafeContainer: Uint32Array = new Uint32Array(0);
  protected readonly inferredList: number[] = [];
  /** Objects whose typing was inferred from their shape, sorted. */
  inferred: Uint32Array = new Uint32Array(0);
  /** The tiny blocks' sub-objects, sorted and without duplicates (set by finishTiny). */
  tiny: TinyObjects = emptyTinyObjects();
  protected readonly fl = { offsets: new Uint32Array(64) };
  /** Per Go type id: a runtime spelling that a container's own type replaces (SpellingKind, runtime-wrappers.ts). */
  protected readonly genericHeader: Uint8Array;
  /**
   * Per Go type id: the runtime type an object allocated as that public type really is (time.Timer and
   * time.Ticker -> runtime.timeTimer on Go 1.23+), or -1; used when the object's size class fits the larger type.
   */
  protected readonly wrapper: Int32Array;
  /** Per Go type id with a wrapper: where it lies in the wrapper (runtime-wrappers.ts). */
  protected readonly wrapperOffset: Int32Array;
  /** Before Go 1.23: which timers are tickers (runtime-wrappers.ts). */
  protected readonly periodicTimer: RuntimeSpellings['periodic'];

  /**
   * The graph's edge arrays, read once: propagation reads them for every object, and through the graph's getters
   * that cost 0.16 s at 14 M objects.
   */
  protected readonly edgeStart: Uint32Array;
  protected readonly edgeField: Uint32Array;
  protected readonly edgeTarget: Uint32Array;

  constructor(
    protected readonly graph: HeapGraph,
    protected readonly program: GoProgram,
    protected readonly options: RecoverOptions,
  ) {
    const n = graph.objectCount;
    this.edgeStart = graph.edgeStart;
    this.edgeField = graph.edgeField;
    this.edgeTarget = graph.edgeTarget;
    this.typings = new TypingTable(program.types.length);
    this.objectType = new Uint32Array(n);
    this.flags = new Uint8Array(n);
    this.slots = new SlotTables(program);
    this.p = graph.params.ptrSize;
    this.bytes = new DumpBytes(graph.path, this.p, !graph.params.bigEndian, options.pageBudgetBytes);
    this.addressIndex = graph.addressIndex;
    const sizes = graph.addressIndex.objectSizeIds(graph.objectCount);
    this.sizeId = sizes.id;
    this.sizeTable = sizes.size;
    this.content = graph.contentOffsets;
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
    // Both bitsets run by run, whose objects share a size: a size per object read for each was 0.2 s at 14 M objects.
    this.tinyBlock = new Uint32Array((n >>> 5) + 1);
    this.headered = new Uint32Array((n >>> 5) + 1);
    {
      const es = graph.edgeStart;
      const runs = graph.addressIndex;
      for (let r = 0; r < runs.runTotal; r++) {
        const size = runs.runObjectSize[r];
        const tiny = size === TINY_BLOCK;
        const headered = this.headers && headeredSizeClass(size, this.p);
        if (!tiny && !headered) continue;
        for (let i = runs.runFirst[r], end = i + runs.runCount[r]; i < end; i++) {
          if (tiny && es[i] === es[i + 1]) this.tinyBlock[i >>> 5] |= 1 << (i & 31);
          if (headered) this.headered[i >>> 5] |= 1 << (i & 31);
        }
      }
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
    this.wrapperOffset = spellings.wrapperOffset;
    this.periodicTimer = spellings.periodic;
    this.typeRef = new AddressTable(this.efaceType.size + this.ifaceType.size);
    for (const [a, id] of this.efaceType) this.typeRef.set(a, this.ifaceType.has(a) ? SLOW : id + 1);
    for (const [a, id] of this.ifaceType) if (!this.efaceType.has(a)) this.typeRef.set(a, -(id + 1));
  }

  /** The address of object i. */
  protected addressOf(i: number): number {
    return this.addressIndex.addressOf(i);
  }

  /** The size of object i. */
  protected sizeOf(i: number): number {
    const id = this.sizeId[i];
    return id !== 255 ? this.sizeTable[id] : this.addressIndex.sizeOf(i);
  }

  close(): void {
    this.edgeRef = null;
    this.edgeCap = null;
    this.bytes.close();
  }

  /**
   * One pass over the objects in file order: keeps, per edge, the words next to its slot that the sweeps would
   * otherwise read from the dump (see the file comment and edgeRef/edgeCap), and the malloc header types
   * (edge-words.ts: on a large heap, half of the objects are read on a worker thread).
   */
  protected readEdgeWords(): void {
    const g = this.graph;
    const src: EdgeWordSource = {
      edgeStart: g.edgeStart, edgeField: g.edgeField, edgeTarget: g.edgeTarget, content: this.content, addressIndex: this.addressIndex,
      typeRef: this.typeRef, headered: this.headered, tiny: this.tinyBlock, ptrSize: this.p, littleEndian: !g.params.bigEndian,
    };
    const { ref, cap } = readAllEdgeWords(src, this.bytes, g.objectCount, (i, word) => this.noteHeader(i, word),
      this.options.edgeWordsSplitMinObjects, this.options.pageBudgetBytes, this.options.edgeWordsChunkObjects, this.options.edgeWordsWorkerFirst);
    this.edgeRef = ref;
    this.edgeCap = cap;
  }

  /**
   * Object i (with a malloc header if its type has pointers) starts with `word`: keeps the type it names, if any.
   * An object of 32 KiB exactly is either a small one with a header (asked for at most 32 KiB - 8) or a large one
   * without (asked for more: its type is in its span, which the dump does not record): without a type in its first
   * word it is taken as the large one.
   */
  protected noteHeader(i: number, word: number): void {
    const u = this.efaceType.get(word);
    if (u === undefined || this.typeSize[u] === 0 || !this.hasPointers(u)) {
      if (this.sizeOf(i) === MALLOC_HEADER_MAX) this.headered[i >>> 5] &= ~(1 << (i & 31));
      return;
    }
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

  protected push(i: number): void {
    this.dirty[i >>> 5] |= 1 << (i & 31);
    if (i < this.cursor) this.again = true;
  }

  protected drain(): void {
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
  protected hasPointers(id: number): boolean {
    let v = this.typePtr[id];
    if (v === 0) {
      v = this.program.pointerMap(this.types[id]).length > 0 ? 1 : 2;
      this.typePtr[id] = v;
    }
    return v === 1;
  }

  /** Slot table of Go type `id`, or null. */
  protected tableOf(id: number): Int32Array | null {
    let tb = this.typeTable[id];
    if (tb === undefined) {
      tb = this.slots.table(this.types[id]);
      this.typeTable[id] = tb;
    }
    return tb;
  }

  /** Bytes of malloc header before a value of Go type `id` in object i. */
  protected headerFor(i: number, id: number): number {
    return (this.headered[i >>> 5] & (1 << (i & 31))) !== 0 && this.hasPointers(id) ? this.p : 0;
  }

  /** The typing "one value of Go type id". */
  protected valueOf(id: number): number {
    let v = this.valueTyping[id];
    if (v === 0) {
      v = this.typings.value(this.types[id]);
      this.valueTyping[id] = v;
    }
    return v;
  }

  /** Proposes typing tid for object i. */
  protected offer(i: number, tid: number, flags: number): void {
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
  protected explains(i: number, tid: number): boolean {
    const n = this.bytes.fieldList(this.content.at(i) + this.sizeOf(i), this.fl);
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
    if (base + t.size * count > this.sizeOf(i)) return false;
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

  // ---- tiny blocks ----

  protected isTinyBlock(i: number): boolean {
    return (this.tinyBlock[i >>> 5] & (1 << (i & 31))) !== 0;
  }

  /** True when Go type `id` is pointer-free and under 16 bytes: the runtime allocates it from tiny blocks. */
  protected isTinyType(id: number): boolean {
    let v = this.typeTiny[id];
    if (v === 0) {
      const s = this.typeSize[id];
      v = s > 0 && s < TINY_BLOCK && !this.hasPointers(id) ? 1 : 2;
      this.typeTiny[id] = v;
    }
    return v === 1;
  }

  /** Notes a sub-object of `size` bytes at `off` in tiny block t, typed tid. */
  protected sub(t: number, off: number, size: number, tid: number): void {
    if (off < 0 || off + size > TINY_BLOCK || tid >= 1 << 23) return;
    if (off === 0 && size === TINY_BLOCK) {
      // The whole block: a 16-byte allocation of its own (not tiny-allocated).
      this.offer(t, tid, 0);
      return;
    }
    this.subs.add(t, off, size, tid);
  }

  /** The typing "string data". */
  protected stringData(): number {
    if (this.stringDataTyping === 0) this.stringDataTyping = this.typings.stringData();
    return this.stringDataTyping;
  }

  /** Sorts the sub-objects (tiny-blocks.ts) and types each block holding sub-objects "tiny block". */
  protected finishTiny(): void {
    // The per-edge words are done with (the sweeps are over): let them go before the records are joined and sorted.
    this.edgeRef = null;
    this.edgeCap = null;
    this.options.afterSweeps?.();
    const n = this.subs.count;
    const w = this.subs.take();
    this.tiny = sortSubObjects(w, n, this.stringData(), () => this.typings.tinyBlock(), this.objectType);
  }

  /** Propagates object i's typing along its edges (slot-apply.ts). */
  protected abstract propagate(i: number): void;
}
