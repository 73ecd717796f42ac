// What grew between two dumps of one program (`goheap diff`, the viewer's diff page with --baseline): per type,
// and per root node, goroutine groups matched by their stacks (not goroutine ids) with their goroutine counts.
import { diffRootNodes, diffTypes, type RootDiffRow, type RootSideRow, type TypeDiffRow, type TypeRow } from '../analysis/index.js';
import type { HeapSession } from '../session/index.js';
import { rootNodeGoroutines, rootNodeKey } from '../session/leak-queries.js';
import { firstRows } from './common.js';

export interface DiffAnswer {
  reachableBefore: number;
  reachableAfter: number;
  types: TypeDiffRow[];
  roots: RootDiffRow[];
}

/** The parts of a session a diff needs, so that the earlier dump's session can be closed first. */
export interface DiffSide {
  reachable: number;
  types: TypeRow[];
  roots: RootSideRow[];
}

export function diffSide(s: HeapSession): DiffSide {
  const roots = s.rootRows().map((r): RootSideRow => {
    const key = rootNodeKey(s, r.rootNode);
    return key === undefined ? { kind: r.kind, name: r.name, retained: r.retained }
      : { kind: r.kind, name: r.name, retained: r.retained, key, count: rootNodeGoroutines(s, r.rootNode) };
  });
  return { reachable: s.reachableBytes, types: s.typeRows(), roots };
}

export function diffAnswer(before: DiffSide, after: DiffSide, limit: number): DiffAnswer {
  return {
    reachableBefore: before.reachable,
    reachableAfter: after.reachable,
    types: firstRows(diffTypes(before.types, after.types), limit),
    roots: firstRows(diffRootNodes(before.roots, after.roots), limit),
  };
}
