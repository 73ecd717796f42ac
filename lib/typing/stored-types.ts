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
  /** Sub-objects of tiny blocks (RecoveredTypes.tinyObjects): block object index, offset + 256 * size, typing id. */
  tinyObject?: Uint32Array;
  tinyPlace?: Uint32Array;
  tinyTyping?: Uint32Array;
  /** Objects whose typing is inferred from their shape (RecoveredTypes.inferred), sorted. */
  inferred?: Uint32Array;
  /** objectType by position, when read back from an index (a page's queries read the blocks they need). */
  objectTypeAt?: { length: number; at(i: number): number };
}

/** The persisted form of `types`. */
export function storeTypes(types: RecoveredTypes): StoredTypes {
  const t = types.typings;
  return {
    typings: { name: [...t.names], kind: [...t.kind], typeId: [...t.typeId], count: [...t.count] },
    objectType: types.objectType,
    tinyObject: types.tinyObjects.object,
    tinyPlace: types.tinyObjects.place,
    tinyTyping: types.tinyObjects.typing,
    inferred: types.inferred,
  };
}

/**
 * Rebuilds RecoveredTypes from their persisted form; undefined when it does not fit `program` (another binary).
 * The per-object arrays are read (from a lazily read index) and checked against the graph when first used: an
 * array that does not fit then throws.
 */
export function restoreTypes(graph: HeapGraph, program: GoProgram, stored: StoredTypes): RecoveredTypes | undefined {
  const table = TypingTable.restore(program, stored.typings);
  if (table === undefined) return undefined;
  const headers = (goMinor(graph.params.goVersion) || goMinor(program.goVersion)) >= 22;
  const misfit = (): Error => new Error("the index's types do not fit this binary; remove the index and retry");
  let objectType: Uint32Array | undefined;
  let tiny: RecoveredTypes['tinyObjects'] | undefined;
  let inferred: Uint32Array | undefined;
  const empty = new Uint32Array(0);
  const column = stored.objectTypeAt;
  if (column !== undefined && column.length !== graph.objectCount) throw misfit();
  return RecoveredTypes.withArrays(graph, program, table, headers, {
    typeIdAt: column === undefined ? undefined : (i) => column.at(i),
    get objectType() {
      if (objectType === undefined) {
        objectType = stored.objectType;
        if (objectType.length !== graph.objectCount) throw misfit();
      }
      return objectType;
    },
    get tinyObjects() {
      if (tiny === undefined) {
        const t = { object: stored.tinyObject ?? empty, place: stored.tinyPlace ?? empty, typing: stored.tinyTyping ?? empty };
        const n = t.object.length;
        if (t.place.length !== n || t.typing.length !== n) throw misfit();
        for (let k = 0; k < n; k++) if (t.object[k] >= graph.objectCount || t.typing[k] >= table.names.length) throw misfit();
        tiny = t;
      }
      return tiny;
    },
    get inferred() {
      if (inferred === undefined) {
        const a = stored.inferred ?? empty;
        for (let k = 0; k < a.length; k++) if (a[k] >= graph.objectCount) throw misfit();
        inferred = a;
      }
      return inferred;
    },
  });
}
