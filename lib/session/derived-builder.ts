// Starting and stopping the process that builds a session's large derived indexes (lib/session/derived-worker.ts):
// forked with the settings of a process whose work is whole-heap arrays (array-process.ts), its messages turned into
// calls, and stopped (its unfinished index file removed) when its session is closed or this process ends.
import { forkArrayProcess, removeOwnTemps } from './array-process.js';
import type { DerivedStructure } from './derived.js';
import type { DerivedWorkerMessage, DerivedWorkerRequest } from './derived-worker.js';

export interface DerivedBuilder {
  /** Resolves with the builder's peak RSS (MB) once every index is written; rejects when it fails or stops. */
  readonly done: Promise<number>;
  /** Stops it (while it runs). */
  stop(): void;
}

/**
 * Starts the builder for `request`, writing into `folder` (null: nothing is written); `onBuilt` is called as each
 * derived index is written.
 */
export function startDerivedBuilder(request: DerivedWorkerRequest, folder: string | null, onBuilt: (name: DerivedStructure) => void): DerivedBuilder {
  // Its traces (GOHEAP_TRACE_MEMORY=1 and the like), line by line on this process's stderr, named as the builder's.
  const trace = Object.entries(process.env).some(([k, v]) => k.startsWith('GOHEAP_TRACE_') && v === '1');
  let partial = '';
  const { child, stderrTail } = forkArrayProcess('lib/session/derived-worker.js', [JSON.stringify(request)], request.dumpPath, trace ? (d) => {
    const lines = (partial + d).split('\n');
    partial = lines.pop() ?? '';
    for (const l of lines) process.stderr.write(`goheap: derived-index builder: ${l}\n`);
  } : undefined);
  const stop = (): void => {
    child.kill();
    // Its unfinished file goes now: this process may be ending (a write the kill cuts short finds it gone).
    if (child.pid !== undefined && folder !== null) removeOwnTemps(folder, child.pid);
  };
  process.once('exit', stop);
  const done = new Promise<number>((resolve, reject) => {
    let settled = false;
    const settle = (e: Error | undefined, peakRssMB = 0): void => {
      if (settled) return;
      settled = true;
      if (e) reject(e);
      else resolve(peakRssMB);
    };
    child.on('message', (m: DerivedWorkerMessage) => {
      if (m.type === 'built') onBuilt(m.name);
      else if (m.type === 'done') settle(undefined, m.peakRssMB);
      else settle(new Error(m.message));
    });
    child.on('error', (e) => settle(e));
    // 'close', not 'exit': the channel's last messages are read by then.
    child.on('close', (code, signal) => {
      process.removeListener('exit', stop);
      if (child.pid !== undefined && folder !== null) removeOwnTemps(folder, child.pid);
      const last = stderrTail().trim().split('\n').pop() ?? '';
      settle(new Error(`the derived-index builder stopped (${signal ?? `exit ${code}`})${last ? `: ${last}` : ''}`));
    });
  });
  return { done, stop };
}
