// Whole-heap answers kept beside the index: plain JSON documents (what a command prints with --json), each a derived
// index stamped with the build of goheap that kept it, so that a warm command reads one small file instead of the
// arrays the answer was computed from, and an answer kept by another build is computed again.
import * as fs from 'node:fs';
import { compiledFile } from '../package-files.js';
import type { DerivedIndexes } from './derived.js';

/**
 * The version of the answers kept: part of their files' names. Bump it when an answer's code changes what it says.
 */
const ANSWERS_VERSION = 1;

/**
 * Which build of goheap kept an answer: the modification time of this file's compiled module (every build rewrites
 * it, an install writes it), recorded with each kept answer, so that an answer kept by another build is computed again
 * rather than read back. The same for the bundled command line and for tsc's output, which tests and workers run.
 */
const BUILD_STAMP = ((): string => {
  try {
    return String(Math.floor(fs.statSync(compiledFile('lib/session/kept-answers.js')).mtimeMs));
  } catch {
    return 'unknown';
  }
})();

export class KeptAnswers {
  /** The answers' JSON texts read or built by this session. */
  private readonly texts = new Map<string, string>();

  constructor(private readonly derived: DerivedIndexes) {}

  /** See HeapSession.keptAnswer. */
  get<T>(key: string, build: () => T): T {
    const name = `answer-v${ANSWERS_VERSION}-${key.replace(/[^\w.-]/g, '_')}`;
    let text = this.texts.get(name);
    if (text === undefined) {
      text = this.derived.get(name, () => JSON.stringify(build()), (t) => ({ meta: { build: BUILD_STAMP, answer: JSON.parse(t) as unknown }, arrays: {} }),
        (p) => {
          const m = p.meta as { build?: string; answer?: unknown } | null;
          return m?.build !== BUILD_STAMP || m.answer === undefined ? undefined : JSON.stringify(m.answer);
        });
      this.texts.set(name, text);
    }
    return JSON.parse(text) as T;
  }
}
