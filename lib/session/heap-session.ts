// HeapSession: the one way to open a heap dump. Every consumer (CLI commands, exporters, the viewer) opens a dump
// through it and asks it questions by object index (0 .. objectCount-1, file order). The persisted index is a cache
// behind it (load-state.ts): a warm open answers exactly like a cold one. Queries that need a whole-heap structure
// (dominator-tree children, reverse edges, per-type instance lists, the type histogram) build it once, on first use,
// and keep it. The dominator graph's numbering (super-root 0, root nodes 1..R, objects after) stays inside.
// The sub-objects of tiny allocator blocks (a boxed uint32, a 4-byte struct: several in one 16-byte block) are
// instances too: index objectCount + k names sub-object k of types.tinyObjects (sub-objects.ts), and every query by
// index (address, size, type, describe, referrers, paths, dominators, instances) answers for it as for an object:
// its referrers are those whose pointer lands inside it, its path and dominators go through its block.
// The session's parts each have a file: instances by type row (type-instances.ts, over instances.ts), referrers and
// reverse edges (object-referrers.ts), the dominator tree by object and node (dominator-queries.ts), kept answers
// (kept-answers.ts), tiny blocks' sub-objects (sub-objects.ts); how it is loaded or computed is load-state.ts.
import * as fs from 'node:fs';
import type { ColumnArray, HeapGraph } from '../graph/index.js';
import { loadGoProgram, type GoProgram, type GoGlobal } from '../gotypes/index.js';
import {
  checkBinaryMatchesDump, describeObject, type HeapTypes, histogramRowNames, type ObjectDescription, RecoveredTypes, restoreTypes,
  type TypeCount, type TypeCoverage, typeCoverage, typeHistogram as typingHistogram, untypedNames,
} from '../typing/index.js';
import {
  type DominatorTree, type HeapDominators, NONE, type RootNodeRow, rootNodeRows,
  type PathHop, type RootNodes, type RowMembership, type TypeRow, typeHistogram, type ObjectRow, topObjects,
} from '../analysis/index.js';
import { rootPathHops, rootsReaching, rootsReachingWithin } from '../analysis/heap-paths.js';
import type { EncodedPart, SourceIdentity, StoredAnalysis } from '../store/index.js';
import { indexCurrent, loadIndexedState, loadSessionState, type OpenOptions, type SessionState, traceMemoryPoint } from './load-state.js';
import { collectGarbage } from '../collect-garbage.js';
import { loadStateInWorker } from './worker-client.js';
import { type InstanceSort, rowMembership } from './instances.js';
import { type InstanceAsk, INSTANCES_INDEX, SPLIT_INSTANCES_INDEX, TypeInstances } from './type-instances.js';
import { DerivedIndexes, type DerivedStructure, typeRowsCodec } from './derived.js';
import { sessionShared, sessionSharedGroups } from './leak-queries.js';
import { rootReferrer, type Referrer } from './referrers.js';
import { ObjectReferrers, REVERSE_INDEX } from './object-referrers.js';
import { SubObjects } from './sub-objects.js';
import { KeptAnswers } from './kept-answers.js';
import { type Dominator, DominatorQueries, type TreeNode } from './dominator-queries.js';
import { BuildingElsewhere } from './building-elsewhere.js';
import type { DerivedWorkerRequest } from './derived-worker.js';
import { startDerivedBuilder } from './derived-builder.js';

export interface SessionOpenOptions extends OpenOptions {
  /** Load in a worker thread, so that this thread stays responsive (progress still arrives through onProgress). */
  worker?: boolean;
  /**
   * On a cold open that keeps its summaries (summariesKept), called with the session before the open waits for its
   * analysis index, which a worker thread writes meanwhile: the answers the caller keeps then (lib/answers
   * keepColdOpenAnswers) are computed while the index is written rather than after it (72 M objects: 2 s sooner).
   */
  whileWriting?: (s: HeapSession) => void;
}

export interface Page<T> {
  total: number;
  offset: number;
  items: T[];
}

/** Objects rootsKeepingAlive searches by position before it reads the whole reverse edges. */
const ROOTS_SEARCH_BUDGET = 100_000;

/** Rows of topObjects kept in a derived index. */
const TOP_KEPT = 1000;

