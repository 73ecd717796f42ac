// Root nodes: the GC roots of a dump grouped into the units a user thinks in — one per global variable (or per
// Data/BSS pointer slot without DWARF), one per goroutine, one for finalizers, one for the other runtime roots.
//
// Every root of the RootTable belongs to exactly one root node: rootNode[r] is its node number (0-based among
// root nodes). Node numbers follow first appearance in this order: globals by address, goroutines in dump order,
// finalizers, other.
import { type HeapGraph, RootKind } from '../graph/index.js';

/** What a root node stands for. */
export type RootNodeKind = 'global' | 'goroutine' | 'finalizer' | 'other';

/** A global variable as the binary's DWARF describes it (GoProgram.globals). */
export interface GlobalVariable {
  readonly name: string;
  readonly address: number;
  readonly size: number;
}

export interface RootNodes {
  count: number;
  kind: RootNodeKind[];
  name: string[];
  /** The address of the global, the g of the goroutine; 0 for the finalizer and other nodes. */
  address: number[];
  /** Per root of the graph's RootTable: the root node it belongs to. */
  rootNode: Uint32Array;
}

/** The function names a goroutine's top user frame is chosen past: the runtime's own. */
function isRuntimeFunction(name: string): boolean {
  return name.startsWith('runtime.') || name.startsWith('runtime/') || name.startsWith('internal/');
}

/**
 * The name of goroutine g: "goroutine 17 (main.recurse)", after its id and its innermost non-runtime frame (the
 * outermost frame when all are the runtime's).
 */
export function goroutineName(graph: HeapGraph, g: number): string {
  const gr = graph.goroutines[g];
  const f = graph.frames;
  const first = f.goroutineFirstFrame[g];
  const n = f.goroutineFrameCount[g];
  let top: string | undefined;
  let outermost: string | undefined;
  let outermostDepth = -1;
  for (let k = 0; k < n; k++) {
    const name = f.functionNames[f.functionId[first + k]];
    if (top === undefined && !isRuntimeFunction(name)) top = name;
    if (f.depth[first + k] > outermostDepth) {
      outermostDepth = f.depth[first + k];
      outermost = name;
    }
  }
  // A goroutine with only runtime frames (a system goroutine) is named after its start function.
  const fn = top ?? outermost;
  return fn === undefined ? `goroutine ${gr.goid}` : `goroutine ${gr.goid} (${fn})`;
}

/**
 * Groups the roots of `graph` into root nodes. With `globals` (sorted by address or not), a Data/BSS slot is
 * given to the global that contains its address; slots outside every global get a node of their own named
 * `data+0x1a8` / `bss+0x10` after their offset in the segment.
 */
export function buildRootNodes(graph: HeapGraph, globals?: readonly GlobalVariable[]): RootNodes {
  const roots = graph.roots;
  const kind: RootNodeKind[] = [];
  const name: string[] = [];
  const address: number[] = [];
  const rootNode = new Uint32Array(roots.count);
  const byKey = new Map<string, number>();
  const node = (key: string, k: RootNodeKind, n: string, a: number): number => {
    let id = byKey.get(key);
    if (id === undefined) {
      id = kind.length;
      kind.push(k);
      name.push(n);
      address.push(a);
      byKey.set(key, id);
    }
    return id;
  };
  const sorted = globals ? [...globals].filter((g) => g.size > 0).sort((a, b) => a.address - b.address) : [];
  const globalAt = (a: number): GlobalVariable | undefined => {
    let lo = 0;
    let hi = sorted.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid].address <= a) {
        best = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return best >= 0 && a < sorted[best].address + sorted[best].size ? sorted[best] : undefined;
  };
  // Globals first, in address order, so that their numbering does not depend on root order.
  const dataOrder = [];
  for (let r = 0; r < roots.count; r++) {
    const k = roots.kind[r];
    if (k === RootKind.Data || k === RootKind.Bss) dataOrder.push(r);
  }
  dataOrder.sort((a, b) => roots.slotAddress[a] - roots.slotAddress[b]);
  for (const r of dataOrder) {
    const slot = roots.slotAddress[r];
    const g = globalAt(slot);
    if (g) {
      rootNode[r] = node(`g:${g.name}@${g.address}`, 'global', g.name, g.address);
    } else {
      const seg = roots.kind[r] === RootKind.Data ? 'data' : 'bss';
      rootNode[r] = node(`s:${slot}`, 'global', `${seg}+0x${roots.owner[r].toString(16)}`, slot);
    }
  }
  for (let g = 0; g < graph.goroutines.length; g++) {
    node(`go:${g}`, 'goroutine', goroutineName(graph, g), graph.goroutines[g].address);
  }
  const other = (): number => node('other', 'other', 'other runtime roots', 0);
  for (let r = 0; r < roots.count; r++) {
    const owner = roots.owner[r];
    switch (roots.kind[r] as RootKind) {
      case RootKind.Data:
      case RootKind.Bss:
        break;
      case RootKind.StackFrame: {
        const g = graph.frames.goroutine[owner];
        rootNode[r] = g >= 0 ? byKey.get(`go:${g}`)! : other();
        break;
      }
      case RootKind.Goroutine:
      case RootKind.GoroutineContext:
      case RootKind.Defer:
      case RootKind.DeferFunc:
      case RootKind.Panic:
      case RootKind.PanicArg:
        rootNode[r] = owner >= 0 && owner < graph.goroutines.length ? byKey.get(`go:${owner}`)! : other();
        break;
      case RootKind.Finalizer:
      case RootKind.FinalizerFunc:
      case RootKind.QueuedFinalizer:
      case RootKind.QueuedFinalizerFunc:
        rootNode[r] = node('finalizers', 'finalizer', 'finalizers', 0);
        break;
      default:
        rootNode[r] = other();
    }
  }
  return { count: kind.length, kind, name, address, rootNode };
}
