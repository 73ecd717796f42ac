// What opening a dump computes, and where it comes from: the graph and the analyses (types, root nodes,
// dominators, retained sizes, the shortest-path tree), read from the persisted index when it is current, else
// computed and written to it. The result is the same either way: a session is built from this state alone.
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { loadHeapGraph, stackObjectRoots, type HeapGraph, type LoadPhase } from '../graph/index.js';
import { loadGoProgram, type GoProgram } from '../gotypes/index.js';
import { checkBinaryMatchesDump, recoverTypes, RecoveredTypes, logicalFrames, stackObjectSource, storeTypes } from '../typing/index.js';
import { buildAnalysisGraph, buildRootNodes, computeHeapDominators, shortestPathParents } from '../analysis/index.js';
import {
  defaultCacheDir, indexPaths, IndexFileError, loadAnalysis, loadGraph, saveAnalysis, saveGraph, sourceIdentity,
  type SourceIdentity, type StoredAnalysis,
} from '../store/index.js';

export type OpenPhase = LoadPhase | 'index' | 'types' | 'dominators' | 'paths' | 'save';

export interface OpenOptions {
  /** The executable that wrote the dump: globals name root nodes, and lib/typing types objects. */
  binary?: string;
  /** Neither read nor write the persisted index. */
  noCache?: boolean;
  /** Default: defaultCacheDir(). */
  cacheDir?: string;
  onProgress?: (phase: OpenPhase, done: number, total: number) => void;
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
}

/** Loads or computes the state of `dumpPath` (see OpenOptions). Synchronous: run it in a worker to stay responsive. */
export function loadSessionState(dumpPath: string, options: OpenOptions = {}): SessionState {
  const progress = options.onProgress;
  const dump = sourceIdentity(dumpPath);
  const binary = options.binary ? sourceIdentity(options.binary) : null;
  const useIndex = !options.noCache;
  const files = indexPaths(options.cacheDir ?? defaultCacheDir(), dump, binary);
  const notes: string[] = [];
  const fromIndex = { graph: false, analysis: false };

  let graph: HeapGraph | undefined;
  if (useIndex) {
    progress?.('index', 0, 1);
    graph = tryIndex(() => loadGraph(files.graph, dump), notes);
    fromIndex.graph = graph !== undefined;
  }
  if (!graph) {
    graph = loadHeapGraph(dump.path, { onProgress: progress });
    if (useIndex) {
      progress?.('save', 0, 1);
      trySave(() => saveGraph(files.graph, graph!, dump), files.graph, notes);
    }
  }
  let program: GoProgram | undefined;
  if (binary) {
    program = loadGoProgram(binary.path);
    checkBinaryMatchesDump(graph, program, binary.path); // BinaryMismatchError for another program's executable
    // The roots the goroutines' live stack objects hold (lib/graph/stack-objects.ts): they need the binary, so the
    // graph index (the dump's own roots) never holds them; they are added on every open, before any analysis.
    const src = stackObjectSource(program);
    if (src) {
      const so = stackObjectRoots(graph, src);
      graph = graph.withExtraRoots(so.roots, so.slotTypes);
    }
  }
  const g = graph;
  let analysis = useIndex ? tryIndex(() => loadAnalysis(files.analysis, g, dump, binary), notes) : undefined;
  fromIndex.analysis = analysis !== undefined;
  let recovered: RecoveredTypes | undefined;
  if (!analysis) {
    if (program) {
      progress?.('types', 0, 1);
      recovered = recoverTypes(g, program) as RecoveredTypes;
    }
    // Type recovery leaves hundreds of MB of dead typed arrays on a large heap; V8 frees them lazily, and the
    // dominator pass would stack its own arrays on top of them. Collect them first to keep the peak down.
    collectGarbage();
    progress?.('dominators', 0, 1);
    const p = program;
    const rootNodes = buildRootNodes(g, p?.globals, p ? (f) => logicalFrames(p, g, f).map((x) => x.function) : undefined);
    const dom = computeHeapDominators(g, rootNodes);
    progress?.('paths', 0, 1);
    const sp = shortestPathParents(buildAnalysisGraph(g, rootNodes), Uint32Array.of(0));
    analysis = {
      rootNodes, idom: dom.idom, retained: dom.retained, pathParent: sp.parent, pathParentEdge: sp.parentEdge,
      types: recovered ? storeTypes(recovered) : null,
    };
    if (useIndex) {
      progress?.('save', 0, 1);
      const a = analysis;
      trySave(() => saveAnalysis(files.analysis, a, dump, binary), files.analysis, notes);
    }
  }
  return { dump, binary, graph: g, analysis, fromIndex, indexNotes: notes, analysisFile: useIndex ? files.analysis : null, program, recovered };
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

function trySave(write: () => void, file: string, notes: string[]): void {
  try {
    write();
  } catch (e) {
    notes.push(`could not write ${file}: ${(e as Error).message}`);
  }
}

let gcFunction: (() => void) | null | undefined;

/** Runs a full garbage collection (V8's gc(), made reachable once through --expose-gc in a fresh context). */
export function collectGarbage(): void {
  if (gcFunction === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      gcFunction = vm.runInNewContext('gc') as () => void;
    } catch {
      gcFunction = null;
    }
  }
  gcFunction?.();
}
