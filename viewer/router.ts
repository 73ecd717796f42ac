// How a route file adds its page and the page's JSON twin at once: `page({ path, data, render })` serves the HTML
// at `path` and the same data as JSON at `/api` + path, so the two cannot disagree. While the dump loads, both
// answer 503 (the page shows the load's progress and reloads itself); a failed load answers 500 with the reason.
// On a first start, a page that needs a derived index the worker is still building waits for it a moment, then
// answers 503 with a page that says what is being built and reloads itself (its /api twin waits: scripts get the
// answer once it is there). A page that can do without an index it reads (optionalStructures) waits for it the same
// moment, then renders without it: its parts that read it say so, and the page reloads itself until it is there.
import * as path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DerivedStructure, HeapSession } from '../lib/session/index.js';
import { html, type Html } from './html.js';
import { bytes, page, pct } from './layout.js';
import type { ViewerState } from './state.js';
import { HttpError } from './errors.js';

/** What a route handler works with. */
export interface Ctx {
  s: HeapSession;
  state: ViewerState;
}

export interface PageSpec<D> {
  /** The page's path, fastify style ('/object/:address'); its twin is '/api' + path. */
  path: string;
  /** The JSON twin's document (the same shape as the CLI's --json where the CLI answers the same question). */
  data(ctx: Ctx, req: FastifyRequest): D | Promise<D>;
  /** The page: its title and body, and whether it reloads itself (a page rendered without an optional index). */
  render(d: D, ctx: Ctx, req: FastifyRequest): { title: string; body: Html; refresh?: boolean | number };
  /** The twin's document when it is not `data` as is (a page may need drawing the twin leaves out). */
  json?(d: D): unknown;
  /** Where the page sends the browser instead of rendering (search's single exact match). */
  redirect?(d: D): string | undefined;
  /**
   * The large derived indexes the page reads (the tree, the reverse edges, the instance lists): on a first start
   * they are built in a worker (ViewerState.structures), and the page waits for those it names rather than build
   * them a second time. False for a page that answers from whole-heap answers alone (the list pages); all of them
   * when not said; a function when they depend on the request.
   */
  needsStructures?: false | readonly DerivedStructure[] | ((req: FastifyRequest, ctx: Ctx) => readonly DerivedStructure[]);
  /**
   * Derived indexes the page reads where they are there, and can do without while a first start builds them (the
   * object page's referrers): the page waits for them as for needsStructures, then renders, its `data` telling from
   * ViewerState.stillBuilding what it could not read; the JSON twin waits for them (scripts get the whole answer).
   */
  optionalStructures?: readonly DerivedStructure[];
}

/** The derived indexes a page reads (PageSpec.needsStructures): none, some, or all of them (undefined). */
function structuresOf<D>(spec: PageSpec<D>, req: FastifyRequest, ctx: Ctx): readonly DerivedStructure[] | undefined {
  const needs = spec.needsStructures;
  if (needs === false) return [];
  return typeof needs === 'function' ? needs(req, ctx) : needs;
}

/** How long a page waits for a derived index being built before it answers with the building page instead. */
export const BUILDING_WAIT_MS = 1500;

/** True when `p` settles within `ms`. */
function settlesWithin(p: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(resolve, ms, false)));
  return Promise.race([p.then(() => true), late]).finally(() => clearTimeout(timer));
}

export class Router {
  constructor(private readonly app: FastifyInstance, readonly state: ViewerState, private readonly buildingWaitMs = BUILDING_WAIT_MS) {}

  page<D>(spec: PageSpec<D>): void {
    const apiPaths = spec.path === '/' ? ['/api', '/api/'] : [`/api${spec.path}`];
    this.app.get(spec.path, async (req, reply) => {
      const ctx = this.ctx(req, reply, false);
      if (!ctx) return reply;
      const needs = structuresOf(spec, req, ctx);
      const optional = spec.optionalStructures ?? [];
      const building = await this.stillBuildingAfterWait(ctx, needs === undefined ? undefined : [...needs, ...optional]);
      if (building.some((n) => !optional.includes(n))) {
        reply.code(503).header('retry-after', '2').type('text/html; charset=utf-8');
        return reply.send(page({ title: 'Building the indexes this page reads', dump: path.basename(ctx.s.dumpPath), refresh: true }, buildingBody(ctx.state, building)));
      }
      const d = await spec.data(ctx, req);
      const to = spec.redirect?.(d);
      if (to !== undefined) return reply.redirect(to, 302);
      const { title, body, refresh } = spec.render(d, ctx, req);
      const q = (req.query as Record<string, unknown>)?.q;
      return reply.type('text/html; charset=utf-8').send(page({
        title, dump: path.basename(ctx.s.dumpPath), api: apiUrl(req.url), query: typeof q === 'string' ? q : undefined, refresh,
        diff: ctx.state.baselineStatus !== 'none',
      }, body));
    });
    for (const p of apiPaths) {
      this.app.get(p, async (req, reply) => {
        const ctx = this.ctx(req, reply, true);
        if (!ctx) return reply;
        const needs = structuresOf(spec, req, ctx);
        await ctx.state.structures(needs === undefined ? undefined : [...needs, ...(spec.optionalStructures ?? [])]);
        const d = await spec.data(ctx, req);
        return reply.send(spec.json ? spec.json(d) : d);
      });
    }
  }

