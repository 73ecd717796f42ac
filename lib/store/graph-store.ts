// A HeapGraph and its analysis results as index files: what goes in, and how it comes back out.
import { AddressIndex, HeapGraph } from '../graph/index.js';
import { ContentOffsets } from '../graph/content-offsets.js';
import type { HeapGraphParts, HeapGraphStats } from '../graph/heap-graph.js';
import type { FrameTable, RootTable } from '../graph/index.js';
import type { MemStatsRecord } from '../dump/index.js';
import type { RootNodeKind, RootNodes } from '../analysis/index.js';
import type { StoredTypes, TypeCoverage } from '../typing/index.js';
import { type Column, type IndexSections, IndexFileError, openIndexFile, sectionsOf, type StoredArray, writeIndexFile } from './index-file.js';

/** The file an index was built from (lib/store/cache.ts sourceIdentity): it is stale when any of these changed. */
export interface SourceIdentity {
  path: string;
  size: number;
  mtimeMs: number;
  /** Inode number: another file put in its place has another. */
  ino: number;
  /** Status change time: any write or metadata change in place moves it (touch -r cannot set it back). */
  ctimeMs: number;
  /** Hash of the file's size, first and last 64 KiB and 64 sampled blocks of 4 KiB (cache.ts sampleHash). */
  sample: string;
}

function sameSource(a: SourceIdentity | null | undefined, b: SourceIdentity | null | undefined): boolean {
  if (!a || !b) return !a && !b;
  return a.path === b.path && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino &&
    a.ctimeMs === b.ctimeMs && a.sample === b.sample;
}

// JSON cannot hold bigints (MemStats values): they travel as {"$bigint": "123"}.
function replacer(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? { $bigint: v.toString() } : v;
}
function revive<T>(x: T): T {
  return JSON.parse(JSON.stringify(x), (_k, v: unknown) =>
    v !== null && typeof v === 'object' && typeof (v as { $bigint?: unknown }).$bigint === 'string'
      ? BigInt((v as { $bigint: string }).$bigint) : v) as T;
}

const FRAME_ARRAYS = ['goroutine', 'depth', 'sp', 'childSp', 'contentOffset', 'size', 'entryPc', 'pc', 'continuationPc',
  'functionId', 'goroutineFirstFrame', 'goroutineFrameCount', 'slotStart', 'slotOffset'] as const;
const ROOT_ARRAYS = ['kind', 'target', 'slotAddress', 'value', 'owner'] as const;

/** A graph or analysis as JSON-safe meta and raw typed arrays: the body of an index file, or a worker's message. */
export interface EncodedPart {
  meta: unknown;
  arrays: Record<string, StoredArray>;
  /** The same arrays as sections of an index file, each read on first use (openIndexFile), when read from one. */
  sections?: IndexSections;
}

/** An index file's meta and arrays, the arrays read when first used. */
function openPart(file: string): EncodedPart {
  const sections = openIndexFile(file);
  return { meta: sections.meta, arrays: sections.record(), sections };
}

function sectionsOfPart(part: EncodedPart, file: string): IndexSections {
  return part.sections ?? sectionsOf(file, part.meta, part.arrays);
}

/** Defines `obj[key]` as `read()`, called on first access (then kept). */
function lazy<T extends object>(obj: T, key: string, read: () => unknown): void {
  Object.defineProperty(obj, key, {
    enumerable: true, configurable: true,
    get() {
      const v = read();
      Object.defineProperty(obj, key, { value: v, enumerable: true, configurable: true, writable: true });
      return v;
    },
  });
}

/** Writes `graph` to `file`. */
export function saveGraph(file: string, graph: HeapGraph, source: SourceIdentity): void {
  const e = encodeGraph(graph, source);
  writeIndexFile(file, e.meta, e.arrays);
}

/**
 * Reads a graph written by saveGraph; throws IndexFileError when the file is damaged or was built from another dump.
 * `written`: the graph this process wrote to `file` (saveGraph, encodeGraph), whose edges and object runs are taken
 * as they are in memory instead of being read back (the arrays an analysis pass reads whole).
 */
