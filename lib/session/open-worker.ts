// The worker thread that loads a session's state off the main thread (worker-client.ts starts it): it runs
// loadSessionState, posts progress as it goes, and posts the graph and analysis back in their encoded form
// (lib/store's encodeGraph/encodeAnalysis), their typed arrays transferred rather than copied.
import { parentPort, workerData } from 'node:worker_threads';
import { encodeAnalysis, encodeGraph, type EncodedPart } from '../store/index.js';
import { loadSessionState, type OpenOptions } from './load-state.js';

export interface WorkerRequest {
  dumpPath: string;
  options: Omit<OpenOptions, 'onProgress'>;
}

export type WorkerMessage =
  | { type: 'progress'; phase: string; done: number; total: number }
  | { type: 'done'; graph: EncodedPart; analysis: EncodedPart; state: { dump: unknown; binary: unknown; fromIndex: unknown; indexNotes: string[]; analysisFile: string | null } }
  | { type: 'error'; error: { name: string; message: string; stack?: string; props: Record<string, unknown> } };

const port = parentPort!;
const req = workerData as WorkerRequest;
try {
  let last = 0;
  const s = loadSessionState(req.dumpPath, {
    ...req.options,
    onProgress: (phase, done, total) => {
      const now = Date.now();
      if (done === 0 || done === total || now - last > 100) {
        last = now;
        port.postMessage({ type: 'progress', phase, done, total } satisfies WorkerMessage);
      }
    },
  });
  s.finishWriting?.(); // the analysis index, written on a thread of its own while nothing here needs it
  const graph = encodeGraph(s.graph, s.dump);
  const analysis = encodeAnalysis(s.analysis, s.dump, s.binary);
  const buffers = new Set<ArrayBuffer>();
  for (const part of [graph, analysis]) {
    // Arrays over SharedArrayBuffers (a graph loaded from the dump: lib/graph/load.ts) are shared, not transferred.
    for (const a of Object.values(part.arrays)) if (a.buffer instanceof ArrayBuffer && a.buffer.byteLength >= 65536) buffers.add(a.buffer);
  }
  s.graph.close();
  port.postMessage({
    type: 'done', graph, analysis,
    state: { dump: s.dump, binary: s.binary, fromIndex: s.fromIndex, indexNotes: s.indexNotes, analysisFile: s.analysisFile },
  } satisfies WorkerMessage, [...buffers]);
} catch (e) {
  const err = e as Error & Record<string, unknown>;
  const props: Record<string, unknown> = {};
  for (const k of Object.keys(err)) {
    const v = err[k];
    if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) props[k] = v;
  }
  port.postMessage({ type: 'error', error: { name: err?.name ?? 'Error', message: err?.message ?? String(e), stack: err?.stack, props } } satisfies WorkerMessage);
}
