// writeHprof: a heap session as an HPROF 1.0.2 heap dump (the format of Java's heap dumps) that VisualVM, Eclipse
// MAT and other Java heap tools open. Streams: objects are read from the dump in file order through one window and
// written in ~1 MiB heap dump segments; memory stays flat in the output size.
//
// What becomes what (hprof-layout.ts says how objects are laid out, hprof-names.ts how names are mangled):
// - Every Go object is an instance, object array or primitive array with ID = its address. Pointers are rewritten
//   to the base address of the object they point into (HPROF has no interior pointers). Tiny allocator blocks are
//   split into their typed sub-objects (ID = block address + offset), so a pointer into a block points at the
//   sub-object it points into; the bytes no sub-object covers become one "tiny block (rest, N bytes)" instance.
// - A class per Go type (per typing: "[37]*main.Node" is its own class, "*main.Node[37]"), subclasses of
//   java.lang.Object; untyped objects get classes by size class and pointer layout.
// - Globals: static fields of a class per package ("main" with static field "Cache"; a struct global's pointer
//   fields as "Config.Logger"), one per Data/BSS pointer slot that holds a heap pointer; slots outside every global
//   (no binary) are statics "+0x1a8" of the classes "<data>" and "<bss>". Every class is a ROOT STICKY CLASS.
// - Goroutines: a java.lang.Thread each (hprof-threads.ts) with its stack; its thread object (ROOT THREAD OBJECT)
//   holds its g and what its frames, defers, panics and context point to, which are not roots of their own.
// - Finalizers (set and queued) are ROOT JNI GLOBAL; the other runtime roots (Ms, other roots) ROOT UNKNOWN.
// - What readers need besides (hprof-classes.ts): java.lang.Object (instance size 2 IDs), java.lang.Class,
//   java.lang.ref.Reference with `referent` and its four subclasses, the array classes.
// - An inline array beyond a few elements is a synthetic array object held by a field (hprof-layout.ts), written
//   right after its object.
import type { HeapGraph } from '../graph/index.js';
import type { HeapSession } from '../session/index.js';
import { type ClassLayout, HprofType, LayoutKind, MAX_STATICS } from './hprof-layout.js';
import { HprofClasses } from './hprof-classes.js';
import { HprofThreads, rootGoroutine } from './hprof-threads.js';
import { ContentWindow, readWord, SyntheticIds } from './hprof-support.js';
import {
  HprofWriter, SUB_CLASS_DUMP, SUB_INSTANCE_DUMP, SUB_OBJECT_ARRAY_DUMP, SUB_PRIMITIVE_ARRAY_DUMP,
  SUB_ROOT_JNI_GLOBAL, SUB_ROOT_STICKY_CLASS, SUB_ROOT_THREAD_OBJECT, SUB_ROOT_UNKNOWN,
  TAG_LOAD_CLASS,
} from './hprof-writer.js';
import type { OutputSink } from './output.js';
import { RootKind } from '../graph/index.js';

export interface HprofOptions {
  /** Called now and then while objects are written (done of total objects). */
  onProgress?: (done: number, total: number) => void;
  /** Bytes of sub-records per heap dump segment (default 1 MiB). */
  segmentSize?: number;
  /** The file's timestamp (ms since 1970); default: the dump's modification time. */
  timeMs?: number;
  /**
   * Only the objects reachable from the roots (what `jmap -dump:live` writes). VisualVM counts a reference from an
   * unreachable object as a path from the roots, so its retained sizes equal goheap's only without the garbage.
   */
  live?: boolean;
}

/** What was written. */
export interface HprofStats {
  /** Go objects written (all, or the reachable ones with `live`), and the HPROF instances and arrays written for them (tiny blocks count their parts). */
  objects: number;
  instances: number;
  objectArrays: number;
  primitiveArrays: number;
  tinySubObjects: number;
  tinyRests: number;
  classes: number;
  staticFields: number;
  threads: number;
  frames: number;
  roots: number;
  segments: number;
  /** Pointers the class layout has no object field for (0 when types and the dump's pointer maps agree). */
  unplacedPointers: number;
  /** Synthetic arrays written for inline arrays (and for objects with too many fields), counted in the arrays above. */
  syntheticArrays: number;
}

/** Writes `session` as HPROF to `sink`; see the file's header. */
export async function writeHprof(session: HeapSession, sink: OutputSink, options: HprofOptions = {}): Promise<HprofStats> {
  const ex = new HprofExport(session, sink, options);
  return ex.run();
}

