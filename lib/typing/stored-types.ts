// The persisted form of recovered types: what a session writes to its index and reads back, so that a warm open
// rebuilds the very RecoveredTypes a cold open made (field names included) without recovering types again.
// The Go types themselves are not stored: they are read from the binary, whose type ids are deterministic.
import type { HeapGraph } from '../graph/index.js';
import type { GoProgram } from '../gotypes/index.js';
import { RecoveredTypes } from './heap-types.js';
import { goMinor } from './recover.js';
import { TypingTable } from './typings.js';

/** The typing table as plain columns (JSON-safe) and the per-object typing ids. */
export interface StoredTypes {
  /** Per typing id: its name, kind, Go type id (-1 for none) and array count. */
  typings: { name: string[]; kind: number[]; typeId: number[]; count: number[] };
  objectType: Uint32Array;
}

/** The persisted form of `types`. */
export function storeTypes(types: RecoveredTypes): StoredTypes {
  const t = types.typings;
  return {
    typings: { name: [...t.names], kind: [...t.kind], typeId: [...t.typeId], count: [...t.count] },
    objectType: types.objectType,
  };
}

/** Rebuilds RecoveredTypes from their persisted form; undefined when it does not fit `program` (another binary). */
export function restoreTypes(graph: HeapGraph, program: GoProgram, stored: StoredTypes): RecoveredTypes | undefined {
  const table = TypingTable.restore(program, stored.typings);
  if (table === undefined || stored.objectType.length !== graph.objectCount) return undefined;
  const headers = (goMinor(graph.params.goVersion) || goMinor(program.goVersion)) >= 22;
  return new RecoveredTypes(graph, program, table, stored.objectType, headers);
}
