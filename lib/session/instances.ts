// The instances of each type row (typed objects by type, untyped ones by size class, as typeGroups groups them):
// one CSR over all members (objects, and tiny blocks' sub-objects), built once and kept as a derived index. Each
// row's members are split in two runs, the reachable ones then the unreachable ones, and kept in three orders: by
// address, by retained size and by size (largest first, ties by address; a radix sort of each row's run each,
// key-order.ts). So a page of reachable instances is a slice at any offset and sort; over every member (`--all`),
// a sort other than the concatenation of the runs is one merge or radix sort of the row, kept for the next page.
//
// Rows are named as `goheap types` names them, by default (`[]*main.Node`, `map[K]V buckets`) or split by length
// (`[37]*main.Node`, the name objects carry): an index is built per grouping, the split one on first use. Tiny
// blocks' sub-objects are instances of their own types' rows: a member m >= objectCount is sub-object
// m - objectCount of HeapTypes.tinyObjects. The blocks are the rows `tiny block` (all) and `tiny block (rest)`
// (those with bytes no sub-object covers), as the histogram counts them.
import type { HeapGraph } from '../graph/index.js';
import { type HeapTypes, histogramRowNames, TINY_BLOCK_NAME, TINY_REST_NAME } from '../typing/index.js';
import { type RowMembership, rowNamer, typeGroups, SubObjectRanges } from '../analysis/index.js';
import type { EncodedPart } from '../store/index.js';
import { orderByKey } from './key-order.js';
import { collectGarbage } from '../collect-garbage.js';
import { type Column, columnOf } from '../graph/index.js';

export type InstanceSort = 'retained' | 'size' | 'address';

export interface InstancePage {
  total: number;
  offset: number;
  items: number[];
  count: number;
  bytes: number;
}

/** What the index asks of a member (an object index, or objectCount + k for sub-object k). */
export interface MemberFacts {
  isReachable(i: number): boolean;
  retained(i: number): number;
  size(i: number): number;
  address(i: number): number;
}

/** The index's arrays. */
interface InstanceArrays {
  /** Row r's members are [start[r], start[r + 1]): the reachable ones [start[r], reachEnd[r]), then the rest. */
  start: Uint32Array;
  reachEnd: Uint32Array;
  /** Members by address, in each run. */
  member: Uint32Array;
  /** Members by retained size, largest first (ties: lower address first), in each run. */
  byRetained: Uint32Array;
  /** Members by size, largest first (ties: lower address first), in each run. */
  bySize: Uint32Array;
  /** Bytes of every member of a row, and of its reachable ones. */
  bytes: Float64Array;
  reachBytes: Float64Array;
}

const ARRAY_NAMES = ['start', 'reachEnd', 'member', 'byRetained', 'bySize', 'bytes', 'reachBytes'] as const;
type ArrayName = typeof ARRAY_NAMES[number];

export class InstanceIndex {
  private readonly rowOfName = new Map<string, number>();
  /** Orders computed on demand (by size; by address or retained size over every member), per row and sort. */
  private readonly sorted = new Map<string, Uint32Array>();

  private arrays_: InstanceArrays | undefined;

  /**
   * `array` gives each of the index's arrays when first needed (a warm index reads it then; has() reads none), and
   * `column` the three member orders by position (a page reads the blocks of its slice).
   */
  private constructor(
    private readonly names: string[],
    private readonly array: (k: ArrayName) => InstanceArrays[ArrayName],
    private readonly column: (k: 'member' | 'byRetained' | 'bySize') => Column,
  ) {
    names.forEach((n, r) => this.rowOfName.set(n, r));
  }

  private get a(): InstanceArrays {
    this.arrays_ ??= Object.fromEntries(ARRAY_NAMES.map((k) => [k, this.array(k)])) as unknown as InstanceArrays;
    return this.arrays_;
  }

  private get start(): Uint32Array { return this.array('start') as Uint32Array; }
  private get reachEnd(): Uint32Array { return this.array('reachEnd') as Uint32Array; }
  private get member(): Uint32Array { return this.array('member') as Uint32Array; }
  private get byRetained(): Uint32Array { return this.array('byRetained') as Uint32Array; }
  private get bySize(): Uint32Array { return this.array('bySize') as Uint32Array; }
  private get bytes(): Float64Array { return this.array('bytes') as Float64Array; }
  private get reachBytes(): Float64Array { return this.array('reachBytes') as Float64Array; }

