// The viewer's first start on an index the CLI wrote: the large derived indexes (reverse edges, the dominator tree,
// the instance lists) are not there yet, so it builds them in a worker thread while it serves the list pages; the
// pages that need them wait for the worker, then read them from the index by position. Their answers must be those
// of a viewer that opened the same dump cold (building every structure in its own thread), and of the CLI.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'chai';
import { HeapSession } from '../../lib/session/index.js';
import { REVERSE_INDEX } from '../../lib/session/object-referrers.js';
import { typeHistogram } from '../../lib/typing/index.js';
import { buildViewer } from '../../viewer/app.js';
import { ViewerState } from '../../viewer/state.js';
import { scratchDir, zooBinary, zooDump, zooFacts } from '../support/fixtures.js';
import { json as cliJson } from '../cli/analysis-cli.js';
import { getJson, type Viewer } from './viewer-support.js';

async function viewerOn(dump: string, binary: string, cacheDir: string): Promise<Viewer> {
  const state = new ViewerState();
  const app = await buildViewer({ state });
  await state.attach(HeapSession.open(dump, { binary, cacheDir, worker: true, onProgress: state.onProgress }));
  await state.settled();
  if (state.status !== 'ready') throw new Error(`viewer did not open ${dump}: ${state.error}`);
  return { app, state, async close() { await app.close(); state.close(); } };
}

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
}

describe('viewer: a first start on an index the CLI wrote builds the derived indexes in a worker', function () {
  this.timeout(300000);
  const version = '1.26';
  const dump = zooDump(version, 'heap2');
  const bin = zooBinary(version);
  const facts = zooFacts(version);
  let warm: Viewer;
  let cold: Viewer;
  let warmCache: string;
  let filesBefore: string[];
  let missingAtStart: string[];

  before(async () => {
    const dir = scratchDir('viewer-first-start');
    warmCache = path.join(dir, 'warm');
    // The CLI's cold open writes the index and the answers' summaries, not the large derived indexes.
    cliJson(warmCache, 'info', dump, bin);
    filesBefore = filesUnder(warmCache);
    const probe = await HeapSession.open(dump, { binary: bin, cacheDir: warmCache });
    missingAtStart = probe.missingStructures();
    probe.close();
    warm = await viewerOn(dump, bin, warmCache);
    cold = await viewerOn(dump, bin, path.join(dir, 'cold'));
  });
  after(async () => {
    await warm?.close();
    await cold?.close();
  });

  it('the index the CLI wrote lacks them; the worker writes them beside it, and the session then has them all', async () => {
    expect(filesBefore.length).to.be.greaterThan(0);
    await warm.state.structuresReady;
    expect(warm.state.structuresSeconds, 'the worker finished (a failed worker leaves this unset)').to.be.a('number');
    expect(warm.state.session!.missingStructures()).to.deep.equal([]);
    const added = filesUnder(warmCache).filter((f) => !filesBefore.includes(f));
    expect(added.length, `files added: ${added.join(', ')}`).to.be.at.least(3);
    // Each was waited for apart, in the order the worker built them; the instance lists at least (the CLI's cold open
    // writes the tree and the reverse edges when its suspects need them).
    expect(missingAtStart).to.include.members(['instances', 'instances-by-length']);
    expect(Object.keys(warm.state.structureSeconds)).to.deep.equal(missingAtStart);
    const at = Object.values(warm.state.structureSeconds);
    for (let k = 1; k < at.length; k++) expect(at[k]).to.be.at.least(at[k - 1]!);
    expect(warm.state.structuresSeconds).to.be.at.least(at[at.length - 1]!);
    // The cold viewer had nothing to wait for.
    expect(cold.state.structuresSeconds).to.equal(undefined);
    expect(cold.state.session!.missingStructures()).to.deep.equal([]);
  });

  it('pages that need them answer as the cold viewer\'s and the CLI\'s', async () => {
    const session = facts.addresses.Sessions[0];
    const urls = [
      `/api/type/main.Session?limit=50`,
      `/api/type/main.Session?limit=10&offset=10&sort=size`,
      `/api/type/main.Session?limit=10&sort=address`,
      `/api/type/main.Node?limit=20`,
      `/api/object/${session}`,
      `/api/object/${session}/retainers`,
      `/api/object/${facts.addresses.ListHead}`,
      '/api/dominators?limit=100',
    ];
    for (const u of urls) {
      const a = await getJson(warm.app, u);
      const b = await getJson(cold.app, u);
      expect(a, u).to.deep.equal(b);
    }
    const top = (await getJson(warm.app, '/api/dominators?limit=5')).children[0];
    const sub = `/api/dominators?node=${encodeURIComponent(top.id)}`;
    expect(await getJson(warm.app, sub), sub).to.deep.equal(await getJson(cold.app, sub));
    // The CLI's object answer (its own process) is part of the warm viewer's object page, referrers included.
    for (const a of [session, facts.addresses.ListHead]) {
      const o = cliJson(warmCache, 'object', dump, bin, a);
      const page = await getJson(warm.app, `/api/object/${a}`);
      for (const [k, val] of Object.entries(o)) expect(page[k], `${a} ${k}`).to.deep.equal(val);
    }
  });
});

