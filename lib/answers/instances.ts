// The instances of one type (`goheap instances`, the viewer's instances page): paged, sorted by size or retained
// size, with the type's count and bytes. Types are named as the type histogram names them (size classes without a
// binary). Reachable instances only unless `all` (garbage not yet freed is no instance of the live heap).
import type { HeapSession, InstanceSort } from '../session/index.js';
import { allocatedAs } from '../typing/index.js';
import { hex } from './common.js';

export interface InstancesAnswer {
  type: string;
  count: number;
  bytes: number;
  sort: InstanceSort;
  offset: number;
  instances: { address: string; size: number; retained: number }[];
}

/** Instances of `type`, or undefined when no object has that type (see similarTypes for a hint). */
export function instancesAnswer(s: HeapSession, type: string, options: { sort?: InstanceSort; offset?: number; limit?: number; all?: boolean } = {}):
  InstancesAnswer | undefined {
  const sort = options.sort ?? 'retained';
  const offset = options.offset ?? 0;
  const page = s.instances(type, { sort, offset, limit: options.limit ?? 50, all: options.all ?? false });
  if (!page) return undefined;
  return {
    type, count: page.count, bytes: page.bytes, sort, offset,
    instances: page.items.map((i) => ({ address: hex(s.address(i)), size: s.size(i), retained: s.retained(i) })),
  };
}

/** Type names containing `text` (case-insensitively), biggest first: the hint for a type that is not there. */
export function similarTypes(s: HeapSession, text: string, limit = 5): string[] {
  const t = text.toLowerCase().replace(/^\*/, '');
  const last = t.slice(t.lastIndexOf('.') + 1);
  const rows = s.findTypes(t, limit);
  return (rows.length > 0 ? rows : s.findTypes(last, limit)).map((r) => r.type);
}

/**
 * Why a public type has no objects when the runtime allocates them as a larger type of its own: "the runtime
 * allocates time.Timer objects as runtime.timeTimer (...)" on Go 1.23+; '' otherwise.
 */
export function allocatedAsHint(s: HeapSession, text: string): string {
  const program = s.typed ? s.program : undefined;
  const w = program === undefined ? undefined : allocatedAs(program, text.trim());
  const row = w === undefined ? undefined : s.findTypes(w, 100).find((r) => r.type === w);
  return row === undefined ? '' : `the runtime allocates ${text.trim()} objects as ${w} (${row.count.toLocaleString('en-US')} ${w} objects in this dump, time.Timer and time.Ticker together)`;
}
