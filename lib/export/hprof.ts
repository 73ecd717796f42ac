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
// - Goroutines: a thread each (START THREAD, thread object = the goroutine's g, ROOT THREAD OBJECT) with a stack
//   trace of its frames (function, file:line from the binary); the heap pointers in its frames are ROOT JAVA FRAME
//   at their frame's depth; its defers, panics and scheduling context ROOT THREAD BLOCK.
// - Finalizers (set and queued) are ROOT JNI GLOBAL; the other runtime roots (Ms, other roots) ROOT UNKNOWN.
// - What readers need besides (../shared/docs/hprof-and-readers.md): java.lang.Object (instance size 2 IDs),
//   java.lang.Class, java.lang.ref.Reference with `referent` and its four subclasses, the primitive array classes.
import * as fs from 'node:fs';
import { type HeapGraph, RootKind } from '../graph/index.js';
import type { GoGlobal, GoProgram } from '../gotypes/index.js';
import { goroutineName } from '../analysis/index.js';
import type { HeapSession } from '../session/index.js';
import { fieldPath, histogramRowNames, logicalFrames, RecoveredTypes, TypingKind, untypedName } from '../typing/index.js';
import { HeapDumpError } from '../dump/index.js';
import { type ClassLayout, HprofType, LayoutBuilder, LayoutKind, MAX_FIELDS } from './hprof-layout.js';
import { hprofClassName, splitQualified } from './hprof-names.js';
import {
  HprofWriter, SUB_CLASS_DUMP, SUB_INSTANCE_DUMP, SUB_OBJECT_ARRAY_DUMP, SUB_PRIMITIVE_ARRAY_DUMP, SUB_ROOT_JAVA_FRAME,
  SUB_ROOT_JNI_GLOBAL, SUB_ROOT_STICKY_CLASS, SUB_ROOT_THREAD_BLOCK, SUB_ROOT_THREAD_OBJECT, SUB_ROOT_UNKNOWN,
  TAG_LOAD_CLASS, TAG_STACK_FRAME, TAG_STACK_TRACE, TAG_START_THREAD,
} from './hprof-writer.js';
import type { OutputSink } from './output.js';

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
}

/** Object class IDs, string IDs, frame IDs: numbers that are not heap addresses. */
class SyntheticIds {
  private next: number;
  private readonly limit: number;

  constructor(graph: HeapGraph, needed: number, idSize: number) {
    let lo = Infinity;
    let hi = 0;
    const a = graph.objectAddress;
    const s = graph.objectSize;
    for (let i = 0; i < graph.objectCount; i++) {
      if (a[i] < lo) lo = a[i];
      if (a[i] + s[i] > hi) hi = a[i] + s[i];
    }
    const span = (needed + 16) * 8;
    // Below the heap when there is room (every 64-bit Go heap is far above 4 KiB), else just above it.
    if (lo === Infinity || lo > 0x1000 + span) {
      this.next = 0x1000;
      this.limit = lo === Infinity ? 2 ** 52 : lo;
    } else {
      this.next = Math.ceil(hi / 8) * 8 + 0x1000;
      this.limit = idSize === 4 ? 2 ** 32 : 2 ** 52;
      if (this.next + span > this.limit) throw new RangeError('hprof: no room for synthetic IDs beside the heap');
    }
  }

  take(): number {
    const id = this.next;
    this.next += 8;
    if (this.next > this.limit) throw new RangeError('hprof: out of synthetic IDs');
    return id;
  }
}

/** Reads object contents in file order through one window (objects are numbered in file order). */
class ContentWindow {
  private readonly fd: number;
  private buf: Buffer;
  private start = 0;
  private end = 0;

