// Loads a session's state in a worker thread (open-worker.ts) and rebuilds it here from the encoded parts the
// worker transfers. A worker's error comes back as the same kind of error: errors carrying a file and offset keep
// their class name and message, so the CLI and the viewer report them as they would in-thread.
import { compiledFile } from '../package-files.js';
import { decodeAnalysis, decodeGraph, type SourceIdentity } from '../store/index.js';
import { loadIndexedState, type OpenOptions, type OpenPhase, type SessionState } from './load-state.js';
import type { WorkerMessage, WorkerRequest } from './open-worker.js';
import { startWorker } from '../worker-thread.js';

/** An error raised in the loading worker, with the original's name, message and fields. */
export class WorkerLoadError extends Error {
  constructor(name: string, message: string, props: Record<string, unknown>) {
    super(message);
    Object.assign(this, props);
    this.name = name;
  }
}

/**
 * loadSessionState in a worker thread; resolves with the same state. A current index is opened in this thread
 * instead (reading its headers only: its arrays are read when first used), without starting a worker.
 */
export async function loadStateInWorker(dumpPath: string, options: OpenOptions): Promise<SessionState> {
  const { onProgress, ...rest } = options;
  const indexed = loadIndexedState(dumpPath, rest);
  if (indexed) return indexed;
  const request: WorkerRequest = { dumpPath, options: rest };
  return new Promise<SessionState>((resolve, reject) => {
    const worker = startWorker(compiledFile('lib/session/open-worker.js'), { workerData: request });
    let settled = false;
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'progress') onProgress?.(m.phase as OpenPhase, m.done, m.total);
      else if (m.type === 'error') {
        settled = true;
        reject(new WorkerLoadError(m.error.name, m.error.message, m.error.props));
      } else {
        settled = true;
        try {
          const dump = m.state.dump as SourceIdentity;
          const binary = m.state.binary as SourceIdentity | null;
          const graph = decodeGraph(m.graph, dump, dumpPath);
          const analysis = decodeAnalysis(m.analysis, graph, dump, binary, dumpPath);
          resolve({ dump, binary, graph, analysis, fromIndex: m.state.fromIndex as SessionState['fromIndex'], indexNotes: m.state.indexNotes,
            analysisFile: m.state.analysisFile });
        } catch (e) {
          reject(e);
        }
      }
    });
    worker.on('error', (e) => {
      if (!settled) reject(e);
      settled = true;
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new Error(`the loading worker stopped (exit ${code})`));
      settled = true;
    });
  });
}
