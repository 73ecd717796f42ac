// `goheap diff`: between the zoo's two dumps the program added Session2 - Session1 sessions to main.LeakyCache.
import { expect } from 'chai';
import { GO_VERSIONS, SHARED_INDEX, zooBinary, zooDump, zooFacts } from '../support/fixtures.js';
import { json, run } from './analysis-cli.js';

describe('cli: goheap diff', function () {
  const cache = SHARED_INDEX; // the zoo's indexes, shared with the other tests that read them
  for (const version of GO_VERSIONS) {
    it(`go${version}: sessions grew by the program's count, under main.LeakyCache`, function () {
      const f = zooFacts(version);
      const j = json(cache, 'diff', zooDump(version, 'heap1'), zooDump(version, 'heap2'), zooBinary(version), '--limit', '1000');
      const added = f.counts.Session2 - f.counts.Session1;
      const s = j.types.find((t: { type: string }) => t.type === 'main.Session');
      expect(s).to.include({ countBefore: f.counts.Session1, countAfter: f.counts.Session2, countDelta: added });
      expect(s.bytesDelta).to.equal(added * f.sizes.Session);
      const node = j.types.find((t: { type: string }) => t.type === 'main.Node');
      expect(node).to.include({ countDelta: 0, countBefore: f.counts.Node });
      // Largest change first, growth or shrinkage (issue 14: a shrink must show too).
      for (let k = 1; k < j.types.length; k++) expect(Math.abs(j.types[k - 1].bytesDelta)).to.be.at.least(Math.abs(j.types[k].bytesDelta));
      expect(j.roots[0]).to.include({ kind: 'global', name: 'main.LeakyCache' });
      expect(j.roots[0].retainedDelta).to.equal(j.roots[0].retainedAfter - j.roots[0].retainedBefore);
      expect(j.roots[0].retainedDelta).to.be.at.least(added * (f.sizes.Session + f.counts.SessionData));
    });
  }

  it('prints two tables without --json', function () {
    const r = run(cache, 'diff', zooDump('1.26', 'heap1'), zooDump('1.26', 'heap2'), zooBinary('1.26'), '--limit', '10');
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/\+300\s+200 -> 500\s+main\.Session/);
    expect(r.stdout).to.match(/global main\.LeakyCache/);
  });
});