  constructor(private readonly graph: HeapGraph, size = 8 << 20) {
    this.fd = fs.openSync(graph.path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    const st = fs.fstatSync(this.fd);
    if (!st.isFile() || st.size !== graph.fileSize || st.mtimeMs !== graph.fileMtimeMs) {
      fs.closeSync(this.fd);
      throw new HeapDumpError(graph.path, 0, 'file changed since it was loaded');
    }
    this.buf = Buffer.allocUnsafe(size);
  }

  /** Where the bytes of the last read() start in the buffer it returned. */
  at = 0;

  /** A buffer holding the `length` bytes at file `offset` from byte `at` on (valid until the next call). */
  read(offset: number, length: number): Buffer {
    if (offset >= this.start && offset + length <= this.end) {
      this.at = offset - this.start;
      return this.buf;
    }
    const want = Math.max(length, this.buf.length);
    if (want > this.buf.length) this.buf = Buffer.allocUnsafe(want);
    const n = Math.min(want, this.graph.fileSize - offset);
    let done = 0;
    while (done < n) {
      const k = fs.readSync(this.fd, this.buf, done, n - done, offset + done);
      if (k <= 0) break;
      done += k;
    }
    if (done < length) throw new HeapDumpError(this.graph.path, offset + done, 'file changed since it was loaded');
    this.start = offset;
    this.end = offset + done;
    this.at = 0;
    return this.buf;
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}

/** 32-bit FNV-1a over a pointer layout (size, then offsets). */
function layoutHash(size: number, edgeField: Uint32Array, mask: number, from: number, to: number): number {
  let h = 0x811c9dc5 ^ size;
  h = Math.imul(h, 0x01000193);
  for (let e = from; e < to; e++) {
    h ^= edgeField[e] & mask;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Writes `session` as HPROF to `sink`; see the file's header. */
export async function writeHprof(session: HeapSession, sink: OutputSink, options: HprofOptions = {}): Promise<HprofStats> {
  const ex = new HprofExport(session, sink, options);
  return ex.run();
}

interface PackageClass {
  name: string;
  statics: { name: string; root: number }[];
  layout: ClassLayout;
}

class HprofExport {
  private readonly graph: HeapGraph;
  private readonly program: GoProgram | undefined;
  private readonly recovered: RecoveredTypes | undefined;
  private readonly ptrSize: number;
  private readonly little: boolean;
  private readonly w: HprofWriter;
  private readonly layouts: LayoutBuilder;
  private ids!: SyntheticIds;
  /** Per physical frame, the index in its goroutine's STACK TRACE of its innermost (inlined) frame (writeThreads). */
  private frameTraceIndex = new Int32Array(0);
  private nextString = 1;
  private readonly strings = new Map<string, number>();
  private readonly classes: ClassLayout[] = [];
  /** Layouts of typed objects by "typing:size", and the last one used per typing id (with its size). */
  private readonly byTypingSize_ = new Map<string, ClassLayout>();
  private readonly byTyping: (ClassLayout | undefined)[] = [];
  private readonly byTypingSize: number[] = [];
  /** Untyped layouts by layout hash. */
  private readonly untypedByHash = new Map<number, { size: number; pointers: number[]; layout: ClassLayout }[]>();
  /** Closure typings: union of pointer offsets per "typing:size". */
  private readonly closurePointers = new Map<string, Set<number>>();
  private readonly restLayouts: (ClassLayout | undefined)[] = [];
  private readonly primitiveClasses = new Map<number, ClassLayout>();
  private readonly packages = new Map<string, PackageClass>();
  private goroutineClass: ClassLayout | undefined;
  private threadObject: number[] = [];
  private readonly stats: HprofStats = {
    objects: 0, instances: 0, objectArrays: 0, primitiveArrays: 0, tinySubObjects: 0, tinyRests: 0, classes: 0,
    staticFields: 0, threads: 0, frames: 0, roots: 0, segments: 0, unplacedPointers: 0,
  };
  /** The edge cursor of the object being written. */
  private edge = 0;
  private edgeEnd = 0;
  private objectIndex = 0;

  constructor(private readonly session: HeapSession, private readonly sink: OutputSink, private readonly options: HprofOptions) {
    this.graph = session.graph;
    this.program = session.program;
    this.recovered = session.types instanceof RecoveredTypes ? session.types : undefined;
    this.ptrSize = this.graph.params.ptrSize;
    this.little = !this.graph.params.bigEndian;
    this.w = new HprofWriter(sink, this.ptrSize, options.segmentSize);
    this.layouts = new LayoutBuilder(this.program, this.ptrSize);
    this.rowNames = this.recovered ? histogramRowNames(this.recovered, true) : undefined;
  }

  private readonly rowNames: string[] | undefined;

  async run(): Promise<HprofStats> {
    const g = this.graph;
    this.collectClosureLayouts();
    // Every class is known before anything is written: the Java classes, one per layout, one per package.
    const javaClasses = this.javaClasses();
    this.collectLayouts();
    this.collectPackages();
    // Goroutines whose g is not a heap object get a synthetic thread object of class "goroutine".
    const synthetic = g.goroutines.filter((gr) => this.goroutineObject(gr.address) < 0).length;
    if (synthetic > 0) {
      this.goroutineClass = {
        name: 'goroutine', kind: LayoutKind.Instance, size: 8, fieldNames: ['goid'], fieldTypes: Uint8Array.of(HprofType.Long),
        fieldOffsets: new Int32Array(1), fieldSizes: Uint8Array.of(8), base: 0, count: 0, elemType: HprofType.Object,
        elemSize: 0, id: 0, serial: 0,
      };
    }
    const all = [...javaClasses, ...this.classes, ...[...this.packages.values()].map((p) => p.layout)];
    if (this.goroutineClass) all.push(this.goroutineClass);
    this.ids = new SyntheticIds(g, all.length + synthetic + 16, this.ptrSize);
    let serial = 1;
    const objectClass = javaClasses[0];
    for (const c of all) {
      c.id = this.ids.take();
      c.serial = serial++;
    }
    this.stats.classes = all.length;
    this.threadObject = g.goroutines.map((gr) => (this.goroutineObject(gr.address) >= 0 ? gr.address : this.ids.take()));

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
    for (const p of this.packages.values()) for (const st of p.statics) this.stringId(st.name);
    this.writeThreads();
    await this.drain();
    // The heap dump: class dumps, roots, then every object.
    for (const c of all) this.classDump(c, c === objectClass ? 0 : objectClass.id);
    for (const c of all) this.rootSticky(c.id);
    this.writeRoots();
    await this.drain();
    await this.writeObjects();
    this.writeSyntheticThreads();
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

  // ---- classes ----

  private referenceClassId = 0;

  /** java.lang.Object, java.lang.Class, java.lang.ref.Reference and subclasses, the primitive array classes. */
  private javaClasses(): ClassLayout[] {
    const plain = (name: string, size: number, fields: [string, HprofType][] = []): ClassLayout => ({
      name, kind: LayoutKind.Instance, size, fieldNames: fields.map((f) => f[0]), fieldTypes: Uint8Array.from(fields.map((f) => f[1])),
      fieldOffsets: new Int32Array(fields.length), fieldSizes: Uint8Array.from(fields.map(() => this.ptrSize)), base: 0, count: 0,
      elemType: HprofType.Object, elemSize: 0, id: 0, serial: 0,
    });
    const out = [
      // Two IDs: VisualVM takes java.lang.Object's instance size as the object header size (and the pointer size
      // from it: 16 - 8 = 8 with 8-byte IDs).
      plain('java.lang.Object', 2 * this.ptrSize),
      plain('java.lang.Class', 0),
      plain('java.lang.ref.Reference', 2 * this.ptrSize + this.ptrSize, [['referent', HprofType.Object]]),
      plain('java.lang.ref.WeakReference', 3 * this.ptrSize),
      plain('java.lang.ref.SoftReference', 3 * this.ptrSize),
      plain('java.lang.ref.FinalReference', 3 * this.ptrSize),
      plain('java.lang.ref.PhantomReference', 3 * this.ptrSize),
    ];
    for (const t of [HprofType.Boolean, HprofType.Char, HprofType.Float, HprofType.Double, HprofType.Byte, HprofType.Short, HprofType.Int, HprofType.Long]) {
      const c = plain(JVM_ARRAY_NAMES[t], 0);
      c.kind = LayoutKind.PrimitiveArray;
      c.elemType = t;
      this.primitiveClasses.set(t, c);
      out.push(c);
    }
    return out;
  }

  /** Registers a class (primitive arrays need none: their records name the element type, not a class). */
  private addClass(c: ClassLayout): ClassLayout {
    if (c.kind !== LayoutKind.PrimitiveArray) this.classes.push(c);
    return c;
  }

  /** Closure typings: the union of the pointer offsets of their objects, per size. */
  private collectClosureLayouts(): void {
    const r = this.recovered;
    if (!r) return;
    const g = this.graph;
    const kinds = r.typings.kind;
    const ot = r.objectType;
    for (let i = 0; i < g.objectCount; i++) {
      if (kinds[ot[i]] !== TypingKind.Closure) continue;
      const key = `${ot[i]}:${g.objectSize[i]}`;
      let s = this.closurePointers.get(key);
      if (!s) this.closurePointers.set(key, (s = new Set()));
      for (let e = g.edgeStart[i]; e < g.edgeStart[i + 1]; e++) s.add(g.edgeOffset(e));
    }
  }

  /** Builds the layout of every object (and tiny sub-object) once, so that every class is known up front. */
  private collectLayouts(): void {
    const g = this.graph;
    const live = this.options.live === true;
    for (let i = 0; i < g.objectCount; i++) {
      if ((live && g.reachable[i] === 0) || this.isTinyBlock(i)) continue;
      this.layoutOf(i);
    }
    // Tiny blocks: their sub-objects' layouts, and the rest's (per size).
    const t = this.recovered?.tinyObjects;
    if (!t) return;
    for (let k = 0; k < t.object.length;) {
      const b = t.object[k];
      let covered = 0;
      for (; k < t.object.length && t.object[k] === b; k++) {
        if (live && g.reachable[b] === 0) continue;
        this.subLayout(t.typing[k], t.place[k] >>> 8);
        covered += t.place[k] >>> 8;
      }
      if (!(live && g.reachable[b] === 0) && covered < g.objectSize[b]) this.restLayout(g.objectSize[b] - covered);
    }
    // Tiny blocks without any sub-object are all rest (one cursor over the sorted sub-objects).
    for (let i = 0, k = 0; i < g.objectCount; i++) {
      if (!this.isTinyBlock(i) || (live && g.reachable[i] === 0)) continue;
      while (k < t.object.length && t.object[k] < i) k++;
      if (k === t.object.length || t.object[k] !== i) this.restLayout(g.objectSize[i]);
    }
  }

  private isTinyBlock(i: number): boolean {
    const r = this.recovered;
    return r !== undefined && r.typings.kind[r.objectType[i]] === TypingKind.TinyBlock;
  }

  /** The layout of object i (not a tiny block). */
  private layoutOf(i: number): ClassLayout {
    const r = this.recovered;
    const size = this.graph.objectSize[i];
    const id = r ? r.objectType[i] : 0;
    if (id === 0 || r === undefined) return this.untypedLayout(i, size);
    const cached = this.byTyping[id];
    if (cached !== undefined && this.byTypingSize[id] === size) return cached;
    return this.typedLayout(id, size, r.typing(i).base);
  }

  /** The layout of typing `id` for objects of `size` bytes with the value `base` bytes in. */
  private typedLayout(id: number, size: number, base: number): ClassLayout {
    const r = this.recovered!;
    const key = `${id}:${size}`;
    let c = this.byTypingSize_.get(key);
    if (c === undefined) {
      const kind = r.typings.kind[id];
      const t = r.typings.goType[id];
      // Named as goheap types names its rows (with arrays split by length): "map[K]V buckets", "chan T", "[N]T".
      const name = this.rowNames![id];
      if (kind === TypingKind.StringData) c = this.layouts.bytes(0, -1);
      else if (kind === TypingKind.Closure) {
        const ptrs = [...(this.closurePointers.get(key) ?? [])].sort((a, b) => a - b);
        c = this.layouts.untyped(hprofClassName(name), size, ptrs);
        if (c.kind === LayoutKind.Instance && c.fieldNames.length > 0) c.fieldNames[0] = 'fn';
      } else if (t !== undefined) c = this.layouts.typed(name, t, r.typings.count[id], base, size);
      else c = this.layouts.untyped(hprofClassName(name), size, []);
      this.addClass(c);
      this.byTypingSize_.set(key, c);
    }
    this.byTyping[id] = c;
    this.byTypingSize[id] = size;
    return c;
  }

  /** Layout of a tiny sub-object of typing `typing` and `size` bytes. */
  private subLayout(typing: number, size: number): ClassLayout {
    const key = typing * 256 + size;
    let c = this.subLayouts.get(key);
    if (c === undefined) {
      c = this.typedLayout(typing, size, 0);
      this.subLayouts.set(key, c);
    }
    return c;
  }

  private readonly subLayouts = new Map<number, ClassLayout>();

  private restLayout(size: number): ClassLayout {
    let c = this.restLayouts[size];
    if (!c) {
      c = this.layouts.untyped(`tiny block (rest, ${size} bytes)`, size, []);
      this.restLayouts[size] = this.addClass(c);
    }
    return c;
  }

  private untypedLayout(i: number, size: number): ClassLayout {
    const g = this.graph;
    const from = g.edgeStart[i];
    const to = g.edgeStart[i + 1];
    const mask = 0x7fffffff;
    const h = layoutHash(size, g.edgeField, mask, from, to);
    let list = this.untypedByHash.get(h);
    if (list) {
      for (const u of list) {
        if (u.size !== size || u.pointers.length !== to - from) continue;
        let same = true;
        for (let e = from; e < to && same; e++) same = u.pointers[e - from] === (g.edgeField[e] & mask);
        if (same) return u.layout;
      }
    } else {
      list = [];
      this.untypedByHash.set(h, list);
    }
    const pointers: number[] = [];
    for (let e = from; e < to; e++) pointers.push(g.edgeField[e] & mask);
    pointers.sort((a, b) => a - b);
    let name = untypedName(size);
    if (pointers.length > 0) {
      const shown = pointers.length <= 6 ? pointers.map((p) => `+0x${p.toString(16)}`).join(' ') : `${pointers.length} pointers #${h.toString(16)}`;
      name = `${name.slice(0, -1)}, pointers ${shown})`;
    }
    const layout = this.addClass(this.layouts.untyped(name, size, pointers));
    list.push({ size, pointers, layout });
    return layout;
  }

  /** One static-field-holding class per package of a global that roots the heap, and per package of a frame's function. */
  private collectPackages(): void {
    const g = this.graph;
    const roots = g.roots;
    const globals = this.program ? [...this.program.globals].filter((x) => x.size > 0).sort((a, b) => a.address - b.address) : [];
    const order: number[] = [];
    for (let r = 0; r < roots.count; r++) if (roots.kind[r] === RootKind.Data || roots.kind[r] === RootKind.Bss) order.push(r);
    order.sort((a, b) => roots.slotAddress[a] - roots.slotAddress[b]);
    for (const r of order) {
      const slot = roots.slotAddress[r];
      const glob = globalAt(globals, slot);
      let pkg: string;
      let field: string;
      if (glob) {
        const [p, name] = splitQualified(glob.name);
        pkg = p === '' ? '<globals>' : p;
        const inner = glob.type ? fieldPath(glob.type, slot - glob.address) : '';
        field = inner === '' ? name : `${name}${inner.startsWith('[') ? '' : '.'}${inner}`;
        if (!glob.type && slot !== glob.address) field = `${name}+0x${(slot - glob.address).toString(16)}`;
      } else {
        pkg = roots.kind[r] === RootKind.Data ? '<data>' : '<bss>';
        field = `+0x${roots.owner[r].toString(16)}`;
      }
      this.packageClass(pkg).statics.push({ name: field, root: r });
    }
    for (const name of g.frames.functionNames) this.packageClass(splitQualified(name)[0] || '<functions>');
  }

  private packageClass(pkg: string): PackageClass {
    let p = this.packages.get(pkg);
    if (!p) {
      const layout: ClassLayout = {
        name: hprofClassName(pkg), kind: LayoutKind.Instance, size: 0, fieldNames: [], fieldTypes: new Uint8Array(0),
        fieldOffsets: new Int32Array(0), fieldSizes: new Uint8Array(0), base: 0, count: 0, elemType: HprofType.Object,
        elemSize: 0, id: 0, serial: 0,
      };
      p = { name: pkg, statics: [], layout };
      this.packages.set(pkg, p);
    }
    return p;
  }

  /** The heap object that is the goroutine's g (at its start, not a tiny block), or -1. */
  private goroutineObject(address: number): number {
    const o = this.graph.findObject(address);
    return o >= 0 && this.graph.objectAddress[o] === address && !this.isTinyBlock(o) ? o : -1;
  }

  /** The synthetic thread objects (instances of "goroutine" holding the goroutine's id). */
  private writeSyntheticThreads(): void {
    const c = this.goroutineClass;
    if (!c) return;
    const g = this.graph;
    const p = this.ptrSize;
    for (let k = 0; k < g.goroutines.length; k++) {
      if (this.threadObject[k] === g.goroutines[k].address) continue;
      this.w.sub(1 + p + 4 + p + 4 + 8);
      this.w.putU1(SUB_INSTANCE_DUMP);
      this.w.putId(this.threadObject[k]);
      this.w.putU4(0);
      this.w.putId(c.id);
      this.w.putU4(8);
      this.w.putU4(Math.floor(g.goroutines[k].goid / 4294967296));
      this.w.putU4(g.goroutines[k].goid >>> 0);
      this.w.endSub();
    }
  }

  private classDump(c: ClassLayout, superId: number): void {
    const p = this.ptrSize;
    const pkg = this.packageOf(c);
    const statics = pkg ? pkg.statics.slice(0, MAX_FIELDS) : [];
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
    this.w.putU4(c.kind === LayoutKind.Instance ? c.size : 0);
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

  private packageLayouts: Map<ClassLayout, PackageClass> | undefined;

  private packageOf(c: ClassLayout): PackageClass | undefined {
    if (!this.packageLayouts) this.packageLayouts = new Map([...this.packages.values()].map((p) => [p.layout, p]));
    return this.packageLayouts.get(c);
  }

  private rootSticky(id: number): void {
    this.w.sub(1 + this.ptrSize);
    this.w.putU1(SUB_ROOT_STICKY_CLASS);
    this.w.putId(id);
    this.w.endSub();
    this.stats.roots++;
  }

  // ---- threads and roots ----

  /** STACK FRAMEs, a STACK TRACE and a START THREAD per goroutine. */
  private writeThreads(): void {
    const g = this.graph;
    const f = g.frames;
    this.frameTraceIndex = new Int32Array(f.count).fill(-1);
    const p = this.ptrSize;
    const signature = this.stringId('()');
    const group = this.stringId('goroutines');
    let frameId = 1;
    for (let k = 0; k < g.goroutines.length; k++) {
      const first = f.goroutineFirstFrame[k];
      const count = f.goroutineFrameCount[k];
      const rows: number[] = [];
      for (let r = first; r < first + count; r++) if (f.goroutine[r] === k) rows.push(r);
      rows.sort((a, b) => f.depth[a] - f.depth[b]);
      const ids: number[] = [];
      // Frames as Go's traceback prints them: the calls inlined in a physical frame come before it; a stack root
      // of the frame is put at its innermost (inlined) frame's index (frameTraceIndex, read by writeRoots).
      const logical = rows.flatMap((r) => logicalFrames(this.program, g, r).map((x) => ({ r, ...x })));
      for (const { r, function: fn, file, line: lineNo } of logical) {
        if (this.frameTraceIndex[r] < 0) this.frameTraceIndex[r] = ids.length;
        const [pkg, method] = splitQualified(fn);
        const cls = this.packages.get(pkg || '<functions>');
        const line = lineNo === null ? undefined : { file, line: lineNo };
        const id = frameId++;
        const methodId = this.stringId(method);
        const fileId = this.stringId(line?.file ?? '');
        this.w.record(TAG_STACK_FRAME, 4 * p + 8);
        this.w.putId(id);
        this.w.putId(methodId);
        this.w.putId(signature);
        this.w.putId(fileId);
        this.w.putU4(cls ? cls.layout.serial : 0);
        this.w.putI4(line ? line.line : 0);
        this.w.endRecord();
        ids.push(id);
        this.stats.frames++;
      }
      this.w.record(TAG_STACK_TRACE, 12 + ids.length * p);
      this.w.putU4(k + 1);
      this.w.putU4(k + 1);
      this.w.putU4(ids.length);
      for (const id of ids) this.w.putId(id);
      this.w.endRecord();
      const name = this.stringId(goroutineName(g, k));
      this.w.record(TAG_START_THREAD, 4 + p + 4 + 3 * p);
      this.w.putU4(k + 1);
      this.w.putId(this.threadObject[k]);
      this.w.putU4(k + 1);
      this.w.putId(name);
      this.w.putId(group);
      this.w.putId(0);
      this.w.endRecord();
      this.stats.threads++;
    }
  }

  /** Every root but the Data/BSS ones (those are static fields). */
  private writeRoots(): void {
    const g = this.graph;
    const roots = g.roots;
    const p = this.ptrSize;
    for (let k = 0; k < g.goroutines.length; k++) {
      this.w.sub(1 + p + 8);
      this.w.putU1(SUB_ROOT_THREAD_OBJECT);
      this.w.putId(this.threadObject[k]);
      this.w.putU4(k + 1);
      this.w.putU4(k + 1);
      this.w.endSub();
      this.stats.roots++;
    }
    for (let r = 0; r < roots.count; r++) {
      const kind = roots.kind[r] as RootKind;
      if (kind === RootKind.Data || kind === RootKind.Bss) continue;
      const ref = this.rootRef(r);
      const owner = roots.owner[r];
      let goroutine = -1;
      if (kind === RootKind.StackFrame) goroutine = g.frames.goroutine[owner];
      else if (kind >= RootKind.Goroutine && kind <= RootKind.PanicArg) goroutine = owner >= 0 && owner < g.goroutines.length ? owner : -1;
      if (kind === RootKind.Goroutine && goroutine >= 0 && ref === this.threadObject[goroutine]) continue;
      if (kind === RootKind.StackFrame && goroutine >= 0) {
        this.w.sub(1 + p + 8);
        this.w.putU1(SUB_ROOT_JAVA_FRAME);
        this.w.putId(ref);
        this.w.putU4(goroutine + 1);
        this.w.putU4(this.frameTraceIndex[owner] >= 0 ? this.frameTraceIndex[owner] : g.frames.depth[owner]);
      } else if (goroutine >= 0) {
        this.w.sub(1 + p + 4);
        this.w.putU1(SUB_ROOT_THREAD_BLOCK);
        this.w.putId(ref);
        this.w.putU4(goroutine + 1);
      } else if (kind >= RootKind.Finalizer && kind <= RootKind.QueuedFinalizerFunc) {
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
    if (!this.isTinyBlock(t)) return a;
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
        if (!this.isTinyBlock(i)) {
          this.edge = edgeStart[i];
          this.edgeEnd = edgeStart[i + 1];
          this.writeObject(this.layoutOf(i), addr, src, at, sz, true);
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
          this.writeObject(this.subLayout(tinyTyping![k], len), addr + off, src, at + off, len, false);
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
          this.writeObject(this.restLayout(sz - covered), addr + firstFree, rest, 0, sz - covered, false);
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
      const data = c.size;
      w.sub(1 + p + 4 + p + 4 + data);
      w.putU1(SUB_INSTANCE_DUMP);
      w.putId(id);
      w.putU4(0);
      w.putId(c.id);
      w.putU4(data);
      const types = c.fieldTypes;
      const offs = c.fieldOffsets;
      const sizes = c.fieldSizes;
      const out = w.buf;
      const nf = types.length;
      for (let f = 0; f < nf; f++) {
        if (types[f] === HprofType.Object) {
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
      if (!this.isTinyBlock(t)) return g.objectAddress[t];
      return this.refTo(t, readWord(src, at + off, this.ptrSize, this.little));
    }
    return 0;
  }
}

/** A pointer-sized word of `b` at `off`. */
function readWord(b: Uint8Array, off: number, ptrSize: number, little: boolean): number {
  if (ptrSize === 4) {
    return little ? (b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24)) >>> 0
      : ((b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]) >>> 0;
  }
  const lo = little ? (b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24)) >>> 0
    : ((b[off + 4] << 24) | (b[off + 5] << 16) | (b[off + 6] << 8) | b[off + 7]) >>> 0;
  const hi = little ? (b[off + 4] | (b[off + 5] << 8) | (b[off + 6] << 16) | (b[off + 7] << 24)) >>> 0
    : ((b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]) >>> 0;
  return hi * 4294967296 + lo;
}

const JVM_ARRAY_NAMES: Record<number, string> = {
  [HprofType.Boolean]: '[Z', [HprofType.Char]: '[C', [HprofType.Float]: '[F', [HprofType.Double]: '[D',
  [HprofType.Byte]: '[B', [HprofType.Short]: '[S', [HprofType.Int]: '[I', [HprofType.Long]: '[J',
};


/** The global whose bytes hold `address`, from globals sorted by address. */
function globalAt(sorted: readonly GoGlobal[], address: number): GoGlobal | undefined {
  let lo = 0;
  let hi = sorted.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid].address <= address) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best >= 0 && address < sorted[best].address + sorted[best].size ? sorted[best] : undefined;
}
