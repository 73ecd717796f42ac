// A session's instances by type row (HeapSession.instances, type pages, search): the instance index as a derived
// index, in both groupings (as `types` groups them, and as `types --by-length`: "[37]*main.Node"), and, while a
// builder process writes it (a viewer's first start on an index the CLI wrote), one row's index made here so that a
// page answers without waiting: from one pass over the objects on a heap of up to ROW_SCAN_MAX_OBJECTS, else from one
// pass over their typing ids for a row of few objects named by their Go type, and for a crowded one its head: its
// members' bitmap, their retained-size histogram and its first HEAD_MEMBERS reachable members by retained size
// (typed-row.ts), from which any page of its reachable members is found (crowded-row.ts). instances.ts holds the
// index itself.
import { type Column, type ColumnArray, columnOf, type HeapGraph } from '../graph/index.js';
import { type HeapTypes, TINY_BLOCK_NAME } from '../typing/index.js';
import type { HeapDominators, TypeRow } from '../analysis/index.js';
import type { StoredAnalysis } from '../store/index.js';
import { InstanceIndex, type InstanceSort, type MemberFacts, rowGrouping, rowMembers } from './instances.js';
import { type HeadSource, type RowHead, typedRowHead, typedRowMembers, typingsOfRow } from './typed-row.js';
import { membersInRunOrder, planRetainedPage, type RetainedPlan, retainedPage, runsInOrder } from './crowded-row.js';
import { SCAN_OBJECTS } from './scan-chunk.js';
import type { DerivedIndexes, DerivedStructure } from './derived.js';
import type { BuildingElsewhere } from './building-elsewhere.js';
import type { SubObjects } from './sub-objects.js';

/** The derived index of instances grouped as `types` groups them. */
export const INSTANCES_INDEX = 'instances-v5';
/** The derived index of instances grouped as `types --by-length` groups them. */
export const SPLIT_INSTANCES_INDEX = 'instances-split-v5';

/** A type name `types --by-length` has and `types` has not: an array's, with its length ("[37]*main.Node"). */
const ARRAY_BY_LENGTH = /^\[[0-9]+\]/;

/**
 * The most objects a heap has for a type's instances to be found by one pass over the objects while a worker builds
 * the instance index (indexNow). Measured on this project's 2-core machine: on 14 M objects a type page answered
 * so in 0.2-2.1 s (the first one reads the types and retained sizes); on 72 M objects one row took 5-10 s and its
 * first sort by retained size 10 s more, with 1-2 GB more on the main thread: longer than the worker takes to write
 * the instance index. Such a heap's type pages find a row of few objects from their typing ids instead
 * (SCANNED_ROW_MAX_MEMBERS), and wait for the instance index for the others.
 */
const ROW_SCAN_MAX_OBJECTS = 32_000_000;

/** ROW_SCAN_MAX_OBJECTS, or GOHEAP_TEST_ROW_SCAN_MAX_OBJECTS (tests try a large heap's ways on a small one). */
function rowScanMaxObjects(): number {
  const v = Number(process.env.GOHEAP_TEST_ROW_SCAN_MAX_OBJECTS);
  return process.env.GOHEAP_TEST_ROW_SCAN_MAX_OBJECTS !== undefined && Number.isFinite(v) ? v : ROW_SCAN_MAX_OBJECTS;
}

/**
 * The most members a row has for a page to list them from one pass over the objects' typing ids while a worker builds
 * the instance index, on a heap larger than ROW_SCAN_MAX_OBJECTS (listedByTypings): each member's reachability and
 * retained size is read by position, and a page sorts them. On 72 M objects, with the builder running beside it, a
 * page of a row of 1.8 M objects took 3.3-4.8 s, one of a few objects 1.3-2 s (the scan of the typing ids, and that of
 * the edges for the row's referrers). A more crowded row answers from its head and bitmap (headOf): for that row of
 * 1.8 M objects, alone, one pass of 0.8 s where the scan and the sort took 1.4 s.
 */
const SCANNED_ROW_MAX_MEMBERS = 1_000_000;