describe('viewer: the derived-index worker of a dump replaced on disk', function () {
  this.timeout(300000);
  it('stops with one message naming the dump, and opens nothing from scratch', async () => {
    const dir = scratchDir('viewer-first-start-replaced');
    const dump = path.join(dir, 'heap.dump');
    fs.copyFileSync(zooDump('1.26', 'heap2'), dump);
    const cache = path.join(dir, 'index');
    cliJson(cache, 'info', dump, zooBinary('1.26'));
    const s = await HeapSession.open(dump, { binary: zooBinary('1.26'), cacheDir: cache });
    try {
      expect(s.missingStructures()).to.not.deep.equal([]);
      // Another dump written over it (the other heap of the same program), after the session opened.
      fs.copyFileSync(zooDump('1.26', 'heap1'), dump);
      const before = filesUnder(cache);
      let error: Error | undefined;
      await s.keepDerivedInWorker().catch((e: Error) => { error = e; });
      expect(error?.message).to.equal(`${dump}: its index is no longer current (the dump or the binary changed on disk)`);
      expect(filesUnder(cache)).to.deep.equal(before);
    } finally {
      s.close();
    }
  });
});

describe('session: the derived-index worker says as each index is written', function () {
  this.timeout(300000);
  it('in the order it builds them, each one there by the time it says so', async () => {
    const dir = scratchDir('session-derived-built');
    const dump = zooDump('1.26', 'heap2');
    const cache = path.join(dir, 'index');
    cliJson(cache, 'info', dump, zooBinary('1.26'));
    const s = await HeapSession.open(dump, { binary: zooBinary('1.26'), cacheDir: cache });
    try {
      const all = ['tree', 'reverse', 'instances', 'instances-by-length'];
      const missing: string[] = s.missingStructures();
      expect(missing).to.include.members(['instances', 'instances-by-length']);
      expect(missing).to.deep.equal(all.filter((n) => missing.includes(n)));
      const said: string[] = [];
      const stillMissing: string[][] = [];
      await s.keepDerivedInWorker((name) => {
        said.push(name);
        stillMissing.push(s.missingStructures());
      });
      // Every one, in order (one kept already is said at once, not built again); each there when said.
      expect(said).to.deep.equal(all);
      // (The worker goes on meanwhile: a later one may be there too by the time this thread hears of the earlier.)
      for (let k = 0; k < all.length; k++) expect(stillMissing[k].filter((n) => all.slice(0, k + 1).includes(n)), all[k]).to.deep.equal([]);
      expect(stillMissing[all.length - 1]).to.deep.equal([]);
    } finally {
      s.close();
    }
  });
});

