// The type histograms (lib/typing's counts and lib/analysis's retained rows) group arrays by element type, name
// maps and channels one way on every Go version, and count tiny blocks' sub-objects as instances of their types.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'chai';
import { HeapSession } from '../../lib/session/index.js';
import { typeHistogram as retainedHistogram } from '../../lib/analysis/index.js';
import { TINY_REST_NAME, typeHistogram } from '../../lib/typing/index.js';
import { DUMPS, GO_VERSIONS, ROOT, zooBinary, zooDump, zooFacts, SHARED_INDEX } from '../support/fixtures.js';

describe('typing: histogram rows', function () {
  this.timeout(120000);

  for (const version of GO_VERSIONS) {
    it(`zoo go${version}: one name per map and channel type, arrays grouped by element type unless split`, async function () {
      for (const dump of DUMPS) {
        const s = await HeapSession.open(zooDump(version, dump), { binary: zooBinary(version), cacheDir: SHARED_INDEX });
        try {
          const rows = typeHistogram(s.graph, s.types);
          const names = rows.map((r) => r.name);
          const row = (n: string) => rows.find((r) => r.name === n);
          // The program's channel and map: the same names on Go 1.19 (hmap) and 1.24+ (Swiss tables).
          expect(row('chan *main.Node')?.count, 'chan *main.Node').to.equal(1);
          expect(row('map[string]*main.Session')?.count, 'map[string]*main.Session').to.be.at.least(1);
          expect(names.filter((n) => /(hash|map|hchan|table|bucket)<|noalg\.map\.group|^runtime\.(hchan|hmap)$/.test(n)), 'runtime spellings').to.deep.equal([]);
          expect(row('map[string]*main.Session buckets')?.count, 'the map\'s buckets').to.be.at.least(1);
          expect(names.filter((n) => /^\[\d+\]/.test(n) && !n.includes('(')), 'per-length rows').to.deep.equal([]);
          // Split by length, the per-length rows of an element type add up to its grouped row.
          const split = typeHistogram(s.graph, s.types, false, true);
          for (const r of rows.filter((x) => x.name.startsWith('[]') && !x.name.endsWith('(slice header)'))) {
            const parts = split.filter((x) => /^\[\d+\]/.test(x.name) && x.name.replace(/^\[\d+\]/, '[]') === r.name);
            expect(parts.reduce((a, x) => a + x.count, 0), r.name).to.equal(r.count);
            expect(parts.reduce((a, x) => a + x.bytes, 0), r.name).to.equal(r.bytes);
          }
          // Each session's Data is a 100-byte slice: one [100]uint8 per session when split.
          const f = zooFacts(version);
          expect(split.find((x) => x.name === `[${f.counts.SessionData}]uint8`)?.count).to.equal(dump === 'heap1' ? f.counts.Session1 : f.counts.Session2);
          // The retained rows carry the same names and counts.
          const ret = new Map(retainedHistogram(s.graph, s.types, s.dominators).map((r) => [r.type, r]));
          for (const r of rows) expect(ret.get(r.name)?.count, r.name).to.equal(r.count);
        } finally {
          s.close();
        }
      }
    });
  }

  for (const version of GO_VERSIONS) {
    it(`shapes go${version}: retained rows count tiny sub-objects, each retaining its own bytes`, async function () {
      const dir = path.join(ROOT, '.cache/fixtures/shapes', `go${version}`);
      const f = JSON.parse(fs.readFileSync(path.join(ROOT, 'fixtures/shapes', `go${version}`, 'facts.json'), 'utf8'));
      const s = await HeapSession.open(path.join(dir, 'heap1.dump'), { binary: path.join(dir, 'shapes'), cacheDir: SHARED_INDEX });
      try {
        const ret = new Map(retainedHistogram(s.graph, s.types, s.dominators).map((r) => [r.type, r]));
        for (const [name, n, size] of [['main.Num', f.counts.Num, f.sizes.Num], ['main.Var', f.counts.Var, f.sizes.Var]]) {
          const r = ret.get(name)!;
          expect(r.count, name).to.equal(n);
          expect(r.reachableCount, name).to.equal(n);
          expect(r.bytes, name).to.equal(n * size);
          expect(r.retained, name).to.equal(n * size);
        }
        expect(ret.has('tiny block'), 'no row for whole blocks').to.equal(false);
        // Bytes add up: every object's bytes are in exactly one row.
        const total = [...ret.values()].reduce((a, r) => a + r.bytes, 0);
        let all = 0;
        for (let i = 0; i < s.graph.objectCount; i++) all += s.graph.objectSize[i];
        expect(total).to.equal(all);
        const plain = typeHistogram(s.graph, s.types);
        expect(plain.find((r) => r.name === TINY_REST_NAME)?.bytes).to.equal(ret.get(TINY_REST_NAME)?.bytes);
        expect(plain.reduce((a, r) => a + r.bytes, 0)).to.equal(all);
      } finally {
        s.close();
      }
    });
  }
});
