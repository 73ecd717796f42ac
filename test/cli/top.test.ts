// `goheap top` as a user runs it: JSON rows sorted by retained size, led by the session cache's map; --limit.
import { expect } from 'chai';
import * as fs from 'node:fs';
import { GO_VERSIONS, SHARED_INDEX, zooBinary, zooDump, zooFacts } from '../support/fixtures.js';
import { json, run } from './analysis-cli.js';

describe('cli: goheap top', function () {
  const cache = SHARED_INDEX; // the zoo's indexes, shared with the other tests that read them
  for (const version of GO_VERSIONS) {
    it(`go${version}: the Big object retains its own size; rows are sorted; the index is reused`, function () {
      const f = zooFacts(version);
      const j = json(cache, 'top', zooDump(version), zooBinary(version), '--limit', '8');
      expect(j.objects).to.have.length(8);
      for (const o of j.objects) expect(Object.keys(o)).to.deep.equal(['address', 'type', 'size', 'retained']);
      for (let k = 1; k < 8; k++) expect(j.objects[k - 1].retained).to.be.at.least(j.objects[k].retained);
      const big = j.objects.find((o: { address: string }) => o.address === f.addresses.BigObj);
      expect(big.type).to.equal('main.Big');
      expect(big.retained).to.equal(big.size);
      expect(big.size).to.be.at.least(f.sizes.Big);
      const again = json(cache, 'top', zooDump(version), zooBinary(version), '--limit', '8');
      expect(again).to.deep.equal(j);
    });
  }

  it('prints a table without --json, and works without a binary and without the cache', function () {
    const r = run(cache, 'top', zooDump('1.26'), '--limit', '3', '--no-cache');
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout.split('\n')[0]).to.match(/retained\s+size\s+address\s+type/);
    expect(r.stdout.trim().split('\n')).to.have.length(4);
  });

  it('goheap types --json carries retainedBytes per type (each byte once)', function () {
    const f = zooFacts('1.26');
    const j = json(cache, 'types', zooDump('1.26'), zooBinary('1.26'));
    const by = (name: string) => j.types.find((t: { name: string }) => t.name === name);
    expect(by('main.Big').retainedBytes).to.equal(by('main.Big').bytes);
    // Sessions are reached only through the cache map; each keeps its Data array and Attrs map.
    expect(by('main.Session').retainedBytes).to.be.at.least(f.counts.Session1 * (f.sizes.Session + f.counts.SessionData));
    for (const t of j.types) expect(t.retainedBytes, t.name).to.be.at.most(j.reachableBytes);
  });

  it('fails with one line for a missing dump', function () {
    const r = run(cache, 'top', '/nonexistent.dump');
    expect(r.status).to.equal(1);
    expect(r.stderr.trim().split('\n')).to.have.length(1);
    expect(fs.existsSync(cache)).to.equal(true);
  });
});
