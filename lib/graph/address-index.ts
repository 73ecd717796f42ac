// Address -> object lookup in O(1), for exact and interior pointers, without a map of addresses.
//
// Objects come in span order, and within a span in address order, all of one size: the dump is a sequence of
// "runs", stretches of consecutive file-order objects of equal size laid end to end in memory. A run is
// (start, objectSize, count, firstObject) and object k of the run is object index firstObject + k.
//
// Spans are page-aligned (8 KiB pages on every Go platform) and never share a page, so every page belongs to at
// most one span. A two-level page table maps each 8 KiB page to the first run (in file order, which is address
// order inside a span) that overlaps it: level 1 is indexed by 64 MiB arena over the range of arenas in use,
// level 2 holds 8192 page entries per arena in use. A lookup reads the page's run and walks forward over the few
// runs that start in the same page.
//
// Building the page table also checks that the runs agree with each other: the runs that touch a page must follow
// one another in file order at increasing, non-overlapping addresses (they are one span's). The first run that
// breaks this (an object recorded twice, objects overlapping, an object inside another span's page) is kept in
// `conflict` for the loader to report (load.ts); lookups around it would otherwise answer wrongly.
import { GrowableFloat64Array, GrowableUint32Array } from './growable.js';

const PAGE_SHIFT = 13;
const PAGE = 1 << PAGE_SHIFT;
const ARENA_SHIFT = 26;
const ARENA = 2 ** ARENA_SHIFT;
const PAGES_PER_ARENA = 1 << (ARENA_SHIFT - PAGE_SHIFT);
/** Above this many arenas between the lowest and highest object (256 TiB), lookups binary-search the runs. */
const MAX_ARENA_RANGE = 1 << 22;

/** Collects runs while objects are added in file order. */
export class RunBuilder {
  private readonly start = new GrowableFloat64Array();
  private readonly size = new GrowableUint32Array();
  private readonly count = new GrowableUint32Array();
  private readonly first = new GrowableUint32Array();
  private nextAddress = -1;
  private lastSize = -1;

  /** Adds object number `index` (file order) at `address` with `size` bytes. */
  add(index: number, address: number, size: number): void {
    if (address === this.nextAddress && size === this.lastSize) {
      this.count.addToLast(1);
    } else {
      this.start.push(address);
      this.size.push(size);
      this.count.push(1);
      this.first.push(index);
      this.lastSize = size;
    }
    this.nextAddress = address + size;
  }

  /**
   * Adds the runs another builder collected from object number 0 on (`runs`, from its arrays()), as objects numbered
   * from `base`: the first joins the last run here when it goes on from it, as its objects added one by one would.
   */
  append(runs: RunArrays, base: number): void {
    const n = runs.runStart.length;
    for (let r = 0; r < n; r++) {
      const start = runs.runStart[r];
      const size = runs.runObjectSize[r];
      const count = runs.runCount[r];
      if (r === 0 && start === this.nextAddress && size === this.lastSize) {
        this.count.addToLast(count);
      } else {
        this.start.push(start);
        this.size.push(size);
        this.count.push(count);
        this.first.push(base + runs.runFirst[r]);
        this.lastSize = size;
      }
      this.nextAddress = start + size * count;
    }
  }

  /** The runs, over SharedArrayBuffers (another thread can make the same index from them); the builder is empty after. */
  arrays(): RunArrays {
    const out = {
      runStart: this.start.toArray(0, true), runObjectSize: this.size.toArray(0, 0, true),
      runCount: this.count.toArray(0, 0, true), runFirst: this.first.toArray(0, 0, true),
    };
    this.nextAddress = -1;
    this.lastSize = -1;
    return out;
  }

  /** The address index of the runs (see arrays()). */
  build(): AddressIndex {
    return AddressIndex.of(this.arrays());
  }
}

/** The runs of an address index (see the top of the file), from which another thread can make the same index. */
export interface RunArrays {
  runStart: Float64Array;
  runObjectSize: Uint32Array;
  runCount: Uint32Array;
  runFirst: Uint32Array;
}

export class AddressIndex {
  readonly runStart: Float64Array;
  readonly runObjectSize: Uint32Array;
  readonly runCount: Uint32Array;
  readonly runFirst: Uint32Array;
  readonly runTotal: number;
  /** First arena number covered by arenaSlot. */
  private readonly arenaBase: number;
  /** Arena number - arenaBase -> slot in pageRun (-1: no object in that arena). */
  private readonly arenaSlot: Int32Array;
  /** slot * PAGES_PER_ARENA + page in arena -> first run overlapping the page (-1: none). */
  private readonly pageRun: Int32Array;
  /** For the fallback only: run numbers sorted by start address. */
  private readonly sortedRuns: Uint32Array | null = null;
  /** The first run (file order) that contradicts an earlier one (see the top of the file), or -1. */
  readonly conflict: number = -1;

