// What opening a dump computes, and where it comes from: the graph and the analyses (types, root nodes,
// dominators, retained sizes, the shortest-path tree), read from the persisted index when it is current, else
// computed and written to it. The result is the same either way: a session is built from this state alone.
import * as fs from 'node:fs';
import { columnOf, loadHeapGraph, stackObjectRoots, type Column, type HeapGraph, type LoadPhase, type RootTable } from '../graph/index.js';
import type { StackSlotType } from '../graph/heap-graph.js';
import { loadGoProgram, type GoProgram } from '../gotypes/index.js';
import { checkBinaryMatchesDump, DumpBytes, recoverTypes, RecoveredTypes, logicalFrames, stackObjectSource, storeTypes, typeCoverage } from '../typing/index.js';
import { buildAnalysisGraph, buildRootNodes, computeHeapDominators, type DominatorTree, shortestPathEdges } from '../analysis/index.js';
import {
  defaultCacheDir, encodeAnalysis, encodeGraph, indexPaths, IndexFileError, loadAnalysis, withAnalysisRoots, loadGraph, saveAnalysis, saveGraph, sourceIdentity,
  type SourceIdentity, type StoredAnalysis,
} from '../store/index.js';
import { analysisWriterInBackground, type AnalysisWriter, type PendingSave, saveInBackground } from './background-save.js';
import { type Parked, parkArrays } from './parked-arrays.js';
import { derivedFile } from './derived.js';
import { collectGarbage } from '../collect-garbage.js';

export type OpenPhase = LoadPhase | 'index' | 'types' | 'dominators' | 'paths' | 'save';

export interface OpenOptions {
  /** The executable that wrote the dump: globals name root nodes, and lib/typing types objects. */
  binary?: string;
  /** Neither read nor write the persisted index. */
  noCache?: boolean;
  /** Default: defaultCacheDir(). */
  cacheDir?: string;
  onProgress?: (phase: OpenPhase, done: number, total: number) => void;
  /**
   * Compute the dominators and the shortest-path tree during the open even without a binary (by default they are
   * computed on first use then: `info` without a binary needs none).
   */
  computeAll?: boolean;
}

/** A dump's graph and analyses, and where they came from. */
export interface SessionState {
  dump: SourceIdentity;
  binary: SourceIdentity | null;
  graph: HeapGraph;
  analysis: StoredAnalysis;
  /** Which parts came from the persisted index. */
  fromIndex: { graph: boolean; analysis: boolean };
  /** Why the index could not be used or written (a stale or damaged file is rebuilt), if it could not. */
  indexNotes: string[];
  /** The analysis index file, beside which derived indexes are kept; null with noCache. */
  analysisFile: string | null;
  /** The binary's program when this thread loaded it (a cold open), for the session to reuse. */
  program?: GoProgram;
  /** The types this thread recovered (a cold open), for the session to reuse. */
  recovered?: RecoveredTypes;
  /**
   * A cold open with the binary writes its analysis index on a worker thread while the session computes its
   * summaries (HeapSession.fromState): this waits until it is written, or noted in indexNotes as not written, and
   * says whether it was. The open is over when it returns.
   */
  finishWriting?: () => boolean;
  /**
   * The sorted dominator tree (lib/analysis sortedDominatorTree of the analysis' idom and retained sizes) built on
   * the thread that writes the analysis index during a cold open, waited for; undefined when none was built there.
   * That thread also keeps it as the session's derived index 'tree' (before the analysis index is written).
   */
  dominatorTree?: () => DominatorTree | undefined;
}

