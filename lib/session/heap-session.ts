// HeapSession: the one way to open a heap dump. Every consumer (CLI commands, exporters, the viewer) opens a dump
// through it and asks it questions by object index (0 .. objectCount-1, file order). The persisted index is a cache
// behind it (load-state.ts): a warm open answers exactly like a cold one. Queries that need a whole-heap structure
// (dominator-tree children, reverse edges, per-type instance lists, the type histogram) build it once, on first use,
// and keep it. The dominator graph's numbering (super-root 0, root nodes 1..R, objects after) stays inside.
// The sub-objects of tiny allocator blocks (a boxed uint32, a 4-byte struct: several in one 16-byte block) are
// instances too: index objectCount + k names sub-object k of types.tinyObjects (sub-objects.ts), and every query by
// index (address, size, type, describe, referrers, paths, dominators, instances) answers for it as for an object:
// its referrers are those whose pointer lands inside it, its path and dominators go through its block.
import * as fs from 'node:fs';
import { type Column, columnOf, type HeapGraph, reverseEdgesOf } from '../graph/index.js';
import { loadGoProgram, type GoProgram, type GoGlobal } from '../gotypes/index.js';
import {
  checkBinaryMatchesDump, describeObject, type HeapTypes, type ObjectDescription, RecoveredTypes, restoreTypes,
  type TypeCount, type TypeCoverage, typeCoverage, typeHistogram as typingHistogram, untypedNames,
} from '../typing/index.js';
import {
  computeRetainedSizes, type DominatorTree, sortedDominatorTree, type HeapDominators, NONE, type RootNodeRow, rootNodeRows,
  type PathHop, type RootNodes, type RowMembership, type TypeRow, typeHistogram, type ObjectRow, topObjects,
} from '../analysis/index.js';
import { rootPathHops, rootsReaching, rootsReachingWithin } from '../analysis/heap-paths.js';
import type { EncodedPart, SourceIdentity, StoredAnalysis } from '../store/index.js';
import { compiledFile } from '../package-files.js';
import { collectGarbage, indexCurrent, loadSessionState, type OpenOptions, type SessionState, traceMemoryPoint } from './load-state.js';
import { loadStateInWorker } from './worker-client.js';
import { InstanceIndex, type InstanceSort, type MemberFacts, rowGrouping, rowMembers, rowMembership } from './instances.js';
import { typedRowMembers, typingsOfRow } from './typed-row.js';
import { DerivedIndexes, type DerivedStructure, reverseCodec, treeCodec, typeRowsCodec } from './derived.js';
import { sessionShared, sessionSharedGroups } from './leak-queries.js';
import { referrersOf, type ReverseColumns, rootReferrer, rootsByTarget, type Referrer } from './referrers.js';
import { SubObjects } from './sub-objects.js';
import { BuildingElsewhere } from './building-elsewhere.js';
import type { DerivedWorkerRequest } from './derived-worker.js';
import { startDerivedBuilder } from './derived-builder.js';

/** What dominates an object: another object, one root node, several roots together (the super-root), or nothing. */
export type Dominator =
  | { kind: 'object'; object: number }
  | { kind: 'root'; rootNode: number }
  | { kind: 'roots' }
  | { kind: 'none' };

/** A node of the dominator tree as callers name it. */
export type TreeNode = { kind: 'object'; object: number } | { kind: 'root'; rootNode: number } | { kind: 'roots' };

export interface SessionOpenOptions extends OpenOptions {
  /** Load in a worker thread, so that this thread stays responsive (progress still arrives through onProgress). */
  worker?: boolean;
}

export interface Page<T> {
  total: number;
  offset: number;
  items: T[];
}

/** The derived index of instances grouped as `types` groups them. */
const INSTANCES_INDEX = 'instances-v5';
/** The derived index of instances grouped as `types --by-length` groups them. */
const SPLIT_INSTANCES_INDEX = 'instances-split-v5';

/** A type name `types --by-length` has and `types` has not: an array's, with its length ("[37]*main.Node"). */
const ARRAY_BY_LENGTH = /^\[[0-9]+\]/;

/**
 * The most objects a heap has for a type's instances to be found by one pass over the objects while a worker builds
 * the instance index (instanceIndexNow). Measured on this project's 2-core machine: on 14 M objects a type page answered
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
 * retained size is read by position, and a page sorts them.
 */
