// Which types (and roots) point at the instances of a type, by field, with counts: the "referenced by" part of a
// type's page. It asks the session for the instances' referrers (while a first start still builds the reverse edges, the
// session scans the edges once for all of them), over at most SAMPLE instances
// (lowest addresses first), and stops after the instance that brings the references counted to REFERENCES, so that
// a type with millions of instances, or instances with millions of referrers, does not make a page walk the heap;
// the page says how many instances it counted. Referring objects that are unreachable themselves (garbage not yet freed:
// a map's old buckets, a slice's old backing array) are counted apart, after the others.
import type { HeapSession } from '../../lib/session/index.js';

export interface ReferencingRow {
  /** 'object', or the root's kind ('global', 'goroutine', ...). */
  kind: string;
  /**
   * For objects: whether the referring objects are reachable (unreachable ones, not yet freed, hold nothing alive:
   * their rows come last). Roots are.
   */
  reachable: boolean;
  /** The referring object's type row, as `types` names it (arrays of any length together), or the root's name. */
  from: string;
  /**
   * The field of the referrer ("Next", "[].Name": array indices folded; UNTYPED_WORDS for an untyped object), or the
   * root slot.
   */
  field: string;
  count: number;
}

export const SAMPLE = 1000;
/** The field of a row of an untyped object's pointers (at whatever offsets). */
export const UNTYPED_WORDS = 'any word (no type known)';
/** References counted at most (past it, no further instance is asked). */
export const REFERENCES = 20000;

export function referencingTypes(s: HeapSession, type: string, sample = SAMPLE): { sampled: number; rows: ReferencingRow[] } {
  const page = s.instances(type, { sort: 'address', offset: 0, limit: sample });
  if (!page) return { sampled: 0, rows: [] };
  const items = page.items;
  const counts = new Map<string, ReferencingRow>();
  let counted = 0;
  let sampled = 0;
  for (const refs of s.referrersOfEach(Array.from(items))) {
    if (counted >= REFERENCES) break;
    sampled++;
    for (const ref of refs) {
      counted++;
      const kind = ref.kind === 'object' ? 'object' : ref.rootKind;
      const from = ref.kind === 'object' ? s.typeRowName(ref.object) : ref.kind === 'root' && ref.rootKind === 'goroutine' ? (ref.function ?? ref.name) : ref.name;
      // An untyped object's slots are offsets, no field: its pointers count in one row, whatever their offsets.
      const untyped = ref.kind === 'object' && s.types.typeIdAt(ref.object) === 0;
      const field = untyped ? UNTYPED_WORDS : ref.kind === 'object' ? ref.field.replace(/\[[0-9]+\]/g, '[]')
        : ref.kind === 'root' && ref.variable ? ref.variable.replace(/\[[0-9]+\]/g, '[]') : ref.slot;
      const reachable = ref.kind !== 'object' || s.isReachable(ref.object);
      const key = `${kind}\u0000${from}\u0000${field}\u0000${reachable}`;
      const row = counts.get(key);
      if (row) row.count++;
      else counts.set(key, { kind, reachable, from, field, count: 1 });
    }
  }
  // Reachable referrers first (what holds the instances alive), then garbage that still points at them.
  const rows = [...counts.values()].sort((a, b) => Number(b.reachable) - Number(a.reachable) || b.count - a.count || (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  return { sampled, rows };
}
