// The GC roots of a heap dump: every pointer that keeps heap objects alive from outside the heap, as columns.
// A root is one pointer slot (or one record's pointer) whose value lands inside a heap object.

/** Where a root pointer sits. */
export const enum RootKind {
  /** A pointer slot of the Data segment (initialised globals). */
  Data = 1,
  /** A pointer slot of the BSS segment (zero-initialised globals). */
  Bss = 2,
  /** A pointer slot of a goroutine's stack frame. */
  StackFrame = 3,
  /** An object with a finalizer, and the finalizer's funcval. */
  Finalizer = 4,
  FinalizerFunc = 5,
  /** An unreachable object whose finalizer is queued to run, and that finalizer's funcval. */
  QueuedFinalizer = 6,
  QueuedFinalizerFunc = 7,
  /** A goroutine's g, and its scheduling context (sched.ctxt, a closure). */
  Goroutine = 8,
  GoroutineContext = 9,
  /** A _defer record, and its deferred funcval. */
  Defer = 10,
  DeferFunc = 11,
  /** A _panic record, and its argument's data word. */
  Panic = 12,
  PanicArg = 13,
  /** An OS thread's m. */
  Thread = 14,
  /** An OtherRoot record (go1.3/1.4-era runtimes). */
  Other = 15,
}

export const ROOT_KIND_NAMES: Record<number, string> = {
  1: 'data', 2: 'bss', 3: 'stack', 4: 'finalizer', 5: 'finalizer func', 6: 'queued finalizer',
  7: 'queued finalizer func', 8: 'goroutine', 9: 'goroutine context', 10: 'defer', 11: 'defer func', 12: 'panic',
  13: 'panic arg', 14: 'thread', 15: 'other',
};

export interface RootTable {
  count: number;
  kind: Uint8Array;
  /** The object the root points into. */
  target: Uint32Array;
  /** The address of the slot (Data/BSS/stack), or of the record (finalizer object, g, m, _defer, _panic). */
  slotAddress: Float64Array;
  /** The pointer value itself (differs from the target's address for interior pointers). */
  value: Float64Array;
  /**
   * What owns the slot: the frame index for StackFrame roots; the goroutine index for Goroutine*, Defer*, Panic*
   * roots (-1 when the goroutine is not in the dump); the finalizer index for finalizer roots; the offset in the
   * segment for Data/BSS roots.
   */
  owner: Float64Array;
}

/** Collects roots as raw pointer values, resolved to objects once every object is known. */
export class RootCollector {
  private kinds: number[] = [];
  private slots: number[] = [];
  private values: number[] = [];
  private owners: number[] = [];

  add(kind: RootKind, slotAddress: number, value: number, owner: number): void {
    if (value === 0) return;
    this.kinds.push(kind);
    this.slots.push(slotAddress);
    this.values.push(value);
    this.owners.push(owner);
  }

  /** Keeps the roots whose value lands in an object. */
  resolve(find: (address: number) => number): RootTable {
    const n = this.kinds.length;
    const kind = new Uint8Array(n);
    const target = new Uint32Array(n);
    const slotAddress = new Float64Array(n);
    const value = new Float64Array(n);
    const owner = new Float64Array(n);
    let k = 0;
    for (let i = 0; i < n; i++) {
      const t = find(this.values[i]);
      if (t < 0) continue;
      kind[k] = this.kinds[i];
      target[k] = t;
      slotAddress[k] = this.slots[i];
      value[k] = this.values[i];
      owner[k] = this.owners[i];
      k++;
    }
    this.kinds = this.slots = this.values = this.owners = [];
    return {
      count: k,
      kind: kind.slice(0, k),
      target: target.slice(0, k),
      slotAddress: slotAddress.slice(0, k),
      value: value.slice(0, k),
      owner: owner.slice(0, k),
    };
  }
}
