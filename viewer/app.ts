// The viewer as a fastify plugin: give it a ViewerState (a session opened or still loading) and it serves the
// pages and their JSON twins (routes/, one file per URL), the two static assets (assets/viewer.css, viewer.js),
// a Content-Security-Policy that allows no inline script and no foreign origin (@fastify/helmet), a Host check
// against DNS rebinding (security.ts; two Host headers are refused), 405 for methods other than GET/HEAD, 414 for
// long URLs (all after helmet, so every answer carries its headers), and 400/404/409 pages for bad requests. buildViewer() makes a fastify instance
// with it, for server.ts and the tests (fastify inject).
import * as fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import helmet from '@fastify/helmet';
import { packageFile } from '../lib/package-files.js';
import { html } from './html.js';
import { page } from './layout.js';
import { HttpError } from './errors.js';
import { Router } from './router.js';
import type { ViewerState } from './state.js';
import { hostAllowed, type HostPolicy } from './security.js';
import * as overview from './routes/overview.js';
import * as types from './routes/types.js';
import * as type from './routes/type.js';
import * as object from './routes/object.js';
import * as roots from './routes/roots.js';
import * as goroutines from './routes/goroutines.js';
import * as dominators from './routes/dominators.js';
import * as suspects from './routes/suspects.js';
import * as allocs from './routes/allocs.js';
import * as diff from './routes/diff.js';
import * as search from './routes/search.js';

export interface ViewerOptions {
  state: ViewerState;
  /** Which Host headers to accept (default: localhost and 127.0.0.1 / ::1 only). */
  hosts?: HostPolicy;
  /**
   * How long a page waits for a derived index a first start is still building before it answers with the page that
   * says so and reloads itself (Router; BUILDING_WAIT_MS by default).
   */
  buildingWaitMs?: number;
}

/** The longest URL answered (longer ones get a 414 after the Host check, with the security headers). */
const MAX_URL = 8000;

/** The route files; each adds its page(s) and twins, and may register whole-heap answers to prepare at load. */
const ROUTES = [overview, types, type, object, roots, goroutines, dominators, suspects, allocs, diff, search];

/** The viewer's own files, read once: the only files a route serves besides what the session reads. */
const ASSETS: Record<string, { file: string; type: string }> = {
  'viewer.css': { file: 'viewer.css', type: 'text/css; charset=utf-8' },
  'viewer.js': { file: 'viewer.js', type: 'text/javascript; charset=utf-8' },
};

function assetDir(): URL {
  // The sources are served as they are; they are not compiled.
  return pathToFileURL(packageFile('viewer/assets/'));
}

export async function viewerPlugin(app: FastifyInstance, opts: ViewerOptions): Promise<void> {
  const policy: HostPolicy = opts.hosts ?? { bound: '127.0.0.1' };
  // Helmet first: its headers are set before any hook below may answer, so every response carries them.
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"], scriptSrc: ["'self'"], scriptSrcAttr: ["'none'"], styleSrc: ["'self'"], imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"], fontSrc: ["'self'"], objectSrc: ["'none'"], baseUri: ["'none'"], formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    // Plain http on localhost: no HSTS (it would pin localhost to https for the browser).
    strictTransportSecurity: false,
    crossOriginEmbedderPolicy: false,
  });
  const plain = (reply: FastifyReply, code: number, text: string) => reply.code(code).type('text/plain; charset=utf-8').send(`${text}\n`);
  app.addHook('onRequest', async (req, reply) => {
    // Two Host headers: which one a proxy or the browser meant is unknown, so neither is trusted.
    let hosts = 0;
    const raw = req.raw.rawHeaders;
    for (let k = 0; k < raw.length; k += 2) if (raw[k].toLowerCase() === 'host') hosts++;
    if (hosts > 1) return plain(reply, 400, 'refused: the request has more than one Host header');
    if (!hostAllowed(req.headers.host, policy)) {
      // DNS rebinding: a page from another site whose name now resolves to this machine.
      return plain(reply, 403, `refused: the Host header ${JSON.stringify(req.headers.host ?? '')} names neither this server nor localhost`);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      reply.header('allow', 'GET, HEAD');
      return plain(reply, 405, `method ${req.method} not allowed: the viewer only answers GET and HEAD`);
    }
    if (req.url.length > MAX_URL) return plain(reply, 414, `the URL is longer than ${MAX_URL} characters`);
  });
  const assets = new Map<string, { body: Buffer; type: string }>();
  for (const [name, a] of Object.entries(ASSETS)) assets.set(name, { body: fs.readFileSync(new URL(a.file, assetDir())), type: a.type });
  app.get('/assets/:name', async (req, reply) => {
    const a = assets.get((req.params as { name: string }).name);
    if (!a) return reply.code(404).type('text/plain; charset=utf-8').send('no such asset\n');
    return reply.type(a.type).header('cache-control', 'no-cache').send(a.body);
  });
  app.get('/favicon.ico', async (_req, reply) => reply.code(204).send());

  const router = new Router(app, opts.state, opts.buildingWaitMs);
  for (const r of ROUTES) r.register(router);

  app.setNotFoundHandler(async (req, reply) => {
    reply.code(404);
    if (req.url.startsWith('/api/') || req.url === '/api') return reply.send({ error: `no such page: ${req.url.slice(0, 200)}`, statusCode: 404 });
    return reply.type('text/html; charset=utf-8').send(page({ title: 'Not found' }, html`<p class="error">No page at ${req.url.slice(0, 200)}.</p>`));
  });
  app.setErrorHandler(async (err: FastifyError | HttpError | Error, req, reply) => {
    const status = err instanceof HttpError ? err.statusCode
      : typeof (err as FastifyError).statusCode === 'number' && (err as FastifyError).statusCode! >= 400 && (err as FastifyError).statusCode! < 500
        ? (err as FastifyError).statusCode! : 500;
    if (status === 500) req.log.error(err);
    const message = status === 500 ? `internal error: ${err.message}` : err.message;
    reply.code(status);
    if (req.url.startsWith('/api/') || req.url === '/api') return reply.send({ error: message, statusCode: status });
    const title = status === 404 ? 'Not found' : status === 400 ? 'Bad request' : status === 409 ? 'The dump changed on disk' : 'Error';
    return reply.type('text/html; charset=utf-8').send(page({ title }, html`<p class="error">${message}</p>`));
  });
}

/** A fastify instance serving the viewer (not listening: server.ts listens, tests inject). */
export async function buildViewer(opts: ViewerOptions & { logger?: boolean }): Promise<FastifyInstance> {
  const app = Fastify({ logger: opts.logger ?? false, routerOptions: { maxParamLength: 100000 } });
  await app.register(viewerPlugin, opts);
  return app;
}