  constructor(runStart: Float64Array, runObjectSize: Uint32Array, runCount: Uint32Array, runFirst: Uint32Array) {
    this.runStart = runStart;
    this.runObjectSize = runObjectSize;
    this.runCount = runCount;
    this.runFirst = runFirst;
    const n = runStart.length;
    this.runTotal = n;
    let lo = Infinity;
    let hi = -Infinity;
    for (let r = 0; r < n; r++) {
      const s = runStart[r];
      const e = s + runObjectSize[r] * runCount[r];
      if (s < lo) lo = s;
      if (e > hi) hi = e;
    }
    if (n === 0) {
      this.arenaBase = 0;
      this.arenaSlot = new Int32Array(0);
      this.pageRun = new Int32Array(0);
      return;
    }
    const arenaLo = Math.floor(lo / ARENA);
    const arenaHi = Math.floor((hi - 1) / ARENA);
    if (arenaHi - arenaLo >= MAX_ARENA_RANGE) {
      this.arenaBase = 0;
      this.arenaSlot = new Int32Array(0);
      this.pageRun = new Int32Array(0);
      const sorted = Uint32Array.from(Array.from({ length: n }, (_, r) => r).sort((a, b) => runStart[a] - runStart[b]));
      this.sortedRuns = sorted;
      // Sorted by address, each run must end where or before the next begins; report the later one in file order.
      for (let k = 1; k < n; k++) {
        const a = sorted[k - 1];
        const b = sorted[k];
        if (runStart[a] + runObjectSize[a] * runCount[a] > runStart[b]) {
          const later = Math.max(a, b);
          if (this.conflict < 0 || later < this.conflict) this.conflict = later;
        }
      }
      return;
    }
    this.arenaBase = arenaLo;
    const arenaSlot = new Int32Array(arenaHi - arenaLo + 1).fill(-1);
    let slots = 0;
    for (let r = 0; r < n; r++) {
      const s = runStart[r];
      const last = Math.floor((s + runObjectSize[r] * runCount[r] - 1) / ARENA) - arenaLo;
      for (let a = Math.floor(s / ARENA) - arenaLo; a <= last; a++) {
        if (arenaSlot[a] < 0) arenaSlot[a] = slots++;
      }
    }
    this.arenaSlot = arenaSlot;
    const pageRun = new Int32Array(slots * PAGES_PER_ARENA).fill(-1);
    let conflict = -1;
    for (let r = 0; r < n; r++) {
      const s = runStart[r];
      const lastPage = Math.floor((s + runObjectSize[r] * runCount[r] - 1) / PAGE);
      for (let p = Math.floor(s / PAGE); p <= lastPage; p++) {
        const a = Math.floor(p / PAGES_PER_ARENA) - arenaLo;
        const k = arenaSlot[a] * PAGES_PER_ARENA + (p % PAGES_PER_ARENA);
        if (pageRun[k] < 0) {
          pageRun[k] = r;
        } else if (conflict < 0) {
          // The page has an earlier run: the previous run must reach into this page and end where this one may start.
          const prevEnd = runStart[r - 1] + runObjectSize[r - 1] * runCount[r - 1];
          if (prevEnd <= p * PAGE || s < prevEnd) conflict = r;
        }
      }
    }
    this.pageRun = pageRun;
    this.conflict = conflict;
  }

  /** The index of `runs`. */
  static of(runs: RunArrays): AddressIndex {
    return new AddressIndex(runs.runStart, runs.runObjectSize, runs.runCount, runs.runFirst);
  }

  /** The index's runs (its arrays, not copies): what another thread makes the same index from (AddressIndex.of). */
  runs(): RunArrays {
    return { runStart: this.runStart, runObjectSize: this.runObjectSize, runCount: this.runCount, runFirst: this.runFirst };
  }

  /** The address of the object the last successful find() returned (so that its caller need not look it up). */
  foundStart = 0;

  /** The run runOf() last returned: objects are mostly asked for in order, so the next one is often in it. */
  private lastRun = 0;

