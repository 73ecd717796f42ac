// Mocha's global fixture for a full run (.mocharc.json requires it; it runs once, before any test file, also with
// --parallel): the run starts without persisted indexes, as on a fresh clone in CI, so every fixture's index is
// written by this build's code, once, and then shared by the tests that read it (SHARED_INDEX). The folder is
// renamed away first, so that a goheap process still writing into it cannot make the removal fail.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './fixtures.js';

export function mochaGlobalSetup(): void {
  const dir = path.join(ROOT, '.cache/test-index');
  const old = `${dir}.old-${process.pid}`;
  try {
    fs.renameSync(dir, old);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    return;
  }
  fs.rmSync(old, { recursive: true, force: true, maxRetries: 5 });
}