export function loadGraph(file: string, source: SourceIdentity, written?: HeapGraph): HeapGraph {
  const part = openPart(file);
  if (written) {
    const runs = written.addressIndex;
    const kept: Record<string, StoredArray> = {
      edgeStart: written.edgeStart, edgeTarget: written.edgeTarget, runStart: runs.runStart, runObjectSize: runs.runObjectSize,
      runCount: runs.runCount, runFirst: runs.runFirst,
    };
    for (const [name, array] of Object.entries(kept)) part.sections!.adopt(name, array);
  }
  return decodeGraph(part, source, file);
}

/** The per-object and per-edge arrays of a graph's parts, by the names of its index. */
function graphArrays(p: HeapGraphParts): Record<string, StoredArray> {
  return {
    // Object addresses and sizes are the runs' (below); content offsets in 32 bits (lib/graph/content-offsets.ts).
    recordCounts: p.recordCounts, contentLow: p.contentOffsets.low, contentHighStart: p.contentOffsets.highStart, edgeStart: p.edgeStart, edgeTarget: p.edgeTarget, edgeField: p.edgeField,
    reachable: p.reachable, allocSampleAddress: p.allocSampleAddress, allocSampleBucket: p.allocSampleBucket,
    runStart: p.addressIndex.runStart, runObjectSize: p.addressIndex.runObjectSize, runCount: p.addressIndex.runCount,
    runFirst: p.addressIndex.runFirst,
  };
}

/** `graph` as meta and arrays (the arrays are the graph's own, not copies). */
export function encodeGraph(graph: HeapGraph, source: SourceIdentity): EncodedPart {
  const p = graph.toParts();
  const arrays = graphArrays(p);
  for (const k of ROOT_ARRAYS) arrays[`roots.${k}`] = p.roots[k];
  for (const k of FRAME_ARRAYS) arrays[`frames.${k}`] = p.frames[k];
  const records = JSON.parse(JSON.stringify({
    params: p.params, goroutines: p.goroutines, segments: p.segments, finalizers: p.finalizers, types: p.types,
    itabs: p.itabs, threads: p.threads, defers: p.defers, panics: p.panics, otherRoots: p.otherRoots,
    memStats: p.memStats, memProfBuckets: p.memProfBuckets,
  }, replacer)) as unknown;
  const meta = {
    kind: 'graph', source, objectCount: p.objectCount, objectBytes: p.objectBytes, pointerSlots: p.pointerSlots,
    rootCount: p.roots.count, frameCount: p.frames.count, functionNames: p.frames.functionNames, records,
    // What `info` shows, so that a warm `info` reads no per-object array.
    stats: graph.stats(),
  };
  return { meta, arrays };
}

/**
 * The graph encodeGraph encoded; throws IndexFileError (naming `file`) when it is damaged or of another dump. The
 * per-object and per-edge arrays of a part read from a file are read when the graph first uses them.
 */
