// The worker thread that writes one index file (lib/store writeIndexFile) while the thread that started it goes on
// with the open (background-save.ts). Its typed arrays come over SharedArrayBuffers (no copy); it reports through
// the shared status words: 1 written, 2 failed (the message's UTF-8 bytes in `message`, their length in status[1]).
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { workerData } from 'node:worker_threads';
import type { BackgroundSaveRequest } from './background-save.js';

const req = workerData as BackgroundSaveRequest;
try {
  const { writeIndexFile } = await import('../store/index.js');
  writeIndexFile(req.file, req.meta, req.arrays);
  Atomics.store(req.status, 0, 1);
} catch (e) {
  const bytes = Buffer.from(e instanceof Error ? e.message : String(e), 'utf8').subarray(0, req.message.length);
  req.message.set(bytes);
  req.status[1] = bytes.length;
  Atomics.store(req.status, 0, 2);
}
// Let go of the shared arrays before saying so: the thread that started this one may be blocked (its event loop
// cannot tear this thread down yet), and memory it frees must not stay held here.
const { status } = req;
(req as Partial<BackgroundSaveRequest>).arrays = undefined;
collectGarbage();
Atomics.notify(status, 0);

function collectGarbage(): void {
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    gc();
    gc();
  } catch {
    // no gc: the arrays go when this thread ends
  }
}