/** SCANNED_ROW_MAX_MEMBERS, or GOHEAP_TEST_SCANNED_ROW_MAX_MEMBERS (tests try a crowded row's ways on a small heap). */
function scannedRowMaxMembers(): number {
  const v = Number(process.env.GOHEAP_TEST_SCANNED_ROW_MAX_MEMBERS);
  return process.env.GOHEAP_TEST_SCANNED_ROW_MAX_MEMBERS !== undefined && Number.isFinite(v) ? v : SCANNED_ROW_MAX_MEMBERS;
}

/**
 * The reachable members by retained size a crowded row's head holds, on a heap larger than ROW_SCAN_MAX_OBJECTS while
 * the builder writes the instance lists: a page by retained size within them answers from them (the viewer's pages
 * list at most 1,000); a deeper one from the row's histogram and a pass over its retained sizes (crowded-row.ts).
 */
const HEAD_MEMBERS = 1000;

/** HEAD_MEMBERS, or GOHEAP_TEST_HEAD_MEMBERS (tests try a crowded row's deeper pages on a small heap). */
function headMembers(): number {
  const v = Number(process.env.GOHEAP_TEST_HEAD_MEMBERS);
  return process.env.GOHEAP_TEST_HEAD_MEMBERS !== undefined && Number.isFinite(v) ? v : HEAD_MEMBERS;
}

/** Crowded rows whose heads are kept (each a bit per object of the heap beside its head). */
const HEADS_KEPT = 4;

/** What a query asks of a type's instances (TypeInstances.page's options). */
export interface InstanceAsk {
  sort?: InstanceSort;
  offset?: number;
  /** 0: every instance. */
  limit?: number;
  all?: boolean;
}

/** What the instance lists read of their session (HeapSession has it all). */
export interface InstanceSource {
  readonly graph: HeapGraph;
  readonly types: HeapTypes;
  readonly dominators: HeapDominators;
  readonly subObjects: SubObjects;
  readonly objectCount: number;
  typeRows(): TypeRow[];
  isReachable(i: number): boolean;
  retained(i: number): number;
  size(i: number): number;
  address(i: number): number;
  /** The retained sizes of objects [lo, hi), into `scratch` when it is long enough (a chunk of a pass). */
  retainedOfObjects(lo: number, hi: number, scratch: ArrayBuffer): ColumnArray;
}

export class TypeInstances {
  private joined: InstanceIndex | undefined;
  private split: InstanceIndex | undefined;
  /** The names of typeRows (for structures). */
  private typeNames: Set<string> | undefined;
  /** Crowded rows' heads found while the builder writes the instance lists, the last asked last. */
  private readonly heads = new Map<string, RowHead>();
  /** The heap's runs in the orders crowded rows' deeper pages walk them. */
  private readonly runOrders = new Map<'address' | 'size', Uint32Array>();
  /** The last crowded page by retained size (the viewer asks whether it waits, then for the page). */
  private lastRetainedPage: { key: string; members: Uint32Array } | undefined;

  constructor(
    private readonly s: InstanceSource,
    private readonly analysis: StoredAnalysis,
    private readonly derived: DerivedIndexes,
    private readonly elsewhere: BuildingElsewhere,
  ) {}

  /** See HeapSession.instances. */
  page(type: string, options: InstanceAsk): ReturnType<InstanceIndex['page']> {
    if (!this.mayBeRow(type)) return undefined;
    const crowded = this.crowdedPage(type, options);
    if (crowded !== undefined) return crowded;
    const index = this.indexNow(type);
    if (index === undefined) return undefined;
    // Reachable instances unless `all` (as the type histogram counts); a sub-object is reachable with its block.
    return index.page(type, options.sort ?? 'retained', options.offset ?? 0, options.limit ?? 50, !options.all, this.wholeMemberFacts());
  }

