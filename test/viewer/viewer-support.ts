// What the viewer's tests share: a viewer over a fixture dump (in-process, for fastify inject), the CLI's --json
// for the same dump (a child process, the independent side of each comparison), Chromium through playwright-core.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { HeapSession } from '../../lib/session/index.js';
import { buildViewer } from '../../viewer/app.js';
import { ViewerState } from '../../viewer/state.js';
import { chromium, type Browser, type Page } from 'playwright-core';
import { serve, type RunningViewer, type ServeOptions } from '../../viewer/server.js';
import { ROOT } from '../support/fixtures.js';
import { json as cliJson, run as cliRun } from '../cli/analysis-cli.js';

export const CACHE = path.join(ROOT, '.cache/test-index/viewer');
export const OUTPUT = path.join(ROOT, '.cache/test-output/viewer');
export const CHROMIUM = '/usr/bin/chromium';

export interface Viewer {
  app: FastifyInstance;
  state: ViewerState;
  close(): Promise<void>;
}

/** A viewer over `dump` (opened in a worker, as goheap serve does), ready once the promise resolves. */
export async function openViewer(dump: string, binary?: string, baseline?: string): Promise<Viewer> {
  const state = new ViewerState();
  const app = await buildViewer({ state });
  const opts = { binary, cacheDir: CACHE, worker: true };
  await state.attach(HeapSession.open(dump, { ...opts, onProgress: state.onProgress }), baseline ? HeapSession.open(baseline, opts) : undefined);
  await state.settled();
  if (state.status !== 'ready') throw new Error(`viewer did not open ${dump}: ${state.error}`);
  if (baseline) while (state.baselineStatus === 'loading') await new Promise((r) => setTimeout(r, 20));
  return { app, state, async close() { await app.close(); state.close(); } };
}

/** GET `url` and its parsed JSON (asserting 200 and a JSON content type). */
export async function getJson(app: FastifyInstance, url: string): Promise<any> {
  const r = await app.inject(url);
  if (r.statusCode !== 200) throw new Error(`${url}: ${r.statusCode} ${r.body.slice(0, 300)}`);
  if (!String(r.headers['content-type']).startsWith('application/json')) throw new Error(`${url}: content-type ${r.headers['content-type']}`);
  return JSON.parse(r.body);
}

/** The CLI's --json answer for the same question (goheap as a child process, its own index folder). */
export function cli(...args: string[]): any {
  return cliJson(CACHE, ...args);
}

export { cliRun };

export function outputDir(): string {
  fs.mkdirSync(OUTPUT, { recursive: true });
  return OUTPUT;
}

export interface BrowserViewer {
  server: RunningViewer;
  browser: Browser;
  page: Page;
  /** Script errors and console errors the page reported (the loading page's 503 is not one). */
  errors: string[];
  close(): Promise<void>;
}

/** `goheap serve` with `options` (port 0, 127.0.0.1, the test cache), and one Chromium page collecting its errors. */
export async function serveInBrowser(options: Pick<ServeOptions, 'dump' | 'binary' | 'baseline'>): Promise<BrowserViewer> {
  const server = await serve({ ...options, port: 0, host: '127.0.0.1', cacheDir: CACHE, log: () => undefined });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // (The loading page is served with status 503, which Chromium logs: not an error of the page.)
  page.on('console', (m) => { if (m.type() === 'error' && !/status of 503/.test(m.text())) errors.push(m.text()); });
  return {
    server, browser, page, errors,
    async close() {
      await browser.close();
      await server.close();
    },
  };
}