export function decodeGraph(part: EncodedPart, source: SourceIdentity, file: string): HeapGraph {
  const m = part.meta as {
    kind: string; source: SourceIdentity; objectCount: number; objectBytes: number; pointerSlots: number;
    rootCount: number; frameCount: number; functionNames: string[]; stats?: HeapGraphStats;
    records: Pick<HeapGraphParts, 'params' | 'goroutines' | 'segments' | 'finalizers' | 'types' | 'itabs' | 'threads' |
      'defers' | 'panics' | 'otherRoots' | 'memStats' | 'memProfBuckets'>;
  };
  if (m?.kind !== 'graph' || !sameSource(m.source, source)) throw new IndexFileError(file, 0, `an index of ${source.path} as it is now`);
  const sections = sectionsOfPart(part, file);
  const len = (name: string): number => {
    const l = sections.length(name);
    if (l === undefined) throw new IndexFileError(file, 0, `array ${name}`);
    return l;
  };
  const a = (name: string): StoredArray => sections.get(name);
  const n = m.objectCount;
  const edgeCount = len('edgeTarget');
  for (const name of ['contentLow', 'reachable']) {
    if (len(name) !== n) throw new IndexFileError(file, 0, 'arrays of matching lengths');
  }
  if (len('edgeStart') !== n + 1 || len('edgeField') !== edgeCount) throw new IndexFileError(file, 0, 'arrays of matching lengths');
  for (const name of ['contentHighStart', 'recordCounts', 'allocSampleAddress', 'allocSampleBucket', 'runStart', 'runObjectSize', 'runCount', 'runFirst']) len(name);
  const roots = { count: m.rootCount } as RootTable;
  for (const k of ROOT_ARRAYS) (roots as unknown as Record<string, StoredArray>)[k] = a(`roots.${k}`);
  const frames = { count: m.frameCount, functionNames: m.functionNames } as FrameTable;
  for (const k of FRAME_ARRAYS) (frames as unknown as Record<string, StoredArray>)[k] = a(`frames.${k}`);
  const r = m.records;
  const parts = {
    path: source.path, fileSize: source.size, fileMtimeMs: source.mtimeMs, params: r.params,
    objectCount: n, objectBytes: m.objectBytes, pointerSlots: m.pointerSlots,
    roots, goroutines: r.goroutines, frames, segments: r.segments,
    finalizers: r.finalizers, types: r.types, itabs: r.itabs, threads: r.threads, defers: r.defers, panics: r.panics,
    otherRoots: r.otherRoots, memStats: r.memStats ? revive<MemStatsRecord>(r.memStats) : null,
    memProfBuckets: r.memProfBuckets, edgeCount, stats: m.stats,
  } as HeapGraphParts;
  for (const name of ['recordCounts', 'edgeTarget', 'edgeField', 'reachable', 'allocSampleAddress', 'allocSampleBucket']) {
    lazy(parts, name, () => a(name));
  }
  // The per-edge arrays, once read, can be let go and read again when next used.
  parts.release = () => {
    for (const name of ['edgeStart', 'edgeTarget', 'edgeField'] as const) {
      if (!sections.loaded(name)) continue;
      sections.release(name);
      lazy(parts, name, name === 'edgeStart' ? readEdgeStart : () => a(name));
    }
  };
  lazy(parts, 'contentOffsets', () => new ContentOffsets(a('contentLow') as Uint32Array, a('contentHighStart') as Uint32Array));
  // A page's query reads the elements it needs, a block at a time (until an analysis reads the whole array).
  parts.column = (name) => sections.column(name);
  parts.contentHighStart = () => a('contentHighStart') as Uint32Array;
  const readEdgeStart = (): Uint32Array => {
    const edgeStart = a('edgeStart') as Uint32Array;
    if (edgeStart[n] !== edgeCount) throw new IndexFileError(file, 0, 'arrays of matching lengths');
    return edgeStart;
  };
  lazy(parts, 'edgeStart', readEdgeStart);
  lazy(parts, 'addressIndex', () => new AddressIndex(a('runStart') as Float64Array, a('runObjectSize') as Uint32Array,
    a('runCount') as Uint32Array, a('runFirst') as Uint32Array));
  return new HeapGraph(parts);
}

/**
 * What the analyses computed for one dump with one binary (or none). Analysis node numbering is that of
 * lib/analysis/heap-dominators.ts; pathParentEdge is the breadth-first shortest-path tree over the analysis graph from
 * the super-root, as each node's parent edge (lib/analysis/paths.ts's layout; a node's parent is that edge's source).
 */
export interface StoredAnalysis {
  rootNodes: RootNodes;
  idom: Uint32Array;
  retained: Float64Array;
  pathParentEdge: Uint32Array;
  /** Types recovered from the binary, or null without one (objects are then named by size class). */
  types: StoredTypes | null;
  /** The typed share of the reachable heap (lib/typing typeCoverage), when computed with the types. */
  coverage?: TypeCoverage;
  /** retained[0] (every reachable byte), when read back from an index: known without reading retained. */
  reachableBytes?: number;
  /** retained[1 .. R] (what each root node alone keeps), when read back from an index: known without reading retained. */
  rootRetained?: number[];
  /**
   * Roots found with the binary (the goroutines' stack objects), after the dump's own, and the reachability with
   * them: the graph index holds the dump's roots only, so an analysis made with a binary keeps these (see
   * withAnalysisRoots).
   */
  extraRoots?: RootTable;
  reachable?: Uint8Array;
  /** The graph's stats with those roots (HeapGraph.stats), so that a warm `info` reads no per-object array. */
  graphStats?: HeapGraphStats;
  /** Lets go of the shortest-path tree when it was read from an index (read again when next used). */
  release?: () => void;
  /** One of the per-node arrays by position, a block at a time, when read from an index (IndexSections.column). */
  column?: (name: 'idom' | 'retained' | 'pathParentEdge' | 'objectType' | 'reachable') => Column;
}