  /** Builds the index of `graph`'s objects grouped as typeGroups groups them (arrays split by length or not). */
  static build(graph: HeapGraph, types: HeapTypes, facts: MemberFacts, splitArrays = false): InstanceIndex {
    // Members in address order (objects are numbered in span order; a sub-object follows its block). In a function
    // of its own: this frame would keep the member sequence's arrays (and the address order) alive through the sorts
    // below, the interpreter holding a call's values in its registers (16 bytes per object).
    const index = (() => {
      const { names, seqMember, seqRow, seqBytes } = memberRows(graph, types, splitArrays, graph.objectsByAddress());
      return InstanceIndex.fromSequence(graph, types, facts, names, seqMember, seqRow, seqBytes);
    })();
    // Both orders now, once the member sequence's arrays are gone (a worker writes the index next).
    collectGarbage();
    void index.a;
    return index;
  }

  /**
   * The index of one row, named `type`, whose members `row` gives in address order (rowMembers, or typedRowMembers),
   * sorting them only when a page first asks for an order: the same members, counts and orders as that row of the
   * whole index. For a page asked while the whole index is being built elsewhere (a viewer's first start).
   * `sizeOf`: an object's size (default: from graph.objectSize, read whole).
   */
  static ofRow(graph: HeapGraph, types: HeapTypes, facts: MemberFacts, type: string, row: RowMembers, sizeOf?: (i: number) => number): InstanceIndex {
    return InstanceIndex.fromSequence(graph, types, facts, [type], row.member, undefined, row.bytes, sizeOf);
  }

  /**
   * The index of the members in `seqMember` (address order), member x of row seqRow[x] (row 0 when there is no seqRow)
   * counting seqBytes[x] bytes.
   * The orders by retained size and by size are sorted when first read; `sizeOf` gives an object's size for the latter
   * (default: graph.objectSize, read whole then).
   */
  private static fromSequence(graph: HeapGraph, types: HeapTypes, facts: MemberFacts, names: string[], seqMember: Uint32Array,
    seqRow: Uint32Array | undefined, seqBytes: Uint32Array, sizeOf?: (i: number) => number): InstanceIndex {
    const n = graph.objectCount;
    const tiny = types.tinyObjects !== undefined && types.tinyObjects.object.length > 0 ? types.tinyObjects : undefined;
    const m = seqMember.length;
    const rows = names.length;
    const start = new Uint32Array(rows + 1);
    const reachCount = new Uint32Array(rows);
    const bytes = new Float64Array(rows);
    const reachBytes = new Float64Array(rows);
    const reachable = new Uint8Array(m);
    for (let x = 0; x < m; x++) {
      const i = seqMember[x];
      const r = seqRow === undefined ? 0 : seqRow[x];
      const sz = seqBytes[x];
      start[r + 1]++;
      bytes[r] += sz;
      if (facts.isReachable(i)) {
        reachable[x] = 1;
        reachCount[r]++;
        reachBytes[r] += sz;
      }
    }
    for (let r = 0; r < rows; r++) start[r + 1] += start[r];
    const reachEnd = new Uint32Array(rows);
    for (let r = 0; r < rows; r++) reachEnd[r] = start[r] + reachCount[r];
    // By address: each member to its row's run, in sequence order.
    const member = new Uint32Array(m);
    const fillReach = start.slice(0, rows);
    const fillRest = reachEnd.slice();
    for (let x = 0; x < m; x++) {
      const r = seqRow === undefined ? 0 : seqRow[x];
      member[reachable[x] ? fillReach[r]++ : fillRest[r]++] = seqMember[x];
    }
    // By retained size and by size: each row's reachable run (by address) sorted by key on its own, stably, so that
    // ties stay in address order; the unreachable runs stay in address order. Row by row, the keys are read in
    // address order (objects are numbered in address order) and the sorted run is the row's: nothing is scattered
    // (a sort of every member followed by a scatter to the rows read two words at random per member: 10 s on
    // 72 M members). 32-bit keys unless one does not fit (a retained size of 4 GiB or more).
    const byKey = (key: (i: number) => number): Uint32Array => {
      const out = member.slice();
      for (let r = 0; r < rows; r++) {
        const s = start[r];
        const k = reachEnd[r] - s;
        if (k < 2) continue;
        const run = member.subarray(s, s + k);
        let keys: Uint32Array | Float64Array = new Uint32Array(k);
        for (let y = 0; y < k; y++) {
          const v = key(run[y]);
          if (v > 0xffffffff) {
            keys = new Float64Array(k);
            for (let z = 0; z < k; z++) keys[z] = key(run[z]);
            break;
          }
          keys[y] = v;
        }
        out.set(orderByKey(keys, true, run.slice()), s);
      }
      return out;
    };
    const arrays: Partial<InstanceArrays> = { start, reachEnd, member, bytes, reachBytes };
    const get = (k: ArrayName): InstanceArrays[ArrayName] => {
      if (k === 'byRetained') return (arrays.byRetained ??= byKey(facts.retained));
      if (k === 'bySize' && arrays.bySize === undefined) {
        const size = sizeOf === undefined ? graph.objectSize : undefined;
        arrays.bySize = byKey(size !== undefined ? (i) => (i < n ? size[i] : tiny!.place[i - n] >>> 8) : (i) => (i < n ? sizeOf!(i) : tiny!.place[i - n] >>> 8));
      }
      return arrays[k]!;
    };
    return new InstanceIndex(names, get, (k) => columnOf(get(k) as Uint32Array));
  }