  /**
   * The run holding object `i` (0 <= i < the object count): the runs cover the objects in file order, each a stretch
   * of consecutive indices, so this is the last run whose first object is at most i (a binary search over the runs,
   * unless i is in the run found last or the next).
   */
  runOf(i: number): number {
    const first = this.runFirst;
    const count = this.runCount;
    let r = this.lastRun;
    if (r < this.runTotal && i >= first[r]) {
      if (i < first[r] + count[r]) return r;
      if (++r < this.runTotal && i < first[r] + count[r] && i >= first[r]) return (this.lastRun = r);
    }
    let lo = 0;
    let hi = this.runTotal - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (first[mid] <= i) lo = mid;
      else hi = mid - 1;
    }
    this.lastRun = lo;
    return lo;
  }

  /** The address of object `i`, from its run (no per-object array). */
  addressOf(i: number): number {
    const r = this.runOf(i);
    return this.runStart[r] + (i - this.runFirst[r]) * this.runObjectSize[r];
  }

  /** The size of object `i`, from its run. */
  sizeOf(i: number): number {
    return this.runObjectSize[this.runOf(i)];
  }

  /** Every object's address, in object order, laid out from the runs. */
  objectAddresses(objectCount: number): Float64Array {
    const out = new Float64Array(objectCount);
    for (let r = 0; r < this.runTotal; r++) {
      const first = this.runFirst[r];
      const end = first + this.runCount[r];
      const size = this.runObjectSize[r];
      let a = this.runStart[r];
      for (let i = first; i < end; i++, a += size) out[i] = a;
    }
    return out;
  }

  /**
   * Every object's size in a byte: sizes.id[i] names the size sizes.size[id] (the 255 commonest sizes of the runs:
   * Go's size classes and a few large objects'), or is 255 for a size sizeOf(i) gives (a rare large object's).
   */
  objectSizeIds(objectCount: number): { id: Uint8Array; size: Float64Array } {
    const perSize = new Map<number, number>();
    for (let r = 0; r < this.runTotal; r++) perSize.set(this.runObjectSize[r], (perSize.get(this.runObjectSize[r]) ?? 0) + this.runCount[r]);
    const common = [...perSize].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, 255).map(([size]) => size);
    const idOf = new Map(common.map((size, k) => [size, k]));
    const id = new Uint8Array(objectCount);
    for (let r = 0; r < this.runTotal; r++) {
      const first = this.runFirst[r];
      id.fill(idOf.get(this.runObjectSize[r]) ?? 255, first, first + this.runCount[r]);
    }
    return { id, size: Float64Array.from(common) };
  }

  /** Every object's size, in object order, from the runs. */
  objectSizes(objectCount: number): Uint32Array {
    const out = new Uint32Array(objectCount);
    for (let r = 0; r < this.runTotal; r++) {
      const first = this.runFirst[r];
      out.fill(this.runObjectSize[r], first, first + this.runCount[r]);
    }
    return out;
  }

  /**
   * Every object index in address order: runs never overlap and each lays its objects out in order, so ordering the
   * runs by start orders the objects.
   */
  objectsByAddress(objectCount: number): Uint32Array {
    const runs = this.runStart.length;
    const byStart = this.sortedRuns ?? Uint32Array.from(Array.from({ length: runs }, (_, r) => r).sort((a, b) => this.runStart[a] - this.runStart[b]));
    const out = new Uint32Array(objectCount);
    let o = 0;
    for (let x = 0; x < runs; x++) {
      const r = byStart[x];
      const first = this.runFirst[r];
      const end = first + this.runCount[r];
      for (let i = first; i < end; i++) out[o++] = i;
    }
    return out;
  }

  /** The index of the object containing `address` (at its start or inside it), or -1. */
  find(address: number): number {
    if (this.sortedRuns !== null) return this.findSorted(address);
    const a = Math.floor(address / ARENA) - this.arenaBase;
    if (a < 0 || a >= this.arenaSlot.length) return -1;
    const slot = this.arenaSlot[a];
    if (slot < 0) return -1;
    let r = this.pageRun[slot * PAGES_PER_ARENA + (Math.floor(address / PAGE) % PAGES_PER_ARENA)];
    if (r < 0) return -1;
    const runStart = this.runStart;
    const n = this.runTotal;
    let prev = runStart[r];
    for (;;) {
      const start = runStart[r];
      if (address < start || start < prev) return -1;
      const k = Math.floor((address - start) / this.runObjectSize[r]);
      if (k < this.runCount[r]) {
        this.foundStart = start + k * this.runObjectSize[r];
        return this.runFirst[r] + k;
      }
      prev = start;
      if (++r === n) return -1;
    }
  }

  /** Binary search over runs sorted by start: the fallback for address ranges too wide for the page table. */
  private findSorted(address: number): number {
    const sorted = this.sortedRuns!;
    let lo = 0;
    let hi = sorted.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.runStart[sorted[mid]] <= address) {
        best = sorted[mid];
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (best < 0) return -1;
    const k = Math.floor((address - this.runStart[best]) / this.runObjectSize[best]);
    if (k >= this.runCount[best]) return -1;
    this.foundStart = this.runStart[best] + k * this.runObjectSize[best];
    return this.runFirst[best] + k;
  }
}