export class HeapSession {
  readonly graph: HeapGraph;
  /** True when types came from the binary. */
  readonly typed: boolean;
  readonly dominators: HeapDominators;
  readonly rootNodes: RootNodes;
  readonly fromIndex: { graph: boolean; analysis: boolean };
  readonly indexNotes: string[];
  readonly dumpPath: string;
  /** The dump file as it was when opened (size, mtime, inode, ctime, sampled hash): see lib/store sourceIdentity. */
  readonly dumpIdentity: SourceIdentity;
  readonly binaryPath: string | undefined;
  // The binary's program and the types are made on first use: a warm `info` or `types` reads neither the binary's
  // DWARF nor the per-object type arrays.
  private program_: GoProgram | undefined;
  private types_: HeapTypes | undefined;
  private readonly state: SessionState;
  private readonly analysis: StoredAnalysis;
  private readonly derived: DerivedIndexes;
  /** rootsKeepingAlive's answers per topmost dominator, the most recent 256. */
  private readonly rootsOfTop = new Map<number, { kinds: string[]; rootNodes: number[] }>();
  private typeRows_: TypeRow[] | undefined;
  private topRows_: ObjectRow[] | undefined;
  private readonly typeCounts_ = new Map<string, TypeCount[]>();
  /** The row names of `types` by typing id (typeRowName). */
  private rowNames_: string[] | undefined;
  private rootRows_: RootNodeRow[] | undefined;
  private subObjects_: SubObjects | undefined;
  private readonly answers_: KeptAnswers;
  private summariesKept_ = false;
  /** The derived indexes a worker is building (keepDerivedInWorker), and what is answered meanwhile. */
  private readonly elsewhere = new BuildingElsewhere();
  /** The instances by type row (type-instances.ts). */
  private readonly instanceLists: TypeInstances;
  /** Who points at each object (object-referrers.ts). */
  private readonly referrers_: ObjectReferrers;
  /** The dominator tree by object and node (dominator-queries.ts). */
  private readonly dominatorQueries: DominatorQueries;

  private constructor(state: SessionState) {
    this.state = state;
    this.graph = state.graph;
    this.analysis = state.analysis;
    this.program_ = state.program;
    this.types_ = state.recovered;
    this.typed = state.recovered !== undefined || (state.binary !== null && state.analysis.types !== null);
    const a = state.analysis;
    this.rootNodes = a.rootNodes;
    // idom and retained are read from the index when first used (a warm `info` never reads them).
    this.dominators = {
      rootNodes: a.rootNodes, nodeCount: state.graph.objectCount + a.rootNodes.count + 1, firstObjectNode: a.rootNodes.count + 1,
      get idom() {
        return a.idom;
      },
      get retained() {
        return a.retained;
      },
    };
    this.fromIndex = state.fromIndex;
    this.indexNotes = state.indexNotes;
    this.dumpPath = state.dump.path;
    this.dumpIdentity = state.dump;
    this.binaryPath = state.binary?.path;
    this.derived = new DerivedIndexes(state.analysisFile, state.dump, state.binary, state.indexNotes);
    this.answers_ = new KeptAnswers(this.derived);
    this.instanceLists = new TypeInstances(this, state.analysis, this.derived, this.elsewhere);
    this.referrers_ = new ObjectReferrers(this, this.derived, this.elsewhere);
    this.dominatorQueries = new DominatorQueries(this.dominators, state.analysis, this.derived, () => state.dominatorTree?.(), () => this.graph.column('edgeStart'));
  }

  /** The tiny blocks' sub-objects, as indices objectCount + k (made on first use: it needs the types). */
  get subObjects(): SubObjects {
    this.subObjects_ ??= new SubObjects(this.graph, this.types);
    return this.subObjects_;
  }

  /** Opens `dumpPath` (with its executable in options.binary for types); see SessionOpenOptions. */
  static async open(dumpPath: string, options: SessionOpenOptions = {}): Promise<HeapSession> {
    const state = options.worker ? await loadStateInWorker(dumpPath, options) : loadSessionState(dumpPath, options);
    return HeapSession.fromState(state, options.whileWriting).openedWith(options);
  }

  /** This session, keeping the options it was opened with but those that only the open itself uses. */
  private openedWith(options: SessionOpenOptions): HeapSession {
    const { onProgress: _p, worker: _w, whileWriting: _k, ...reopen } = options;
    this.openOptions = reopen;
    return this;
  }

  /**
   * The session over `dumpPath`'s index when its graph and analysis indexes are both current (as open would make
   * it), else undefined, having read their headers only: what the command line tries first (cli/open-heap.ts), so
   * that a warm command reads the index's headers once, not once to check them (coldOpenNeeded) and again to open
   * them.
   */
  static openIndexed(dumpPath: string, options: OpenOptions = {}): HeapSession | undefined {
    const state = loadIndexedState(dumpPath, options);
    return state === undefined ? undefined : HeapSession.fromState(state).openedWith(options);
  }