  /**
   * The index of a finer grouping (arrays split by length) from this one without sorting again: each of this
   * index's orders, row by row, is dealt out to the finer rows, which keeps every order as long as each finer row
   * lies within one row here (how `types --by-length` refines `types`). Undefined when it does not: then build.
   */
  refine(graph: HeapGraph, types: HeapTypes, splitArrays: boolean): InstanceIndex | undefined {
    // The finer row of each member (a tiny block's place in the rest row is told by the row it comes from here).
    const { names, rowOfMember, restRow } = memberRowOf(graph, types, splitArrays, graph.objectsByAddress());
    const rows = names.length;
    const myRest = this.rowOfName.get(TINY_REST_NAME) ?? -1;
    const owner = new Int32Array(rows).fill(-1);
    const start = new Uint32Array(rows + 1);
    const reachCount = new Uint32Array(rows);
    const bytes = new Float64Array(rows);
    const reachBytes = new Float64Array(rows);
    const coarseRows = this.names.length;
    // This index's arrays in locals: each getter reads through the index's source, once per call.
    const myStart = this.start;
    const myReachEnd = this.reachEnd;
    const myMember = this.member;
    const n = graph.objectCount;
    const objectSize = graph.objectSize;
    const subPlace = types.tinyObjects?.place;
    // The one finer row all of a row's members go to, else -1 (split by length, or empty): such a row's runs are
    // copied whole below rather than dealt member by member (most rows are no arrays, and the dealing reads each
    // member's row at random in the orders by size: 7 s on 72 M members).
    const onlyFine = new Int32Array(coarseRows).fill(-1);
    for (let r = 0; r < coarseRows; r++) {
      const reachEnd = myReachEnd[r];
      if (r === myRest) {
        // The rest row is the same row in both groupings, with the same members and bytes.
        if (owner[restRow] !== -1 && owner[restRow] !== r) return undefined;
        owner[restRow] = r;
        onlyFine[r] = restRow;
        start[restRow + 1] += myStart[r + 1] - myStart[r];
        reachCount[restRow] += reachEnd - myStart[r];
        bytes[restRow] += this.bytes[r];
        reachBytes[restRow] += this.reachBytes[r];
        continue;
      }
      let only = -1;
      for (let x = myStart[r], end = myStart[r + 1]; x < end; x++) {
        const m = myMember[x];
        const f = rowOfMember[m];
        if (owner[f] === -1) owner[f] = r;
        else if (owner[f] !== r) return undefined;
        only = x === myStart[r] || f === only ? f : -2;
        const sz = m < n ? objectSize[m] : subPlace![m - n] >>> 8;
        start[f + 1]++;
        bytes[f] += sz;
        if (x < reachEnd) {
          reachCount[f]++;
          reachBytes[f] += sz;
        }
      }
      if (only >= 0) onlyFine[r] = only;
    }
    for (let f = 0; f < rows; f++) start[f + 1] += start[f];
    const reachEnd = new Uint32Array(rows);
    for (let f = 0; f < rows; f++) reachEnd[f] = start[f] + reachCount[f];
    const deal = (from: Uint32Array): Uint32Array => {
      const out = new Uint32Array(from.length);
      const fillReach = start.slice(0, rows);
      const fillRest = reachEnd.slice();
      for (let r = 0; r < coarseRows; r++) {
        const coarseReachEnd = myReachEnd[r];
        const f = onlyFine[r];
        if (f >= 0) {
          // The finer row has this row's members, in this row's orders.
          out.set(from.subarray(myStart[r], coarseReachEnd), fillReach[f]);
          fillReach[f] += coarseReachEnd - myStart[r];
          out.set(from.subarray(coarseReachEnd, myStart[r + 1]), fillRest[f]);
          fillRest[f] += myStart[r + 1] - coarseReachEnd;
          continue;
        }
        // Split by length (the rest row is always whole): each member to its finer row.
        for (let x = myStart[r], end = myStart[r + 1]; x < end; x++) {
          const m = from[x];
          const g = rowOfMember[m];
          out[x < coarseReachEnd ? fillReach[g]++ : fillRest[g]++] = m;
        }
      }
      return out;
    };
    const arrays = { start, reachEnd, member: deal(myMember), byRetained: deal(this.byRetained), bySize: deal(this.bySize), bytes, reachBytes };
    return InstanceIndex.inMemory(names, arrays);
  }