class HprofExport {
  private readonly graph: HeapGraph;
  private readonly ptrSize: number;
  private readonly little: boolean;
  private readonly w: HprofWriter;
  private readonly classes: HprofClasses;
  private readonly threads: HprofThreads;
  private nextString = 1;
  private readonly strings = new Map<string, number>();
  private readonly stats: HprofStats = {
    objects: 0, instances: 0, objectArrays: 0, primitiveArrays: 0, tinySubObjects: 0, tinyRests: 0, classes: 0,
    staticFields: 0, threads: 0, frames: 0, roots: 0, segments: 0, unplacedPointers: 0, syntheticArrays: 0,
  };
  /** The edge cursor of the object being written. */
  private edge = 0;
  private edgeEnd = 0;
  /** Synthetic arrays of the instance just written: [array index, first edge, end edge] triples. */
  private pendingArrays: Int32Array = new Int32Array(3 * 64);

  constructor(session: HeapSession, private readonly sink: OutputSink, private readonly options: HprofOptions) {
    this.graph = session.graph;
    this.ptrSize = this.graph.params.ptrSize;
    this.little = !this.graph.params.bigEndian;
    this.w = new HprofWriter(sink, this.ptrSize, options.segmentSize);
    this.classes = new HprofClasses(session, options.live === true);
    this.threads = new HprofThreads(this.graph, session.program, this.classes);
  }

  private get recovered(): HprofClasses['recovered'] {
    return this.classes.recovered;
  }

  async run(): Promise<HprofStats> {
    const g = this.graph;
    // Every class is known before anything is written.
    this.classes.collect();
    const all = this.classes.all();
    const ids = new SyntheticIds(g, all.length + this.threads.idsNeeded + 16, this.ptrSize);
    let serial = 1;
    const objectClass = all[0];
    for (const c of all) {
      c.id = ids.take();
      c.serial = serial++;
    }
    this.stats.classes = all.length;
    this.threads.assignIds(ids, (address) => {
      const o = g.findObject(address);
      return o >= 0 && g.objectAddress[o] === address && !this.classes.isTinyBlock(o) && (this.options.live !== true || g.reachable[o] !== 0) ? address : 0;
    });

    this.w.header(this.options.timeMs ?? Math.floor(g.fileMtimeMs));
    // STRINGs and LOAD CLASSes first.
    for (const c of all) {
      const nameId = this.stringId(c.name);
      this.w.record(TAG_LOAD_CLASS, 4 + this.ptrSize + 4 + this.ptrSize);
      this.w.putU4(c.serial);
      this.w.putId(c.id);
      this.w.putU4(0);
      this.w.putId(nameId);
      this.w.endRecord();
    }
    // Every other name too: readers take the heap dump for one run of segments, so no STRING may come between them.
    for (const c of all) for (const f of c.fieldNames) this.stringId(f);
    for (const p of this.classes.packages.values()) for (const st of p.statics.slice(0, MAX_STATICS)) this.stringId(st.name);
    this.threads.writeTraces(this.w, (s) => this.stringId(s));
    this.stats.threads = g.goroutines.length;
    this.stats.frames = this.threads.frames;
    await this.drain();
    // The heap dump: class dumps, roots, the threads, then every object.
    for (const c of all) this.classDump(c, c === objectClass ? 0 : objectClass.id);
    for (const c of all) this.rootSticky(c.id);
    this.writeRoots();
    this.threads.writeObjects(this.w, (r) => this.rootRef(r));
    const t = this.threads.objects;
    this.stats.instances += t.instances;
    this.stats.objectArrays += t.objectArrays;
    this.stats.primitiveArrays += t.primitiveArrays;
    await this.drain();
    await this.writeObjects();
    this.w.endHeapDump();
    await this.drain();
    this.stats.segments = this.w.segments;
    return this.stats;
  }

  private async drain(): Promise<void> {
    const p = this.w.wait;
    if (p) {
      this.w.wait = undefined;
      await p;
    }
  }

  private stringId(s: string): number {
    let id = this.strings.get(s);
    if (id === undefined) {
      id = this.nextString++;
      this.strings.set(s, id);
      this.w.string(id, s);
    }
    return id;
  }

  private referenceClassId = 0;

