// The worker thread that writes one index file (lib/store writeIndexFile) while the thread that started it goes on
// with the open (background-save.ts). Its typed arrays come over SharedArrayBuffers (no copy); it reports through
// the shared status words: 1 written, 2 failed (the message's UTF-8 bytes in `message`, their length in status[1]).
// Started as an analysis writer (analysisWriterInBackground), it first computes a shortest-path tree over the shared
// edges, parks it in a file (status[3]), then waits on its port to write it with the analysis, or to send it back.
// Told to write, it may also be given the dominators and retained sizes (shared): it then builds the sorted dominator
// tree once the other thread says so (status[5]), sends it back over SharedArrayBuffers (status[4]), then writes.
import { type MessagePort, workerData } from 'node:worker_threads';
import { type BackgroundSaveRequest, type PathsMessage, type TreeInputs, type TreeMessage, type WriterMessage } from './background-save.js';
import { waitForWord } from '../worker-thread.js';
import type { ArraySource, StoredArray } from '../store/index.js';
import { shortestPathEdges } from '../analysis/paths.js';
import { sortedDominatorTree } from '../analysis/retained.js';
import { parkArrays } from './parked-arrays.js';
import { collectGarbage } from '../collect-garbage.js';

const req = workerData as BackgroundSaveRequest;
if (req.paths && req.port) await writeWithPaths(req, req.port);
else await write(req.meta, req.arrays);
finish();

/** Writes the index file; says how it went in the status words. */
async function write(meta: unknown, arrays: Record<string, StoredArray | ArraySource>): Promise<void> {
  try {
    const { writeIndexFile } = await import('../store/index.js');
    writeIndexFile(req.file, meta, arrays);
    Atomics.store(req.status, 0, 1);
  } catch (e) {
    fail(e);
  }
}

function fail(e: unknown): void {
  const bytes = Buffer.from(e instanceof Error ? e.message : String(e), 'utf8').subarray(0, req.message.length);
  req.message.set(bytes);
  req.status[1] = bytes.length;
  Atomics.store(req.status, 0, 2);
}

/**
 * The shortest-path tree of r.paths now, then what the port says: write it with the analysis sent (in place of
 * that analysis' own, empty, pathParentEdge: the sections keep their order), or send it back.
 */
async function writeWithPaths(r: BackgroundSaveRequest, port: MessagePort): Promise<void> {
  const tree = treeOf(r);
  // Until it is written, the tree waits in a file (as the open's types do: parked-arrays.ts), so that it is not in
  // memory while the dominator pass the other thread runs meanwhile reaches its peak.
  const parked = 'parentEdge' in tree ? parkArrays(`${r.file}-paths.${process.pid}.tmp`, tree, ['parentEdge']) : undefined;
  // The edges are the other thread's to free once it lets them go: nothing here holds them any longer.
  collectGarbage();
  Atomics.store(r.status, 3, 1);
  Atomics.notify(r.status, 3);
  const m = await new Promise<WriterMessage>((resolve) => port.once('message', resolve));
  if (m.type === 'write') {
    // The dominator tree first; the shortest-path tree is written from the file it is parked in, a chunk at a time.
    if (m.tree) await treeFor(r, m.tree, port);
    port.close();
    if (!('parentEdge' in tree)) {
      fail(new Error(tree.error));
      return;
    }
    const parentEdge = parked?.source('parentEdge');
    const arrays: Record<string, StoredArray | ArraySource> = { ...m.arrays, pathParentEdge: parentEdge ?? tree.parentEdge };
    await write(m.meta, arrays);
    parked?.drop();
    return;
  }
  let back: PathsMessage = tree;
  try {
    parked?.restore();
  } catch (e) {
    back = { error: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage(back, 'parentEdge' in back ? [back.parentEdge.buffer as ArrayBuffer] : []);
  port.close();
  Atomics.store(r.status, 2, 1);
  Atomics.notify(r.status, 2);
}

/**
 * The shortest-path tree of r.paths, which it lets go of. Not in writeWithPaths itself: a suspended async function
 * keeps the registers it passed arguments in, and with them the graph's edges.
 */
function treeOf(r: BackgroundSaveRequest): PathsMessage {
  const g = r.paths!;
  r.paths = undefined;
  try {
    return { parentEdge: shortestPathEdges(g, Uint32Array.of(0)) };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * The dominator tree of `inputs`, children sorted by retained size (lib/analysis sortedDominatorTree), over
 * SharedArrayBuffers, sent on `port` once the other thread says it may be built (status[5]: by then that thread has
 * let go of what it held through the dominator pass, so that the two never add up); status[4] says it was sent.
 */
async function treeFor(r: BackgroundSaveRequest, inputs: TreeInputs, port: MessagePort): Promise<void> {
  waitForWord(r.status, 5);
  let m: TreeMessage;
  try {
    m = sortedDominatorTree(inputs.idom, inputs.retained, (k) => new Uint32Array(new SharedArrayBuffer(4 * k)));
  } catch (e) {
    m = { error: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage(m);
  Atomics.store(r.status, 4, 1);
  Atomics.notify(r.status, 4);
  // Kept as the session's derived index, as HeapSession.dominatorTree would keep it: one that cannot be written is
  // built again by the first open that needs it.
  if (inputs.save && 'firstChild' in m) {
    try {
      // Imported only now, as write() imports lib/store: this thread's modules stay few while the open's peak passes.
      const [{ saveDerived }, { treeCodec }] = await Promise.all([import('../store/index.js'), import('./derived.js')]);
      saveDerived(inputs.save.file, 'tree', treeCodec.encode(m), inputs.save.dump, inputs.save.binary);
    } catch {
      // a cache file: nothing lost
    }
  }
}

/** Lets go of the shared arrays before saying the file is written (or not). */
function finish(): void {
  // The thread that started this one may be blocked (its event loop cannot tear this thread down yet), and memory
  // it frees must not stay held here.
  const { status } = req;
  (req as Partial<BackgroundSaveRequest>).arrays = undefined;
  collectGarbage();
  Atomics.notify(status, 0);
}

