// Who points at each object of a session: the reverse edges (a derived index, built on first use or by a viewer's
// builder process, read by position from their file once written) and the referrers made of them (referrers.ts),
// a tiny block's sub-object's being those of its block whose pointer lands inside it. While a builder process writes
// the reverse edges, a type page's sample of referrers comes from one pass over the edges (lib/graph reverseEdgesOf).
import { columnOf, type HeapGraph, reverseEdgesOf } from '../graph/index.js';
import type { GoProgram } from '../gotypes/index.js';
import type { HeapTypes } from '../typing/index.js';
import type { RootNodes } from '../analysis/index.js';
import { referrersOf, type Referrer, type ReverseColumns, rootsByTarget } from './referrers.js';
import { type DerivedIndexes, reverseCodec } from './derived.js';
import type { BuildingElsewhere } from './building-elsewhere.js';
import type { SubObjects } from './sub-objects.js';

/** The derived index of the reverse edges (v2: the sources alone, no column of edge indices). */
export const REVERSE_INDEX = 'reverse-v2';

/** What the referrers read of their session (HeapSession has it all). */
export interface ReferrerSource {
  readonly graph: HeapGraph;
  readonly types: HeapTypes;
  readonly rootNodes: RootNodes;
  readonly program: GoProgram | undefined;
  readonly subObjects: SubObjects;
}

export class ObjectReferrers {
  /** The graph holds the whole reverse edges (built here, or read whole from their file). */
  private ready_ = false;
  private columns_: ReverseColumns | undefined;
  private rootsByTarget_: Uint32Array | undefined;

  constructor(private readonly s: ReferrerSource, private readonly derived: DerivedIndexes, private readonly elsewhere: BuildingElsewhere) {}

  /** Who points at object i: objects (with the field) and roots (global, goroutine frame and variable, finalizer...). */
  of(i: number): Referrer[] {
    return this.by(this.columns(), i);
  }

  /**
   * of() each of `items`, in the same order, each when the caller comes to it: while a worker builds the reverse
   * edges, from one pass over the edges for all of them (a type page's "referenced by" asks a thousand instances), not
   * the whole reverse index built a second time here.
   */
  *ofEach(items: readonly number[]): Generator<Referrer[]> {
    // Each item's when asked for (a caller may stop early), from the reverse edges in memory or kept, or scanned once.
    let rev: ReverseColumns | undefined;
    if (this.elsewhere.has('reverse') && !this.ready_ && this.columns_ === undefined) {
      const { graph, subObjects } = this.s;
      const n = graph.objectCount;
      rev = reverseEdgesOf(graph, items.map((i) => (i >= n ? subObjects.blockOf(i) : i)));
    }
    for (const i of items) yield rev === undefined ? this.of(i) : this.by(rev, i);
  }

  /** The objects that point at object i (each as often as it points there). */
  objects(i: number): Uint32Array {
    const r = this.columns();
    return Uint32Array.from(r.source.range(r.start.at(i), r.start.at(i + 1)));
  }

  /** How many pointers of objects point at object i (roots not counted). */
  count(i: number): number {
    const r = this.columns();
    return r.start.at(i + 1) - r.start.at(i);
  }

  /** True once the graph holds the whole reverse edges. */
  get ready(): boolean {
    return this.ready_;
  }

  /**
   * The reverse edges by position: from memory once built or read whole, else a block at a time from their derived
   * index (a page's referrers read a few blocks, not the 0.8 GB of a 70 M-object heap's).
   */
  columns(): ReverseColumns {
    if (this.columns_ !== undefined) return this.columns_;
    const g = this.s.graph;
    const kept = this.ready_ ? undefined : this.derived.sections(REVERSE_INDEX);
    if (kept !== undefined && kept.length('start') === g.objectCount + 1 && kept.length('source') === g.edgeCount &&
      kept.column('start').at(g.objectCount) === g.edgeCount) {
      this.columns_ = { start: kept.column('start'), source: kept.column('source') };
    } else {
      this.build();
      const r = g.reverseEdges();
      this.columns_ = { start: columnOf(r.start), source: columnOf(r.source) };
    }
    return this.columns_;
  }

  /** Makes sure the graph's reverse edges are there (a derived index), for referrers and root sets. */
  build(): void {
    if (this.ready_) return;
    const g = this.s.graph;
    g.adoptReverseEdges(this.derived.get(REVERSE_INDEX, () => g.reverseEdges(), reverseCodec.encode, (p) => reverseCodec.decode(p, g)));
    this.ready_ = true;
  }

  /** Lets go of the columns over the reverse edges (made again when next used), and with `whole` of the graph's own. */
  letGo(whole = false): void {
    this.columns_ = undefined;
    if (!whole) return;
    this.s.graph.dropReverseEdges();
    this.ready_ = false;
  }

  /** of(i) with the reverse edges `rev`. */
  private by(rev: ReverseColumns, i: number): Referrer[] {
    const { graph, types, rootNodes, program, subObjects } = this.s;
    this.rootsByTarget_ ??= rootsByTarget(graph);
    const byTarget = this.rootsByTarget_;
    if (i >= graph.objectCount) {
      // The block's referrers whose pointer lands inside the sub-object.
      const all = referrersOf(graph, types, rootNodes, program, byTarget, rev, subObjects.blockOf(i));
      return all.filter((r) => subObjects.pointsInto(i, r, byTarget));
    }
    return referrersOf(graph, types, rootNodes, program, byTarget, rev, i);
  }
}