  encode(): EncodedPart {
    return { meta: { names: this.names }, arrays: { ...this.a } };
  }


  /**
   * The index `encode` encoded, or undefined when its parts do not fit. Read from an index file, the row names come
   * from its header and the arrays are read when a row's members are first asked for.
   */
  static decode(p: EncodedPart, objectCount: number): InstanceIndex | undefined {
    const names = (p.meta as { names?: string[] }).names;
    if (!Array.isArray(names)) return undefined;
    const length = (k: string): number | undefined => (p.sections ? p.sections.length(k) : p.arrays[k]?.length);
    const rows = names.length;
    const members = length('member');
    if (length('start') !== rows + 1 || length('reachEnd') !== rows || length('bytes') !== rows || length('reachBytes') !== rows) return undefined;
    if (members === undefined || members < objectCount || length('byRetained') !== members || length('bySize') !== members) return undefined;
    const sections = p.sections;
    if (sections === undefined) return InstanceIndex.inMemory(names, Object.fromEntries(ARRAY_NAMES.map((k) => [k, p.arrays[k]])) as unknown as InstanceArrays);
    return new InstanceIndex(names, (k) => sections.get(k) as InstanceArrays[ArrayName], (k) => sections.column(k));
  }

  /** An index over arrays in memory. */
  private static inMemory(names: string[], arrays: InstanceArrays): InstanceIndex {
    return new InstanceIndex(names, (k) => arrays[k], (k) => columnOf(arrays[k]));
  }

  /** Every member of row `type` (reachable ones, then the rest, each by address); undefined for an unknown type. */
  members(type: string): Uint32Array | undefined {
    const r = this.rowOfName.get(type);
    return r === undefined ? undefined : this.member.subarray(this.start[r], this.start[r + 1]);
  }


  /** True when `type` names a row. */
  has(type: string): boolean {
    return this.rowOfName.has(type);
  }

  /**
   * Instances of row `type` from `offset`, at most `limit` (0: all), largest key first (retained size or size;
   * ties: lower address first) or by address, with the row's count and bytes; the reachable ones only when
   * `reachableOnly`; undefined for an unknown type.
   */
  page(type: string, sort: InstanceSort, offset: number, limit: number, reachableOnly: boolean, facts: MemberFacts): InstancePage | undefined {
    const r = this.rowOfName.get(type);
    if (r === undefined) return undefined;
    const total = (reachableOnly ? this.reachEnd[r] : this.start[r + 1]) - this.start[r];
    const want = limit <= 0 ? total - offset : Math.min(limit, total - offset);
    const base = { total, offset, count: total, bytes: reachableOnly ? this.reachBytes[r] : this.bytes[r] };
    if (want <= 0) return { ...base, items: [] };
    const s = this.start[r];
    const re = this.reachEnd[r];
    if (reachableOnly || re === s || re === this.start[r + 1]) {
      // One run: a slice of the order, read by position.
      const order = this.column(sort === 'address' ? 'member' : sort === 'size' ? 'bySize' : 'byRetained');
      return { ...base, items: Array.from(order.range(s + offset, s + offset + want)) };
    }
    const order = this.ordered(r, sort, reachableOnly, facts);
    return { ...base, items: Array.from(order.subarray(offset, offset + want)) };
  }

