// One type row's members found from the objects' typing ids alone, read a chunk at a time: how a page lists a type's
// instances on a heap too big for a pass over its grouping (rowMembers) while the whole instance index is being built
// elsewhere. It holds no per-object array: a 72 M-object heap's typing ids are 288 MB, read through a 4 MiB buffer.
// Only for a row of whole objects named by a Go type: not a tiny block's row, nor one with tiny blocks' sub-objects
// among its members, nor an untyped size class (those need the grouping).
import type { Column, HeapGraph } from '../graph/index.js';
import { type HeapTypes, histogramRowNames, TINY_BLOCK_NAME, TINY_REST_NAME } from '../typing/index.js';
import type { RowMembers } from './instances.js';
import { orderByKey } from './key-order.js';

/** Objects whose typing ids typedRowMembers reads at a time (4 MiB of them). */
const SCAN_OBJECTS = 1 << 20;
/** Room in the scan's buffer for the whole blocks a chunk lies in (lib/store's blocks are 16 KiB). */
const SCAN_SLACK = 64 << 10;

/**
 * The typing ids whose objects are a row `type` of the grouping (arrays split by length or not) as typeGroups names
 * it, flagged; undefined when that row is not one typedRowMembers can list: no typing has the name, or it is a tiny
 * block's row, or the row counts tiny blocks' sub-objects (`typeIds`: object i's typing id, for the first block's).
 */
export function typingsOfRow(types: HeapTypes, typeIds: Column, type: string, splitArrays: boolean): Uint8Array | undefined {
  if (type === TINY_BLOCK_NAME || type === TINY_REST_NAME) return undefined;
  const rowNames = histogramRowNames(types, splitArrays);
  const wanted = new Uint8Array(rowNames.length);
  let any = false;
  // Typing 0 is "no type": such objects are grouped by size, under names of their own.
  for (let t = 1; t < rowNames.length; t++) {
    if (rowNames[t] !== type) continue;
    wanted[t] = 1;
    any = true;
  }
  if (!any) return undefined;
  const tiny = types.tinyObjects;
  if (tiny !== undefined && tiny.object.length > 0) {
    // The row of the blocks' own typing is renamed "tiny block"; a sub-object's typing names its row.
    if (wanted[typeIds.at(tiny.object[0])] !== 0) return undefined;
    const typing = tiny.typing;
    for (let k = 0; k < typing.length; k++) if (wanted[typing[k]] !== 0) return undefined;
  }
  return wanted;
}

/**
 * The members of the row whose typings `wanted` flags (typingsOfRow): the objects of those typings in address order
 * with their sizes, as rowMembers gives that row. One pass over `typeIds` a chunk at a time, then a sort of the
 * members found when their indices are not in address order already.
 */
export function typedRowMembers(graph: HeapGraph, typeIds: Column, wanted: Uint8Array, chunkObjects = SCAN_OBJECTS): RowMembers {
  const n = graph.objectCount;
  const scratch = new ArrayBuffer(4 * chunkObjects + SCAN_SLACK);
  let found = new Uint32Array(1024);
  let m = 0;
  for (let lo = 0; lo < n; lo += chunkObjects) {
    const hi = Math.min(n, lo + chunkObjects);
    const ids = typeIds.range(lo, hi, scratch);
    for (let j = 0; j < hi - lo; j++) {
      const t = ids[j];
      if (t >= wanted.length || wanted[t] === 0) continue;
      if (m === found.length) {
        const more = new Uint32Array(2 * m);
        more.set(found);
        found = more;
      }
      found[m++] = lo + j;
    }
  }
  let member: Uint32Array = found.length === m ? found : found.slice(0, m);
  // Objects are numbered run by run, each run in address order: the members are sorted unless runs interleave.
  const address = new Float64Array(m);
  let sorted = true;
  for (let x = 0; x < m; x++) {
    address[x] = graph.addressOf(member[x]);
    if (x > 0 && address[x] < address[x - 1]) sorted = false;
  }
  if (!sorted) member = orderByKey(address, false, member);
  const bytes = new Uint32Array(m);
  for (let x = 0; x < m; x++) bytes[x] = graph.sizeOf(member[x]);
  return { member, bytes };
}
