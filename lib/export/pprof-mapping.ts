// The one mapping of goheap's pprof profiles: named after the program (or the dump when there is no binary), its
// frames already symbolized, so that `go tool pprof` shows "File: NAME" (and its web UI's title) instead of "Main
// binary filename not available" and "unknown", and never tries to symbolize them.
import { Mapping, type StringTable } from 'pprof-format';
import type { HeapSession } from '../session/index.js';

/** The mapping (id 1) every location of a profile of `s` points at; `lines`: its frames carry files and lines. */
export function programMapping(s: HeapSession, strings: StringTable, lines: boolean): Mapping {
  const name = (s.binaryPath ?? s.dumpPath).split('/').pop() || 'heap';
  return new Mapping({ id: 1, filename: strings.dedup(name), hasFunctions: true, hasFilenames: lines, hasLineNumbers: lines, hasInlineFrames: lines });
}