  /**
   * Whether opening `dumpPath` would compute rather than read its index: the graph's index is not current, or (with a
   * binary) the analysis index is not. What a caller that runs cold opens elsewhere (cli/cold-open.ts) asks first.
   */
  static coldOpenNeeded(dumpPath: string, options: OpenOptions = {}): boolean {
    return !indexCurrent(dumpPath, options);
  }

  /** The options this session was opened with (for a worker that opens it again: keepDerivedInWorker). */
  private openOptions: OpenOptions | undefined;

  /**
   * The large derived indexes keepDerived builds, in the order it builds them (what pages cannot do without first),
   * each with its file and what builds it (or reads it back): the sorted dominator tree (the dominators page; a cold
   * open with the binary has written it already), the reverse edges (referrers: object pages wait for them; a type
   * page's sample of referrers scans the edges meanwhile), the instance lists as `types` groups them (type pages and
   * search, which find a row meanwhile unless it is too crowded: type-instances.ts), and as `types --by-length` groups
   * them (arrays by length; no type is named "[0]", so asking for it reads or builds that index).
   */
  private static readonly LARGE_DERIVED: readonly (readonly [DerivedStructure, string, (s: HeapSession) => void])[] = [
    ['tree', 'tree', (s) => s.dominatorTree()],
    ['reverse', REVERSE_INDEX, (s) => s.referrers_.build()],
    ['instances', INSTANCES_INDEX, (s) => s.instanceLists.indexOf('')],
    ['instances-by-length', SPLIT_INSTANCES_INDEX, (s) => s.instanceLists.indexOf('[0]')],
  ];

  /**
   * The large derived indexes not kept yet beside the index this session came from (with the binary), in the order
   * keepDerived builds them: the first queries that need one would build it. Empty for a session computed here.
   */
  missingStructures(): DerivedStructure[] {
    if (!this.fromIndex.analysis || !this.typed) return [];
    return HeapSession.LARGE_DERIVED.filter(([, file]) => !this.derived.current(file)).map(([name]) => name);
  }

  /**
   * Builds the large derived indexes and keeps them beside the index (each written unless it is there), in the order
   * of LARGE_DERIVED, calling onBuilt after each: what the first referrers, dominator-tree and instance queries would
   * otherwise build one by one.
   */
  keepDerived(onBuilt?: (name: DerivedStructure) => void, letGo = false): void {
    if (this.graph.objectCount === 0) return;
    for (const [name, file, build] of HeapSession.LARGE_DERIVED) {
      // One already kept is not read back whole only to be written again.
      if (!this.derived.current(file)) {
        build(this);
        if (letGo) this.letGoOf(name);
      }
      traceMemoryPoint(`derived ${name} kept`);
      onBuilt?.(name);
    }
  }

  /**
   * Lets go of derived structure `name` once written (read back by position when next used), and of the whole
   * arrays its build read: for a session that only builds them (lib/session/derived-worker.ts), so that they do not
   * add up (a 70 M-object heap's reverse edges alone are 0.8 GB). The index by length is made from the one as `types`
   * groups it, read back from its file then.
   */
  private letGoOf(name: DerivedStructure): void {
    if (name === 'tree') this.dominatorQueries.letGoOfTree();
    if (name === 'reverse') this.referrers_.letGo(true);
    if (name === 'instances' || name === 'instances-by-length') this.instanceLists.letGo();
    this.releaseArrays();
  }

  /**
   * keepDerived in a process of its own (lib/session/derived-worker.ts) that opens this dump again from its index
   * (this thread stays free, and this process small): calls onBuilt as each derived index is written (this session
   * then reads it by position), and resolves once all are. Until then, queries that need one would build it here: the
   * caller keeps them waiting, or this session answers them another way (type-instances.ts, referrersOfEach). The
   * process is stopped when this session is closed or this process ends; the index files it had not finished are
   * removed.
   */
  keepDerivedInWorker(onBuilt?: (name: DerivedStructure) => void): Promise<void> {
    const request: DerivedWorkerRequest = { dumpPath: this.dumpPath, options: this.openOptions ?? { binary: this.binaryPath } };
    this.elsewhere.start(this.missingStructures());
    const builder = startDerivedBuilder(request, this.derived.folder, (name) => {
      this.elsewhere.done(name);
      onBuilt?.(name);
    });
    this.stopBuilder = builder.stop;
    return builder.done.then((peakRssMB) => {
      this.builderPeakRssMB = peakRssMB;
    }).finally(() => {
      this.stopBuilder = undefined;
      this.elsewhere.done();
    });
  }

