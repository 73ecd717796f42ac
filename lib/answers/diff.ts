// What grew between two dumps of one program (`goheap diff`, the viewer's diff page with --baseline).
import { diffRootNodes, diffTypes, type RootDiffRow, type RootNodeRow, type TypeDiffRow, type TypeRow } from '../analysis/index.js';
import type { HeapSession } from '../session/index.js';
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
  roots: RootNodeRow[];
}

export function diffSide(s: HeapSession): DiffSide {
  return { reachable: s.reachableBytes, types: s.typeRows(), roots: s.rootRows() };
}

export function diffAnswer(before: DiffSide, after: DiffSide, limit: number): DiffAnswer {
  return {
    reachableBefore: before.reachable,
    reachableAfter: after.reachable,
    types: firstRows(diffTypes(before.types, after.types), limit),
    roots: firstRows(diffRootNodes(before.roots, after.roots), limit),
  };
}