/** Loads or computes the state of `dumpPath` (see OpenOptions). Synchronous: run it in a worker to stay responsive. */
export function loadSessionState(dumpPath: string, options: OpenOptions = {}): SessionState {
  const progress = traceMemory(options.onProgress);
  const dump = sourceIdentity(dumpPath);
  const binary = options.binary ? sourceIdentity(options.binary) : null;
  const useIndex = !options.noCache;
  const files = indexPaths(options.cacheDir ?? defaultCacheDir(), dump, binary);
  const notes: string[] = [];
  const fromIndex = { graph: false, analysis: false };

  let graph: HeapGraph | undefined;
  // Whether files.graph holds this dump's graph (read from it, or written by this open).
  let graphIndexed = false;
  if (useIndex) {
    progress?.('index', 0, 1);
    graph = tryIndex(() => loadGraph(files.graph, dump), notes);
    fromIndex.graph = graph !== undefined;
    graphIndexed = fromIndex.graph;
  }
  // With a binary, the graph's index is written on a worker thread while the types are recovered; graphSaved()
  // waits for it where the graph is read back from the index (and before returning).
  let pendingGraphSave: PendingSave | undefined;
  // The graph this open loaded from the dump, until its index is started (saveLoaded).
  let loaded: HeapGraph | undefined;
  if (!graph) {
    graph = loadHeapGraph(dump.path, { onProgress: progress });
    loaded = graph;
  }
  const saveLoaded = (): void => {
    const l = loaded;
    loaded = undefined;
    if (!l || !useIndex) return;
    // In the background with a binary (during the types, which keep their phase), else now.
    if (binary) pendingGraphSave = saveInBackground(files.graph, encodeGraph(l, dump));
    if (pendingGraphSave) return;
    progress?.('save', 0, 1);
    graphIndexed = trySave(() => saveGraph(files.graph, l, dump), files.graph, notes);
  };
  // Without a binary to load first, the graph's index is started at once.
  if (!binary) saveLoaded();
  const graphSaved = (): boolean => {
    const pending = pendingGraphSave;
    if (!pending) return graphIndexed;
    pendingGraphSave = undefined;
    progress?.('save', 0, 1);
    const failure = pending.wait();
    traceMemoryPoint('graph saved');
    if (failure !== null) notes.push(`could not write ${files.graph}: ${failure}`);
    graphIndexed = failure === null;
    return graphIndexed;
  };
  let analysis = useIndex ? tryIndex(() => loadAnalysis(files.analysis, graph!, dump, binary), notes) : undefined;
  fromIndex.analysis = analysis !== undefined;
  let program: GoProgram | undefined;
  let recovered: RecoveredTypes | undefined;
  let extraRoots: RootTable | undefined;
  let slotTypes: ReadonlyMap<number, StackSlotType> | undefined;
  if (analysis) {
    saveLoaded();
    // The stack objects' roots the analysis was made with (the graph index holds the dump's own roots only).
    graph = withAnalysisRoots(graph, analysis);
  } else if (binary) {
    // The program is loaded before the graph's index is started, which holds the reachability: a large dump's load
    // marks it on its worker meanwhile (lib/graph load-split.ts; 0.4-0.5 s each at 14 M objects). The index is
    // written while the types are recovered, once the edge words are read (on two threads: the writer would be a
    // third).
    if (loaded) progress?.('types', 0, 1);
    try {
      program = loadGoProgram(binary.path);
      checkBinaryMatchesDump(graph, program, binary.path); // BinaryMismatchError for another program's executable
    } catch (e) {
      saveLoaded(); // the graph's index is the dump's alone: written for the next open, with another binary or none
      throw e;
    }
    // The roots the goroutines' live stack objects hold (lib/graph/stack-objects.ts): they need the binary, so the
    // graph index never holds them; the analysis index keeps them, with the reachability they make.
    // In a function of its own: the stack objects' source reads the program (its DWARF, tens of MB of objects), and
    // held in this frame it would keep it alive through the open, each full collection then costing tens of ms.
    const so = ((p: GoProgram, g: HeapGraph) => {
      const src = stackObjectSource(p);
      if (!src) return undefined;
      const bytes = new DumpBytes(g.path, g.params.ptrSize, !g.params.bigEndian);
      try {
        return stackObjectRoots(g, src, (at) => bytes.word(at));
      } finally {
        bytes.close();
      }
    })(program, graph);
    if (so) {
      graph = graph.withExtraRoots(so.roots, so.slotTypes);
      if (so.roots.count > 0) {
        extraRoots = so.roots;
        slotTypes = so.slotTypes;
      }
    }
  }
  let g = graph;
  // Waits for the analysis index a worker thread is writing, if one is (see SessionState.finishWriting).
  let finishWriting: (() => boolean) | undefined;
  // The dominator tree the analysis writer builds, if it does (see SessionState.dominatorTree).
  let dominatorTree: (() => DominatorTree | undefined) | undefined;
  if (!analysis) {
    if (program) {
      progress?.('types', 0, 1);
      // The loader's garbage (its growing columns' blocks, the decoder's buffers) first: V8 frees it lazily.
      collectGarbage();
      recovered = recoverTypes(g, program, { afterSweeps: collectGarbage, afterEdgeWords: saveLoaded }) as RecoveredTypes;
    }
    saveLoaded();
    // Below, a step that passes a graph or the recovered types to a call runs in an arrow function of its own: the
    // interpreter keeps a call's arguments in registers of the calling frame, which would keep a replaced graph's
    // arrays (or the types' working arrays) alive through the dominator pass (seen in a heap snapshot: 215 MB on a
    // 14 M-object dump).
    const rootNodes = ((p: GoProgram | undefined) => buildRootNodes(g, p?.globals, p ? (f) => logicalFrames(p, g, f).map((x) => x.function) : undefined))(program);
    const a = ((): StoredAnalysis => ({
      rootNodes, types: recovered ? storeTypes(recovered) : null, coverage: recovered ? typeCoverage(g, recovered) : undefined,
      extraRoots, reachable: extraRoots ? g.reachable : undefined, graphStats: extraRoots ? g.stats() : undefined,
    }) as StoredAnalysis)();
    // The graph as the index holds it, its arrays read back when first used (from the page cache: the index was just
    // written), with this open's extra roots; undefined without a usable graph index.
    // `written`: the graph this open loaded from the dump and wrote to that index, whose edges are taken as they are
    // in memory rather than read back.
    const reopen = (written?: HeapGraph): HeapGraph | undefined => {
      if (!graphSaved()) return undefined;
      const indexed = tryIndex(() => loadGraph(files.graph, dump, written), []);
      if (!indexed) return undefined;
      const reachable = a.reachable;
      const next = extraRoots && reachable ? indexed.withStoredRoots(extraRoots, () => reachable, a.graphStats, slotTypes) : indexed;
      return next.roots.count === g.roots.count ? next : undefined;
    };
    // The rest of the open (dominators, retained sizes, paths) needs the edges and sizes only, and a session reads
    // what it uses: from here on the graph is the index's, so that the addresses, content offsets, edge fields and
    // the types' working arrays are not held through the dominator pass. Its answers are the index's, as on a warm
    // open.
    (() => {
      const indexed = reopen(fromIndex.graph ? undefined : g);
      if (!indexed) return;
      if (g !== graph) g.close();
      graph.close();
      g = indexed;
      graph = indexed;
      recovered = undefined; // a session restores them from the stored types (lib/typing restoreTypes)
    })();
    traceMemoryPoint('reopened');
    // The recovered types wait for the dominators to be written with them: parked in a file meanwhile, they are not
    // in memory while the dominator pass runs (read back for the save, or by a session before it). They are parked
    // once the pass's search is over, before it allocates most of its memory (the search holds less than the pass):
    // on a cold open this thread then waits for the other's shortest-path tree, and writing them fills that wait
    // (0.1-0.3 s at 14 M objects).
    let typesFromIndex = false;
    let parked: Parked | undefined;
    const parkTypes = (): void => {
      if (!(useIndex && a.types && recovered === undefined && (binary || options.computeAll))) return;
      parked = parkArrays(`${files.analysis}-types.${process.pid}.tmp`, a.types, ['objectType', 'tinyObject', 'tinyPlace', 'tinyTyping', 'inferred']);
      // Their memory goes back now, not at V8's next collection (after the pass has allocated its own).
      if (parked) collectGarbage();
      traceMemoryPoint('types parked');
    };
    // Dominators, retained sizes and the shortest-path tree, computed together (then saved) on first use. With a
    // binary they are computed now (the types cost more, and the index keeps both); without one, when a query first
    // needs them: `info` without a binary never does.
    const compute = (eager: boolean): void => {
      // Type recovery leaves hundreds of MB of dead typed arrays on a large heap; V8 frees them lazily, and the
      // dominator pass would stack its own arrays on top of them. Collect them first to keep the peak down.
      collectGarbage();
      progress?.('dominators', 0, 1);
      // The analysis graph reads the graph's own edge arrays (no copy of them): made for each pass, it costs only the
      // root nodes' edges.
      // Eagerly, they are written on a worker thread while the session computes its summaries: in shared memory.
      const shared = useIndex && eager;
      // Then the worker that writes them computes the shortest-path tree meanwhile, over the same edges, on the
      // second core (lib/session/background-save.ts): the tree is written with them, never held here.
      const writer = shared ? (() => analysisWriterInBackground(files.analysis, buildAnalysisGraph(g, rootNodes)))() : undefined;
      // The pass waits for the tree before it allocates most of its memory, so that the two never add up. The
      // binary's program, which the session needs next, is loaded again once the retained sizes are done (when the
      // session first asks for it, while the writer builds the sorted dominator tree): loaded here, it filled a wait
      // for the tree that most opens no longer have (14 M objects: the tree was parked before the search was over in
      // 2 opens out of 3, and the load added 0.26-0.30 s before the retained sizes).
      const afterSearch = (): void => {
        parkTypes();
        waitForTree(writer);
      };
      const dom = (() => computeHeapDominators(g, rootNodes, {
        analysis: buildAnalysisGraph(g, rootNodes), afterDominators: collectGarbage, shared, afterSearch,
      }))();
      traceMemoryPoint('dominators done');
      for (const [k, v] of Object.entries({ idom: dom.idom, retained: dom.retained })) Object.defineProperty(a, k, { value: v, enumerable: true, writable: true });
      if (writer) {
        progress?.('save', 0, 1);
        // The graph becomes the index's before the parked types are read back for the writer: the edges the passes
        // read are let go first, and the two never add up (14 M objects: the open's peak was this step, 629-642 MB).
        lightenGraph();
        if (saveWhileGoingOn(writer)) {
          traceMemoryPoint('analysis writing');
          lightenWhileWriting();
          // The writer builds the sorted dominator tree now, while the session loads the program again
          // (HeapSession.fromState).
          writer.startTree();
          return;
        }
      }
      progress?.('paths', 0, 1);
      const parentEdge = writer?.takePaths()?.parentEdge ?? (() => shortestPathEdges(buildAnalysisGraph(g, rootNodes), Uint32Array.of(0)))();
      traceMemoryPoint('paths done');
      Object.defineProperty(a, 'pathParentEdge', { value: parentEdge, enumerable: true, writable: true });
      if (useIndex) {
        progress?.('save', 0, 1);
        const saved = trySave(() => saveAnalysis(files.analysis, a, dump, binary), files.analysis, notes);
        traceMemoryPoint('analysis saved');
        if (saved && eager) lighten();
      }
      if (parked) {
        // The types are the written index's now (lighten), else read back into memory.
        if (typesFromIndex) parked.drop();
        else parked.restore();
        parked = undefined;
      }
    };
    // Once the analysis is written, during the open: the shortest-path tree is read back from it when a query first
    // needs it, and the graph is the index's again, so that neither the tree nor the edges the passes read are held
    // while the session computes its summaries (lib/session/heap-session.ts keepSummaries).
    const lighten = (): void => {
      const stored = tryIndex(() => loadAnalysis(files.analysis, g, dump, binary), []);
      if (stored) {
        Object.defineProperty(a, 'pathParentEdge', { enumerable: true, configurable: true, get: () => stored.pathParentEdge });
        if (stored.types) {
          a.types = stored.types;
          typesFromIndex = true;
        }
        Object.defineProperty(a, 'release', { enumerable: false, value: stored.release });
      }
      lightenGraph();
    };
    // The analysis index written on a worker thread (saveWhileGoingOn), while it is written; then undefined.
    let pendingAnalysisSave: PendingSave | undefined;
    // The analysis as that index holds it, once written and read back (undefined while or if it could not be).
    let written: StoredAnalysis | undefined;
    const analysisWritten = (): boolean => {
      const pending = pendingAnalysisSave;
      if (!pending) return written !== undefined;
      pendingAnalysisSave = undefined;
      const failure = pending.wait();
      traceMemoryPoint('analysis written');
      if (failure !== null) notes.push(`could not write ${files.analysis}: ${failure}`);
      else written = tryIndex(() => loadAnalysis(files.analysis, g, dump, binary), notes);
      return written !== undefined;
    };
    // Has `writer` write the analysis, if every large array can go to its thread without a copy: the dominators,
    // retained sizes and types are shared (the session goes on reading them), the shortest-path tree is the writer's
    // own (read back from the index when a query first needs it). False when they cannot (nothing is written).
    const saveWhileGoingOn = (writer: AnalysisWriter): boolean => {
      parked?.restore(true);
      parked = undefined;
      // Empty arrays in the tree's place (the writer's own tree replaces them, in the same sections); `a`'s are
      // getters that would compute it here.
      const none = { value: new Uint32Array(0) };
      const part = encodeAnalysis(Object.create(a, { pathParentEdge: none }) as StoredAnalysis, dump, binary);
      const copied = Object.values(part.arrays).filter((x) => !(x.buffer instanceof SharedArrayBuffer));
      // What is copied into the worker's message (the reachability, the roots' arrays) is a byte per object at most.
      if (copied.some((x) => x.byteLength > g.objectCount + 65536)) return false;
      pendingAnalysisSave = writer.write(part, { idom: a.idom, retained: a.retained, save: { file: derivedFile(files.analysis, 'tree'), dump, binary } });
      finishWriting = analysisWritten;
      dominatorTree = () => writer.dominatorTree();
      return true;
    };
    // What lighten does, while the analysis is being written: the shortest-path tree (the writing thread's)
    // is read back from the index when first used, or computed again if the index could not be written; the types
    // stay in memory (shared with the writing thread). The graph became the graph index's before (lightenGraph).
    const lightenWhileWriting = (): void => {
      Object.defineProperty(a, 'pathParentEdge', {
        enumerable: true, configurable: true,
        get() {
          if (analysisWritten()) return written!.pathParentEdge;
          const parentEdge = shortestPathEdges(buildAnalysisGraph(g, rootNodes), Uint32Array.of(0));
          Object.defineProperty(a, 'pathParentEdge', { value: parentEdge, enumerable: true, writable: true, configurable: true });
          return parentEdge;
        },
      });
      Object.defineProperty(a, 'release', { enumerable: false, value: () => written?.release?.() });
      // A query reads the tree by position (a few blocks of the index for a path), the other arrays from memory.
      const columns = new Map<string, Column>();
      Object.defineProperty(a, 'column', {
        enumerable: false,
        value: (name: Parameters<NonNullable<StoredAnalysis['column']>>[0]): Column => {
          let c = columns.get(name);
          if (c === undefined) {
            const tree = name === 'pathParentEdge';
            c = tree && analysisWritten() ? written!.column!(name) : columnOf(name === 'objectType' ? a.types!.objectType : name === 'reachable' ? g.reachable : a[name]);
            columns.set(name, c);
          }
          return c;
        },
      });
      traceMemoryPoint('lightened');
    };
    // The graph as the index holds it again (its arrays read when next used), and what the loaded one held freed.
    const lightenGraph = (): void => {
      const lighter = reopen();
      if (lighter) {
        g = lighter;
        graph = lighter;
      }
      collectGarbage();
      traceMemoryPoint('graph lightened');
    };
    for (const k of ['idom', 'retained', 'pathParentEdge'] as const) {
      Object.defineProperty(a, k, {
        enumerable: true, configurable: true,
        get() {
          compute(false);
          return a[k];
        },
      });
    }
    // The binary's program (tens of MB of Go types and names) need not be held through the dominator pass either:
    // with the types stored, a session loads it again when first used.
    if (recovered === undefined && program) {
      program.close();
      program = undefined;
    }
    if (binary || options.computeAll) compute(true);
    analysis = a;
  }
  graphSaved();
  return {
    dump, binary, graph: g, analysis, fromIndex, indexNotes: notes, analysisFile: useIndex ? files.analysis : null, program, recovered,
    ...(finishWriting ? { finishWriting } : {}), ...(dominatorTree ? { dominatorTree } : {}),
  };
}