  /** Stops the process keepDerivedInWorker started, while it runs. */
  private stopBuilder: (() => void) | undefined;

  /** The peak RSS of the process keepDerivedInWorker started (MB), once it is done. */
  builderPeakRssMB: number | undefined;

  /**
   * Builds the session over a loaded state. A state computed in this thread brings its program and types; otherwise
   * they are restored from the index on first use, except that an analysis computed elsewhere (a worker) is checked
   * against the binary now. An analysis read from the index was checked when it was computed, for this very binary.
   * `whileWriting`: see SessionOpenOptions.
   */
  static fromState(state: SessionState, whileWriting?: (s: HeapSession) => void): HeapSession {
    const h = new HeapSession(state);
    if (state.binary && !state.program && !state.fromIndex.analysis) void h.program;
    // A cold open with the binary has its dominators and types in memory: write the summaries a warm command
    // answers from beside the analysis index it wrote, rather than have the first warm `types` read every per-object
    // array back.
    // Its analysis index may still be being written on a worker thread meanwhile (the summaries do not read it):
    // the open is over once it is written.
    if (state.binary && !state.fromIndex.analysis && state.analysisFile !== null && (state.finishWriting !== undefined || fs.existsSync(state.analysisFile))) {
      h.keepSummaries();
      h.summariesKept_ = true;
      try {
        whileWriting?.(h);
      } finally {
        // Should it throw, the index is written all the same (no unfinished file is left behind).
        state.finishWriting?.();
      }
    }
    state.finishWriting?.();
    return h;
  }

  /** Object types: RecoveredTypes (field names, Go types) with a binary, size-class names without one. */
  get types(): HeapTypes {
    if (this.types_ === undefined) {
      const program = this.program;
      const state = this.state;
      if (program && state.analysis.types) {
        const restored = restoreTypes(state.graph, program, state.analysis.types);
        if (!restored) throw new Error(`${state.binary!.path}: the index's types do not fit this binary; remove the index and retry`);
        this.types_ = restored;
      } else this.types_ = untypedNames(state.graph);
    }
    return this.types_;
  }

  /** The executable's program (Go types, globals, functions), or undefined when opened without a binary. */
  get program(): GoProgram | undefined {
    if (this.program_ === undefined && this.state.binary) {
      const program = loadGoProgram(this.state.binary.path);
      checkBinaryMatchesDump(this.state.graph, program, this.state.binary.path);
      this.program_ = program;
      traceMemoryPoint('program loaded');
    }
    return this.program_;
  }

  get objectCount(): number {
    return this.graph.objectCount;
  }

  /**
   * Lets go of the whole-heap arrays that can be had again, read again from the index or laid out again when next
   * used: the graph's edges (lib/store), the arrays laid out from its runs, the shortest-path tree. For a long pass
   * that needs none of them (the suspects' after the shared retention), so that they do not add to its peak.
   */
  releaseArrays(): void {
    this.graph.releaseArrays();
    this.analysis.release?.();
    // Columns over arrays in memory would keep the released arrays alive (the paths': 115 MB on the bench dump).
    this.dominatorQueries.releaseColumns();
    this.referrers_.letGo();
    collectGarbage(); // V8 frees large typed arrays lazily: now, before the pass allocates its own
  }

  /** Releases the dump's file handle, the binary and the caches; stops a derived-index builder still running. */
  close(): void {
    this.stopBuilder?.();
    this.graph.close();
    this.program_?.close();
    this.dominatorQueries.close();
    this.referrers_.letGo();
    this.instanceLists.letGo();
  }

  // ---- objects ----

  address(i: number): number {
    return i < this.graph.objectCount ? this.graph.addressOf(i) : this.subObjects.address(i);
  }

  size(i: number): number {
    return i < this.graph.objectCount ? this.graph.sizeOf(i) : this.subObjects.size(i);
  }

  typeName(i: number): string {
    return i < this.graph.objectCount ? this.types.objectTypeName(i) : this.subObjects.typeName(i);
  }

  /**
   * The row of `types` that object i counts in, by its name there: typeName(i) names an array by its length and a
   * map's part by its Go type ("[128]map[int]*main.Order buckets"), `types` groups them ("map[int]*main.Order buckets").
   */
  typeRowName(i: number): string {
    const n = this.graph.objectCount;
    const id = i < n ? this.types.typeIdAt(i) : this.types.tinyObjects!.typing[i - n];
    if (id === 0) return this.typeName(i);
    this.rowNames_ ??= histogramRowNames(this.types, false);
    return this.rowNames_[id];
  }

