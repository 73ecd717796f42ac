// Opening a dump for analysis: the graph, object types and dominators, from the persisted index when it is
// current, else computed and written to it for next time.
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { loadHeapGraph, type HeapGraph, type LoadPhase } from '../graph/index.js';
import { loadGoProgram, type GoProgram } from '../gotypes/index.js';
import { checkBinaryMatchesDump, recoverTypes, untypedNames } from '../typing/index.js';
import {
  buildRootNodes, computeHeapDominators, type HeapDominators, type HeapTypes, storedTypes,
} from '../analysis/index.js';
import { defaultCacheDir, indexPaths, sourceIdentity } from './cache.js';
import { loadAnalysis, loadGraph, saveAnalysis, saveGraph, type SourceIdentity } from './graph-store.js';
import { IndexFileError } from './index-file.js';

export type OpenPhase = LoadPhase | 'index' | 'types' | 'dominators' | 'save';

export interface OpenOptions {
  /** The executable that wrote the dump: globals name root nodes, and lib/typing types objects. */
  binary?: string;
  /** Neither read nor write the persisted index. */
  noCache?: boolean;
  /** Default: defaultCacheDir(). */
  cacheDir?: string;
  onProgress?: (phase: OpenPhase, done: number, total: number) => void;
}

export interface OpenedHeap {
  graph: HeapGraph;
  types: HeapTypes;
  /** True when types came from the binary. */
  typed: boolean;
  dominators: HeapDominators;
  /** Which parts came from the persisted index. */
  fromIndex: { graph: boolean; analysis: boolean };
  /** Why the index could not be used or written (a stale or damaged file is rebuilt), if it could not. */
  indexNotes: string[];
  /** The binary's program, loaded on first use (undefined without a binary). */
  program(): GoProgram | undefined;
  /** Types with field names: `types` when freshly recovered, else recovered again from the binary on first use. */
  typesWithFields(): Promise<HeapTypes>;
}

export interface OpenedGraph {
  graph: HeapGraph;
  /** True when the graph came from the persisted index. */
  fromIndex: boolean;
  indexNotes: string[];
}

/** Opens only the graph of `dumpPath`, from the persisted index when it is current (else loads and saves it). */
export function openGraph(dumpPath: string, options: Omit<OpenOptions, 'binary'> = {}): OpenedGraph {
  const dump = sourceIdentity(dumpPath);
  const files = indexPaths(options.cacheDir ?? defaultCacheDir(), dump, null);
  const notes: string[] = [];
  const opened = openGraphWith(dump, files.graph, !options.noCache, options.onProgress, notes);
  return { graph: opened.graph, fromIndex: opened.fromIndex, indexNotes: notes };
}

function openGraphWith(dump: SourceIdentity, file: string, useIndex: boolean,
  progress: OpenOptions['onProgress'], notes: string[]): { graph: HeapGraph; fromIndex: boolean } {
  if (useIndex) {
    progress?.('index', 0, 1);
    try {
      return { graph: loadGraph(file, dump), fromIndex: true };
    } catch (e) {
      if (!(e instanceof IndexFileError)) throw e;
      if (!e.message.endsWith('expected an index file')) notes.push(e.message);
    }
  }
  const graph = loadHeapGraph(dump.path, { onProgress: progress });
  if (useIndex) {
    progress?.('save', 0, 1);
    try {
      saveGraph(file, graph, dump);
    } catch (e) {
      notes.push(`could not write ${file}: ${(e as Error).message}`);
    }
  }
  return { graph, fromIndex: false };
}

/** Opens `dumpPath` with its analyses; see OpenOptions. */
export async function openHeap(dumpPath: string, options: OpenOptions = {}): Promise<OpenedHeap> {
  const progress = options.onProgress;
  const dump = sourceIdentity(dumpPath);
  const binary = options.binary ? sourceIdentity(options.binary) : null;
  const useIndex = !options.noCache;
  const files = indexPaths(options.cacheDir ?? defaultCacheDir(), dump, binary);
  const notes: string[] = [];
  const fromIndex = { graph: false, analysis: false };

  const opened = openGraphWith(dump, files.graph, useIndex, progress, notes);
  fromIndex.graph = opened.fromIndex;
  const g = opened.graph;

  let program: GoProgram | undefined;
  const getProgram = (): GoProgram | undefined => {
    if (binary && !program) {
      program = loadGoProgram(binary.path);
      checkBinaryMatchesDump(g, program, binary.path); // BinaryMismatchError for another program's executable
    }
    return program;
  };
  let freshTypes: HeapTypes | undefined;
  const recover = (): HeapTypes | undefined => {
    if (!binary) return undefined;
    freshTypes ??= recoverTypes(g, getProgram()!);
    return freshTypes;
  };

  let types: HeapTypes | undefined;
  let dominators: HeapDominators | undefined;
  let typed = false;
  if (useIndex) {
    try {
      const s = loadAnalysis(files.analysis, g, dump, binary);
      types = storedTypes(g, s.objectType, s.typeNames);
      typed = s.typed;
      dominators = computeFromStored(s.rootNodes, s.idom, s.retained, g);
      fromIndex.analysis = true;
    } catch (e) {
      if (!(e instanceof IndexFileError)) throw e;
      if (!e.message.endsWith('expected an index file')) notes.push(e.message);
    }
  }
  if (!types || !dominators) {
    progress?.('types', 0, 1);
    const t = recover();
    typed = t !== undefined;
    types = t ?? untypedNames(g);
    // Type recovery leaves hundreds of MB of dead typed arrays on a large heap; V8 frees them lazily, and the
    // dominator pass would stack its own arrays on top of them. Collect them first to keep the peak down.
    collectGarbage();
    progress?.('dominators', 0, 1);
    const rootNodes = buildRootNodes(g, binary ? getProgram()!.globals : undefined);
    dominators = computeHeapDominators(g, rootNodes);
    if (useIndex) {
      progress?.('save', 0, 1);
      try {
        saveAnalysis(files.analysis, {
          rootNodes, idom: dominators.idom, retained: dominators.retained, objectType: types.objectType,
          typeNames: types.typeNames, typed,
        }, dump, binary);
      } catch (e) {
        notes.push(`could not write ${files.analysis}: ${(e as Error).message}`);
      }
    }
  }
  const finalTypes = types;
  return {
    graph: g, types: finalTypes, typed, dominators, fromIndex, indexNotes: notes,
    program: getProgram,
    typesWithFields: async () => recover() ?? finalTypes,
  };
}

function computeFromStored(rootNodes: HeapDominators['rootNodes'], idom: Uint32Array, retained: Float64Array, g: HeapGraph): HeapDominators {
  const firstObjectNode = rootNodes.count + 1;
  return { rootNodes, nodeCount: firstObjectNode + g.objectCount, firstObjectNode, idom, retained };
}

let gcFunction: (() => void) | null | undefined;

/** Runs a full garbage collection (V8's gc(), made reachable once through --expose-gc in a fresh context). */
function collectGarbage(): void {
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
