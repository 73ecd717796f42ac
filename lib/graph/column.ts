// Column: one array of the heap's (a per-object, per-edge or per-node array) read by position. An array in memory
// answers from itself; one of an index file read lazily (lib/store) reads, and checks, only the blocks a query
// touches. For the queries of one page (an object's edges, a page of instances), never for a pass over the heap.
export type ColumnArray = Float64Array | Uint32Array | Int32Array | Uint8Array;

export interface Column {
  readonly length: number;
  at(i: number): number;
  /**
   * Elements [from, to): a view or a copy, not to be written to. A copy is read into `scratch` when it is long enough
   * (valid until scratch is used again): a pass that reads a column a chunk at a time allocates nothing per chunk.
   */
  range(from: number, to: number, scratch?: ArrayBuffer): ColumnArray;
}

/** A column over an array in memory. */
export function columnOf(a: ColumnArray): Column {
  return { length: a.length, at: (i) => a[i], range: (from, to) => a.subarray(from, to) };
}
