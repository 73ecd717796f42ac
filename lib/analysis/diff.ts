// The difference between two dumps of one program: per type and per root node, before and after. Objects are
// matched by type name (addresses change between dumps), root nodes by key: a global by name, a goroutine group by
// its stack (goroutine-groups.ts's key; goroutine ids differ between runs), so a group that grew from 200 to 300
// goroutines is one row with +100.
import type { RootNodeKind } from './root-nodes.js';
import type { TypeRow } from './histogram.js';

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
  /** A root node's kind, or 'shared': the memory a set of root nodes reaches and none alone retains. */
  kind: RootNodeKind | 'shared';
  name: string;
  retainedBefore: number;
  retainedAfter: number;
  retainedDelta: number;
  /** Goroutine groups only: goroutines in the group before and after. */
  countBefore?: number;
  countAfter?: number;
  countDelta?: number;
}

/** One root node of one dump as diffRootNodes matches it. */
export interface RootSideRow {
  kind: RootNodeKind | 'shared';
  name: string;
  retained: number;
  /** What matches it in the other dump (default: the name); a goroutine group's stack key. */
  key?: string;
  /** Goroutine groups: their goroutines. */
  count?: number;
}

/**
 * Per type: counts and bytes before and after, largest change in bytes first, growth or shrinkage (then the larger
 * count change, then name). `all`: every object of the dumps; else only reachable ones (garbage not yet freed is no
 * growth).
 */
export function diffTypes(before: readonly TypeRow[], after: readonly TypeRow[], all = false): TypeDiffRow[] {
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
    r.countBefore += all ? t.count : t.reachableCount;
    r.bytesBefore += all ? t.bytes : t.reachableBytes;
    r.retainedBefore += t.retained;
  }
  for (const t of after) {
    const r = row(t.type);
    r.countAfter += all ? t.count : t.reachableCount;
    r.bytesAfter += all ? t.bytes : t.reachableBytes;
    r.retainedAfter += t.retained;
  }
  const out = [...rows.values()].filter((r) => r.countBefore + r.countAfter > 0);
  for (const r of out) {
    r.countDelta = r.countAfter - r.countBefore;
    r.bytesDelta = r.bytesAfter - r.bytesBefore;
  }
  out.sort((a, b) => Math.abs(b.bytesDelta) - Math.abs(a.bytesDelta) || Math.abs(b.countDelta) - Math.abs(a.countDelta) ||
    (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
  return out;
}

/**
 * Per root node (matched by key, else by name): retained before and after, and goroutines before and after for
 * goroutine groups; largest change first, growth or shrinkage (then the larger goroutine change, then name). A
 * goroutine group found in one dump only is matched once more by name with one found only in the other (the main
 * goroutine's stack differs between two dumps, it is still one goroutine). A row takes the later dump's
 * kind and name when the node is in it (a group of one, "goroutine 7 (main.f)", grown to "main.f").
 */
export function diffRootNodes(before: readonly RootSideRow[], after: readonly RootSideRow[]): RootDiffRow[] {
  const rows = new Map<string, RootDiffRow>();
  const isGroup = (k: RootNodeKind | 'shared'): boolean => k === 'goroutine' || k === 'goroutines';
  const add = (r: RootSideRow, later: boolean): void => {
    const key = r.key ?? r.name;
    let x = rows.get(key);
    if (!x) {
      x = { kind: r.kind, name: r.name, retainedBefore: 0, retainedAfter: 0, retainedDelta: 0 };
      rows.set(key, x);
    }
    if (later) {
      x.kind = r.kind;
      x.name = r.name;
      x.retainedAfter += r.retained;
    } else x.retainedBefore += r.retained;
    if (isGroup(r.kind)) {
      x.countBefore ??= 0;
      x.countAfter ??= 0;
      if (later) x.countAfter += r.count ?? 1;
      else x.countBefore += r.count ?? 1;
    }
  };
  for (const r of before) add(r, false);
  for (const r of after) add(r, true);
  // Second chance for goroutine groups by name: one only before and one only after with the same name are one.
  const onlyBefore = new Map<string, string>();
  for (const [key, x] of rows) if (isGroup(x.kind) && x.countAfter === 0) onlyBefore.set(`${x.kind} ${x.name}`, key);
  for (const [key, x] of rows) {
    if (!isGroup(x.kind) || x.countBefore !== 0) continue;
    const other = onlyBefore.get(`${x.kind} ${x.name}`);
    if (other === undefined || other === key) continue;
    const b = rows.get(other)!;
    x.retainedBefore += b.retainedBefore;
    x.countBefore = (x.countBefore ?? 0) + (b.countBefore ?? 0);
    rows.delete(other);
    onlyBefore.delete(`${x.kind} ${x.name}`);
  }
  const out = [...rows.values()];
  for (const r of out) {
    r.retainedDelta = r.retainedAfter - r.retainedBefore;
    if (r.countBefore !== undefined) r.countDelta = r.countAfter! - r.countBefore;
  }
  out.sort((a, b) => Math.abs(b.retainedDelta) - Math.abs(a.retainedDelta) || Math.abs(b.countDelta ?? 0) - Math.abs(a.countDelta ?? 0) ||
    (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return out;
}