/**
 * The state of `dumpPath` when its graph and analysis indexes are both current, else undefined (and nothing noted or
 * written): opening them reads their headers only, so this is how a worker-backed open answers a warm index at once.
 */
export function loadIndexedState(dumpPath: string, options: OpenOptions = {}): SessionState | undefined {
  if (options.noCache) return undefined;
  const dump = sourceIdentity(dumpPath);
  const binary = options.binary ? sourceIdentity(options.binary) : null;
  const files = indexPaths(options.cacheDir ?? defaultCacheDir(), dump, binary);
  const ignored: string[] = [];
  const graph = tryIndex(() => loadGraph(files.graph, dump), ignored);
  if (!graph) return undefined;
  const analysis = tryIndex(() => loadAnalysis(files.analysis, graph, dump, binary), ignored);
  if (!analysis) return undefined;
  return { dump, binary, graph: withAnalysisRoots(graph, analysis), analysis, fromIndex: { graph: true, analysis: true }, indexNotes: [], analysisFile: files.analysis };
}

/**
 * Whether `dumpPath`'s index is current, so that an open reads rather than computes: its graph index and, with a
 * binary, its analysis index (without one, the analysis is computed when first needed anyway). Reads headers only.
 */
export function indexCurrent(dumpPath: string, options: OpenOptions = {}): boolean {
  if (options.noCache) return false;
  const dump = sourceIdentity(dumpPath);
  const binary = options.binary ? sourceIdentity(options.binary) : null;
  const files = indexPaths(options.cacheDir ?? defaultCacheDir(), dump, binary);
  const graph = tryIndex(() => loadGraph(files.graph, dump), []);
  if (!graph) return false;
  try {
    if (!binary) return true;
    const analysis = tryIndex(() => loadAnalysis(files.analysis, graph, dump, binary), []);
    analysis?.release?.();
    return analysis !== undefined;
  } finally {
    graph.close();
  }
}