  isReachable(i: number): boolean {
    return this.graph.isReachableAt(i < this.graph.objectCount ? i : this.subObjects.blockOf(i));
  }

  /** The object containing `address` (its start or inside it), or -1. */
  findObject(address: number): number {
    return this.graph.findObject(address);
  }

  /** Like findObject, but inside a tiny block the sub-object (index objectCount + k) covering `address`, if any. */
  findInstance(address: number): number {
    const i = this.graph.findObject(address);
    return i < 0 ? i : this.subObjects.at(i, address - this.graph.addressOf(i)) ?? i;
  }

  /**
   * The instance the pointer at `offset` in object i points at, given the edge's target object t: the tiny
   * sub-object of t it lands in (index objectCount + k) when t is a tiny block, else t.
   */
  pointerTarget(i: number, offset: number, t: number): number {
    return this.subObjects.landing(i, offset, t);
  }

  /** True for a tiny block that holds sub-objects (its page lists them; a pointer into one lands in one of them). */
  isSplitBlock(i: number): boolean {
    return i < this.graph.objectCount && this.subObjects.first(i) >= 0;
  }

  /** The sub-objects of tiny block i (indices objectCount + k, by offset); none for another object. */
  subObjectsOf(i: number): number[] {
    return i < this.graph.objectCount ? this.subObjects.of(i) : [];
  }

  /** The tiny block holding sub-object i, or i itself for an object. */
  blockOf(i: number): number {
    return this.subObjects.blockOf(i);
  }

  /** The global variable named `name` ("main.Cache"), or undefined (always undefined without a binary). */
  findGlobal(name: string): GoGlobal | undefined {
    return this.program?.globalByName(name);
  }

  /** The global whose bytes hold `address` (0x5e9ce0 of "*main.Cache", a value the linker allocated), or undefined. */
  globalAt(address: number): GoGlobal | undefined {
    return this.program?.globalAt(address);
  }

  /** Object i decoded through its type: fields with names, offsets, types, values (needs a binary). */
  describe(i: number, withReferrers = true): ObjectDescription {
    if (!(this.types instanceof RecoveredTypes)) throw new Error('describe needs the binary');
    // Without the referrers (a viewer page while they are being built elsewhere), their count is left 0.
    const count = (j: number): number => (withReferrers ? this.objectReferrerCount(j) : 0);
    if (i >= this.graph.objectCount) {
      const b = this.subObjects.blockOf(i);
      return this.subObjects.describe(i, describeObject(this.graph, this.types, b, count(b)), withReferrers ? this.referrers(i).length : 0);
    }
    return describeObject(this.graph, this.types, i, count(i));
  }

  // ---- dominators and retained sizes ----

  /** The retained sizes of whole objects [lo, hi) (a chunk of a pass over them), into `scratch` when it is long enough. */
  retainedOfObjects(lo: number, hi: number, scratch?: ArrayBuffer): ColumnArray {
    return this.dominatorQueries.retainedOfObjects(lo, hi, scratch);
  }

  /** Bytes object i keeps alive (0 when unreachable). */
  retained(i: number): number {
    // A sub-object holds no pointers: it keeps only itself alive (while its block is reachable).
    if (i >= this.graph.objectCount) return this.isReachable(i) ? this.subObjects.size(i) : 0;
    return this.dominatorQueries.nodeColumn('retained').at(this.dominatorQueries.objectNode(i));
  }

  /** Bytes root node k alone keeps alive (kept in the index's header: a warm open reads no array for it). */
  rootRetained(k: number): number {
    return this.analysis.rootRetained?.[k] ?? this.analysis.retained[k + 1];
  }

  /** Every reachable object's bytes together. */
  get reachableBytes(): number {
    return this.analysis.reachableBytes ?? this.analysis.retained[0];
  }

  /** Object i's immediate dominator (a sub-object's: its block). */
  dominator(i: number): Dominator {
    if (i >= this.graph.objectCount) return this.isReachable(i) ? { kind: 'object', object: this.subObjects.blockOf(i) } : { kind: 'none' };
    return this.dominatorQueries.dominatorOf(i);
  }