/**
 * A viewer's first start on the zoo's index as the CLI writes it, less the dominator tree and the reverse edges (as a
 * large heap's first start may be: the builder makes those too), with no whole-heap answers prepared before serving
 * and the builder held 4 s before it builds anything, so that the requests a test makes meanwhile are surely answered
 * while it builds. `env` is set for the viewer and its builder until close().
 */
async function heldFirstStart(name: string, env: Record<string, string> = {}, keepTree = false) {
  const dir = scratchDir(name);
  const dump = zooDump('1.26', 'heap2');
  const bin = zooBinary('1.26');
  const cache = path.join(dir, 'index');
  cliJson(cache, 'info', dump, bin);
  // keepTree: the dominator tree as the CLI's cold open writes it, the reverse edges still to build.
  for (const f of fs.readdirSync(cache)) if ((f.endsWith('.tree.idx') && !keepTree) || f.endsWith(`.${REVERSE_INDEX}.idx`)) fs.rmSync(path.join(cache, f));
  const state = new ViewerState();
  const app = await buildViewer({ state, buildingWaitMs: 0 });
  state.preparers.length = 0;
  Object.assign(process.env, env, { GOHEAP_TEST_DERIVED_PAUSE_MS: '4000' });
  const close = async (): Promise<void> => {
    for (const k of [...Object.keys(env), 'GOHEAP_TEST_DERIVED_PAUSE_MS']) delete process.env[k];
    await app.close();
    state.close();
  };
  try {
    await state.attach(HeapSession.open(dump, { binary: bin, cacheDir: cache, worker: true, onProgress: state.onProgress }));
  } catch (e) {
    await close();
    throw e;
  }
  delete process.env.GOHEAP_TEST_DERIVED_PAUSE_MS;
  const get = (url: string) => app.inject({ method: 'GET', url, headers: { host: '127.0.0.1' } });
  return { state, get, close, cache, dump, bin };
}

