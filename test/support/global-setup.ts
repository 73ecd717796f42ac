// Mocha's global fixture for a full run (.mocharc.json requires it; it runs once, before any test file, also with
// --parallel): the run starts without persisted indexes, as on a fresh clone in CI, so every fixture's index is
// written by this build's code, once, and then shared by the tests that read it (SHARED_INDEX).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './fixtures.js';

export function mochaGlobalSetup(): void {
  fs.rmSync(path.join(ROOT, '.cache/test-index'), { recursive: true, force: true });
}
