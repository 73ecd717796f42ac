// Every page of the viewer and its /api twin through fastify inject, on the zoo fixtures: the numbers equal the
// CLI's --json for the same dump (goheap run as a child process) and the zoo program's own facts; bad parameters
// give 400/404 and the server keeps answering; the Host check, the CSP, the assets, the loading state.
import { expect } from 'chai';
import { ViewerState } from '../../viewer/state.js';
import { buildViewer } from '../../viewer/app.js';
import { zooBinary, zooDump, zooFacts } from '../support/fixtures.js';
import { cli, getJson, openViewer, type Viewer } from './viewer-support.js';

const PAGES = ['/', '/types', '/type/main.Node', '/roots', '/roots?name=main.ListHead', '/goroutines', '/dominators', '/suspects', '/allocs', '/diff',
  '/search?q=main.Session'];

/** The parts of a twin the CLI also prints (the page's own paging fields aside). */
function without<T extends Record<string, unknown>>(o: T, ...keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...o };
  for (const k of keys) delete out[k];
  return out;
}

for (const version of ['1.19', '1.22', '1.26']) {
  describe(`viewer pages and /api twins on zoo go${version} (fastify inject)`, function () {
    this.timeout(300000);
    const dump = zooDump(version, 'heap2');
    const base = zooDump(version, 'heap1');
    const bin = zooBinary(version);
    const facts = zooFacts(version);
    let v: Viewer;

    before(async () => {
      v = await openViewer(dump, bin, base);
    });
    after(async () => v?.close());

    it('serves every page as HTML with no inline script, and its twin as JSON', async () => {
      for (const page of PAGES) {
        const r = await v.app.inject(page);
        const expected = page.startsWith('/search') ? 302 : 200;
        expect(r.statusCode, page).to.equal(expected);
        if (expected !== 200) continue;
        expect(r.headers['content-type'], page).to.match(/^text\/html/);
        // Scripts only by src from /assets; no event-handler attributes.
        expect(r.body.match(/<script\b[^>]*>/g), page).to.deep.equal(['<script src="/assets/viewer.js" defer>']);
        expect(r.body, page).not.to.match(/\son[a-z]+\s*=/i);
        const api = page === '/' ? '/api/' : `/api${page}`;
        const j = await v.app.inject(api);
        expect(j.statusCode, api).to.equal(200);
        expect(j.headers['content-type'], api).to.match(/^application\/json/);
        JSON.parse(j.body);
      }
      const obj = await v.app.inject(`/object/${facts.addresses.ListHead}`);
      expect(obj.statusCode).to.equal(200);
      expect(obj.body).to.include('<svg'); // the neighbourhood, drawn by Graphviz
    });

    it('overview: the info numbers equal goheap info --json', async () => {
      const page = await getJson(v.app, '/api/');
      const info = cli('info', dump, bin);
      for (const [k, val] of Object.entries(info)) expect(page[k], k).to.deep.equal(val);
      expect(page.topRoots).to.deep.equal(cli('roots', dump, bin, '-n', '10').roots);
      expect(page.suspects).to.deep.equal(cli('suspects', dump, bin));
      // The zoo turns the collector off (debug.SetGCPercent(-1)): NextGC is the runtime's "no goal", said in words.
      expect(BigInt(info.memstats.NextGC) > 2n ** 62n).to.equal(true);
      const html = (await v.app.inject('/')).body;
      expect(html).to.include('none: the collector is off (GOGC=off; the runtime says ');
    });

    it('types: equal to goheap types --json --limit 0, and the instance counts are the program\'s own', async () => {
      const page = await getJson(v.app, '/api/types');
      const c = cli('types', dump, bin, '--limit', '0');
      expect(without(page, 'sort', 'filter', 'offset', 'limit', 'matching')).to.deep.equal(c);
      const node = page.types.find((t: { name: string }) => t.name === 'main.Node');
      expect(node.count).to.equal(facts.counts.Node);
      expect(node.bytes).to.equal(facts.counts.Node * facts.sizes.Node);
      // Filtered and sorted: only matching rows, in the asked order.
      const f = await getJson(v.app, '/api/types?q=main.&sort=retained');
      expect(f.types.every((t: { name: string }) => t.name.toLowerCase().includes('main.'))).to.equal(true);
      for (let k = 1; k < f.types.length; k++) expect(f.types[k - 1].retainedBytes).to.be.at.least(f.types[k].retainedBytes);
      const page2 = await v.app.inject('/types?q=main.Node');
      expect(page2.body).to.include('href="/type/main.Node"');
    });

    it('type page: instances of main.Session paged by retained size, its fields, who refers to it', async () => {
      const t = await getJson(v.app, `/api/type/${encodeURIComponent('main.Session')}?limit=10`);
      expect(without(t, 'retained', 'limit', 'fields', 'referencedBy')).to.deep.equal(cli('instances', dump, bin, 'main.Session', '--limit', '10'));
      expect(t.count).to.equal(facts.counts.Session2); // Session2: sessions in the second dump
      expect(t.bytes).to.equal(t.count * facts.sizes.Session);
      expect(t.instances).to.have.length(10);
      for (let k = 1; k < 10; k++) expect(t.instances[k - 1].retained).to.be.at.least(t.instances[k].retained);
      expect(t.fields.map((f: { name: string }) => f.name)).to.deep.equal(['ID', 'User', 'Data', 'Attrs', 'Peer']);
      // Every instance is held by the LeakyCache map (a map group's slot), some by another Session's Peer.
      expect(t.referencedBy.rows.length).to.be.greaterThan(0);
      // Referring objects are named by their type rows, as `types` names them: a map's group arrays of every length
      // are one row, not one per length as an object's own name has it.
      const rowNames = new Set(cli('types', dump, bin, '--limit', '0', '--all').types.map((x: { name: string }) => x.name));
      const fromObjects = t.referencedBy.rows.filter((r: { kind: string }) => r.kind === 'object').map((r: { from: string }) => r.from);
      expect(fromObjects.length).to.be.greaterThan(0);
      for (const from of fromObjects) expect(rowNames.has(from), `${from} is no row of types`).to.equal(true);
      // Each session is in the LeakyCache map once: its live buckets point at each exactly once. The buckets the map
      // left behind as it grew (garbage not yet freed: the zoo turns the collector off) are counted apart, last.
      type Row = { kind: string; reachable: boolean; from: string; field: string; count: number };
      const rows: Row[] = t.referencedBy.rows;
      const live = rows.filter((r) => r.reachable && r.from === 'map[string]*main.Session buckets');
      expect(live.map((r) => r.count)).to.deep.equal([facts.counts.Session2]);
      const firstGarbage = rows.findIndex((r) => !r.reachable);
      expect(firstGarbage, 'garbage buckets point at sessions too').to.be.greaterThan(0);
      expect(rows.slice(firstGarbage).every((r) => !r.reachable)).to.equal(true);
      expect((await v.app.inject('/type/main.Session')).body).to.include('Unreachable referrers (garbage not yet freed: they keep nothing alive) come last.');
      // An untyped object's pointers (garbage the zoo's heap holds untyped points at sessions) are one row per type,
      // whatever their offsets, not one row per offset.
      const untyped = rows.filter((r) => r.from.startsWith('untyped'));
      expect(untyped.length).to.be.greaterThan(0);
      expect(new Set(untyped.map((r) => `${r.from} ${r.reachable}`)).size).to.equal(untyped.length);
      for (const r of untyped) expect(r.field).to.equal('any word (no type known)');
      expect(untyped.some((r) => r.count > 1)).to.equal(true);
      const next = await getJson(v.app, `/api/type/main.Session?limit=10&offset=10`);
      expect(next.instances[0].retained).to.be.at.most(t.instances[9].retained);
      const types = await getJson(v.app, '/api/types');
      expect(t.retained).to.equal(types.types.find((x: { name: string }) => x.name === 'main.Session').retainedBytes);
    });

    it('object page: the fields, retained size and dominator of goheap object --json, and the path of goheap path --json', async () => {
      for (const a of [facts.addresses.ListHead, facts.addresses.Sessions[0], facts.addresses.BigObj]) {
        const page = await getJson(v.app, `/api/object/${a}`);
        const o = cli('object', dump, bin, a);
        for (const [k, val] of Object.entries(o)) expect(page[k], `${a} ${k}`).to.deep.equal(val);
        expect(page.path).to.deep.equal(cli('path', dump, bin, a));
        expect(page.svg).to.equal(undefined);
        expect(page.neighbourhood.nodes[0]).to.include({ role: 'self', address: a });
      }
      const head = await getJson(v.app, `/api/object/${facts.addresses.ListHead}`);
      expect(head.type).to.equal('main.Node');
      expect(head.size).to.equal(facts.sizes.Node);
      // The list head is held by the global main.ListHead: a root retainer.
      expect(head.retainers.rows.some((r: { kind: string; name: string }) => r.kind === 'root' && r.name === 'main.ListHead')).to.equal(true);
      // The list: the head points at the next node through Next.
      expect(head.outgoing.refs[0].field).to.equal('Next');
      // An interior address finds the same object.
      const inner = await getJson(v.app, `/api/object/0x${(Number.parseInt(facts.addresses.BigObj, 16) + 1000).toString(16)}`);
      expect(inner.address).to.equal(facts.addresses.BigObj);
      // A global's name: the CLI's object answer for the global; the page is its root's.
      expect(await getJson(v.app, '/api/object/main.ListHead')).to.deep.equal(cli('object', dump, bin, 'main.ListHead'));
      const byName = await v.app.inject('/object/main.ListHead');
      expect(byName.statusCode).to.equal(302);
      expect(byName.headers.location).to.equal('/roots?name=main.ListHead');
      // One level of the retainers tree, as the client script fetches it.
      const ret = await getJson(v.app, `/api/object/${facts.addresses.Sessions[0]}/retainers`);
      expect(ret.rows.length).to.be.greaterThan(0);
    });

    it('roots: equal to goheap roots --json --limit 0; a global shows its slots and the objects they hold', async () => {
      const page = await getJson(v.app, '/api/roots?limit=100000');
      const c = cli('roots', dump, bin, '--limit', '0');
      expect(without(page, 'roots', 'rootCount', 'offset', 'limit')).to.deep.equal(without(c, 'roots'));
      expect(page.roots.map((r: Record<string, unknown>) => without(r, 'type', 'value', 'valueSlots'))).to.deep.equal(c.roots);
      expect(page.rootCount).to.equal(c.rowCount ?? c.roots.length);
      const g = await getJson(v.app, `/api/roots?name=main.ListHead`);
      expect(g.root.kind).to.equal('global');
      expect(g.slots[0].address).to.equal(facts.addresses.ListHead);
      // Its value, decoded as the CLI's object command decodes a global.
      expect(g.fields).to.deep.equal(cli('object', dump, bin, 'main.ListHead').fields);
      expect(g.root.retained).to.equal(c.roots.find((r: { name: string }) => r.name === 'main.ListHead').retained);
    });

    it('goroutines: grouped by stack; the parked goroutines (main.recurse) form one group of their count', async () => {
      const page = await getJson(v.app, '/api/goroutines');
      expect(page).to.deep.equal(cli('goroutines', dump, bin, '--limit', '0'));
      const total = page.groups.reduce((a: number, g: { count: number }) => a + g.count, 0);
      expect(total).to.equal(cli('info', dump, bin).goroutines);
      const parked = page.groups.find((g: { function: string }) => g.function === facts.recurseFunc);
      expect(parked, JSON.stringify(page.groups.map((g: { function: string }) => g.function))).to.not.equal(undefined);
      expect(parked.count).to.equal(facts.counts.Parked);
      expect(parked.frames.some((f: { file: string | null; line: number | null }) => f.file?.endsWith('main.go') && (f.line ?? 0) > 0)).to.equal(true);
      const one = await getJson(v.app, `/api/goroutines?goid=${parked.ids[0]}`);
      expect(one.frames.some((f: { function: string }) => f.function === facts.recurseFunc)).to.equal(true);
    });

    it('dominators: the top level are root nodes and shared objects, biggest first, adding up to the reachable bytes', async () => {
      const page = await getJson(v.app, '/api/dominators?limit=1000');
      const info = cli('info', dump, bin);
      expect(page.node.retained).to.equal(info.reachableBytes);
      for (let k = 1; k < page.children.length; k++) expect(page.children[k - 1].retained).to.be.at.least(page.children[k].retained);
      if (page.total <= 1000) expect(page.children.reduce((a: number, c: { retained: number }) => a + c.retained, 0)).to.equal(info.reachableBytes);
      const top = page.children[0];
      const sub = await getJson(v.app, `/api/dominators?node=${encodeURIComponent(top.id)}`);
      expect(sub.node.retained).to.equal(top.retained);
      // The flame graph: the first bar spans everything; children lie inside their parent.
      expect(page.flame[0]).to.include({ depth: 0, x: 0, w: 1 });
    });

    it('diff: equal to goheap diff --json --limit 0 (baseline heap1)', async () => {
      const page = await getJson(v.app, '/api/diff');
      const c = cli('diff', base, dump, bin, '--limit', '0');
      expect(without(page, 'offset', 'limit', 'typeCount', 'rootCount')).to.deep.equal(c);
    });

    it('suspects and allocs: the CLI\'s suspects; allocation sites from the MemProf records', async () => {
      expect(await getJson(v.app, '/api/suspects')).to.deep.equal(cli('suspects', dump, bin));
      const a = await getJson(v.app, '/api/allocs');
      expect(without(a, 'offset', 'limit')).to.deep.equal(cli('allocs', dump, bin, '--limit', '0'));
      expect(a.buckets).to.equal(cli('info', dump, bin).memProfBuckets);
    });

    it('search: an address (inside an object too), a global, a type lead to their pages', async () => {
      const inside = `0x${(Number.parseInt(facts.addresses.BigObj, 16) + 8).toString(16)}`;
      for (const [q, to] of [[inside, `/object/${facts.addresses.BigObj}`], ['main.ListHead', '/roots?name=main.ListHead'], ['main.Session', '/type/main.Session']]) {
        const r = await v.app.inject(`/search?q=${encodeURIComponent(q)}`);
        expect(r.statusCode, q).to.equal(302);
        expect(r.headers.location, q).to.equal(to);
      }
      const some = await getJson(v.app, '/api/search?q=session');
      expect(some.exact).to.equal(false);
      expect(some.results.some((x: { name: string }) => x.name === 'main.Session')).to.equal(true);
    });
  });
}