describe('viewer: pages asked while a first start is still building the derived indexes', function () {
  this.timeout(300000);
  it('a type page answers at once, as it does once they are built; an object page answers 503 naming what is built, and reloads itself', async () => {
    const facts = zooFacts('1.26');
    // A row of `types --by-length` only (a slice's backing array by its length), found before the viewer starts.
    const probe = await HeapSession.open(zooDump('1.26', 'heap2'), { binary: zooBinary('1.26'), cacheDir: scratchDir('viewer-building-probe') });
    const joined = new Set(typeHistogram(probe.graph, probe.types, true, false).map((r) => r.name));
    const arrayRow = typeHistogram(probe.graph, probe.types, true, true).map((r) => r.name).find((t) => /^\[[0-9]+\]/.test(t) && !joined.has(t));
    probe.close();
    expect(arrayRow).to.be.a('string');
    const { state, get, close } = await heldFirstStart('viewer-building-page');
    try {
      expect(state.status).to.equal('ready');
      expect(state.stillBuilding()).to.deep.equal(['tree', 'reverse', 'instances', 'instances-by-length']);
      // Type pages (their instances from one pass over the objects, their referrers from one over the edges), in
      // every sort, an array split by length, the tiny blocks' rows: the answers a session with every index gives.
      const urls = ['/type/main.Session', '/type/main.Session?sort=size&offset=3&limit=4', '/type/main.Node?sort=address&limit=20',
        '/type/tiny%20block%20(rest)', '/type/string%20data?sort=size'];
      urls.push(`/type/${encodeURIComponent(arrayRow!)}`);
      const during = new Map<string, string>();
      for (const u of urls) {
        for (const v of [u, `/api${u}`]) {
          const r = await get(v);
          expect(r.statusCode, v).to.equal(200);
          during.set(v, r.body);
        }
      }
      expect(during.get('/type/main.Session')).to.contain('main.Session').and.contain('Referenced by');
      // A search for a type's name leads to its page, as it does once the indexes are built.
      for (const q of ['main.Node', arrayRow!, 'main.NoSuchType']) {
        const u = `/search?q=${encodeURIComponent(q)}`;
        const r = await get(u);
        expect(r.statusCode, u).to.be.oneOf([200, 302]);
        during.set(u, r.body + (r.headers.location ?? ''));
      }
      expect(during.get('/search?q=main.Node')).to.contain('/type/main.Node');
      expect(JSON.parse(during.get('/api/type/main.Node?sort=address&limit=20')!).count).to.equal(facts.counts.Node);
      // An object page reads the reverse edges through and through (retainers, paths): it waits for them.
      const building = await get(`/object/${facts.addresses.ListHead}`);
      expect(state.stillBuilding()).to.deep.equal(['tree', 'reverse', 'instances', 'instances-by-length']);
      expect(building.statusCode).to.equal(503);
      expect(building.headers['retry-after']).to.equal('2');
      expect(building.body).to.contain('<title>Building the indexes this page reads').and.contain('data-refresh="1"');
      expect(building.body).to.contain('Building the dominator tree, the referrers of every object (reverse edges), which this page reads');
      expect(building.body).to.contain('<a href="/types">Types</a>');
      // A list page needs none of them; an object's /api twin waits for them and answers.
      expect((await get('/types')).statusCode).to.equal(200);
      const api = await get(`/api/object/${facts.addresses.ListHead}`);
      expect(api.statusCode).to.equal(200);
      // Once built, every page answers as it did meanwhile.
      await state.structuresReady;
      expect(state.stillBuilding()).to.deep.equal([]);
      for (const [u, body] of during) {
        const r = await get(u);
        expect(r.body + (u.startsWith('/search') ? r.headers.location ?? '' : ''), u).to.equal(body);
      }
      const page = await get(`/object/${facts.addresses.ListHead}`);
      expect(page.statusCode).to.equal(200);
    } finally {
      await close();
    }
  });

  it('an object page answers at once without its referrers while they are built (the tree there), saying so and reloading itself; its /api twin waits for them', async () => {
    const facts = zooFacts('1.26');
    const { state, get, close, cache, dump, bin } = await heldFirstStart('viewer-building-referrers', {}, true);
    try {
      expect(state.stillBuilding()).to.deep.equal(['reverse', 'instances', 'instances-by-length']);
      const a = facts.addresses.Sessions[0];
      const during = await get(`/object/${a}`);
      expect(state.stillBuilding(), 'still building when it answered').to.include('reverse');
      expect(during.statusCode).to.equal(200);
      expect(during.headers['retry-after']).to.equal(undefined);
      expect(during.body).to.contain(`<title>Object ${a} · goheap</title>`).and.contain('data-refresh="3"');
      // What needs no referrers is there: the fields, the dominator chain, the shortest path from a root.
      expect(during.body).to.contain('<table class="facts" id="summary">').and.contain('id="fields"').and.contain('<ol class="chain">');
      expect(during.body).to.contain('<h2>Shortest path from a root</h2>');
      // What they give (their count, the retainers, the roots keeping it alive, the neighbourhood) says it is being built.
      const said = during.body.split('Being built: the referrers of every object, on another core').length - 1;
      expect(said, 'retainers, roots, neighbourhood').to.equal(3);
      expect(during.body).to.contain('<tr><th>referrers</th><td><span class="muted">being built</span></td></tr>');
      expect(during.body).not.to.contain('class="tree retainers"');
      // The JSON twin waits for the referrers, and is the CLI's object answer, referrers included.
      const api = await get(`/api/object/${a}`);
      expect(api.statusCode).to.equal(200);
      const o = cliJson(cache, 'object', dump, bin, a);
      const doc = JSON.parse(api.body);
      for (const [k, val] of Object.entries(o)) expect(doc[k], k).to.deep.equal(val);
      expect(doc.retainers.total).to.equal(o.referrers).and.be.greaterThan(0);
      expect(doc).not.to.have.property('buildingSince');
      // Once they are there, the page is whole and stops reloading.
      await state.structuresReady;
      const after = await get(`/object/${a}`);
      expect(after.statusCode).to.equal(200);
      expect(after.body).not.to.contain('Being built').and.not.to.contain('data-refresh');
      expect(after.body).to.contain('class="tree retainers"').and.contain('<h2>Roots keeping it alive</h2>');
    } finally {
      await close();
    }
  });

  it('on a heap too big for one pass over its grouping per type page: a row of few objects is found from their typing ids meanwhile, a crowded row answers its reachable instances at any offset in each order (its head, then its bitmap), rows with tiny blocks wait for the instance lists', async () => {
    // Every heap is "too big" for a pass over its grouping per page; a row of over 600 objects is "crowded", and its
    // head holds its first 100 in each order.
    const { state, get, close } = await heldFirstStart('viewer-building-big', { GOHEAP_TEST_ROW_SCAN_MAX_OBJECTS: '0', GOHEAP_TEST_SCANNED_ROW_MAX_MEMBERS: '600', GOHEAP_TEST_HEAD_MEMBERS: '100' });
    const facts = zooFacts('1.26');
    try {
      expect(state.stillBuilding()).to.deep.equal(['tree', 'reverse', 'instances', 'instances-by-length']);
      // main.Session (500 objects) and main.Node (1,000: crowded): their pages, in every sort, HTML and /api, within
      // main.Node's head and past it, to its last page and beyond, and a search for each, answer now.
      const during = new Map<string, string>();
      for (const t of ['main.Session', 'main.Node']) {
        for (const u of [`/type/${t}`, `/type/${t}?sort=size&offset=3&limit=4`, `/type/${t}?sort=address&limit=20`, `/type/${t}?sort=retained&offset=950`,
          `/type/${t}?sort=address&limit=1000`, `/type/${t}?offset=90&limit=20`, `/type/${t}?sort=size&offset=499&limit=300`,
          `/type/${t}?sort=address&offset=777`, `/type/${t}?offset=990`, `/type/${t}?sort=retained&limit=1000`, `/type/${t}?sort=size&offset=1000`]) {
          for (const v of [u, `/api${u}`]) {
            const r = await get(v);
            expect(r.statusCode, v).to.equal(200);
            during.set(v, r.body);
          }
        }
        const search = await get(`/search?q=${t}`);
        expect(search.statusCode).to.be.oneOf([200, 302]);
        during.set(`/search?q=${t}`, search.body + (search.headers.location ?? ''));
        expect(during.get(`/search?q=${t}`)).to.contain(`/type/${t}`);
      }
      expect(JSON.parse(during.get('/api/type/main.Session?sort=address&limit=20')!).count).to.be.within(1, 600);
      expect(JSON.parse(during.get('/api/type/main.Node?sort=address&limit=1000')!).count).to.equal(facts.counts.Node);
      expect(JSON.parse(during.get('/api/type/main.Node?sort=size&offset=499&limit=300')!).instances).to.have.length(300);
      expect(during.get('/type/main.Node')).to.contain(`${facts.counts.Node.toLocaleString('en-US')} instances`).and.contain('Referenced by');
      // The tiny blocks' rows, and a row tiny blocks' sub-objects count in, wait.
      for (const u of ['/type/tiny%20block%20(rest)', '/type/string%20data']) {
        const r = await get(u);
        expect(r.statusCode, u).to.equal(503);
        expect(r.body, u).to.contain('Building the instance lists of every type, which this page reads');
        expect(r.body, u).to.contain('and the pages of types of whole objects of one Go type (their reachable instances).');
      }
      await state.structuresReady;
      for (const [u, body] of during) {
        const r = await get(u);
        expect(r.body + (u.startsWith('/search') ? r.headers.location ?? '' : ''), u).to.equal(body);
      }
      const page = await get('/type/string%20data');
      expect(page.statusCode).to.equal(200);
    } finally {
      await close();
    }
  });
});