const SCANNED_ROW_MAX_MEMBERS = 4_000_000;

/** SCANNED_ROW_MAX_MEMBERS, or GOHEAP_TEST_SCANNED_ROW_MAX_MEMBERS (tests try a crowded row's ways on a small heap). */
function scannedRowMaxMembers(): number {
  const v = Number(process.env.GOHEAP_TEST_SCANNED_ROW_MAX_MEMBERS);
  return process.env.GOHEAP_TEST_SCANNED_ROW_MAX_MEMBERS !== undefined && Number.isFinite(v) ? v : SCANNED_ROW_MAX_MEMBERS;
}

/** Objects rootsKeepingAlive searches by position before it reads the whole reverse edges. */
const ROOTS_SEARCH_BUDGET = 100_000;

/** Rows of topObjects kept in a derived index. */
const TOP_KEPT = 1000;

/**
 * The version of the answers keptAnswer keeps: part of their files' names. Bump it when an answer's code changes
 * what it says.
 */
const ANSWERS_VERSION = 1;

/**
 * Which build of goheap kept an answer: the modification time of this file's compiled module (every build rewrites
 * it, an install writes it), recorded with each kept answer, so that an answer kept by another build is computed again
 * rather than read back. The same for the bundled command line and for tsc's output, which tests and workers run.
 */
