// What the viewer serves from: the session while it loads (its phase and progress, for the loading page and the
// 503 of /api), then the opened session, and the answers that need the whole heap, computed once per session and
// kept (memo). Loading runs in a worker (HeapSession.open with worker: true), so the server answers meanwhile.
import { type DerivedStructure, type HeapSession } from '../lib/session/index.js';
import { collectGarbage } from '../lib/collect-garbage.js';
import { sourceChange } from '../lib/store/index.js';
import { type DiffSide, diffSide, programMismatch, programPrint } from '../lib/answers/index.js';

export interface LoadProgress {
  phase: string;
  done: number;
  total: number;
}

export type LoadStatus = 'loading' | 'ready' | 'failed';

export class ViewerState {
  status: LoadStatus = 'loading';
  progress: LoadProgress = { phase: 'starting', done: 0, total: 0 };
  session: HeapSession | undefined;
  /** The baseline dump's figures, for /diff (its session is closed once they are taken). */
  baseline: DiffSide | undefined;
  /** Why the baseline is missing while the main dump loaded: not given, still loading, or failed. */
  baselineStatus: 'none' | 'loading' | 'ready' | 'failed' = 'none';
  baselineError: string | undefined;
  error: string | undefined;
  readonly startedAt = Date.now();
  /** Seconds the open took, once open. */
  openSeconds: number | undefined;
  /** Seconds the preparers took (the whole-heap answers pages share), once ready. */
  prepareSeconds: number | undefined;
  /** Seconds from the start until the later preparers were done too (undefined until then). */
  backgroundSeconds: number | undefined;
  /**
   * Run once on the opened session before it is served: what the list pages answer from (the whole-heap answers,
   * kept beside the index after the first open, so that a restart on a warm index serves at once).
   */
  readonly preparers: ((s: HeapSession) => unknown)[] = [];
  /**
   * Run once after the session is served, one at a time while no page is asked for (IDLE_MS without a request): the
   * large structures of the other pages (reverse edges, the dominator tree, the instance lists), so that their first
   * visit does not pay for them, while the first pages a user opens are not kept waiting behind them. A page that
   * needs one before its turn builds it itself (each is built once per session).
   */
  readonly laterPreparers: ((s: HeapSession) => unknown)[] = [];
  /**
   * Resolves once the session's large derived indexes are there: at once, or (a first start on an index the CLI
   * wrote without them) when the worker building them is done. A page waits only for those it needs (structures(),
   * Router), the list pages for none; if the worker fails, the pages build what they need themselves, as before.
   */
  structuresReady: Promise<void> = Promise.resolve();
  /** Seconds from the start until the worker had built the derived indexes (undefined when none was needed). */
  structuresSeconds: number | undefined;
  /** The peak RSS (MB) of the process that built them (a process of its own: not in this one's). */
  builderPeakRssMB: number | undefined;
  /** Seconds from the start until the worker had built each derived index it built. */
  readonly structureSeconds: Partial<Record<DerivedStructure, number>> = {};
  /** The derived indexes the worker is still building, each with what resolves its waiters. */
  private readonly building = new Map<DerivedStructure, { ready: Promise<void>; resolve: () => void }>();
  /** Resolves once the later preparers are done (or stopped by close, or failed: a page then says why itself). */
  readonly backgroundDone: Promise<void>;
  private endBackground!: () => void;
  private closed = false;
  private lastRequestAt = 0;
  private readonly memos = new Map<string, unknown>();
  private waiters: (() => void)[] = [];

  constructor() {
    this.backgroundDone = new Promise((resolve) => {
      this.endBackground = resolve;
    });
  }

  /** Progress callback to give HeapSession.open. */
  readonly onProgress = (phase: string, done: number, total: number): void => {
    this.progress = { phase, done, total };
  };


  /**
   * Resolves once the derived indexes `names` are there (all of them when undefined): at once unless the worker of
   * a first start is still building one of them.
   */
  structures(names?: readonly DerivedStructure[]): Promise<void> {
    if (names === undefined) return this.structuresReady;
    const waits = names.flatMap((n) => {
      const b = this.building.get(n);
      return b ? [b.ready] : [];
    });
    return waits.length === 0 ? Promise.resolve() : Promise.all(waits).then(() => undefined);
  }

  /** Those of the derived indexes `names` (all when undefined) the worker of a first start is still building. */
  stillBuilding(names?: readonly DerivedStructure[]): DerivedStructure[] {
    return [...this.building.keys()].filter((n) => names === undefined || names.includes(n));
  }

  /** Follows an opening session: ready when it resolves, failed (with its message) when it rejects. */
  attach(opening: Promise<HeapSession>, baseline?: Promise<HeapSession>): Promise<void> {
    if (baseline) {
      this.baselineStatus = 'loading';
      baseline.then((b) => this.setBaseline(b), (e: unknown) => {
        this.baselineStatus = 'failed';
        this.baselineError = (e as Error)?.message ?? String(e);
      });
    }
    return opening.then(async (s) => this.setSession(s), (e: unknown) => {
      this.status = 'failed';
      this.error = (e as Error)?.message ?? String(e);
      this.wake();
    });
  }