/**
 * `graph` with the roots `analysis` keeps beyond the dump's own (and the reachability they make), unless it has them
 * already (a graph that came with its analysis from a worker).
 */
export function withAnalysisRoots(graph: HeapGraph, analysis: StoredAnalysis): HeapGraph {
  const extra = analysis.extraRoots;
  if (!extra || extra.count === 0 || graph.roots.count === analysis.rootNodes.rootNode.length) return graph;
  const column = analysis.column;
  return graph.withStoredRoots(extra, () => analysis.reachable!, analysis.graphStats, undefined, column ? () => column('reachable') : undefined);
}

/** Writes analysis results to `file`. */
export function saveAnalysis(file: string, s: StoredAnalysis, source: SourceIdentity, binary: SourceIdentity | null): void {
  const e = encodeAnalysis(s, source, binary);
  writeIndexFile(file, e.meta, e.arrays);
}

/** Reads analysis results written by saveAnalysis for `graph`; throws IndexFileError when damaged or stale. */
export function loadAnalysis(file: string, graph: HeapGraph, source: SourceIdentity, binary: SourceIdentity | null): StoredAnalysis {
  return decodeAnalysis(openPart(file), graph, source, binary, file);
}

/** `s` as meta and arrays. */
export function encodeAnalysis(s: StoredAnalysis, source: SourceIdentity, binary: SourceIdentity | null): EncodedPart {
  const meta = {
    kind: 'analysis', source, binary, typings: s.types?.typings ?? null, coverage: s.coverage ?? null,
    reachableBytes: s.retained[0], rootRetained: Array.from(s.retained.subarray(1, s.rootNodes.count + 1)),
    rootNodes: { count: s.rootNodes.count, kind: s.rootNodes.kind, name: s.rootNodes.name, address: s.rootNodes.address },
    extraRoots: s.extraRoots?.count ?? 0, graphStats: s.extraRoots && s.extraRoots.count > 0 ? s.graphStats ?? null : null,
  };
  const arrays: Record<string, StoredArray> = {
    rootNode: s.rootNodes.rootNode, idom: s.idom, retained: s.retained, pathParentEdge: s.pathParentEdge,
  };
  if (s.extraRoots && s.extraRoots.count > 0) {
    const x = s.extraRoots;
    Object.assign(arrays, { extraKind: x.kind, extraTarget: x.target, extraSlotAddress: x.slotAddress, extraValue: x.value, extraOwner: x.owner });
    arrays.reachable = s.reachable!;
  }
  if (s.types) {
    arrays.objectType = s.types.objectType;
    for (const k of ['tinyObject', 'tinyPlace', 'tinyTyping', 'inferred'] as const) if (s.types[k]) arrays[k] = s.types[k];
  }
  return { meta, arrays };
}

/**
 * The analysis encodeAnalysis encoded, checked against `graph`; IndexFileError (naming `file`) when damaged or stale.
 * The per-node and per-object arrays of a part read from a file are read when first used.
 */