  /** Row r's members (reachable ones, or all) in `sort` order. */
  private ordered(r: number, sort: InstanceSort, reachableOnly: boolean, facts: MemberFacts): Uint32Array {
    const s = this.start[r];
    const re = this.reachEnd[r];
    const e = reachableOnly ? re : this.start[r + 1];
    const oneRun = reachableOnly || re === s || re === e;
    if (oneRun) return (sort === 'address' ? this.member : sort === 'size' ? this.bySize : this.byRetained).subarray(s, e);
    // Every member by retained size: the reachable run then the rest (they retain nothing), unless a reachable
    // member retains nothing either (then ties are by address across both runs).
    if (sort === 'retained' && facts.retained(this.byRetained[re - 1]) > 0) return this.byRetained.subarray(s, e);
    const cacheKey = `${r}:${sort}:${reachableOnly ? 'r' : 'a'}`;
    let order = this.sorted.get(cacheKey);
    if (order === undefined) {
      const byAddress = oneRun ? this.member.subarray(s, e) : this.mergedByAddress(s, re, e, facts);
      if (sort === 'address') order = byAddress;
      else {
        const key = new Float64Array(byAddress.length);
        if (sort === 'size') for (let x = 0; x < key.length; x++) key[x] = facts.size(byAddress[x]);
        else for (let x = 0; x < key.length; x++) key[x] = facts.retained(byAddress[x]);
        const pos = orderByKey(key, true);
        order = new Uint32Array(pos.length);
        for (let x = 0; x < pos.length; x++) order[x] = byAddress[pos[x]];
      }
      this.sorted.set(cacheKey, order);
    }
    return order;
  }

  /** The members [s, e) of the address CSR, two runs [s, re) and [re, e) each by address, merged by address. */
  private mergedByAddress(s: number, re: number, e: number, facts: MemberFacts): Uint32Array {
    const out = new Uint32Array(e - s);
    let a = s;
    let b = re;
    let o = 0;
    let addrA = a < re ? facts.address(this.member[a]) : Infinity;
    let addrB = b < e ? facts.address(this.member[b]) : Infinity;
    while (o < out.length) {
      if (addrA <= addrB) {
        out[o++] = this.member[a++];
        addrA = a < re ? facts.address(this.member[a]) : Infinity;
      } else {
        out[o++] = this.member[b++];
        addrB = b < e ? facts.address(this.member[b]) : Infinity;
      }
    }
    return out;
  }
}

/**
 * Which of the rows named in `wanted` (grouped as the index groups them, arrays not split by length) each object,
 * sub-object and tiny block is an instance of (lib/analysis type-spread.ts's RowMembership): row k is wanted[k]'s
 * position in `rows`, the names found. One pass over the objects, without the index's sorts.
 */
export function rowMembership(graph: HeapGraph, types: HeapTypes, wanted: ReadonlySet<string>): { rows: string[]; membership: RowMembership } {
  const { rowOf, names } = typeGroups(graph, types, false);
  const n = graph.objectCount;
  const tiny = tinyRows(types, names, rowOf, false);
  // Every sub-object row named first (tinyRows names them on demand), then each row's number among the wanted.
  if (tiny) for (let k = 0; k < tiny.sub.object.length; k++) tiny.rowOfSub(k);
  const rows: string[] = [];
  const named = new Int32Array(names.length).fill(-1);
  for (let r = 0; r < names.length; r++) if (wanted.has(names[r])) named[r] = rows.push(names[r]) - 1;
  // In place of the row numbers, each read just before it is written (the grouping's array is not held twice: on a
  // large heap this is the type suspects' peak).
  const objectRow = new Int32Array(rowOf.buffer, rowOf.byteOffset, n);
  for (let i = 0; i < n; i++) objectRow[i] = named[rowOf[i]];
  let sub: RowMembership['sub'];
  if (tiny) {
    const row = new Int32Array(tiny.sub.object.length);
    for (let k = 0; k < row.length; k++) row[k] = named[tiny.rowOfSub(k)];
    sub = { object: tiny.sub.object, place: tiny.sub.place, row };
  }
  return { rows, membership: { rows: rows.length, objectRow, sub, restRow: tiny ? named[tiny.restRow] : -1 } };
}

/**
 * The rows of tiny blocks' sub-objects, added to `names` (typeGroups' rows) as memberRows and rowMembers name them:
 * the blocks' own row renamed `tiny block` whatever the grouping, `tiny block (rest)` for their uncovered bytes, and a
 * sub-object's row by its type's histogram name. Undefined when the types have no sub-objects.
 */