  /**
   * Takes the opened session: first computes what pages need from the whole heap (the preparers, one at a time,
   * letting requests in between: they still see the loading page), then serves it.
   */
  async setSession(s: HeapSession): Promise<void> {
    this.openSeconds = (Date.now() - this.startedAt) / 1000;
    this.progress = { phase: 'prepare', done: 0, total: this.preparers.length };
    this.session = s;
    const missing = s.missingStructures();
    if (missing.length > 0) {
      // Built on the other core, each in turn (the ones pages need most first), while the whole-heap answers are
      // prepared here and the list pages are served.
      for (const name of missing) {
        let resolve!: () => void;
        const ready = new Promise<void>((r) => (resolve = r));
        this.building.set(name, { ready, resolve });
      }
      const built = (name: DerivedStructure): void => {
        const b = this.building.get(name);
        if (b === undefined) return; // kept already: the worker only says so
        this.structureSeconds[name] = (Date.now() - this.startedAt) / 1000;
        b.resolve();
        this.building.delete(name);
      };
      this.structuresReady = s.keepDerivedInWorker(built).then(() => {
        this.structuresSeconds = (Date.now() - this.startedAt) / 1000;
        this.builderPeakRssMB = s.builderPeakRssMB;
      }, () => undefined).finally(() => {
        // Done or failed: nobody waits any longer (after a failure a page builds what it needs itself).
        for (const b of this.building.values()) b.resolve();
        this.building.clear();
      });
    }
    try {
      for (let k = 0; k < this.preparers.length; k++) {
        await new Promise((resolve) => setImmediate(resolve));
        await traced(`prepare ${k}`, () => this.preparers[k](s));
        this.progress = { phase: 'prepare', done: k + 1, total: this.preparers.length };
      }
      // The load and the preparation leave much garbage behind: collect it now rather than in a user's first click.
      collectGarbage();
      this.prepareSeconds = (Date.now() - this.startedAt) / 1000 - this.openSeconds;
      this.status = 'ready';
    } catch (e) {
      this.status = 'failed';
      this.error = (e as Error)?.message ?? String(e);
    }
    this.wake();
    // Not awaited: the caller (attach) resolves once the pages are served.
    if (this.status === 'ready') void this.prepareLater(s).then(this.endBackground);
    else this.endBackground();
  }

  /** Notes that a page is being answered (the later preparers wait for a quiet moment). */
  noteRequest(): void {
    this.lastRequestAt = Date.now();
  }

  /** Runs the later preparers, each in a turn of its own once no page was asked for during IDLE_MS. */
  private async prepareLater(s: HeapSession): Promise<void> {
    try {
      await this.structuresReady;
      for (let k = 0; k < this.laterPreparers.length && !this.closed; k++) {
        await new Promise((resolve) => setImmediate(resolve));
        for (let quiet = Date.now() - this.lastRequestAt; quiet < IDLE_MS && !this.closed; quiet = Date.now() - this.lastRequestAt) {
          await new Promise((resolve) => setTimeout(resolve, IDLE_MS - quiet));
        }
        if (this.closed || this.changed !== undefined) break;
        await traced(`later ${k}`, () => this.laterPreparers[k](s));
      }
      this.backgroundSeconds = (Date.now() - this.startedAt) / 1000;
    } catch {
      // A page that needs what failed here builds it again and reports the error itself.
    }
  }

  setBaseline(b: HeapSession): void {
    try {
      const other = this.session === undefined ? undefined : otherProgram(this.session, b);
      if (other !== undefined) {
        this.baselineStatus = 'failed';
        this.baselineError = other;
        return;
      }
      this.baseline = diffSide(b);
      this.baselineStatus = 'ready';
    } finally {
      b.close();
    }
  }

  /** Set once the dump was found changed on disk (it stays so: the pages would mix two dumps). */
  changed: string | undefined;

  /**
   * How the served dump changed on disk since it was loaded (rewritten, replaced, truncated, deleted), or undefined
   * when it is the same file: checked (lib/store's identity: size, mtime, inode, ctime, sampled hash) before a page
   * reads anything, so that no page answers from other contents.
   */
  dumpChange(): string | undefined {
    if (this.changed === undefined && this.session !== undefined) {
      this.changed = sourceChange(this.session.dumpIdentity);
      if (this.changed !== undefined) this.onDumpChange?.(this.changed);
    }
    return this.changed;
  }

  /** Told once, when the dump is first found changed on disk (goheap serve says it on stderr). */
  onDumpChange: ((change: string) => void) | undefined;

  /** Resolves once the session is ready or failed. */
  settled(): Promise<void> {
    if (this.status !== 'loading') return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** The answer under `key`, computed by `build` the first time (answers over the whole heap are asked once). */
  memo<T>(key: string, build: () => T): T {
    if (this.memos.has(key)) return this.memos.get(key) as T;
    const v = build();
    this.memos.set(key, v);
    return v;
  }

  close(): void {
    this.closed = true;
    this.session?.close();
    this.memos.clear();
  }
}

/** How long no page must have been asked for before a later preparer runs. */
const IDLE_MS = 300;

/** GOHEAP_TRACE_PREPARE=1: each preparer's seconds on stderr (to see what a viewer's start spends). */
const TRACE = process.env.GOHEAP_TRACE_PREPARE === '1';

async function traced(what: string, f: () => unknown): Promise<void> {
  const t = Date.now();
  await f();
  if (TRACE) process.stderr.write(`goheap: ${what}: ${((Date.now() - t) / 1000).toFixed(2)} s\n`);
}

/**
 * Why baseline `b` cannot be compared with `s`, or undefined: a dump of another program (lib/answers' programMismatch,
 * the check `goheap diff` makes), whose types and roots would not match.
 */
export function otherProgram(s: HeapSession, b: HeapSession): string | undefined {
  const why = programMismatch(programPrint(b), programPrint(s), 'in the dump served', 'in the baseline');
  return why === undefined ? undefined : `${b.dumpPath}: written by another program than ${s.dumpPath} (${why})`;
}
