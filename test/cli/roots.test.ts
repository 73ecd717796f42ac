// `goheap roots`: globals named from DWARF, goroutines after their top user frame, retained sizes that add up.
import { expect } from 'chai';
import { GO_VERSIONS, SHARED_INDEX, zooBinary, zooDump, zooFacts } from '../support/fixtures.js';
import { json, run } from './analysis-cli.js';

describe('cli: goheap roots', function () {
  const cache = SHARED_INDEX; // the zoo's indexes, shared with the other tests that read them
  for (const version of GO_VERSIONS) {
    it(`go${version}: main.LeakyCache leads, BigObj retains the Big object, ListHead nothing`, function () {
      const f = zooFacts(version);
      const j = json(cache, 'roots', zooDump(version), zooBinary(version), '--limit', '0');
      const by = (name: string) => j.roots.find((r: { name: string }) => r.name === name);
      expect(j.roots[0]).to.include({ kind: 'global', name: 'main.LeakyCache', address: f.addresses.LeakyCacheGlobal });
      expect(by('main.ListHead')).to.include({ kind: 'global', retained: 0, address: f.addresses.ListHeadGlobal });
      const top = json(cache, 'top', zooDump(version), zooBinary(version), '--limit', '50');
      const big = top.objects.find((o: { address: string }) => o.address === f.addresses.BigObj);
      expect(by('main.BigObj').retained).to.equal(big.size);
      const kinds = new Set(j.roots.map((r: { kind: string }) => r.kind));
      for (const k of kinds) expect(['global', 'goroutine', 'goroutines', 'finalizer', 'other', 'shared']).to.include(k);
      // The parked goroutines have identical stacks: one group.
      const recurse = j.roots.filter((r: { name: string }) => r.name === 'main.recurse');
      expect(recurse).to.have.length(1);
      expect(recurse[0]).to.include({ kind: 'goroutines', count: f.counts.Parked });
      expect(j.roots.filter((r: { kind: string }) => r.kind === 'finalizer')).to.have.length(1);
      // Root nodes and shared objects retain disjoint sets that together are everything reachable.
      const sum = j.roots.reduce((s: number, r: { retained: number }) => s + r.retained, 0);
      expect(sum).to.equal(j.totalRetained);
    });
  }

  it('without a binary, globals are named by segment offset', function () {
    const j = json(cache, 'roots', zooDump('1.26'), '--limit', '5');
    expect(j.roots[0].name).to.match(/^(data|bss)\+0x[0-9a-f]+$/);
    expect(j.roots).to.have.length(5);
  });

  it("another program's binary is a one-line error, exit 1", function () {
    const r = run(cache, 'roots', zooDump('1.26'), zooBinary('1.19'), '--no-cache');
    expect(r.status).to.equal(1);
    expect(r.stderr).to.match(/^goheap: .+\n$/);
  });
});