describe('viewer: bad requests, Host check, CSP, assets, loading state', function () {
  this.timeout(120000);
  const facts = zooFacts('1.26');
  let v: Viewer;
  before(async () => {
    v = await openViewer(zooDump('1.26'), zooBinary('1.26'));
  });
  after(async () => v?.close());

  it('answers bad parameters with 400 and unknown things with 404, as a page or as JSON, and stays up', async () => {
    const cases: [string, number][] = [
      ['/object/zzz', 400], ['/object/0x1', 404], ['/object/0x' + 'f'.repeat(40), 400], ['/type/no.SuchType', 404],
      ['/types?limit=abc', 400], ['/types?limit=-3', 400], ['/types?sort=evil', 400], ['/types?offset=1e9', 400],
      ['/search?q=', 400], ['/search', 400], ['/roots?name=nope', 404], ['/goroutines?goid=999999', 404], ['/goroutines?goid=x', 400],
      ['/dominators?node=root:999999', 404], ['/dominators?node=garbage', 400], ['/suspects?threshold=2', 400], ['/diff', 404],
      ['/no/such/page', 404], ['/types?limit=1&limit=2', 400], ['/type/main.Node?limit=0', 400], ['/type/main.Node?limit=1001', 400],
    ];
    for (const [u, status] of cases) {
      const page = await v.app.inject(u);
      expect(page.statusCode, u).to.equal(status);
      expect(page.headers['content-type'], u).to.match(/^text\/html/);
      const api = await v.app.inject(`/api${u}`);
      expect(api.statusCode, `/api${u}`).to.equal(status);
      expect(JSON.parse(api.body).error, `/api${u}`).to.be.a('string');
    }
    // Both ends of a range are named the same way.
    for (const [u, error] of [['limit=0', 'limit: expected a whole number from 1 to 1000, got "0"'], ['limit=1001', 'limit: expected a whole number from 1 to 1000, got "1001"']]) {
      expect(JSON.parse((await v.app.inject(`/api/type/main.Node?${u}`)).body).error, u).to.equal(error);
    }
    expect((await v.app.inject('/')).statusCode).to.equal(200);
    expect((await v.app.inject(`/object/${facts.addresses.ListHead}`)).statusCode).to.equal(200);
  });

  it('refuses a foreign Host header (DNS rebinding) and accepts localhost and the loopback address', async () => {
    for (const host of ['evil.example', 'evil.example:7000', '127.0.0.1.evil.example', 'localhost.evil.example:7000', 'localhost:7000@evil.example']) {
      const r = await v.app.inject({ url: '/api/types', headers: { host } });
      expect(r.statusCode, host).to.equal(403);
      expect(r.body).not.to.include('main.Node');
    }
    for (const host of ['localhost:7000', '127.0.0.1:7000', '[::1]:7000', 'LOCALHOST']) {
      expect((await v.app.inject({ url: '/api/types', headers: { host } })).statusCode, host).to.equal(200);
    }
  });

  it('sends a Content-Security-Policy that allows no inline script and no other origin', async () => {
    const r = await v.app.inject('/');
    const csp = String(r.headers['content-security-policy']);
    expect(csp).to.include("script-src 'self'");
    expect(csp).to.include("script-src-attr 'none'");
    expect(csp).to.include("object-src 'none'");
    expect(csp).not.to.include('unsafe-inline');
    expect(csp).not.to.include('unsafe-eval');
    expect(r.headers['x-content-type-options']).to.equal('nosniff');
  });

  it('serves its two assets and nothing else from disk', async () => {
    expect((await v.app.inject('/assets/viewer.js')).statusCode).to.equal(200);
    expect((await v.app.inject('/assets/viewer.css')).statusCode).to.equal(200);
    for (const u of ['/assets/../package.json', '/assets/%2e%2e%2fpackage.json', '/assets/..%2F..%2Fpackage.json', '/assets/', '/assets/app.ts', '/../../etc/passwd']) {
      const r = await v.app.inject(u);
      expect(r.statusCode, u).to.be.oneOf([400, 404]);
      expect(r.body).not.to.include('"dependencies"');
    }
  });

  it('answers 503 with the progress while the dump loads, for pages and their twins', async () => {
    const state = new ViewerState();
    const app = await buildViewer({ state });
    state.onProgress('decode', 10, 100);
    const api = await app.inject('/api/types');
    expect(api.statusCode).to.equal(503);
    expect(JSON.parse(api.body)).to.include({ loading: true, phase: 'decode', done: 10, total: 100 });
    const page = await app.inject('/types');
    expect(page.statusCode).to.equal(503);
    expect(page.body).to.include('reading records');
    expect(page.body).to.include('10.0%');
    await app.close();
  });
});
