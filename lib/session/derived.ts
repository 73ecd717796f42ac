// Derived indexes of a session: structures built from the graph and analysis on first use and kept each in its own
// file beside the analysis index (so a query pays only for the structures it reads): the dominator tree with
// children sorted largest first, reverse edges, per-type instance lists, the type histogram.
import * as path from 'node:path';
import * as fs from 'node:fs';
import type { HeapGraph, ReverseEdges } from '../graph/index.js';
import { type DominatorTree, type TypeRow } from '../analysis/index.js';
import { type EncodedPart, IndexFileError, type IndexSections, loadDerived, saveDerived, type SourceIdentity } from '../store/index.js';

/**
 * The large derived indexes a session builds on first use and a viewer's first start builds in a worker
 * (HeapSession.keepDerived): the sorted dominator tree, the reverse edges, and the instance lists as `types` and as
 * `types --by-length` group them.
 */
export type DerivedStructure = 'tree' | 'reverse' | 'instances' | 'instances-by-length';

export class DerivedIndexes {
  constructor(
    private readonly analysisFile: string | null,
    private readonly dump: SourceIdentity,
    private readonly binary: SourceIdentity | null,
    private readonly notes: string[],
  ) {}

  /** Whether a file of the derived index `name` exists (current or not: get() tells). */
  has(name: string): boolean {
    return this.analysisFile !== null && fs.existsSync(this.fileOf(name));
  }

  /** The folder the derived indexes are written in, or null when nothing is written. */
  get folder(): string | null {
    return this.analysisFile === null ? null : path.dirname(this.analysisFile);
  }

  private fileOf(name: string): string {
    return derivedFile(this.analysisFile!, name);
  }

  /** True when the file of derived index `name` is there and current (its header read, none of its arrays). */
  current(name: string): boolean {
    return this.sections(name) !== undefined;
  }

  /**
   * The sections of derived index `name` when its file is there and current (its arrays read on first use, or by
   * position: IndexSections.column), else undefined. For a query that reads a few elements of a large structure.
   */
  sections(name: string): IndexSections | undefined {
    if (this.analysisFile === null) return undefined;
    try {
      return loadDerived(this.fileOf(name), name, this.dump, this.binary).sections;
    } catch (e) {
      if (!(e instanceof IndexFileError)) throw e;
      return undefined;
    }
  }

  /** The derived index `name`: read back when its file is current, else built (and saved when there is an index). */
  get<T>(name: string, build: () => T, encode: (t: T) => EncodedPart, decode: (p: EncodedPart) => T | undefined): T {
    const file = this.analysisFile === null ? null : this.fileOf(name);
    if (file !== null) {
      try {
        const t = decode(loadDerived(file, name, this.dump, this.binary));
        if (t !== undefined) return t;
      } catch (e) {
        if (!(e instanceof IndexFileError)) throw e;
      }
    }
    const t = build();
    if (file !== null) {
      try {
        saveDerived(file, name, encode(t), this.dump, this.binary);
        // What an earlier version of goheap kept in its place is read by none (a 72 M-object heap's old reverse edges: 1.3 GB).
        for (const old of SUPERSEDED[name] ?? []) fs.rmSync(this.fileOf(old), { force: true });
      } catch (e) {
        this.notes.push(`could not write ${file}: ${(e as Error).message}`);
      }
    }
    return t;
  }
}

/** Derived indexes an earlier version of goheap wrote, by the name that replaced them: removed when it is written. */
const SUPERSEDED: Readonly<Record<string, readonly string[]>> = {
  'reverse-v2': ['reverse'],
  'instances-v5': ['instances-v4'],
  'instances-split-v5': ['instances-split-v4'],
  'types-v3': ['types-v1', 'types-v2'],
};

/** The file of derived index `name` beside the analysis index `analysisFile`. */
export function derivedFile(analysisFile: string, name: string): string {
  return analysisFile.replace(/\.idx$/, `.${name}.idx`);
}

export const treeCodec = {
  encode: (t: DominatorTree): EncodedPart => ({ meta: { root: t.root }, arrays: { firstChild: t.firstChild, child: t.child } }),
  decode: (p: EncodedPart, nodeCount: number): DominatorTree | undefined => {
    const firstChild = p.arrays.firstChild as Uint32Array;
    const child = p.arrays.child as Uint32Array;
    if (!firstChild || !child || firstChild.length !== nodeCount + 1 || firstChild[nodeCount] !== child.length) return undefined;
    return { root: (p.meta as { root: number }).root, firstChild, child };
  },
};

export const reverseCodec = {
  encode: (r: ReverseEdges): EncodedPart => ({ meta: {}, arrays: { start: r.start, source: r.source } }),
  decode: (p: EncodedPart, graph: HeapGraph): ReverseEdges | undefined => {
    const r = { start: p.arrays.start as Uint32Array, source: p.arrays.source as Uint32Array };
    if (!r.start || !r.source || r.start.length !== graph.objectCount + 1 || r.source.length !== graph.edgeCount) return undefined;
    return r;
  },
};

export const typeRowsCodec = {
  encode: (rows: TypeRow[]): EncodedPart => ({ meta: rows, arrays: {} }),
  decode: (p: EncodedPart): TypeRow[] | undefined => (Array.isArray(p.meta) ? (p.meta as TypeRow[]) : undefined),
};