  /** The chain of dominators from object i up to the root (nearest first, ending at a root node or 'roots'). */
  dominatorChain(i: number, limit = 1000): Dominator[] {
    if (i >= this.graph.objectCount) {
      const b = this.subObjects.blockOf(i);
      return this.isReachable(i) ? [{ kind: 'object', object: b }, ...this.dominatorChain(b, limit - 1)] : [];
    }
    return this.dominatorQueries.chainOf(i, limit);
  }

  /** The nodes `node` immediately dominates, most retained first, paged. */
  dominated(node: TreeNode, offset = 0, limit = 50): Page<TreeNode & { retained: number }> {
    return this.dominatorQueries.dominated(node, offset, limit);
  }

  /** How many objects `node` keeps alive: the objects of its dominator subtree, itself included (0 when unreachable). */
  retainedCount(node: TreeNode): number {
    return this.dominatorQueries.retainedCount(node);
  }

  /**
   * The dominator tree in lib/analysis's node numbering, each node's children sorted by retained size, largest
   * first (a derived index): for handing to the pure analyses that walk it (findSuspects); ask dominated() instead.
   */
  dominatorTree(): DominatorTree {
    return this.dominatorQueries.sortedTree();
  }

  // ---- why an object is alive ----

  /** Who points at object i: objects (with the field) and roots (global, goroutine frame and variable, finalizer...). */
  referrers(i: number): Referrer[] {
    return this.referrers_.of(i);
  }

  /**
   * referrers() of each of `items`, in the same order, each when the caller comes to it: while a worker builds the
   * reverse edges, from one pass over the edges for all of them (a type page's "referenced by" asks a thousand
   * instances), not the whole reverse index built a second time here.
   */
  referrersOfEach(items: readonly number[]): Generator<Referrer[]> {
    return this.referrers_.ofEach(items);
  }

  /** The objects that point at object i (each as often as it points there). */
  referringObjects(i: number): Uint32Array {
    return this.referrers_.objects(i);
  }

  /** How many pointers of objects point at object i (roots not counted). */
  objectReferrerCount(i: number): number {
    return this.referrers_.count(i);
  }

  /** The shortest path from a root node to object i, from the persisted shortest-path tree; empty when unreachable. */
  pathToRoot(i: number): PathHop[] {
    if (i >= this.graph.objectCount) {
      // The path to its block, whose last hop is the sub-object itself (the pointer lands in it).
      const hops = this.pathToRoot(this.subObjects.blockOf(i));
      const last = hops[hops.length - 1];
      if (last === undefined) return hops;
      // The slot of the hop before that points into this sub-object (the tree's edge may point at another one).
      const before = hops[hops.length - 2];
      const ref = this.referrers(i).find((r) => (r.kind === 'object' ? before?.object === r.object : before !== undefined && before.kind !== 'object'));
      const self = { ...last, name: this.typeName(i), type: this.typeName(i), address: this.address(i), object: i };
      if (ref !== undefined) {
        hops[hops.length - 1] = { ...self, field: ref.kind === 'object' ? ref.field : ref.slot };
        return hops;
      }
      // The block is reached through another of its sub-objects: go through this one's nearest referrer instead.
      let best: { object: number; field: string } | undefined;
      let bestDistance = Infinity;
      for (const r of this.referrers(i)) {
        if (r.kind !== 'object') continue;
        const d = this.distance(r.object);
        if (d >= 0 && d < bestDistance) {
          bestDistance = d;
          best = r;
        }
      }
      if (best === undefined) return hops;
      return [...this.pathToRoot(best.object), { ...self, field: best.field }];
      return hops;
    }
    return rootPathHops(this.graph, this.types, this.rootNodes, this.dominatorQueries.pathParentColumn(), this.dominatorQueries.nodeColumn('pathParentEdge'), i,
      (r) => (rootReferrer(this.graph, this.types, this.rootNodes, this.program, r) as { slot: string }).slot);
  }

  /** Pointers from the nearest root to object i (1 for an object a root points at), or -1 when unreachable. */
  distance(i: number): number {
    i = this.subObjects.blockOf(i);
    const parent = this.dominatorQueries.pathParentColumn();
    let v = this.dominatorQueries.objectNode(i);
    if (parent.at(v) === NONE) return -1;
    let d = 0;
    while (v !== 0) {
      v = parent.at(v);
      d++;
    }
    return d - 1;
  }

