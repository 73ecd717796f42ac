// The classes of an HPROF export, all known before anything is written: the Java classes readers need
// (java.lang.Object, java.lang.Class, java.lang.ref.Reference and its subclasses, java.lang.String,
// java.lang.Thread, the array classes), a class per Go typing and size (hprof-layout.ts lays them out), per untyped
// size class and pointer layout, per tiny block rest size, the synthetic array classes of their inline arrays, and
// a class per package whose static fields are the package's globals that point into the heap.
import { type HeapGraph, RootKind } from '../graph/index.js';
import { globalAt, type GoProgram } from '../gotypes/index.js';
import { fieldPath, histogramRowNames, logicalFrames, RecoveredTypes, TypingKind, untypedName } from '../typing/index.js';
import type { HeapSession } from '../session/index.js';
import { type ClassLayout, type FieldSpec, HprofType, instanceLayout, LayoutBuilder, LayoutKind, noFields } from './hprof-layout.js';
import { globalStaticName, hprofClassName, splitQualified } from './hprof-names.js';
import { layoutHash } from './hprof-support.js';

export interface PackageClass {
  name: string;
  statics: { name: string; root: number }[];
  layout: ClassLayout;
}

/** JVM names of the primitive array classes. */
const JVM_ARRAY_NAMES: Record<number, string> = {
  [HprofType.Boolean]: '[Z', [HprofType.Char]: '[C', [HprofType.Float]: '[F', [HprofType.Double]: '[D',
  [HprofType.Byte]: '[B', [HprofType.Short]: '[S', [HprofType.Int]: '[I', [HprofType.Long]: '[J',
};

export class HprofClasses {
  private readonly graph: HeapGraph;
  private readonly program: GoProgram | undefined;
  readonly recovered: RecoveredTypes | undefined;
  private readonly ptrSize: number;
  private readonly layouts: LayoutBuilder;
  private readonly rowNames: string[] | undefined;
  /** Go classes (instances and object arrays, synthetic arrays included), in the order they were made. */
  readonly classes: ClassLayout[] = [];
  /** Java classes: [0] is java.lang.Object. */
  readonly java: ClassLayout[] = [];
  readonly packages = new Map<string, PackageClass>();
  string!: ClassLayout;
  thread!: ClassLayout;
  objectArray!: ClassLayout;
  private readonly byTypingSize_ = new Map<string, ClassLayout>();
  private readonly byTyping: (ClassLayout | undefined)[] = [];
  private readonly byTypingSize: number[] = [];
  private readonly untypedByHash = new Map<number, { size: number; pointers: number[]; layout: ClassLayout }[]>();
  private readonly closurePointers = new Map<string, Set<number>>();
  private readonly restLayouts: (ClassLayout | undefined)[] = [];
  private readonly subLayouts = new Map<number, ClassLayout>();
  private readonly seen = new Set<ClassLayout>();

  constructor(session: HeapSession, private readonly live: boolean) {
    this.graph = session.graph;
    this.program = session.program;
    this.recovered = session.types instanceof RecoveredTypes ? session.types : undefined;
    this.ptrSize = this.graph.params.ptrSize;
    this.layouts = new LayoutBuilder(this.program, this.ptrSize);
    this.rowNames = this.recovered ? histogramRowNames(this.recovered, true) : undefined;
  }

  /** Collects every class; `all()` lists them afterwards. */
  collect(): void {
    this.javaClasses();
    this.collectClosureLayouts();
    this.collectLayouts();
    this.collectPackages();
  }

  /** Every class, Java's first (java.lang.Object at 0). */
  all(): ClassLayout[] {
    return [...this.java, ...this.classes, ...[...this.packages.values()].map((p) => p.layout)];
  }

  isTinyBlock(i: number): boolean {
    const r = this.recovered;
    return r !== undefined && r.typings.kind[r.objectType[i]] === TypingKind.TinyBlock;
  }

  // ---- Java classes ----

