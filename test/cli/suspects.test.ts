// `goheap suspects`: the growing session cache is the suspect; it accumulates in the map's buckets.
import { expect } from 'chai';
import { GO_VERSIONS, SHARED_INDEX, zooBinary, zooDump, zooFacts } from '../support/fixtures.js';
import { json, run } from './analysis-cli.js';

describe('cli: goheap suspects', function () {
  const cache = SHARED_INDEX; // the zoo's indexes, shared with the other tests that read them
  for (const version of GO_VERSIONS) {
    it(`go${version}: main.LeakyCache, its sessions under one accumulation point`, function () {
      const f = zooFacts(version);
      const j = json(cache, 'suspects', zooDump(version, 'heap2'), zooBinary(version));
      const s = j.suspects[0];
      expect(s).to.include({ kind: 'global', name: 'main.LeakyCache' });
      expect(s.share).to.be.above(0.1);
      expect(s.retained / j.reachableBytes).to.equal(s.share);
      const sessions = s.accumulation.childGroups.find((g: { type: string }) => g.type === 'main.Session');
      expect(sessions.count).to.equal(f.counts.Session2);
      expect(s.path[0]).to.include({ kind: 'global', name: 'main.LeakyCache' });
      expect(s.path[s.path.length - 1].address).to.equal(s.accumulation.address);
      // Every suspect's bytes are a number of bytes (a tiny block's sub-objects among a type's instances count
      // their own bytes, at their block's node of the dominator tree).
      for (const x of j.suspects) {
        expect(Number.isFinite(x.retained), x.summary).to.equal(true);
        expect(x.share, x.summary).to.be.within(0, 1);
      }
    });
  }

  it('leaves out what only the runtime reaches (its Ps and Ms are no leak of the program)', function () {
    // On the small heap1 the runtime's [2]*runtime.p (32 KiB, reached from runtime.allp, runtime.allm and the
    // runtime's other roots) is above 10% of the reachable heap; it is not reported, the program's suspects are:
    // its two globals, and the list of main.Node that main.ListHead, main.BigObj, main.Mediums and main.Pipe all
    // reach (an aggregate: no single root keeps it, together its 1,000 nodes keep over 10%).
    const j = json(cache, 'suspects', zooDump('1.26', 'heap1'), zooBinary('1.26'));
    expect(j.suspects.map((x: { kind: string; name: string }) => `${x.kind} ${x.name}`))
      .to.deep.equal(['global main.LeakyCache', 'aggregate main.Node', 'global main.BigObj']);
    expect(j.suspects[1].roots).to.include.members(['main.BigObj', 'main.ListHead']);
    const roots = json(cache, 'roots', zooDump('1.26', 'heap1'), zooBinary('1.26'), '--limit', '0');
    const p = roots.roots.find((r: { name: string }) => r.name === '[2]*runtime.p');
    expect(p.kind).to.equal('shared');
    expect(p.retained / j.reachableBytes).to.be.above(0.1);
    expect(p.roots.every((n: string) => /^(runtime\.|internal\/|other runtime roots)/.test(n))).to.equal(true);
  });

  it('a suspect whose memory is one object keeping nothing else alive says so (main.BigObj: a 40 KB array of pointers to shared nodes)', function () {
    const f = zooFacts('1.26');
    const j = json(cache, 'suspects', zooDump('1.26', 'heap1'), zooBinary('1.26'));
    const big = j.suspects.find((x: { name: string }) => x.name === 'main.BigObj');
    // The program's main.Big (40,000 bytes, in the 40,960-byte size class) is where it accumulates, and its 1,000
    // nodes are shared with main.ListHead: it alone keeps none of them.
    expect(big.accumulation).to.include({ address: f.addresses.BigObj, type: 'main.Big', children: 0 });
    expect(big.accumulation.retained).to.be.within(f.sizes.Big, f.sizes.Big + 1024);
    expect(big.summary).to.equal(`global main.BigObj retains 40.0 KiB (${(big.share * 100).toFixed(1)}%): one main.Big of 40.0 KiB, keeping no other object alive by itself`);
    const r = run(cache, 'suspects', zooDump('1.26', 'heap1'), zooBinary('1.26'));
    expect(r.stdout).to.include(`: one main.Big of 40.0 KiB, keeping no other object alive by itself\n   the memory is ${f.addresses.BigObj} main.Big itself (40.0 KiB)\n   path: main.BigObj → main.Big\n`);
    expect(r.stdout).to.not.match(/\b0 children|\b1 children/);
  });

  it('prints a report without --json, nothing at a threshold of 100%, and refuses one above', function () {
    const r = run(cache, 'suspects', zooDump('1.26', 'heap2'), zooBinary('1.26'));
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/^1\. global main\.LeakyCache retains/);
    // No single root or object retains the whole reachable heap of the zoo.
    const none = json(cache, 'suspects', zooDump('1.26', 'heap2'), '--threshold', '1');
    expect(none.suspects).to.deep.equal([]);
    const over = run(cache, 'suspects', zooDump('1.26', 'heap2'), '--threshold', '1.01');
    expect(over.status).to.equal(1);
    expect(over.stderr).to.match(/^goheap: --threshold: expected a number from 0 to 1/);
  });
});