  /**
   * A JSON-only route (the pieces the client script fetches: a retainer's referrers), waiting for the derived
   * indexes `needs` (all when not said) as a page does.
   */
  api<D>(p: string, data: (ctx: Ctx, req: FastifyRequest) => D | Promise<D>, needs?: readonly DerivedStructure[]): void {
    this.app.get(p, async (req, reply) => {
      const ctx = this.ctx(req, reply, true);
      if (!ctx) return reply;
      await ctx.state.structures(needs);
      return reply.send(await data(ctx, req));
    });
  }

  /**
   * Those of the derived indexes `needs` still being built after waiting for them up to buildingWaitMs: none when
   * nothing the page reads is being built (then it does not wait at all).
   */
  private async stillBuildingAfterWait(ctx: Ctx, needs: readonly DerivedStructure[] | undefined): Promise<DerivedStructure[]> {
    if (ctx.state.stillBuilding(needs).length === 0) return [];
    if (await settlesWithin(ctx.state.structures(needs), this.buildingWaitMs)) return [];
    return ctx.state.stillBuilding(needs);
  }

  /** The context when the session is ready; otherwise answers the request itself (503 loading, 500 failed). */
  private ctx(req: FastifyRequest, reply: FastifyReply, json: boolean): Ctx | undefined {
    const st = this.state;
    if (st.status === 'ready' && st.session) {
      st.noteRequest();
      const change = st.dumpChange();
      if (change !== undefined) throw new HttpError(409, `the dump changed on disk since it was loaded (${change}): restart goheap serve`);
      return { s: st.session, state: st };
    }
    const p = st.progress;
    if (st.status === 'failed') {
      reply.code(500);
      if (json) reply.send({ error: `the dump could not be opened: ${st.error}`, statusCode: 500 });
      else reply.type('text/html; charset=utf-8').send(page({ title: 'The dump could not be opened' }, html`<p class="error">${st.error}</p>`));
      return undefined;
    }
    reply.code(503).header('retry-after', '1');
    if (json) {
      reply.send({ loading: true, phase: p.phase, done: p.done, total: p.total, seconds: (Date.now() - st.startedAt) / 1000, statusCode: 503 });
    } else {
      reply.type('text/html; charset=utf-8').send(page({ title: 'Loading the dump', refresh: true }, loadingBody(st)));
    }
    void req;
    return undefined;
  }
}

const PHASES: Record<string, string> = {
  starting: 'starting', index: 'reading the index', decode: 'reading records', edges: 'resolving pointers',
  roots: 'resolving roots, marking reachable objects', types: 'recovering types from the binary',
  dominators: 'computing dominators and retained sizes', paths: 'computing shortest paths from the roots',
  save: 'writing the index', prepare: 'preparing the pages',
};

function loadingBody(st: ViewerState): Html {
  const p = st.progress;
  const share = p.total > 0 ? pct(p.done, p.total) : '';
  // Reading records counts bytes of the dump; resolving pointers, the heap pointers reading records kept.
  const amount = p.total <= 1 ? ''
    : p.phase === 'decode' ? ` (${bytes(p.done)} of ${bytes(p.total)})`
      : p.phase === 'edges' ? ` (${p.done.toLocaleString('en-US')} of ${p.total.toLocaleString('en-US')} pointers)` : '';
  const secs = ((Date.now() - st.startedAt) / 1000).toFixed(0);
  return html`<p class="loading">Loading: <strong>${PHASES[p.phase] ?? p.phase}</strong> ${share}${amount}, ${secs} s so far.</p>
<progress max="${p.total > 0 ? p.total : 1}" value="${p.total > 0 ? p.done : 0}"></progress>
<p>This page reloads by itself; the pages appear when the dump is loaded.</p>`;
}

/** What each derived index is, as the building page names it. */
const STRUCTURES: Record<DerivedStructure, string> = {
  tree: 'the dominator tree',
  reverse: 'the referrers of every object (reverse edges)',
  instances: 'the instance lists of every type',
  'instances-by-length': 'the instance lists of arrays by length',
};

function buildingBody(st: ViewerState, building: readonly DerivedStructure[]): Html {
  const secs = ((Date.now() - st.startedAt) / 1000).toFixed(0);
  const done = Object.keys(st.structureSeconds) as DerivedStructure[];
  return html`<p class="loading">Building ${building.map((n) => STRUCTURES[n]).join(', ')}, which this page reads; ${secs} s since the start.</p>
<p>This first start on this dump's index builds them once, on another core, and keeps them beside the index: the next
start has them at once. This page reloads by itself until they are there.</p>
${done.length > 0 ? html`<p>Built already: ${done.map((n) => `${STRUCTURES[n]} (at ${st.structureSeconds[n]!.toFixed(0)} s)`).join(', ')}.</p>` : html``}
<p>These pages answer now: <a href="/">Overview</a>, <a href="/types">Types</a>, <a href="/roots">Roots</a>,
<a href="/goroutines">Goroutines</a>, <a href="/suspects">Suspects</a>${building.includes('instances') ? ', and the pages of types of whole objects of one Go type (their reachable instances)' : ''}.</p>`;
}

/** The /api twin of a page URL ('/' -> '/api/', '/types?q=x' -> '/api/types?q=x'). */
export function apiUrl(u: string): string {
  return `/api${u}`;
}