  /** True when `type` names a type row (see HeapSession.hasInstances). */
  has(type: string): boolean {
    if (!this.mayBeRow(type)) return false;
    // A crowded row while the builder writes the lists: a row of `types` named by a Go type (no pass needed).
    if (this.elsewhere.has(...this.structures(type)) && !this.answersMeanwhile(type) && this.headable(type)) return true;
    return this.indexNow(type) !== undefined;
  }

  /**
   * The derived indexes that page(type) and has(type) read: the by-length one too for an array's name that is no row
   * of `types` ("[37]*main.Node"; "[16]uint8", a Go type, is one).
   */
  structures(type: string): DerivedStructure[] {
    if (!ARRAY_BY_LENGTH.test(type)) return ['instances'];
    return this.rowNames().has(type) ? ['instances'] : ['instances', 'instances-by-length'];
  }

  /**
   * Whether `type` can name a row of the instance lists: a row of `types` (which counts every object, grouped as the
   * joined lists group them), the tiny blocks' own row (`types` counts their bytes as TINY_REST_NAME's), or an array's
   * name with its length, a row of the lists by length. Any other name is none, known without the lists (a search
   * for an address or a word waits for nothing).
   */
  private mayBeRow(type: string): boolean {
    return ARRAY_BY_LENGTH.test(type) || type === TINY_BLOCK_NAME || this.rowNames().has(type);
  }

  /** The names of typeRows. */
  private rowNames(): Set<string> {
    this.typeNames ??= new Set(this.s.typeRows().map((r) => r.type));
    return this.typeNames;
  }

  /**
   * The derived indexes a query of page(type, ask) (or of has(type), without `ask`) waits for while a worker builds
   * them: none when it is not building them, or when this session answers meanwhile (answersMeanwhile), or from a
   * crowded row's head (crowdedWay: has(type) needs no head); else those structures() names.
   */
  toWaitFor(type: string, ask?: InstanceAsk): DerivedStructure[] {
    if (!this.mayBeRow(type)) return [];
    const needs = this.structures(type).filter((n) => this.elsewhere.has(n));
    if (needs.length === 0 || this.answersMeanwhile(type)) return [];
    if (ask === undefined ? this.headable(type) : this.crowdedWay(type, ask) !== undefined) return [];
    return needs;
  }

  /**
   * Whether row `type` is answered whole while a worker builds the instance lists: from one pass over the objects (a
   * heap of up to ROW_SCAN_MAX_OBJECTS) or over their typing ids (listedByTypings).
   */
  private answersMeanwhile(type: string): boolean {
    return this.s.objectCount <= rowScanMaxObjects() || this.listedByTypings(type);
  }

  /**
   * A page of crowded row `type` while a worker builds the instance lists on a heap too large for answersMeanwhile
   * (crowdedWay): by address or size from its members' bitmap; by retained size within its first HEAD_MEMBERS from its
   * head, deeper from its histogram and one pass over the members' retained sizes (crowded-row.ts). Undefined when
   * crowdedWay has no way to it.
   */
  private crowdedPage(type: string, ask: InstanceAsk): ReturnType<InstanceIndex['page']> {
    const way = this.crowdedWay(type, ask);
    if (way === undefined) return undefined;
    const { head, from, to, plan } = way;
    const sort = ask.sort ?? 'retained';
    let items: Uint32Array;
    if (sort !== 'retained') {
      items = membersInRunOrder(head.members, this.s.graph.addressIndex, this.runOrder(sort), from, to);
    } else if (plan === undefined) {
      items = head.byRetained.subarray(from, to);
    } else {
      const key = `${type}\0${from}\0${to}`;
      if (this.lastRetainedPage?.key !== key) {
        const members = retainedPage(this.headSource(), head.members, plan, this.runOrder('address'), from, to, SCAN_OBJECTS);
        this.lastRetainedPage = { key, members };
      }
      items = this.lastRetainedPage.members;
    }
    return { total: head.count, offset: ask.offset ?? 0, count: head.count, bytes: head.bytes, items: Array.from(items) };
  }