  /**
   * The root nodes from which object i can be reached, and their kinds. Every path from a root to i passes through
   * each of i's dominators, so a root reaches i exactly when it reaches i's topmost object dominator D: when a single
   * root node dominates i, it is the answer; else the roots of D are searched once and kept for D's other objects.
   */
  rootsKeepingAlive(i: number): { kinds: string[]; rootNodes: number[] } {
    i = this.subObjects.blockOf(i);
    const chain = this.dominatorChain(i, Number.MAX_SAFE_INTEGER);
    const last = chain[chain.length - 1];
    if (last === undefined) return { kinds: [], rootNodes: [] };
    if (last.kind === 'root') return { kinds: [this.rootNodes.kind[last.rootNode]], rootNodes: [last.rootNode] };
    const below = chain.length >= 2 ? chain[chain.length - 2] : undefined;
    const top = below !== undefined && below.kind === 'object' ? below.object : i;
    let r = this.rootsOfTop.get(top);
    if (r === undefined) {
      // Few objects lead to most objects: search the reverse edges by position, and read them whole only past that.
      r = this.referrers_.ready ? undefined : rootsReachingWithin(this.graph, this.rootNodes, this.referrers_.columns(), top, ROOTS_SEARCH_BUDGET);
      if (r === undefined) {
        this.referrers_.build();
        r = rootsReaching(this.graph, this.rootNodes, top);
      }
      if (this.rootsOfTop.size >= 256) this.rootsOfTop.delete(this.rootsOfTop.keys().next().value!);
      this.rootsOfTop.set(top, r);
    }
    return r;
  }

  // ---- summaries ----

  /** Reachable objects and bytes, and how many of them have a type (kept in the index: a warm open reads no array). */
  typeCoverage(): TypeCoverage {
    return this.analysis.coverage && this.typed ? { ...this.analysis.coverage } : typeCoverage(this.graph, this.types);
  }

  /** Count, bytes and retained bytes per type, largest retained first (computed once). */
  typeRows(): TypeRow[] {
    this.typeRows_ ??= this.derived.get('types-v3', () => typeHistogram(this.graph, this.types, this.dominators, false, () => this.dominatorTree()), typeRowsCodec.encode, typeRowsCodec.decode);
    return this.typeRows_;
  }

  /**
   * Objects and bytes per histogram row as lib/typing's typeHistogram counts them (a derived index: a warm open
   * reads the rows, not the per-object arrays).
   */
  typeCounts(reachableOnly = false, splitArrays = false): TypeCount[] {
    const name = `type-counts-v2-${reachableOnly ? 'reachable' : 'all'}-${splitArrays ? 'split' : 'joined'}`;
    let rows = this.typeCounts_.get(name);
    if (rows === undefined) {
      rows = this.derived.get(name, () => typingHistogram(this.graph, this.types, reachableOnly, splitArrays), (r) => ({ meta: r, arrays: {} }),
        (p) => (Array.isArray(p.meta) ? (p.meta as TypeCount[]) : undefined));
      this.typeCounts_.set(name, rows);
    }
    return rows.map((r) => ({ ...r }));
  }

  /** Every root node with its retained size, largest first. */
  rootRows(): RootNodeRow[] {
    if (this.rootRows_ === undefined) {
      const kept = this.analysis.rootRetained;
      let dom = this.dominators;
      if (kept) {
        // The root nodes' retained sizes from the index's header: rootNodeRows then reads no per-node array.
        const retained = new Float64Array(kept.length + 1);
        retained[0] = this.reachableBytes;
        retained.set(kept, 1);
        dom = { rootNodes: this.rootNodes, retained } as HeapDominators;
      }
      this.rootRows_ = rootNodeRows(dom);
    }
    return this.rootRows_;
  }

  /**
   * The `limit` objects that retain most, largest first. The first TOP_KEPT rows are a derived index (the order is
   * total: retained, then address), so a warm `top` reads them instead of every object's retained size.
   */
  topObjects(limit: number): ObjectRow[] {
    if (limit > TOP_KEPT) return topObjects(this.graph, this.types, this.dominators, limit);
    this.topRows_ ??= this.derived.get(`top-${TOP_KEPT}`, () => topObjects(this.graph, this.types, this.dominators, TOP_KEPT),
      (rows) => ({ meta: rows, arrays: {} }), (p) => (Array.isArray(p.meta) ? (p.meta as ObjectRow[]) : undefined));
    return this.topRows_.slice(0, Math.max(0, limit)).map((r) => ({ ...r }));
  }

  /**
   * The instances of the type row named `type` (as typeRows names it, or as `types --by-length` and objects name
   * it: "[37]*main.Node"), sorted and paged; reachable ones unless `all`. Items are indices as everywhere in the
   * session: an object, or objectCount + k for a tiny block's sub-object k (address, size, retained, blockOf answer
   * for both).
   */
  instances(type: string, options: InstanceAsk = {}): Page<number> & { count: number; bytes: number } | undefined {
    return this.instanceLists.page(type, options);
  }

