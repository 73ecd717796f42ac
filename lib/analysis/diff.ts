// The difference between two dumps of one program: per type and per root node, before and after. Objects are
// matched by type name (addresses change between dumps), root nodes by name.
import type { RootNodeKind } from './root-nodes.js';
import type { RootNodeRow, TypeRow } from './histogram.js';

export interface TypeDiffRow {
  type: string;
  countBefore: number;
  countAfter: number;
  bytesBefore: number;
  bytesAfter: number;
  retainedBefore: number;
  retainedAfter: number;
  countDelta: number;
  bytesDelta: number;
}

export interface RootDiffRow {
  kind: RootNodeKind;
  name: string;
  retainedBefore: number;
  retainedAfter: number;
  retainedDelta: number;
}

/** Per type: counts and bytes before and after, largest growth in bytes first (then count growth, then name). */
export function diffTypes(before: readonly TypeRow[], after: readonly TypeRow[]): TypeDiffRow[] {
  const rows = new Map<string, TypeDiffRow>();
  const row = (type: string): TypeDiffRow => {
    let r = rows.get(type);
    if (!r) {
      r = { type, countBefore: 0, countAfter: 0, bytesBefore: 0, bytesAfter: 0, retainedBefore: 0, retainedAfter: 0, countDelta: 0, bytesDelta: 0 };
      rows.set(type, r);
    }
    return r;
  };
  for (const t of before) {
    const r = row(t.type);
    r.countBefore += t.count;
    r.bytesBefore += t.bytes;
    r.retainedBefore += t.retained;
  }
  for (const t of after) {
    const r = row(t.type);
    r.countAfter += t.count;
    r.bytesAfter += t.bytes;
    r.retainedAfter += t.retained;
  }
  const out = [...rows.values()];
  for (const r of out) {
    r.countDelta = r.countAfter - r.countBefore;
    r.bytesDelta = r.bytesAfter - r.bytesBefore;
  }
  out.sort((a, b) => b.bytesDelta - a.bytesDelta || b.countDelta - a.countDelta || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
  return out;
}

/** Per root node (matched by name): retained before and after, largest growth first. */
export function diffRootNodes(before: readonly RootNodeRow[], after: readonly RootNodeRow[]): RootDiffRow[] {
  const rows = new Map<string, RootDiffRow>();
  for (const r of before) {
    const x = rows.get(r.name) ?? { kind: r.kind, name: r.name, retainedBefore: 0, retainedAfter: 0, retainedDelta: 0 };
    x.retainedBefore += r.retained;
    rows.set(r.name, x);
  }
  for (const r of after) {
    const x = rows.get(r.name) ?? { kind: r.kind, name: r.name, retainedBefore: 0, retainedAfter: 0, retainedDelta: 0 };
    x.retainedAfter += r.retained;
    rows.set(r.name, x);
  }
  const out = [...rows.values()];
  for (const r of out) r.retainedDelta = r.retainedAfter - r.retainedBefore;
  out.sort((a, b) => b.retainedDelta - a.retainedDelta || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return out;
}