  /**
   * How crowdedPage finds the page `ask` reads of crowded row `type` (headOf), from its head alone, in ranks [from,
   * to) of its reachable members, or by retained size past the head, with `plan` (planRetainedPage: no pass yet).
   * Undefined when it is no such row's page, or one by retained size whose ranks fall in a bucket too crowded.
   */
  private crowdedWay(type: string, ask: InstanceAsk): { head: RowHead; from: number; to: number; plan?: RetainedPlan } | undefined {
    const head = this.headOf(type, ask);
    if (head === undefined) return undefined;
    const from = Math.min(ask.offset ?? 0, head.count);
    const to = Math.min(head.count, from + (ask.limit ?? 50));
    if ((ask.sort ?? 'retained') !== 'retained' || to <= head.byRetained.length) return { head, from, to };
    const plan = planRetainedPage(head.retainedBuckets, from, to);
    return plan === undefined ? undefined : { head, from, to, plan };
  }

  /**
   * The head of crowded row `type` (its members' bitmap, their retained-size histogram and its first HEAD_MEMBERS
   * reachable members by retained size) when `ask` lists reachable members a page at a time while a worker builds the instance
   * lists on a heap too large for answersMeanwhile; found by one pass the first time (typedRowHead), and kept for the
   * last few such rows. Undefined otherwise.
   */
  private headOf(type: string, ask: InstanceAsk): RowHead | undefined {
    if (ask.all || (ask.limit ?? 50) <= 0) return undefined;
    if (!this.elsewhere.has('instances') && this.heads.size > 0) {
      // The lists are written: what stood in for them goes.
      this.heads.clear();
      this.runOrders.clear();
      this.lastRetainedPage = undefined;
    }
    if (!this.elsewhere.has(...this.structures(type)) || this.answersMeanwhile(type) || !this.headable(type)) return undefined;
    let head = this.heads.get(type);
    if (head === undefined) {
      const typeIds = this.typeIdColumn();
      head = typedRowHead({ ...this.headSource(), typeIds }, typingsOfRow(this.s.types, typeIds, type, false)!, headMembers(), SCAN_OBJECTS);
      // A bit per object of the heap each (9 MB at 72 M objects): the last few rows asked.
      if (this.heads.size >= HEADS_KEPT) this.heads.delete(this.heads.keys().next().value!);
    }
    this.heads.delete(type);
    this.heads.set(type, head);
    return head;
  }

  /** What a crowded row's passes read of the session (typedRowHead, retainedPage), a chunk of objects at a time. */
  private headSource(): HeadSource {
    const s = this.s;
    return { graph: s.graph, typeIds: this.typeIdColumn(), reachable: s.graph.column('reachable'), retained: (lo, hi, scratch) => s.retainedOfObjects(lo, hi, scratch) };
  }

  /** The heap's runs by address or by size (crowded-row.ts's pages walk them), made on first use. */
  private runOrder(by: 'address' | 'size'): Uint32Array {
    const kept = this.runOrders.get(by);
    if (kept !== undefined) return kept;
    const order = runsInOrder(this.s.graph.addressIndex, by);
    this.runOrders.set(by, order);
    return order;
  }

  /** The instance index (grouped as `types` groups, else as `types --by-length`) that has row `type`. */
  indexOf(type: string): InstanceIndex | undefined {
    const { graph, types, objectCount } = this.s;
    const facts = this.wholeMemberFacts();
    this.joined ??= this.derived.get(INSTANCES_INDEX, () => InstanceIndex.build(graph, types, facts), (x) => x.encode(),
      (p) => InstanceIndex.decode(p, objectCount));
    const joined = this.joined;
    if (joined.has(type)) return joined;
    // Only arrays are named apart by length ("[37]*main.Node"): another name is no row there either.
    if (!ARRAY_BY_LENGTH.test(type)) return undefined;
    this.split ??= this.derived.get(SPLIT_INSTANCES_INDEX,
      () => joined.refine(graph, types, true) ?? InstanceIndex.build(graph, types, facts, true), (x) => x.encode(),
      (p) => InstanceIndex.decode(p, objectCount));
    return this.split.has(type) ? this.split : undefined;
  }