  private classDump(c: ClassLayout, superId: number): void {
    const p = this.ptrSize;
    const pkg = this.classes.packageOf(c);
    const statics = pkg ? pkg.statics.slice(0, MAX_STATICS) : [];
    const fields = c.kind === LayoutKind.Instance ? c.fieldNames.length : 0;
    const staticNames = statics.map((s) => this.strings.get(s.name)!);
    const fieldNames = c.kind === LayoutKind.Instance ? c.fieldNames.map((n) => this.strings.get(n)!) : [];
    if (c.name === 'java.lang.ref.Reference') this.referenceClassId = c.id;
    const superOf = c.name.startsWith('java.lang.ref.') && c.name !== 'java.lang.ref.Reference' ? this.referenceClassId : superId;
    const n = 1 + p + 4 + p * 6 + 4 + 2 + 2 + statics.length * (p + 1 + p) + 2 + fields * (p + 1);
    this.w.sub(n);
    this.w.putU1(SUB_CLASS_DUMP);
    this.w.putId(c.id);
    this.w.putU4(0);
    this.w.putId(superOf);
    for (let k = 0; k < 5; k++) this.w.putId(0);
    this.w.putU4(c.kind === LayoutKind.Instance ? c.ownSize : 0);
    this.w.putU2(0);
    this.w.putU2(statics.length);
    for (let k = 0; k < statics.length; k++) {
      this.w.putId(staticNames[k]);
      this.w.putU1(HprofType.Object);
      this.w.putId(this.rootRef(statics[k].root));
      this.stats.staticFields++;
    }
    this.w.putU2(fields);
    for (let k = 0; k < fields; k++) {
      this.w.putId(fieldNames[k]);
      this.w.putU1(c.fieldTypes[k]);
    }
    this.w.endSub();
  }

  private rootSticky(id: number): void {
    this.w.sub(1 + this.ptrSize);
    this.w.putU1(SUB_ROOT_STICKY_CLASS);
    this.w.putId(id);
    this.w.endSub();
    this.stats.roots++;
  }

  /** Every root but the Data/BSS ones (those are static fields) and the goroutines' own (held by their threads). */
  private writeRoots(): void {
    const g = this.graph;
    const roots = g.roots;
    const p = this.ptrSize;
    for (let k = 0; k < g.goroutines.length; k++) {
      this.w.sub(1 + p + 8);
      this.w.putU1(SUB_ROOT_THREAD_OBJECT);
      this.w.putId(this.threads.thread[k]);
      this.w.putU4(k + 1);
      this.w.putU4(k + 1);
      this.w.endSub();
      this.stats.roots++;
    }
    for (let r = 0; r < roots.count; r++) {
      const kind = roots.kind[r] as RootKind;
      if (kind === RootKind.Data || kind === RootKind.Bss) continue;
      // A goroutine's slots are held by its thread object (not roots of their own, which would hide them from the
      // thread in a dominator tree).
      if (rootGoroutine(g, r) >= 0) continue;
      const ref = this.rootRef(r);
      if (kind >= RootKind.Finalizer && kind <= RootKind.QueuedFinalizerFunc) {
        this.w.sub(1 + 2 * p);
        this.w.putU1(SUB_ROOT_JNI_GLOBAL);
        this.w.putId(ref);
        this.w.putId(roots.slotAddress[r]);
      } else {
        this.w.sub(1 + p);
        this.w.putU1(SUB_ROOT_UNKNOWN);
        this.w.putId(ref);
      }
      this.w.endSub();
      this.stats.roots++;
    }
  }

  /** The HPROF ID root r points to. */
  private rootRef(r: number): number {
    const roots = this.graph.roots;
    return this.refTo(roots.target[r], roots.value[r]);
  }

  /** The HPROF ID of what pointer `value` into object t points at: t, or the tiny sub-object (or rest) it is in. */
  private refTo(t: number, value: number): number {
    const g = this.graph;
    const a = g.objectAddress[t];
    if (!this.classes.isTinyBlock(t)) return a;
    const off = value - a;
    const tiny = this.recovered!.tinyObjects;
    let at = 0;
    let firstFree = -1;
    for (let k = this.tinyIndex(t); k < tiny.object.length && tiny.object[k] === t; k++) {
      const o = tiny.place[k] & 255;
      const sz = tiny.place[k] >>> 8;
      if (off >= o && off < o + sz) return a + o;
      if (o > at && firstFree < 0) firstFree = at;
      at = Math.max(at, o + sz);
    }
    if (firstFree < 0) firstFree = at < g.objectSize[t] ? at : 0;
    return a + firstFree;
  }

  private lastTiny = 0;

