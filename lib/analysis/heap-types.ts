// The per-object type names the heap analyses group by: types restored from the persisted index, and a stand-in
// that names objects by size class for when no types are known.
import type { HeapGraph } from '../graph/index.js';
import { type HeapTypes, untypedName } from '../typing/index.js';

// The contract itself and the untyped naming live in lib/typing; the analyses only consume them.
export type { HeapTypes } from '../typing/index.js';
export { untypedName } from '../typing/index.js';

/**
 * The grouping key of object i: its type id when typed, else a size-class key (negative, -(size + 1)), so that
 * untyped objects of different size classes are told apart.
 */
export function groupKey(types: HeapTypes, sizes: Uint32Array, i: number): number {
  const t = types.objectType[i];
  return t !== 0 ? t : -(sizes[i] + 1);
}

/** Builds HeapTypes from persisted columns: type ids and names; field names are not known. */
export function storedTypes(graph: HeapGraph, objectType: Uint32Array, typeNames: string[]): HeapTypes {
  const size = graph.objectSize;
  let typedObjects = 0;
  let typedBytes = 0;
  for (let i = 0; i < objectType.length; i++) {
    if (objectType[i] !== 0) {
      typedObjects++;
      typedBytes += size[i];
    }
  }
  return {
    objectType,
    typeNames,
    objectTypeName: (i) => (objectType[i] !== 0 ? typeNames[objectType[i]] : untypedName(size[i])),
    typeIdAt: (i) => objectType[i],
    fieldName: () => undefined,
    typedObjects,
    typedBytes,
  };
}

/** Every object untyped, named by its size class: the stand-in used without a binary. */
export function sizeClassTypes(graph: HeapGraph): HeapTypes {
  return storedTypes(graph, new Uint32Array(graph.objectCount), ['untyped']);
}