  /**
   * The derived index `name` (kept in its own file beside the analysis index): read back when current, else built
   * by `build` and written. For the structures of lib/session's other files (leak-queries.ts).
   */
  derivedIndex<T>(name: string, build: () => T, encode: (t: T) => EncodedPart, decode: (p: EncodedPart) => T | undefined): T {
    return this.derived.get(name, build, encode, decode);
  }

  /**
   * Makes sure the small summaries warm commands answer from are kept as derived indexes (each written unless it
   * is there): the type histogram with retained sizes (`types`, the viewer's types page), the reachable objects
   * and bytes per type (`types`), the objects that retain most (`top`, the viewer's first object page), the shared
   * retention (`roots`' shared objects, the suspects).
   */
  keepSummaries(): void {
    // What needs no dominator tree first: on a cold open, the thread writing the analysis index builds the tree
    // meanwhile. The shared retention (the shared objects `roots` lists, where the suspects start) reads every edge,
    // a chunk at a time; the edges are let go after it. Then the type rows walk the sorted tree, which the suspects
    // walk next (keepColdOpenAnswers): built once, not twice.
    // 14 M objects: the summaries 3.6 -> 2.6 s; the suspects' step, the open's peak before (692 MB), now stays below
    // the type recovery's (680 MB).
    this.typeCounts(true, false);
    traceMemoryPoint('type counts kept');
    this.topObjects(1);
    traceMemoryPoint('top objects kept');
    sessionShared(this);
    sessionSharedGroups(this);
    this.releaseArrays();
    traceMemoryPoint('shared kept');
    this.typeRows();
    traceMemoryPoint('type rows kept');
  }

  /**
   * True when this open computed the analysis with the binary and wrote its index: the summaries are kept beside it,
   * and lib/answers keeps the answers a first warm command would otherwise compute (keepColdOpenAnswers).
   */
  get summariesKept(): boolean {
    return this.summariesKept_;
  }

  /**
   * A whole-heap answer (plain JSON data: what a command prints with --json) kept as a derived index under `key`
   * (the question and its parameters: "suspects-0.1"): built by `build` the first time, then read back by every
   * later open of the same dump and binary by the same build of goheap, instead of the arrays it was computed from
   * (a warm `suspects` reads one small file). The answer is handed out as its JSON text parsed, fresh each call,
   * so that a cold open and a warm one answer with the very same document.
   */
  keptAnswer<T>(key: string, build: () => T): T {
    return this.answers_.get(key, build);
  }

  /**
   * Which of the type rows named in `types` (as typeRows names them) each object, tiny sub-object and tiny block is an
   * instance of, as lib/analysis typeSpread takes it; `rows` are the names found, in row order. One pass over the
   * objects' types.
   */
  typeRowMembership(types: readonly string[]): { rows: string[]; membership: RowMembership } {
    return rowMembership(this.graph, this.types, new Set(types));
  }

  /**
   * True when `type` names a type row (as instances() takes it: of `types`, else of `types --by-length`). Reads the
   * instance indexes' row names only (while a worker builds them: looks for the row in one pass over the objects).
   */
  hasInstances(type: string): boolean {
    return this.instanceLists.has(type);
  }

  /**
   * The derived indexes that instances(type) and hasInstances(type) read: the by-length one too for an array's name
   * that is no row of `types` ("[37]*main.Node"; "[16]uint8", a Go type, is one).
   */
  instanceStructures(type: string): DerivedStructure[] {
    return this.instanceLists.structures(type);
  }

  /**
   * The derived indexes a query of instances(type, ask) (or of hasInstances(type), without `ask`) waits for while a
   * worker builds them: none when it is not building them, or when this session answers meanwhile from one pass over
   * the objects or over their typing ids, or from a crowded row's head (lib/session/type-instances.ts); else those
   * instanceStructures names.
   */
  instanceStructuresToWaitFor(type: string, ask?: InstanceAsk): DerivedStructure[] {
    return this.instanceLists.toWaitFor(type, ask);
  }

  /** Type names (as typeRows names them) that contain `text`, case-insensitively, biggest first. */
  findTypes(text: string, limit = 20): TypeRow[] {
    const t = text.toLowerCase();
    return this.typeRows().filter((r) => r.type.toLowerCase().includes(t)).slice(0, limit);
  }
}

export type { Dominator, InstanceSort, Referrer, TreeNode };
