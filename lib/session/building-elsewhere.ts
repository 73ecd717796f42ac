// What a session answers with while a worker builds its large derived indexes (HeapSession.keepDerivedInWorker): which
// of them are still being built, and the one-row instance indexes made meanwhile (a type page's instances from one
// pass over the objects, rather than the whole index built a second time on this thread), the few most recent, with
// what each such pass reads (the objects' rows and address order), kept until the worker has written the index.
import type { DerivedStructure } from './derived.js';
import type { InstanceIndex, RowGrouping } from './instances.js';

/** One-row indexes kept at most (a row of a 70 M-object heap's commonest type is 50 M members: 200 MB per order). */
const ROWS_KEPT = 4;

export class BuildingElsewhere {
  private readonly building = new Set<DerivedStructure>();
  private readonly rows = new Map<string, InstanceIndex | undefined>();
  private readonly groupings = new Map<boolean, RowGrouping>();
  private order_: Uint32Array | undefined;

  /** The worker builds `names`. */
  start(names: readonly DerivedStructure[]): void {
    for (const n of names) this.building.add(n);
  }

  /** The worker has written `name` (all of them when undefined: done or failed). */
  done(name?: DerivedStructure): void {
    if (name === undefined) this.building.clear();
    else this.building.delete(name);
    if (!this.building.has('instances') && !this.building.has('instances-by-length')) {
      this.rows.clear();
      this.groupings.clear();
      this.order_ = undefined;
    }
  }

  /** The grouping (arrays split by length or not) the one-row indexes are found in, made by `make` once. */
  grouping(splitArrays: boolean, make: () => RowGrouping): RowGrouping {
    let g = this.groupings.get(splitArrays);
    if (g === undefined) this.groupings.set(splitArrays, (g = make()));
    return g;
  }

  /** The objects by address, made by `make` once. */
  order(make: () => Uint32Array): Uint32Array {
    this.order_ ??= make();
    return this.order_;
  }

  /** True while the worker builds one of `names`. */
  has(...names: DerivedStructure[]): boolean {
    return names.some((n) => this.building.has(n));
  }

  /** The one-row index of row `type`, made by `make` unless one of the most recent. */
  row(type: string, make: () => InstanceIndex | undefined): InstanceIndex | undefined {
    if (this.rows.has(type)) {
      const kept = this.rows.get(type);
      this.rows.delete(type);
      this.rows.set(type, kept);
      return kept;
    }
    const made = make();
    this.rows.set(type, made);
    while (this.rows.size > ROWS_KEPT) this.rows.delete(this.rows.keys().next().value!);
    return made;
  }
}