  private javaClasses(): void {
    const p = this.ptrSize;
    const plain = (name: string, size: number, fields: [string, HprofType][] = []): ClassLayout => {
      const specs: FieldSpec[] = fields.map(([n, t]) => ({ name: n, type: t, offset: 0, size: t === HprofType.Object ? p : TYPE_SIZES[t] }));
      return instanceLayout(name, size, specs);
    };
    const array = (name: string, kind: LayoutKind, elemType: HprofType): ClassLayout => ({ ...noFields(), name, kind, elemType });
    // Two IDs: VisualVM takes java.lang.Object's instance size as the object header size (and the pointer size
    // from it: 16 - 8 = 8 with 8-byte IDs).
    this.java.push(
      plain('java.lang.Object', 2 * p),
      plain('java.lang.Class', 0),
      plain('java.lang.ref.Reference', 3 * p, [['referent', HprofType.Object]]),
      plain('java.lang.ref.WeakReference', 3 * p),
      plain('java.lang.ref.SoftReference', 3 * p),
      plain('java.lang.ref.FinalReference', 3 * p),
      plain('java.lang.ref.PhantomReference', 3 * p),
    );
    // A goroutine's name (JDK 8's String: the characters in a char[]), and its thread object: what VisualVM's
    // Threads view reads (name, daemon, priority, tid, threadStatus), the goroutine's runtime.g and what it holds.
    this.string = plain('java.lang.String', 2 * p + 8, [['value', HprofType.Object], ['hash', HprofType.Int]]);
    this.thread = plain('java.lang.Thread', 2 * p + 3 * p + 24, [
      ['name', HprofType.Object], ['daemon', HprofType.Boolean], ['priority', HprofType.Int], ['tid', HprofType.Long],
      ['threadStatus', HprofType.Int], ['g', HprofType.Object], ['held', HprofType.Object],
    ]);
    this.objectArray = array('[Ljava/lang/Object;', LayoutKind.ObjectArray, HprofType.Object);
    this.java.push(this.string, this.thread, this.objectArray);
    for (const t of [HprofType.Boolean, HprofType.Char, HprofType.Float, HprofType.Double, HprofType.Byte, HprofType.Short, HprofType.Int, HprofType.Long]) {
      this.java.push(array(JVM_ARRAY_NAMES[t], LayoutKind.PrimitiveArray, t));
    }
  }

  /** Registers a class and its synthetic array classes (primitive arrays need none: their records name the type). */
  private addClass(c: ClassLayout): ClassLayout {
    if (c.kind !== LayoutKind.PrimitiveArray && !this.seen.has(c)) {
      this.seen.add(c);
      this.classes.push(c);
    }
    for (const a of c.arrays) this.addClass(a);
    return c;
  }

  // ---- Go classes ----

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
    const live = this.live;
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

  /** The layout of object i (not a tiny block). */
  layoutOf(i: number): ClassLayout {
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
        if (c.kind === LayoutKind.Instance && c.fieldNames.length > 0 && c.arrays.length === 0) c.fieldNames[0] = 'fn';
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
  subLayout(typing: number, size: number): ClassLayout {
    const key = typing * 256 + size;
    let c = this.subLayouts.get(key);
    if (c === undefined) {
      c = this.typedLayout(typing, size, 0);
      this.subLayouts.set(key, c);
    }
    return c;
  }

  restLayout(size: number): ClassLayout {
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

  // ---- package classes ----

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
        const [p, name] = globalStaticName(glob.name);
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
    // The packages of calls inlined into the frames (their STACK FRAMEs name them, hprof-threads.ts).
    if (this.program) {
      for (let r = 0; r < g.frames.count; r++) {
        for (const x of logicalFrames(this.program, g, r)) if (x.inlined) this.packageClass(splitQualified(x.function)[0] || '<functions>');
      }
    }
  }

  private packageClass(pkg: string): PackageClass {
    let p = this.packages.get(pkg);
    if (!p) {
      p = { name: pkg, statics: [], layout: { ...noFields(), name: hprofClassName(pkg) } };
      this.packages.set(pkg, p);
    }
    return p;
  }

  private packageLayouts: Map<ClassLayout, PackageClass> | undefined;

  /** The package a class stands for, if it is a package class. */
  packageOf(c: ClassLayout): PackageClass | undefined {
    if (!this.packageLayouts) this.packageLayouts = new Map([...this.packages.values()].map((p) => [p.layout, p]));
    return this.packageLayouts.get(c);
  }
}

/** Bytes of an HPROF basic type (objects: the ID size, not listed). */
export const TYPE_SIZES: Record<number, number> = {
  [HprofType.Boolean]: 1, [HprofType.Char]: 2, [HprofType.Float]: 4, [HprofType.Double]: 8, [HprofType.Byte]: 1,
  [HprofType.Short]: 2, [HprofType.Int]: 4, [HprofType.Long]: 8,
};
