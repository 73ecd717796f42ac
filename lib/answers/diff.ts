// What changed between two dumps of one program (`goheap diff`, the viewer's diff page with --baseline): per type
// (reachable objects unless `all`: garbage not yet freed is no growth), and per root node, goroutine groups
// matched by their stacks (not goroutine ids) with their goroutine counts; growth and shrinkage both, largest change
// first. Dumps of two different programs are refused (their type and itab records disagree); a base dump that looks
// newer than the other (the runtime's cumulative TotalAlloc is larger) gets a hint.
import { diffRootNodes, diffTypes, type RootDiffRow, type RootSideRow, type TypeDiffRow, type TypeRow } from '../analysis/index.js';
import { GoheapError } from '../errors.js';
import type { HeapSession } from '../session/index.js';
import { rootNodeGoroutines, rootNodeKey } from '../session/leak-queries.js';
import { firstRows } from './common.js';

export interface DiffAnswer {
  reachableBefore: number;
  reachableAfter: number;
  /** True when every object counts, garbage not yet freed included (--all). */
  all: boolean;
  /** Set when the base dump looks like the later one (were BASE and DUMP swapped?). */
  hint?: string;
  types: TypeDiffRow[];
  roots: RootDiffRow[];
}

/** The parts of a session a diff needs, so that the earlier dump's session can be closed first. */
export interface DiffSide {
  path: string;
  reachable: number;
  types: TypeRow[];
  roots: RootSideRow[];
  /** The dump's type records (address -> name) and itabs (address -> type address): the program's fingerprint. */
  typeNames: Map<number, string>;
  itabs: Map<number, number>;
  /** MemStats' cumulative TotalAlloc, when the dump has MemStats. */
  totalAlloc?: number;
}

export function diffSide(s: HeapSession): DiffSide {
  const roots = s.rootRows().map((r): RootSideRow => {
    const key = rootNodeKey(s, r.rootNode);
    return key === undefined ? { kind: r.kind, name: r.name, retained: r.retained }
      : { kind: r.kind, name: r.name, retained: r.retained, key, count: rootNodeGoroutines(s, r.rootNode) };
  });
  const g = s.graph;
  const ms = g.stats().memstats;
  const total = ms ? ms.TotalAlloc : undefined;
  return {
    path: s.dumpPath, reachable: s.reachableBytes, types: s.typeRows(), roots,
    typeNames: new Map(g.types.map((t) => [t.address, t.name])), itabs: new Map(g.itabs.map((t) => [t.address, t.typeAddress])),
    ...(typeof total === 'number' ? { totalAlloc: total } : {}),
  };
}

/**
 * Refuses two dumps of different programs: a type record at one address with two names, an itab at one address for
 * two types, or two non-empty type sets with nothing in common.
 */
function checkSameProgram(before: DiffSide, after: DiffSide): void {
  let common = 0;
  for (const [a, name] of after.typeNames) {
    const b = before.typeNames.get(a);
    if (b === undefined) continue;
    common++;
    if (b !== name) {
      throw new GoheapError(`${after.path}: not a dump of the program that wrote ${before.path}: type 0x${a.toString(16)} is ${name} here, ${b} there`,
        after.path, undefined, 'a dump of the same program');
    }
  }
  for (const [a, t] of after.itabs) {
    const b = before.itabs.get(a);
    if (b !== undefined && b !== t) {
      throw new GoheapError(`${after.path}: not a dump of the program that wrote ${before.path}: itab 0x${a.toString(16)} differs`,
        after.path, undefined, 'a dump of the same program');
    }
  }
  if (common === 0 && before.typeNames.size > 0 && after.typeNames.size > 0) {
    throw new GoheapError(`${after.path}: not a dump of the program that wrote ${before.path}: no type record in common`,
      after.path, undefined, 'a dump of the same program');
  }
}

export function diffAnswer(before: DiffSide, after: DiffSide, limit: number, all = false): DiffAnswer {
  checkSameProgram(before, after);
  const out: DiffAnswer = {
    reachableBefore: before.reachable,
    reachableAfter: after.reachable,
    all,
    types: firstRows(diffTypes(before.types, after.types, all), limit),
    roots: firstRows(diffRootNodes(before.roots, after.roots), limit),
  };
  if (before.totalAlloc !== undefined && after.totalAlloc !== undefined && before.totalAlloc > after.totalAlloc) {
    out.hint = `${before.path} looks newer than ${after.path} (the runtime had allocated more when it was written): the base dump comes first`;
  }
  return out;
}
