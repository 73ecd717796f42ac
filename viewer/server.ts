// `goheap serve`: listens at once (127.0.0.1:7000 unless told otherwise) and prints the URL, then opens the dump
// in a worker thread (HeapSession.open with worker: true): meanwhile pages show the load's progress and /api
// answers 503. A busy port or an unusable address ends with one line; Ctrl-C (SIGINT) or SIGTERM closes the server
// and the session and exits 0.
import * as fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { HeapSession } from '../lib/session/index.js';
import { buildViewer } from './app.js';
import { ViewerState } from './state.js';

export interface ServeOptions {
  dump: string;
  binary?: string;
  baseline?: string;
  port: number;
  host: string;
  noCache?: boolean;
  cacheDir?: string;
  /** Where to say what happens (the URL, load done, errors): stderr by default. */
  log?: (line: string) => void;
  /** Called with one line when the server cannot go on (a --baseline that cannot be compared): the CLI exits 1. */
  onFatal?: (line: string) => void;
}

/** An error the server cannot start with (the port is busy, the address is not this machine's). */
export class ServeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServeError';
  }
}

export interface RunningViewer {
  app: FastifyInstance;
  state: ViewerState;
  url: string;
  close(): Promise<void>;
}

function checkFile(f: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(f);
  } catch (e) {
    throw new ServeError(`${f}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  if (!st.isFile()) throw new ServeError(`${f}: not a regular file`);
}

/** Starts the viewer; resolves once it listens (the dump is still loading then). */
export async function serve(o: ServeOptions): Promise<RunningViewer> {
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  // A file that is not there is said at once, not after the server started (the load itself reports bad contents).
  for (const f of [o.dump, o.binary, o.baseline]) if (f !== undefined) checkFile(f);
  const state = new ViewerState();
  const app = await buildViewer({ state, hosts: { bound: o.host } });
  try {
    await app.listen({ port: o.port, host: o.host });
  } catch (e) {
    await app.close();
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') throw new ServeError(`${o.host}:${o.port}: the port is in use (another goheap serve?); choose another with --port`);
    if (err.code === 'EACCES') throw new ServeError(`${o.host}:${o.port}: not allowed to listen there (ports below 1024 need root); choose another with --port`);
    if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') throw new ServeError(`${o.host}: not an address of this machine (--host)`);
    throw e;
  }
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : o.port;
  const shown = o.host.includes(':') ? `[${o.host}]` : o.host === '0.0.0.0' ? '127.0.0.1' : o.host;
  const url = `http://${shown}:${port}/`;
  log(`goheap: serving ${o.dump} at ${url} (loading the dump; the pages show its progress)`);
  state.onDumpChange = (change) => log(`goheap: ${o.dump} changed on disk since it was loaded (${change}): the pages answer 409 until goheap serve is restarted`);
  const opening = HeapSession.open(o.dump, { binary: o.binary, worker: true, noCache: o.noCache, cacheDir: o.cacheDir, onProgress: state.onProgress });
  const baseline = o.baseline === undefined ? undefined
    : opening.then(() => HeapSession.open(o.baseline!, { binary: o.binary, worker: true, noCache: o.noCache, cacheDir: o.cacheDir }));
  void state.attach(opening, baseline).then(() => {
    if (state.status === 'ready') log(`goheap: ${o.dump} loaded in ${state.openSeconds?.toFixed(1)} s (pages prepared in ${state.prepareSeconds?.toFixed(1)} s)`);
    // The error names the file itself when it is about the dump (GoheapError's message).
    else log(`goheap: ${state.error?.startsWith(`${o.dump}:`) ? '' : `${o.dump}: `}${state.error}`);
  });
  // A baseline that cannot be compared (another program's dump, a damaged file) ends the server with one line,
  // rather than a diff page that fails later.
  void baseline?.then(() => undefined, () => undefined).then(async () => {
    while (state.baselineStatus === 'loading') await new Promise((r) => setTimeout(r, 10));
    if (state.baselineStatus === 'failed') o.onFatal?.(`goheap: --baseline ${o.baseline}: ${state.baselineError}`);
  });
  return {
    app, state, url,
    async close() {
      await app.close();
      await opening.catch(() => undefined);
      await baseline?.catch(() => undefined);
      state.close();
    },
  };
}