/** The result of reading an index file, or undefined (with a note unless the file is simply absent) when it is unusable. */
function tryIndex<T>(read: () => T, notes: string[]): T | undefined {
  try {
    return read();
  } catch (e) {
    if (!(e instanceof IndexFileError)) throw e;
    if (!e.message.endsWith('expected an index file')) notes.push(e.message);
    return undefined;
  }
}

/** Waits for `writer`'s shortest-path tree to be out of memory (parked until written); traced with GOHEAP_TRACE_MEMORY. */
function waitForTree(writer: AnalysisWriter | undefined): void {
  if (!writer) return;
  traceMemoryPoint('search done');
  writer.waitForTree();
  traceMemoryPoint('tree parked');
}

/** Runs `write`; true when it wrote, else false with a note. */
function trySave(write: () => void, file: string, notes: string[]): boolean {
  try {
    write();
    return true;
  } catch (e) {
    notes.push(`could not write ${file}: ${(e as Error).message}`);
    return false;
  }
}

/** GOHEAP_TRACE_MEMORY=1: each phase's start is printed on stderr with the time, RSS and array buffers' MB. */
const TRACE_MEMORY = process.env.GOHEAP_TRACE_MEMORY === '1';

/** When this process started tracing: each line's time is counted from here. */
const traceStart = Date.now();

