// The answers a cold open keeps beside the index it wrote, while the dominator tree, retained sizes and types are in
// memory: the leak suspects at the default threshold (as Eclipse MAT writes its leak report when it parses a dump).
// A first warm `goheap suspects` (or the viewer's suspects page after a restart) then reads one small file instead
// of the per-object arrays it is computed from (HeapSession.keptAnswer).
import type { HeapSession } from '../session/index.js';
import { suspectsAnswer } from './suspects.js';

/** The share of the reachable heap a leak suspect retains at least, unless asked otherwise (`goheap suspects`). */
export const DEFAULT_SUSPECT_THRESHOLD = 0.1;

/** Keeps the cold open's answers when `s` is a cold open that kept its summaries (else does nothing). */
export function keepColdOpenAnswers(s: HeapSession): void {
  if (!s.summariesKept) return;
  suspectsAnswer(s, DEFAULT_SUSPECT_THRESHOLD);
}