export function decodeAnalysis(part: EncodedPart, graph: HeapGraph, source: SourceIdentity,
  binary: SourceIdentity | null, file: string): StoredAnalysis {
  const m = part.meta as {
    kind: string; source: SourceIdentity; binary: SourceIdentity | null; typings: StoredTypes['typings'] | null;
    coverage?: TypeCoverage | null; reachableBytes?: number; rootRetained?: number[]; rootNodes: { count: number; kind: RootNodeKind[]; name: string[]; address: number[] };
    extraRoots?: number; graphStats?: HeapGraphStats | null;
  };
  if (m?.kind !== 'analysis' || !sameSource(m.source, source) || !sameSource(m.binary, binary)) {
    throw new IndexFileError(file, 0, `an analysis of ${source.path} as it is now`);
  }
  const sections = sectionsOfPart(part, file);
  const nodes = graph.objectCount + m.rootNodes.count + 1;
  const objectTypeLength = sections.length('objectType');
  // The graph holds the dump's roots, or (from a worker) those and the analysis' extra roots already.
  const extra = m.extraRoots ?? 0;
  const rootCount = sections.length('rootNode');
  if ((rootCount !== graph.roots.count && rootCount !== graph.roots.count + extra) ||
    (extra > 0 && (sections.length('extraTarget') !== extra || sections.length('reachable') !== graph.objectCount)) || ['idom', 'retained', 'pathParentEdge'].some((k) => sections.length(k) !== nodes) ||
    (m.typings !== null) !== (objectTypeLength !== undefined) || (objectTypeLength !== undefined && objectTypeLength !== graph.objectCount)) {
    throw new IndexFileError(file, 0, 'arrays matching the graph');
  }
  const out = { rootNodes: { ...m.rootNodes, rootNode: sections.get('rootNode') as Uint32Array }, types: null } as StoredAnalysis;
  if (m.coverage) out.coverage = m.coverage;
  if (typeof m.reachableBytes === 'number') out.reachableBytes = m.reachableBytes;
  if (Array.isArray(m.rootRetained) && m.rootRetained.length === m.rootNodes.count) out.rootRetained = m.rootRetained;
  for (const k of ['idom', 'retained', 'pathParentEdge']) lazy(out, k, () => sections.get(k));
  // The shortest-path tree, once read, can be let go and read again when next used.
  Object.defineProperty(out, 'release', {
    enumerable: false,
    value: () => {
      for (const k of ['pathParentEdge']) {
        if (!sections.loaded(k)) continue;
        sections.release(k);
        lazy(out, k, () => sections.get(k));
      }
    },
  });
  Object.defineProperty(out, 'column', { enumerable: false, value: (name: string) => sections.column(name) });
  if (extra > 0) {
    out.extraRoots = {
      count: extra, kind: sections.get('extraKind') as Uint8Array, target: sections.get('extraTarget') as Uint32Array,
      slotAddress: sections.get('extraSlotAddress') as Float64Array, value: sections.get('extraValue') as Float64Array,
      owner: sections.get('extraOwner') as Float64Array,
    };
    lazy(out, 'reachable', () => sections.get('reachable'));
    if (m.graphStats) out.graphStats = m.graphStats;
  }
  if (m.typings && objectTypeLength !== undefined) {
    const types = { typings: m.typings } as StoredTypes;
    for (const k of ['objectType', 'tinyObject', 'tinyPlace', 'tinyTyping', 'inferred'] as const) {
      if (sections.has(k)) lazy(types, k, () => sections.get(k));
    }
    Object.defineProperty(types, 'objectTypeAt', { enumerable: false, get: () => sections.column('objectType') });
    out.types = types;
  }
  return out;
}

/**
 * A derived index: a structure a session builds from the graph and analysis on first use (dominator-tree children,
 * reverse edges, instance lists, the type histogram), kept in its own file so that only the queries that use it
 * pay for reading it. `meta` and `arrays` are the structure's own; the file also records the dump and binary.
 */
export function saveDerived(file: string, name: string, part: EncodedPart, source: SourceIdentity, binary: SourceIdentity | null): void {
  writeIndexFile(file, { kind: 'derived', name, source, binary, meta: part.meta }, part.arrays);
}

/**
 * Opens a derived index written by saveDerived (its arrays read on first use); IndexFileError when missing, damaged
 * or of another dump or binary.
 */
export function loadDerived(file: string, name: string, source: SourceIdentity, binary: SourceIdentity | null): EncodedPart {
  const sections = openIndexFile(file);
  const m = sections.meta as { kind: string; name: string; source: SourceIdentity; binary: SourceIdentity | null; meta: unknown };
  if (m?.kind !== 'derived' || m.name !== name || !sameSource(m.source, source) || !sameSource(m.binary, binary)) {
    throw new IndexFileError(file, 0, `a ${name} index of ${source.path} as it is now`);
  }
  return { meta: m.meta, arrays: sections.record(), sections };
}