  /** The first sub-object of tiny block t (a search over the sorted blocks, galloping from the last answer). */
  private tinyIndex(t: number): number {
    const a = this.recovered!.tinyObjects.object;
    const last = this.lastTiny;
    let lo: number;
    let hi: number;
    if (last < a.length && a[last] <= t) {
      // Gallop forward: pointers often go to blocks near the previous one.
      let step = 1;
      lo = last;
      hi = last + 1;
      while (hi < a.length && a[hi] <= t) {
        lo = hi;
        step *= 2;
        hi = lo + step;
      }
      if (hi > a.length) hi = a.length;
      if (a[lo] === t) {
        // lo may be inside t's run: find its start below.
        hi = lo + 1;
        lo = Math.max(0, last);
      }
    } else {
      lo = 0;
      hi = Math.min(last + 1, a.length);
    }
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (a[mid] < t) lo = mid + 1;
      else hi = mid;
    }
    this.lastTiny = lo;
    return lo;
  }

  // ---- objects ----

  private async writeObjects(): Promise<void> {
    const g = this.graph;
    const n = g.objectCount;
    const win = new ContentWindow(g);
    const progress = this.options.onProgress;
    const rest = Buffer.alloc(256);
    const live = this.options.live === true;
    const reachable = g.reachable;
    const size = g.objectSize;
    const address = g.objectAddress;
    const contentOffset = g.objectContentOffset;
    const edgeStart = g.edgeStart;
    const tiny = this.recovered?.tinyObjects;
    const tinyObject = tiny?.object;
    const tinyPlace = tiny?.place;
    const tinyTyping = tiny?.typing;
    let k = 0;
    let written = 0;
    try {
      for (let i = 0; i < n; i++) {
        if ((i & 0xffff) === 0) {
          progress?.(i, n);
          if (this.w.wait) await this.drain();
        }
        if (live && reachable[i] === 0) continue;
        written++;
        const sz = size[i];
        const src = win.read(contentOffset[i], sz);
        const at = win.at;
        const addr = address[i];
        if (!this.classes.isTinyBlock(i)) {
          this.edge = edgeStart[i];
          this.edgeEnd = edgeStart[i + 1];
          this.writeObject(this.classes.layoutOf(i), addr, src, at, sz, true);
          this.stats.unplacedPointers += this.edgeEnd - this.edge;
          continue;
        }
        // A tiny block: its sub-objects (tiny arrays sorted by block, so one cursor serves), then the rest.
        while (k < tinyObject!.length && tinyObject![k] < i) k++;
        let covered = 0;
        let end = 0;
        let firstFree = -1;
        const first = k;
        for (; k < tinyObject!.length && tinyObject![k] === i; k++) {
          const off = tinyPlace![k] & 255;
          const len = tinyPlace![k] >>> 8;
          if (off > end && firstFree < 0) firstFree = end;
          this.writeObject(this.classes.subLayout(tinyTyping![k], len), addr + off, src, at + off, len, false);
          this.stats.tinySubObjects++;
          covered += len;
          if (off + len > end) end = off + len;
        }
        if (firstFree < 0 && end < sz) firstFree = end;
        if (covered < sz && firstFree >= 0) {
          // The uncovered bytes, in order.
          let r = 0;
          for (let b = 0; b < sz; b++) {
            let inside = false;
            for (let q = first; q < k && !inside; q++) {
              const off = tinyPlace![q] & 255;
              inside = b >= off && b < off + (tinyPlace![q] >>> 8);
            }
            if (!inside) rest[r++] = src[at + b];
          }
          this.writeObject(this.classes.restLayout(sz - covered), addr + firstFree, rest, 0, sz - covered, false);
          this.stats.tinyRests++;
        }
      }
      progress?.(n, n);
      this.stats.objects = written;
    } finally {
      win.close();
    }
  }

  /**
   * Writes one object of `size` bytes at src[at..] with `layout`; `edges`: its pointers are the graph edges of the
   * current object (this.edge .. this.edgeEnd), else it has none.
   */
  private writeObject(c: ClassLayout, id: number, src: Buffer, at: number, size: number, edges: boolean): void {
    const w = this.w;
    const p = this.ptrSize;
    const little = this.little;
    if (c.kind === LayoutKind.Instance) {
      const data = c.recordSize;
      w.sub(1 + p + 4 + p + 4 + data);
      w.putU1(SUB_INSTANCE_DUMP);
      w.putId(id);
      w.putU4(0);
      w.putId(c.id);
      w.putU4(data);
      const types = c.fieldTypes;
      const offs = c.fieldOffsets;
      const sizes = c.fieldSizes;
      const arrayOf = c.fieldArray;
      const out = w.buf;
      const nf = types.length;
      let pending = 0;
      for (let f = 0; f < nf; f++) {
        if (types[f] === HprofType.Object) {
          const a = arrayOf[f];
          if (a >= 0) {
            // A synthetic array: its ID here, its elements after this record (with the edges in its bytes).
            const arr = c.arrays[a];
            const end = offs[f] + (arr.kind === LayoutKind.PrimitiveArray ? arr.elemSize : p) * arr.count;
            const e0 = this.edge;
            if (edges) while (this.edge < this.edgeEnd && (this.graph.edgeField[this.edge] & 0x7fffffff) < end) this.edge++;
            if (pending * 3 + 3 > this.pendingArrays.length) this.pendingArrays = growInt32(this.pendingArrays);
            this.pendingArrays[pending * 3] = a;
            this.pendingArrays[pending * 3 + 1] = e0;
            this.pendingArrays[pending * 3 + 2] = this.edge;
            pending++;
            w.putId(id + offs[f] + 1);
            continue;
          }
          w.putId(edges ? this.pointerAt(offs[f], src, at) : 0);
          continue;
        }
        const pos = w.pos;
        const from = at + offs[f];
        const n = sizes[f];
        if (n === 8 && little) {
          out[pos] = src[from + 7]; out[pos + 1] = src[from + 6]; out[pos + 2] = src[from + 5]; out[pos + 3] = src[from + 4];
          out[pos + 4] = src[from + 3]; out[pos + 5] = src[from + 2]; out[pos + 6] = src[from + 1]; out[pos + 7] = src[from];
        } else if (!little || n === 1) {
          for (let b = 0; b < n; b++) out[pos + b] = src[from + b];
        } else {
          for (let b = 0; b < n; b++) out[pos + b] = src[from + n - 1 - b];
        }
        w.pos = pos + n;
      }
      w.endSub();
      this.stats.instances++;
      if (pending > 0) {
        const edge = this.edge;
        const edgeEnd = this.edgeEnd;
        const list = this.pendingArrays.slice(0, pending * 3);
        for (let k = 0; k < pending; k++) {
          const arr = c.arrays[list[k * 3]];
          this.edge = list[k * 3 + 1];
          this.edgeEnd = list[k * 3 + 2];
          this.writeObject(arr, id + arr.base + 1, src, at, size, edges);
          this.stats.unplacedPointers += this.edgeEnd - this.edge;
          this.stats.syntheticArrays++;
        }
        this.edge = edge;
        this.edgeEnd = edgeEnd;
      }
    } else if (c.kind === LayoutKind.ObjectArray) {
      const fit = Math.floor((size - c.base) / p);
      const count = c.count >= 0 ? Math.min(c.count, fit) : fit;
      w.sub(1 + p + 4 + 4 + p + count * p);
      w.putU1(SUB_OBJECT_ARRAY_DUMP);
      w.putId(id);
      w.putU4(0);
      w.putU4(count);
      w.putId(c.id);
      if (!edges || this.edge === this.edgeEnd) {
        w.buf.fill(0, w.pos, w.pos + count * p);
        w.pos += count * p;
      } else {
        for (let e = 0, off = c.base; e < count; e++, off += p) w.putId(this.pointerAt(off, src, at));
      }
      w.endSub();
      this.stats.objectArrays++;
    } else {
      const es = c.elemSize;
      const fit = Math.floor((size - c.base) / es);
      const count = c.count >= 0 ? Math.min(c.count, fit) : fit;
      w.sub(1 + p + 4 + 4 + 1 + count * es);
      w.putU1(SUB_PRIMITIVE_ARRAY_DUMP);
      w.putId(id);
      w.putU4(0);
      w.putU4(count);
      w.putU1(c.elemType);
      const from = at + c.base;
      if (es === 1 || !little) {
        src.copy(w.buf, w.pos, from, from + count * es);
        w.pos += count * es;
      } else {
        const out = w.buf;
        let pos = w.pos;
        for (let e = 0, o = from; e < count; e++, o += es) for (let b = es - 1; b >= 0; b--) out[pos++] = src[o + b];
        w.pos = pos;
      }
      w.endSub();
      this.stats.primitiveArrays++;
    }
  }

  /** The HPROF ID the pointer slot at byte `off` of the current object (at src[at..]) holds: its edge's target, or 0. */
  private pointerAt(off: number, src: Buffer, at: number): number {
    const g = this.graph;
    const field = g.edgeField;
    while (this.edge < this.edgeEnd && (field[this.edge] & 0x7fffffff) < off) {
      // An edge the layout has no field for: counted by the caller (the cursor never passes it again).
      this.stats.unplacedPointers++;
      this.edge++;
    }
    if (this.edge < this.edgeEnd && (field[this.edge] & 0x7fffffff) === off) {
      const t = g.edgeTarget[this.edge++];
      if (!this.classes.isTinyBlock(t)) return g.objectAddress[t];
      return this.refTo(t, readWord(src, at + off, this.ptrSize, this.little));
    }
    return 0;
  }
}

function growInt32(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}
