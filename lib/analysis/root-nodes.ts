// Root nodes: the GC roots of a dump grouped into the units a user thinks in — one per global variable (or per
// Data/BSS pointer slot without DWARF), one per goroutine group (goroutines with identical stacks,
// goroutine-groups.ts), one for finalizers, one for the other runtime roots. A group's node retains exactly what
// its goroutines together alone keep alive (memory reachable from two goroutines of one group counts for it).
//
// Every root of the RootTable belongs to exactly one root node: rootNode[r] is its node number (0-based among
// root nodes). Node numbers follow first appearance in this order: globals by address, goroutine groups in the
// order of goroutineGroups (consecutive nodes: group k is node firstGroupNode + k), finalizers, other.
import { type HeapGraph, RootKind } from '../graph/index.js';
import { goroutineFunction, goroutineGroups, type FrameNames } from './goroutine-groups.js';

/**
 * What a root node stands for: a global, one goroutine ('goroutine', named "goroutine 17 (main.f)"), a group of
 * goroutines with identical stacks ('goroutines', named after its top user function), the finalizers, the rest.
 */
export type RootNodeKind = 'global' | 'goroutine' | 'goroutines' | 'finalizer' | 'other';

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
  /** The address of the global, the g of the goroutine (of a group's first goroutine); 0 for the finalizer and other nodes. */
  address: number[];
  /** Per root of the graph's RootTable: the root node it belongs to. */
  rootNode: Uint32Array;
}

/**
 * The name of goroutine g: "goroutine 17 (main.recurse)", after its id and its innermost non-runtime frame (the
 * outermost frame when all are the runtime's).
 */
export function goroutineName(graph: HeapGraph, g: number, names?: FrameNames): string {
  // A goroutine with only runtime frames (a system goroutine) is named after its start function.
  const fn = goroutineFunction(graph, g, names);
  return fn === '' ? `goroutine ${graph.goroutines[g].goid}` : `goroutine ${graph.goroutines[g].goid} (${fn})`;
}

/** The node of the first goroutine group (groups are consecutive nodes), or -1 when there is none. */
export function firstGroupNode(rootNodes: RootNodes): number {
  return rootNodes.kind.findIndex((k) => k === 'goroutine' || k === 'goroutines');
}

/**
 * The name of a group node: the single goroutine's name for a group of one, else the top user function
 * ("main.handle"; "goroutines" when no frame is known).
 */
function groupName(graph: HeapGraph, members: readonly number[], fn: string, names?: FrameNames): string {
  if (members.length === 1) return goroutineName(graph, members[0], names);
  return fn === '' ? 'goroutines' : fn;
}

/**
 * Groups the roots of `graph` into root nodes. With `globals` (sorted by address or not), a Data/BSS slot is
 * given to the global that contains its address; slots outside every global get a node of their own named
 * `data+0x1a8` / `bss+0x10` after their offset in the segment.
 */
export function buildRootNodes(graph: HeapGraph, globals?: readonly GlobalVariable[], names?: FrameNames): RootNodes {
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
  const { groups, groupOf } = goroutineGroups(graph, names);
  const groupNode = groups.map((grp, k) => node(`go:${k}`, grp.members.length === 1 ? 'goroutine' : 'goroutines',
    groupName(graph, grp.members, grp.function, names), graph.goroutines[grp.members[0]].address));
  const other = (): number => node('other', 'other', 'other runtime roots', 0);
  for (let r = 0; r < roots.count; r++) {
    const owner = roots.owner[r];
    switch (roots.kind[r] as RootKind) {
      case RootKind.Data:
      case RootKind.Bss:
        break;
      case RootKind.StackFrame: {
        const g = graph.frames.goroutine[owner];
        rootNode[r] = g >= 0 ? groupNode[groupOf[g]] : other();
        break;
      }
      case RootKind.Goroutine:
      case RootKind.GoroutineContext:
      case RootKind.Defer:
      case RootKind.DeferFunc:
      case RootKind.Panic:
      case RootKind.PanicArg:
        rootNode[r] = owner >= 0 && owner < graph.goroutines.length ? groupNode[groupOf[owner]] : other();
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
