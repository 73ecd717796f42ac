// The instances of one type (`goheap instances`, the viewer's instances page): paged, sorted by size or retained
// size, with the type's count and bytes. Types are named as the type histogram names them (size classes without a
// binary).
import type { HeapSession, InstanceSort } from '../session/index.js';
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
export function instancesAnswer(s: HeapSession, type: string, options: { sort?: InstanceSort; offset?: number; limit?: number } = {}):
  InstancesAnswer | undefined {
  const sort = options.sort ?? 'retained';
  const offset = options.offset ?? 0;
  const page = s.instances(type, { sort, offset, limit: options.limit ?? 50 });
  if (!page) return undefined;
  return {
    type, count: page.count, bytes: page.bytes, sort, offset,
    instances: page.items.map((i) => ({ address: hex(s.instanceAddress(i)), size: s.instanceSize(i), retained: s.instanceRetained(i) })),
  };
}

/** Type names containing `text` (case-insensitively), biggest first: the hint for a type that is not there. */
export function similarTypes(s: HeapSession, text: string, limit = 5): string[] {
  const t = text.toLowerCase().replace(/^\*/, '');
  const last = t.slice(t.lastIndexOf('.') + 1);
  const rows = s.findTypes(t, limit);
  return (rows.length > 0 ? rows : s.findTypes(last, limit)).map((r) => r.type);
}