const BUILD_STAMP = ((): string => {
  try {
    return String(Math.floor(fs.statSync(compiledFile('lib/session/heap-session.js')).mtimeMs));
  } catch {
    return 'unknown';
  }
})();

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
  private tree: DominatorTree | undefined;
  private readonly derived: DerivedIndexes;
  private reverseReady = false;
  private reverseColumns_: ReverseColumns | undefined;
  private treeColumns_: { firstChild: Column; child: Column } | undefined;
  /** The names of typeRows (for instanceStructures). */
  private typeNames_: Set<string> | undefined;
  /** rootsKeepingAlive's answers per topmost dominator, the most recent 256. */
  private readonly rootsOfTop = new Map<number, { kinds: string[]; rootNodes: number[] }>();
  private instanceIndex: InstanceIndex | undefined;
  private splitInstanceIndex: InstanceIndex | undefined;
  private typeRows_: TypeRow[] | undefined;
  private topRows_: ObjectRow[] | undefined;
  private readonly typeCounts_ = new Map<string, TypeCount[]>();
  private rootRows_: RootNodeRow[] | undefined;
  private rootsByTarget_: Uint32Array | undefined;
  private retainedCounts_: Float64Array | undefined;
  private subObjects_: SubObjects | undefined;
  private readonly answers_ = new Map<string, string>();
  /** The per-node arrays of an analysis computed in this process, as columns. */
  private readonly nodeColumns = new Map<string, Column>();
  private summariesKept_ = false;
  /** The derived indexes a worker is building (keepDerivedInWorker), and what is answered meanwhile. */
  private readonly elsewhere = new BuildingElsewhere();

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
  }

  /** The tiny blocks' sub-objects, as indices objectCount + k (made on first use: it needs the types). */
  get subObjects(): SubObjects {
    this.subObjects_ ??= new SubObjects(this.graph, this.types);
    return this.subObjects_;
  }

  /** Opens `dumpPath` (with its executable in options.binary for types); see SessionOpenOptions. */
  static async open(dumpPath: string, options: SessionOpenOptions = {}): Promise<HeapSession> {
    const state = options.worker ? await loadStateInWorker(dumpPath, options) : loadSessionState(dumpPath, options);
    const h = HeapSession.fromState(state);
    const { onProgress: _p, worker: _w, ...reopen } = options;
    h.openOptions = reopen;
    return h;
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
   * The large derived indexes keepDerived builds, each with its file and what builds it (or reads it back): the
   * sorted dominator tree (the dominators page; a cold open with the binary has written it already), the reverse edges
   * (referrers: object pages; a type page's sample of referrers scans the edges meanwhile), the instance lists as
   * `types` groups them (type pages, search), and as `types --by-length` groups them (arrays by length; no type is
   * named "[0]", so asking for it reads or builds that index).
   */
  private static readonly LARGE_DERIVED: readonly (readonly [DerivedStructure, string, (s: HeapSession) => void])[] = [
    ['tree', 'tree', (s) => s.dominatorTree()],
    ['reverse', 'reverse', (s) => s.reverseEdges()],
    ['instances', INSTANCES_INDEX, (s) => s.instanceIndexOf('')],
    ['instances-by-length', SPLIT_INSTANCES_INDEX, (s) => s.instanceIndexOf('[0]')],
  ];

  /**
   * LARGE_DERIVED in the order keepDerived builds them: what pages cannot answer without first. Object pages wait for
   * the reverse edges; type pages find a row's instances meanwhile, on a heap of up to ROW_SCAN_MAX_OBJECTS, else
   * when the row is one of few objects (listedByTypings): a crowded row's page waits for the instance lists.
   */
  private largeDerived(): (readonly [DerivedStructure, string, (s: HeapSession) => void])[] {
    return [...HeapSession.LARGE_DERIVED];
  }

  /**
   * The large derived indexes not kept yet beside the index this session came from (with the binary), in the order
   * keepDerived builds them: the first queries that need one would build it. Empty for a session computed here.
   */
  missingStructures(): DerivedStructure[] {
    if (!this.fromIndex.analysis || !this.typed) return [];
    return this.largeDerived().filter(([, file]) => !this.derived.current(file)).map(([name]) => name);
  }

  /**
   * Builds the large derived indexes and keeps them beside the index (each written unless it is there), in the order
   * of largeDerived(), calling onBuilt after each: what the first referrers, dominator-tree and instance queries would
   * otherwise build one by one.
   */
  keepDerived(onBuilt?: (name: DerivedStructure) => void, letGo = false): void {
    if (this.graph.objectCount === 0) return;
    for (const [name, file, build] of this.largeDerived()) {
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
   * add up (a 70 M-object heap's reverse edges alone are 1.3 GB). The index by length is made from the one as `types`
   * groups it, read back from its file then.
   */
  private letGoOf(name: DerivedStructure): void {
    if (name === 'tree') this.tree = undefined;
    if (name === 'reverse') {
      this.graph.dropReverseEdges();
      this.reverseReady = false;
    }
    if (name === 'instances' || name === 'instances-by-length') {
      this.instanceIndex = undefined;
      this.splitInstanceIndex = undefined;
    }
    this.releaseArrays();
  }

  /**
   * keepDerived in a process of its own (lib/session/derived-worker.ts) that opens this dump again from its index
   * (this thread stays free, and this process small): calls onBuilt as each derived index is written (this session
   * then reads it by position), and resolves once all are. Until then, queries that need one would build it here: the
   * caller keeps them waiting, or this session answers them another way (instanceIndexNow, referrersOfEach). The
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
   */
  static fromState(state: SessionState): HeapSession {
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
    this.nodeColumns.clear();
    this.reverseColumns_ = undefined;
    this.treeColumns_ = undefined;
    collectGarbage(); // V8 frees large typed arrays lazily: now, before the pass allocates its own
  }

  /** Releases the dump's file handle, the binary and the caches; stops a derived-index builder still running. */
  close(): void {
    this.stopBuilder?.();
    this.graph.close();
    this.program_?.close();
    this.tree = undefined;
    this.treeColumns_ = undefined;
    this.reverseColumns_ = undefined;
    this.instanceIndex = undefined;
    this.splitInstanceIndex = undefined;
    this.retainedCounts_ = undefined;
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
  describe(i: number): ObjectDescription {
    if (!(this.types instanceof RecoveredTypes)) throw new Error('describe needs the binary');
    if (i >= this.graph.objectCount) {
      const b = this.subObjects.blockOf(i);
      return this.subObjects.describe(i, describeObject(this.graph, this.types, b, this.objectReferrerCount(b)), this.referrers(i).length);
    }
    return describeObject(this.graph, this.types, i, this.objectReferrerCount(i));
  }

  // ---- dominators and retained sizes ----

  /** Bytes object i keeps alive (0 when unreachable). */
  retained(i: number): number {
    // A sub-object holds no pointers: it keeps only itself alive (while its block is reachable).
    if (i >= this.graph.objectCount) return this.isReachable(i) ? this.subObjects.size(i) : 0;
    return this.nodeColumn('retained').at(this.dominators.firstObjectNode + i);
  }

  /**
   * One of the analysis' per-node arrays, by position: a block at a time when the analysis was read from the index
   * and the array is not in memory (a page's query reads a few elements of arrays of a node per object).
   */
  private nodeColumn(name: 'idom' | 'retained' | 'pathParent' | 'pathParentEdge'): Column {
    const a = this.analysis;
    if (a.column !== undefined) return a.column(name);
    let c = this.nodeColumns.get(name);
    if (c === undefined) this.nodeColumns.set(name, (c = columnOf(a[name])));
    return c;
  }

  /** Bytes root node k alone keeps alive (kept in the index's header: a warm open reads no array for it). */
  rootRetained(k: number): number {
    return this.analysis.rootRetained?.[k] ?? this.analysis.retained[k + 1];
  }

  /** Every reachable object's bytes together. */
  get reachableBytes(): number {
    return this.analysis.reachableBytes ?? this.analysis.retained[0];
  }

  /** Object i's immediate dominator. */
  dominator(i: number): Dominator {
    if (i >= this.graph.objectCount) return this.isReachable(i) ? { kind: 'object', object: this.subObjects.blockOf(i) } : { kind: 'none' };
    const d = this.nodeColumn('idom').at(this.dominators.firstObjectNode + i);
    if (d === NONE) return { kind: 'none' };
    return this.nodeRef(d);
  }

  /** The chain of dominators from object i up to the root (nearest first, ending at a root node or 'roots'). */
  dominatorChain(i: number, limit = 1000): Dominator[] {
    if (i >= this.graph.objectCount) {
      const b = this.subObjects.blockOf(i);
      return this.isReachable(i) ? [{ kind: 'object', object: b }, ...this.dominatorChain(b, limit - 1)] : [];
    }
    const out: Dominator[] = [];
    const idom = this.nodeColumn('idom');
    let v = this.dominators.firstObjectNode + i;
    if (idom.at(v) === NONE) return out;
    while (v !== 0 && out.length < limit) {
      v = idom.at(v);
      out.push(this.nodeRef(v));
    }
    return out;
  }

  /** The nodes `node` immediately dominates, most retained first, paged. */
  dominated(node: TreeNode, offset = 0, limit = 50): Page<TreeNode & { retained: number }> {
    const v = this.nodeNumber(node);
    const { firstChild, child } = this.treeColumns();
    const start = firstChild.at(v);
    const end = firstChild.at(v + 1);
    const items: (TreeNode & { retained: number })[] = [];
    const retained = this.nodeColumn('retained');
    const page = child.range(start + offset, Math.min(end, start + offset + limit));
    for (let c = 0; c < page.length; c++) {
      const w = page[c];
      items.push({ ...this.nodeRef(w), retained: retained.at(w) } as TreeNode & { retained: number });
    }
    return { total: end - start, offset, items };
  }

  /**
   * The sorted dominator tree's children lists by position: the tree when in memory, else its derived index read a
   * block at a time (a page of one node's children reads a few blocks), else the tree built.
   */
  private treeColumns(): { firstChild: Column; child: Column } {
    if (this.treeColumns_ !== undefined) return this.treeColumns_;
    const nodes = this.dominators.nodeCount;
    const kept = this.tree === undefined ? this.derived.sections('tree') : undefined;
    if (kept !== undefined && kept.length('firstChild') === nodes + 1 && kept.column('firstChild').at(nodes) === kept.length('child')) {
      this.treeColumns_ = { firstChild: kept.column('firstChild'), child: kept.column('child') };
    } else {
      const t = this.dominatorTree();
      this.treeColumns_ = { firstChild: columnOf(t.firstChild), child: columnOf(t.child) };
    }
    return this.treeColumns_;
  }

  /** How many objects `node` keeps alive: the objects of its dominator subtree, itself included (0 when unreachable). */
  retainedCount(node: TreeNode): number {
    if (!this.retainedCounts_) {
      // Retained sizes over the same tree with a size of 1 per object and 0 per root node (computed once).
      const ones = new Float64Array(this.analysis.idom.length).fill(1, this.dominators.firstObjectNode);
      this.retainedCounts_ = computeRetainedSizes(this.analysis.idom, ones, 0, this.dominatorTree());
    }
    return this.retainedCounts_[this.nodeNumber(node)];
  }

  /**
   * The dominator tree in lib/analysis's node numbering, each node's children sorted by retained size, largest
   * first (a derived index): for handing to the pure analyses that walk it (findSuspects); ask dominated() instead.
   */
  dominatorTree(): DominatorTree {
    if (this.tree === undefined) {
      // A cold open's tree is built beside it, by the thread that writes the analysis index, which also keeps it as
      // the derived index (load-state.ts).
      this.tree = this.state.dominatorTree?.();
      traceMemoryPoint('tree taken');
    }
    this.tree ??= this.derived.get('tree', () => sortedDominatorTree(this.analysis.idom, this.analysis.retained), treeCodec.encode,
      (p) => treeCodec.decode(p, this.dominators.nodeCount));
    return this.tree;
  }

  private nodeRef(v: number): Dominator & TreeNode {
    if (v === 0) return { kind: 'roots' };
    const first = this.dominators.firstObjectNode;
    return v >= first ? { kind: 'object', object: v - first } : { kind: 'root', rootNode: v - 1 };
  }

  private nodeNumber(n: TreeNode): number {
    if (n.kind === 'roots') return 0;
    if (n.kind === 'root') return n.rootNode + 1;
    return this.dominators.firstObjectNode + n.object;
  }

  // ---- why an object is alive ----

  /** Who points at object i: objects (with the field) and roots (global, goroutine frame and variable, finalizer...). */
  referrers(i: number): Referrer[] {
    return this.referrersBy(this.reverseColumns(), i);
  }

  /** referrers(i) with the reverse edges `rev`. */
  private referrersBy(rev: ReverseColumns, i: number): Referrer[] {
    this.rootsByTarget_ ??= rootsByTarget(this.graph);
    const byTarget = this.rootsByTarget_;
    if (i >= this.graph.objectCount) {
      // The block's referrers whose pointer lands inside the sub-object.
      const all = referrersOf(this.graph, this.types, this.rootNodes, this.program, byTarget, rev, this.subObjects.blockOf(i));
      return all.filter((r) => this.subObjects.pointsInto(i, r, byTarget));
    }
    return referrersOf(this.graph, this.types, this.rootNodes, this.program, byTarget, rev, i);
  }

  /**
   * referrers() of each of `items`, in the same order, each when the caller comes to it: while a worker builds the
   * reverse edges, from one pass over the edges for all of them (a type page's "referenced by" asks a thousand
   * instances), not the whole reverse index built a second time here.
   */
  *referrersOfEach(items: readonly number[]): Generator<Referrer[]> {
    // Each item's when asked for (a caller may stop early), from the reverse edges in memory or kept, or scanned once.
    let rev: ReverseColumns | undefined;
    if (this.elsewhere.has('reverse') && !this.reverseReady && this.reverseColumns_ === undefined) {
      const n = this.graph.objectCount;
      rev = reverseEdgesOf(this.graph, items.map((i) => (i >= n ? this.subObjects.blockOf(i) : i)));
    }
    for (const i of items) yield rev === undefined ? this.referrers(i) : this.referrersBy(rev, i);
  }

  /** The objects that point at object i (each as often as it points there). */
  referringObjects(i: number): Uint32Array {
    const r = this.reverseColumns();
    return Uint32Array.from(r.source.range(r.start.at(i), r.start.at(i + 1)));
  }

  /** How many pointers of objects point at object i (roots not counted). */
  objectReferrerCount(i: number): number {
    const r = this.reverseColumns();
    return r.start.at(i + 1) - r.start.at(i);
  }

  /**
   * The reverse edges by position: from memory once built or read whole, else a block at a time from their derived
   * index (a page's referrers read a few blocks, not the 1.3 GB of a 70 M-object heap's).
   */
  private reverseColumns(): ReverseColumns {
    if (this.reverseColumns_ !== undefined) return this.reverseColumns_;
    const g = this.graph;
    const kept = this.reverseReady ? undefined : this.derived.sections('reverse');
    if (kept !== undefined && kept.length('start') === g.objectCount + 1 && kept.length('source') === g.edgeCount && kept.length('edge') === g.edgeCount &&
      kept.column('start').at(g.objectCount) === g.edgeCount) {
      this.reverseColumns_ = { start: kept.column('start'), source: kept.column('source'), edge: kept.column('edge') };
    } else {
      this.reverseEdges();
      const r = g.reverseEdges();
      this.reverseColumns_ = { start: columnOf(r.start), source: columnOf(r.source), edge: columnOf(r.edge) };
    }
    return this.reverseColumns_;
  }

  /** Makes sure the graph's reverse edges are there (a derived index), for referrers and root sets. */
  private reverseEdges(): void {
    if (this.reverseReady) return;
    const g = this.graph;
    g.adoptReverseEdges(this.derived.get('reverse', () => g.reverseEdges(), reverseCodec.encode, (p) => reverseCodec.decode(p, g)));
    this.reverseReady = true;
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
    return rootPathHops(this.graph, this.types, this.rootNodes, this.nodeColumn('pathParent'), this.nodeColumn('pathParentEdge'), i,
      (r) => (rootReferrer(this.graph, this.types, this.rootNodes, this.program, r) as { slot: string }).slot);
  }

  /** Pointers from the nearest root to object i (1 for an object a root points at), or -1 when unreachable. */
  distance(i: number): number {
    i = this.subObjects.blockOf(i);
    const parent = this.nodeColumn('pathParent');
    let v = this.dominators.firstObjectNode + i;
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
      r = this.reverseReady ? undefined : rootsReachingWithin(this.graph, this.rootNodes, this.reverseColumns(), top, ROOTS_SEARCH_BUDGET);
      if (r === undefined) {
        this.reverseEdges();
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
    this.typeRows_ ??= this.derived.get('types-v3', () => typeHistogram(this.graph, this.types, this.dominators, false, this.dominatorTree()), typeRowsCodec.encode, typeRowsCodec.decode);
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
  instances(type: string, options: { sort?: InstanceSort; offset?: number; limit?: number; all?: boolean } = {}): Page<number> & { count: number; bytes: number } | undefined {
    const index = this.instanceIndexNow(type);
    if (index === undefined) return undefined;
    // Reachable instances unless `all` (as the type histogram counts); a sub-object is reachable with its block.
    return index.page(type, options.sort ?? 'retained', options.offset ?? 0, options.limit ?? 50, !options.all, this.wholeMemberFacts());
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
    const name = `answer-v${ANSWERS_VERSION}-${key.replace(/[^\w.-]/g, '_')}`;
    let text = this.answers_.get(name);
    if (text === undefined) {
      text = this.derived.get(name, () => JSON.stringify(build()), (t) => ({ meta: { build: BUILD_STAMP, answer: JSON.parse(t) as unknown }, arrays: {} }),
        (p) => {
          const m = p.meta as { build?: string; answer?: unknown } | null;
          return m?.build !== BUILD_STAMP || m.answer === undefined ? undefined : JSON.stringify(m.answer);
        });
      this.answers_.set(name, text);
    }
    return JSON.parse(text) as T;
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
    return this.instanceIndexNow(type) !== undefined;
  }

  /**
   * The derived indexes that instances(type) and hasInstances(type) read: the by-length one too for an array's name
   * that is no row of `types` ("[37]*main.Node"; "[16]uint8", a Go type, is one).
   */
  instanceStructures(type: string): DerivedStructure[] {
    if (!ARRAY_BY_LENGTH.test(type)) return ['instances'];
    this.typeNames_ ??= new Set(this.typeRows().map((r) => r.type));
    return this.typeNames_.has(type) ? ['instances'] : ['instances', 'instances-by-length'];
  }

  /**
   * The instance index that has row `type` (instanceIndexOf), or while a worker builds the one it would be in, an
   * index of that row alone: on a heap small enough (ROW_SCAN_MAX_OBJECTS), from one pass over the objects (grouped
   * as `types` groups, else as `types --by-length`); on a larger one, for a row of few enough objects named by their
   * Go type (listedByTypings), from one pass over the objects' typing ids. A page answers now rather than wait for
   * the worker or build the whole index a second time here.
   */
  private instanceIndexNow(type: string): InstanceIndex | undefined {
    if (this.instanceStructuresToWaitFor(type).length > 0 || !this.elsewhere.has(...this.instanceStructures(type))) return this.instanceIndexOf(type);
    const e = this.elsewhere;
    return e.row(type, () => {
      if (this.graph.objectCount > rowScanMaxObjects()) {
        const typeIds = this.typeIdColumn();
        const wanted = typingsOfRow(this.types, typeIds, type, false);
        if (wanted === undefined) return undefined;
        const g = this.graph;
        return InstanceIndex.ofRow(g, this.types, this.pointMemberFacts(), type, typedRowMembers(g, typeIds, wanted), (i) => g.sizeOf(i));
      }
      const facts = this.wholeMemberFacts();
      const order = e.order(() => this.graph.objectsByAddress());
      const of = (split: boolean): InstanceIndex | undefined => {
        const row = rowMembers(this.graph, e.grouping(split, () => rowGrouping(this.graph, this.types, split)), order, type);
        return row === undefined ? undefined : InstanceIndex.ofRow(this.graph, this.types, facts, type, row);
      };
      return of(false) ?? (ARRAY_BY_LENGTH.test(type) ? of(true) : undefined);
    });
  }

  /**
   * The derived indexes a query of instances(type) or hasInstances(type) waits for while a worker builds them: none
   * when it is not building them, or when this session answers meanwhile from one pass over the objects (a heap of up
   * to ROW_SCAN_MAX_OBJECTS) or over their typing ids (listedByTypings); else those instanceStructures names.
   */
  instanceStructuresToWaitFor(type: string): DerivedStructure[] {
    const needs = this.instanceStructures(type).filter((n) => this.elsewhere.has(n));
    if (needs.length === 0 || this.graph.objectCount <= rowScanMaxObjects() || this.listedByTypings(type)) return [];
    return needs;
  }

  /**
   * Whether row `type` of `types` is found from the objects' typing ids alone (lib/session/typed-row.ts): a row of
   * at most SCANNED_ROW_MAX_MEMBERS objects (a page sorts them), named by their Go type (not a tiny block's row, nor
   * one with tiny blocks' sub-objects).
   */
  private listedByTypings(type: string): boolean {
    if (this.instanceStructures(type).includes('instances-by-length')) return false;
    const row = this.typeRows().find((r) => r.type === type);
    if (row === undefined || row.count > scannedRowMaxMembers()) return false;
    return typingsOfRow(this.types, this.typeIdColumn(), type, false) !== undefined;
  }

  /** Object i's typing id by position: a block at a time from the index when the types came from one. */
  private typeIdColumn(): Column {
    return this.analysis.column?.('objectType') ?? columnOf(this.types.objectType);
  }

  /** memberFacts for a few members: each read by position (from the index a block at a time when the arrays are there). */
  private pointMemberFacts(): MemberFacts {
    return { isReachable: (i) => this.isReachable(i), retained: (i) => this.retained(i), size: (i) => this.size(i), address: (i) => this.address(i) };
  }

  /** The instance index (grouped as `types` groups, else as `types --by-length`) that has row `type`. */
  private instanceIndexOf(type: string): InstanceIndex | undefined {
    const facts = this.wholeMemberFacts();
    this.instanceIndex ??= this.derived.get(INSTANCES_INDEX, () => InstanceIndex.build(this.graph, this.types, facts), (x) => x.encode(),
      (p) => InstanceIndex.decode(p, this.objectCount));
    const joined = this.instanceIndex;
    if (joined.has(type)) return joined;
    // Only arrays are named apart by length ("[37]*main.Node"): another name is no row there either.
    if (!ARRAY_BY_LENGTH.test(type)) return undefined;
    this.splitInstanceIndex ??= this.derived.get(SPLIT_INSTANCES_INDEX,
      () => joined.refine(this.graph, this.types, true) ?? InstanceIndex.build(this.graph, this.types, facts, true), (x) => x.encode(),
      (p) => InstanceIndex.decode(p, this.objectCount));
    return this.splitInstanceIndex.has(type) ? this.splitInstanceIndex : undefined;
  }

  /**
   * memberFacts for building an instance index: a pass over every member, from the whole arrays (not element by
   * element from the index file).
   */
  private wholeMemberFacts(): MemberFacts {
    const n = this.graph.objectCount;
    const first = this.dominators.firstObjectNode;
    // Read on first use: a page of one run asks nothing of its members.
    let reachable: Uint8Array | undefined;
    let retained: Float64Array | undefined;
    return {
      isReachable: (i) => (reachable ??= this.graph.reachable)[i < n ? i : this.subObjects.blockOf(i)] !== 0,
      retained: (i) => (i < n ? (retained ??= this.analysis.retained)[first + i] : this.retained(i)),
      size: (i) => this.size(i), address: (i) => this.address(i),
    };
  }


  /** Type names (as typeRows names them) that contain `text`, case-insensitively, biggest first. */
  findTypes(text: string, limit = 20): TypeRow[] {
    const t = text.toLowerCase();
    return this.typeRows().filter((r) => r.type.toLowerCase().includes(t)).slice(0, limit);
  }
}

export type { InstanceSort, Referrer };