function traceMemory(progress: OpenOptions['onProgress']): OpenOptions['onProgress'] {
  if (!TRACE_MEMORY) return progress;
  let last = '';
  return (phase, done, total) => {
    if (phase !== last) {
      last = phase;
      traceLine(phase);
    }
    progress?.(phase, done, total);
  };
}

/** With GOHEAP_TRACE_MEMORY=1, prints RSS and array buffers' MB at a named point on stderr. */
export function traceMemoryPoint(label: string): void {
  if (TRACE_MEMORY) traceLine(label);
}

/**
 * One trace line: the time, RSS and its peak, array buffers' and V8's heap MB, and the process's page faults so far
 * (every thread's: each first write to a fresh page of a new array is one, and on a virtual machine they cost seconds).
 */
function traceLine(label: string): void {
  const m = process.memoryUsage();
  const mb = (x: number): string => (x / 2 ** 20).toFixed(0);
  const faults = process.resourceUsage().minorPageFault;
  process.stderr.write(`memory: ${((Date.now() - traceStart) / 1000).toFixed(2)} s ${label}: rss ${mb(m.rss)} MB${peakSoFar()}, arrays ${mb(m.arrayBuffers)} MB, js heap ${mb(m.heapUsed)} MB, faults ${faults}\n`);
}

/** ", peak N MB": the process's RSS high-water mark so far (Linux's VmHWM), or "" where it cannot be read. */
function peakSoFar(): string {
  try {
    const m = /VmHWM:\s*(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    return m ? `, peak ${(Number(m[1]) / 1024).toFixed(0)} MB` : '';
  } catch {
    return '';
  }
}

