// `goheap path`: from main.LeakyCache through the map to a session, field by field; root kinds; bad addresses.
import { expect } from 'chai';
import { GO_VERSIONS, SHARED_INDEX, zooBinary, zooDump, zooFacts } from '../support/fixtures.js';
import { json, run } from './analysis-cli.js';

describe('cli: goheap path', function () {
  const cache = SHARED_INDEX; // the zoo's indexes, shared with the other tests that read them
  for (const version of GO_VERSIONS) {
    it(`go${version}: a session is reached from main.LeakyCache through its map`, function () {
      const f = zooFacts(version);
      const j = json(cache, 'path', zooDump(version), zooBinary(version), f.addresses.Sessions[1]);
      expect(j.path[0]).to.include({ kind: 'global', name: 'main.LeakyCache', address: f.addresses.LeakyCacheGlobal });
      const last = j.path[j.path.length - 1];
      expect(last).to.include({ kind: 'object', address: f.addresses.Sessions[1], type: 'main.Session' });
      for (const hop of j.path) expect(Object.keys(hop)).to.deep.equal(['kind', 'name', 'address', 'type', 'field']);
      expect(j.path[1].type).to.equal('map[string]*main.Session'); // the map's Go name, as `types` prints it
      expect(j.rootKinds).to.deep.equal(['global']);
    });
  }

  it('a queued finalizer object is kept by the finalizer root; garbage by nothing', function () {
    const f = zooFacts('1.26');
    const q = json(cache, 'path', zooDump('1.26'), f.addresses.Queued[0]);
    expect(q.rootKinds).to.include('finalizer');
    expect(q.path[0]).to.include({ kind: 'finalizer', name: 'finalizers' });
    const g = json(cache, 'path', zooDump('1.26'), zooBinary('1.26'), f.addresses.GarbageHead);
    expect(g.reachable).to.equal(false);
    expect(g.path).to.deep.equal([]);
    expect(g.rootKinds).to.deep.equal([]);
  });

  it('an interior address finds its object; a non-heap address is a one-line error', function () {
    const f = zooFacts('1.26');
    const inside = `0x${(Number.parseInt(f.addresses.BigObj, 16) + 800).toString(16)}`;
    const j = json(cache, 'path', zooDump('1.26'), zooBinary('1.26'), inside);
    expect(j.object.address).to.equal(f.addresses.BigObj);
    expect(j.path[0]).to.include({ kind: 'global', name: 'main.BigObj' });
    const r = run(cache, 'path', zooDump('1.26'), '0x10');
    expect(r.status).to.equal(1);
    expect(r.stderr).to.match(/^goheap: .*no heap object at 0x10\n$/);
    expect(run(cache, 'path', zooDump('1.26'), 'nothex').status).to.equal(1);
  });
});