function tinyRows(types: HeapTypes, names: string[], rowOf: Uint32Array, splitArrays: boolean):
  { sub: NonNullable<HeapTypes['tinyObjects']>; restRow: number; rowOfSub(k: number): number } | undefined {
  const sub = types.tinyObjects;
  if (sub === undefined || sub.object.length === 0) return undefined;
  const rowNames = histogramRowNames(types, splitArrays);
  const named = rowNamer(names);
  const blockRow = rowOf[sub.object[0]];
  if (names[blockRow] !== TINY_BLOCK_NAME) names[blockRow] = TINY_BLOCK_NAME;
  const restRow = named(TINY_REST_NAME);
  const rowOfTyping = new Int32Array(rowNames.length).fill(-1);
  const rowOfSub = (k: number): number => {
    const t = sub.typing[k];
    if (rowOfTyping[t] < 0) rowOfTyping[t] = named(rowNames[t]);
    return rowOfTyping[t];
  };
  return { sub, restRow, rowOfSub };
}

/**
 * The row of every object (a tiny block's: its own row, not the rest row) and sub-object, with the rows named as
 * memberRows names them (the same numbers): what refine needs of memberRows, without the member sequence.
 */
function memberRowOf(graph: HeapGraph, types: HeapTypes, splitArrays: boolean, order: Uint32Array):
  { names: string[]; rowOfMember: Uint32Array; restRow: number } {
  const { rowOf, names } = typeGroups(graph, types, splitArrays);
  const n = graph.objectCount;
  const tiny = tinyRows(types, names, rowOf, splitArrays);
  if (tiny === undefined) return { names, rowOfMember: rowOf, restRow: -1 };
  const rowOfMember = new Uint32Array(n + tiny.sub.object.length);
  rowOfMember.set(rowOf);
  // Sub-objects' rows named in address order, as memberRows meets them.
  const ranges = new SubObjectRanges(tiny.sub.object, n);
  for (let x = 0; x < n; x++) {
    const b = ranges.block(order[x]);
    if (b < 0) continue;
    for (let k = ranges.start(b), end = ranges.end(b); k < end; k++) rowOfMember[n + k] = tiny.rowOfSub(k);
  }
  return { names, rowOfMember, restRow: tiny.restRow };
}

/**
 * How build groups the members into rows, for finding one row's members (rowMembers): every object's row, the rows'
 * names (sub-objects' rows named too), and the tiny blocks' sub-objects' rows. A viewer's first start keeps it while
 * the whole index is being built, so that each type page it answers meanwhile makes one pass over the objects, not
 * the grouping again.
 */
export interface RowGrouping {
  names: string[];
  rowOf: Uint32Array;
  tiny?: { sub: NonNullable<HeapTypes['tinyObjects']>; ranges: SubObjectRanges; restRow: number; subRow: Uint32Array; subRows: Uint8Array };
}

/** The grouping build groups by (arrays split by length or not), as rowMembers takes it. */
export function rowGrouping(graph: HeapGraph, types: HeapTypes, splitArrays: boolean): RowGrouping {
  const { rowOf, names } = typeGroups(graph, types, splitArrays);
  const tiny = tinyRows(types, names, rowOf, splitArrays);
  if (tiny === undefined) return { names, rowOf };
  const subRow = new Uint32Array(tiny.sub.object.length);
  for (let k = 0; k < subRow.length; k++) subRow[k] = tiny.rowOfSub(k);
  // Which rows have sub-objects among their members (or are the rest row): only their members need the blocks.
  const subRows = new Uint8Array(names.length);
  for (let k = 0; k < subRow.length; k++) subRows[subRow[k]] = 1;
  subRows[tiny.restRow] = 1;
  return { names, rowOf, tiny: { sub: tiny.sub, ranges: new SubObjectRanges(tiny.sub.object, graph.objectCount), restRow: tiny.restRow, subRow, subRows } };
}

/** One row's members in address order (as the whole index's member sequence has them), with the bytes each counts for. */
export interface RowMembers {
  member: Uint32Array;
  bytes: Uint32Array;
}

/**
 * The members of the one row named `type` of `grouping` in memberRows' sequence (objects in `order`, address order,
 * each tiny block followed by its sub-objects and its rest), with the bytes each counts for; undefined when no row
 * has that name. One pass over the objects (two when the row has sub-objects or is the rest row).
 */
