// One name per type: every type name an answer gives (the types rows, by default and split by length; an object's
// type and the types of its referrers, targets, dominated objects and path hops; suspects' accumulation points,
// their child groups and paths; shared roots; the heap snapshot's object names; HPROF class names turned back
// into Go's spelling) is one that the viewer's `/type/NAME` and the CLI's `instances` accept, and no answer
// uses the runtime's internal names where Go has one (`hash<`, `bucket<`, `hchan<`, `map<`, `table<`,
// `map.group`).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'chai';
import { ROOT, scratchDir, zooBinary, zooDump } from '../support/fixtures.js';
import { CACHE, cli, cliRun, openViewer, type Viewer } from './viewer-support.js';

const INTERNAL = /\bhash<|\bbucket<|\bhchan<|^map<|[^a-z]map<|\btable<|map\.group/;

async function get(v: Viewer, u: string): Promise<any> {
  const r = await v.app.inject({ url: u, headers: { host: 'localhost' } });
  if (r.statusCode !== 200) throw new Error(`${u}: ${r.statusCode} ${r.body.slice(0, 200)}`);
  return JSON.parse(r.body);
}

/** Every `type` member, and `name` of object-like rows (kind object/shared), anywhere in a JSON answer but in Go field lists. */
function typeNames(v: unknown, out: Set<string>, key = ''): void {
  if (Array.isArray(v)) {
    if (key === 'fields' || key === 'subObjects') return;
    for (const x of v) typeNames(x, out, key);
  } else if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ((o.kind === 'object' || o.kind === 'shared') && typeof o.name === 'string') out.add(o.name);
    for (const [k, x] of Object.entries(o)) {
      // A global's `type` is its variable's Go type, not a heap object's (the pages show it as text).
      if (k === 'type' && typeof x === 'string') {
        if (o.kind === undefined || o.kind === 'object' || o.kind === 'shared') out.add(x);
      }
      else typeNames(x, out, k);
    }
  }
}

const CASES: [string, string, string][] = [
  ['zoo 1.19', zooDump('1.19', 'heap2'), zooBinary('1.19')],
  ['zoo 1.26', zooDump('1.26', 'heap2'), zooBinary('1.26')],
  ['leak 1.26', path.join(ROOT, '.cache/fixtures/leak/go1.26/heap2.dump'), path.join(ROOT, '.cache/fixtures/leak/go1.26/leak')],
];

describe('type names: every name an answer gives is a type page and an instances query', function () {
  this.timeout(600000);
  for (const [label, dump, binary] of CASES) {
    it(label, async () => {
      const v = await openViewer(dump, binary);
      try {
        const names = new Set<string>();
        const types = await get(v, '/api/types');
        for (const t of types.types) names.add(t.name);
        for (const t of cli('types', dump, binary, '--by-length', '--limit', '0').types) names.add(t.name);
        const suspects = await get(v, '/api/suspects');
        typeNames(suspects, names);
        const roots = await get(v, '/api/roots?limit=100000');
        typeNames(roots, names);
        const rootNames = new Set<string>(roots.roots.flatMap((r: { kind: string; name: string }) => [r.name, `global ${r.name}`, `goroutines ${r.name}`]));
        // Objects: the biggest 30 (and the instances of the first 20 types), each with what it links to.
        const objects = new Set<string>(cli('top', dump, binary, '-n', '30').objects.map((o: { address: string }) => o.address));
        for (const t of types.types.slice(0, 20)) {
          const page = await get(v, `/api/type/${encodeURIComponent(t.name)}?limit=2`);
          for (const x of page.instances) objects.add(x.address);
        }
        for (const a of objects) {
          const o = await get(v, `/api/object/${a}`);
          names.add(o.type);
          typeNames({ ...o, fields: undefined }, names);
        }
        // The heap snapshot's object nodes are named as objects are.
        const dir = scratchDir(`names-${label.replace(/ /g, '-')}`);
        const snap = path.join(dir, 'heap.heapsnapshot');
        const sr = cliRun(CACHE, 'snapshot', dump, binary, snap, '--quiet');
        expect(sr.status, sr.stderr).to.equal(0);
        const hs = JSON.parse(fs.readFileSync(snap, 'utf8'));
        const f = hs.snapshot.meta.node_fields as string[];
        const kinds = hs.snapshot.meta.node_types[0] as string[];
        const objectKind = kinds.indexOf('object');
        const arrayKind = kinds.indexOf('array');
        const snapNames = new Set<string>();
        for (let k = 0; k < hs.nodes.length; k += f.length) {
          const kind = hs.nodes[k + f.indexOf('type')];
          const name = hs.strings[hs.nodes[k + f.indexOf('name')]] as string;
          // Root nodes are named by the root ("global main.Cache", "goroutines main.worker"); objects by type.
          if ((kind === objectKind || kind === arrayKind) && !rootNames.has(name) && !/^global |^goroutines? |^finalizer|^\(/.test(name)) snapNames.add(name);
        }
        expect(snapNames.size).to.be.greaterThan(10);
        const accepted = new Set<string>();
        const refused: string[] = [];
        for (const n of names) {
          expect(n, 'an internal name').to.not.match(INTERNAL);
          const r = await v.app.inject({ url: `/type/${encodeURIComponent(n)}`, headers: { host: 'localhost' } });
          if (r.statusCode === 200) accepted.add(n);
          else refused.push(`${r.statusCode} ${n}`);
        }
        expect(refused).to.deep.equal([]);
        const snapRefused = [...snapNames].filter((n) => !accepted.has(n) && !/^\(|^system \/|^untyped|^string data$|^closure /.test(n) && INTERNAL.test(n));
        expect(snapRefused).to.deep.equal([]);
        // The CLI's instances takes them too (a sample: one process each).
        const sample = [...names].filter((n) => !n.startsWith('untyped')).slice(0, 6);
        sample.push(...[...names].filter((n) => /^\[[0-9]+\]|buckets|directory|chan /.test(n)).slice(0, 6));
        for (const n of sample) {
          const a = cli('instances', dump, binary, n, '--limit', '1');
          expect(a.count, n).to.be.greaterThan(0);
        }
        // A sample of snapshot names through /type/.
        for (const n of [...snapNames].filter((x) => !x.startsWith('(')).slice(0, 60)) {
          const r = await v.app.inject({ url: `/type/${encodeURIComponent(n)}`, headers: { host: 'localhost' } });
          expect(r.statusCode, `snapshot name ${n}`).to.equal(200);
        }
      } finally {
        await v.close();
      }
    });
  }
});