  /** Lets go of the indexes in memory (read back from their files when next used). */
  letGo(): void {
    this.joined = undefined;
    this.split = undefined;
  }

  /**
   * The instance index that has row `type` (indexOf), or while a worker builds the one it would be in, an index of
   * that row alone: on a heap small enough (ROW_SCAN_MAX_OBJECTS), from one pass over the objects (grouped as `types`
   * groups, else as `types --by-length`); on a larger one, for a row of few enough objects named by their Go type
   * (listedByTypings), from one pass over the objects' typing ids. A page answers now rather than wait for the worker
   * or build the whole index a second time here.
   */
  private indexNow(type: string): InstanceIndex | undefined {
    if (!this.elsewhere.has(...this.structures(type)) || !this.answersMeanwhile(type)) return this.indexOf(type);
    const e = this.elsewhere;
    const { graph, types } = this.s;
    return e.row(type, () => {
      if (graph.objectCount > rowScanMaxObjects()) {
        const typeIds = this.typeIdColumn();
        const wanted = typingsOfRow(types, typeIds, type, false);
        if (wanted === undefined) return undefined;
        return InstanceIndex.ofRow(graph, types, this.pointMemberFacts(), type, typedRowMembers(graph, typeIds, wanted), (i) => graph.sizeOf(i));
      }
      const facts = this.wholeMemberFacts();
      const order = e.order(() => graph.objectsByAddress());
      const of = (split: boolean): InstanceIndex | undefined => {
        const row = rowMembers(graph, e.grouping(split, () => rowGrouping(graph, types, split)), order, type);
        return row === undefined ? undefined : InstanceIndex.ofRow(graph, types, facts, type, row);
      };
      return of(false) ?? (ARRAY_BY_LENGTH.test(type) ? of(true) : undefined);
    });
  }

  /**
   * Whether row `type` of `types` is listed whole from the objects' typing ids (typed-row.ts): a headable row of at
   * most SCANNED_ROW_MAX_MEMBERS objects (a page sorts them).
   */
  private listedByTypings(type: string): boolean {
    return this.headable(type) && this.s.typeRows().find((r) => r.type === type)!.count <= scannedRowMaxMembers();
  }

  /**
   * Whether row `type` of `types` can be found from the objects' typing ids alone (typed-row.ts): a row named by its
   * Go type (not a tiny block's row, nor one with tiny blocks' sub-objects, nor an array's by length).
   */
  private headable(type: string): boolean {
    if (this.structures(type).includes('instances-by-length')) return false;
    if (!this.s.typeRows().some((r) => r.type === type)) return false;
    return typingsOfRow(this.s.types, this.typeIdColumn(), type, false) !== undefined;
  }

  /** Object i's typing id by position: a block at a time from the index when the types came from one. */
  private typeIdColumn(): Column {
    return this.analysis.column?.('objectType') ?? columnOf(this.s.types.objectType);
  }

  /** MemberFacts for a few members: each read by position (from the index a block at a time when the arrays are there). */
  private pointMemberFacts(): MemberFacts {
    const s = this.s;
    return { isReachable: (i) => s.isReachable(i), retained: (i) => s.retained(i), size: (i) => s.size(i), address: (i) => s.address(i) };
  }

  /**
   * MemberFacts for building an instance index: a pass over every member, from the whole arrays (not element by
   * element from the index file).
   */
  private wholeMemberFacts(): MemberFacts {
    const s = this.s;
    const n = s.graph.objectCount;
    const first = s.dominators.firstObjectNode;
    // Read on first use: a page of one run asks nothing of its members.
    let reachable: Uint8Array | undefined;
    let retained: Float64Array | undefined;
    return {
      isReachable: (i) => (reachable ??= s.graph.reachable)[i < n ? i : s.subObjects.blockOf(i)] !== 0,
      retained: (i) => (i < n ? (retained ??= this.analysis.retained)[first + i] : s.retained(i)),
      size: (i) => s.size(i), address: (i) => s.address(i),
    };
  }
}