export function rowMembers(graph: HeapGraph, grouping: RowGrouping, order: Uint32Array, type: string): RowMembers | undefined {
  const { names, rowOf, tiny } = grouping;
  const row = names.indexOf(type);
  if (row < 0) return undefined;
  const n = graph.objectCount;
  const size = graph.objectSize;
  if (tiny === undefined || tiny.subRows[row] === 0) {
    // Objects only: those of the row, in address order.
    let m = 0;
    for (let i = 0; i < n; i++) if (rowOf[i] === row) m++;
    const member = new Uint32Array(m);
    const bytes = new Uint32Array(m);
    m = 0;
    for (let x = 0; x < n && m < member.length; x++) {
      const i = order[x];
      if (rowOf[i] !== row) continue;
      member[m] = i;
      bytes[m++] = size[i];
    }
    return { member, bytes };
  }
  const { sub, ranges, restRow, subRow } = tiny;
  // Twice over the objects: the first pass counts the row's members, the second writes them.
  let member = new Uint32Array(0);
  let bytes = new Uint32Array(0);
  let m = 0;
  for (let pass = 0; pass < 2; pass++) {
    const write = pass === 1;
    if (write) {
      member = new Uint32Array(m);
      bytes = new Uint32Array(m);
      m = 0;
    }
    for (let x = 0; x < n; x++) {
      const i = order[x];
      if (rowOf[i] === row) {
        if (write) {
          member[m] = i;
          bytes[m] = size[i];
        }
        m++;
      }
      const b = ranges.block(i);
      if (b < 0) continue;
      let used = 0;
      for (let k = ranges.start(b), end = ranges.end(b); k < end; k++) {
        const sz = sub.place[k] >>> 8;
        used += sz;
        if (subRow[k] !== row) continue;
        if (write) {
          member[m] = n + k;
          bytes[m] = sz;
        }
        m++;
      }
      if (used < size[i] && restRow === row) {
        if (write) {
          member[m] = i;
          bytes[m] = size[i] - used;
        }
        m++;
      }
    }
  }
  return { member, bytes };
}

/**
 * Every member of the index with its row and the bytes it counts for, objects in `order` (address order): each
 * object, and after a tiny block its sub-objects (by offset) and, when bytes of it are covered by none, the block
 * again as a member of the `tiny block (rest)` row, counting those bytes (as the type histogram counts them).
 */
function memberRows(graph: HeapGraph, types: HeapTypes, splitArrays: boolean, order: Uint32Array):
  { names: string[]; seqMember: Uint32Array; seqRow: Uint32Array; seqBytes: Uint32Array; restRow: number } {
  const { rowOf, names } = typeGroups(graph, types, splitArrays);
  const n = graph.objectCount;
  const size = graph.objectSize;
  const tiny = tinyRows(types, names, rowOf, splitArrays);
  if (tiny === undefined) {
    const seqRow = new Uint32Array(n);
    const seqBytes = new Uint32Array(n);
    for (let x = 0; x < n; x++) {
      seqRow[x] = rowOf[order[x]];
      seqBytes[x] = size[order[x]];
    }
    return { names, seqMember: order, seqRow, seqBytes, restRow: -1 };
  }
  const { sub, restRow, rowOfSub } = tiny;
  const seqMember = new Uint32Array(n + 2 * sub.object.length);
  const seqRow = new Uint32Array(seqMember.length);
  const seqBytes = new Uint32Array(seqMember.length);
  let m = 0;
  const ranges = new SubObjectRanges(sub.object, n);
  for (let x = 0; x < n; x++) {
    const i = order[x];
    seqMember[m] = i;
    seqBytes[m] = size[i];
    seqRow[m++] = rowOf[i];
    const b = ranges.block(i);
    if (b < 0) continue;
    let used = 0;
    for (let k = ranges.start(b), end = ranges.end(b); k < end; k++) {
      used += sub.place[k] >>> 8;
      seqMember[m] = n + k;
      seqBytes[m] = sub.place[k] >>> 8;
      seqRow[m++] = rowOfSub(k);
    }
    if (used < size[i]) {
      seqMember[m] = i;
      seqBytes[m] = size[i] - used;
      seqRow[m++] = restRow;
    }
  }
  return { names, seqMember: seqMember.subarray(0, m), seqRow: seqRow.subarray(0, m), seqBytes: seqBytes.subarray(0, m), restRow };
}
