// `goheap object` as a user runs it: known objects of the zoo program decoded field by field, checked against
// the values main.go stored in them (facts.json gives their addresses).
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { objectAnswer } from '../../lib/answers/index.js';
import { HeapSession } from '../../lib/session/index.js';
import { GO_VERSIONS, ROOT, SHARED_INDEX, addr, zooBinary, zooDump, zooFacts } from '../support/fixtures.js';

const CLI = path.join(ROOT, 'dist/cli/goheap.js');

interface Field { name: string; offset: number; type: string; value: string }

function object(version: string, address: string): { type: string; size: number; reachable: boolean; referrers: number; fields: Field[] } {
  const r = spawnSync(process.execPath, [CLI, 'object', zooDump(version), zooBinary(version), address, '--json'], { encoding: 'utf8' });
  expect(r.status, r.stderr).to.equal(0);
  return JSON.parse(r.stdout);
}

function field(o: { fields: Field[] }, name: string): Field {
  const f = o.fields.find((x) => x.name === name);
  expect(f, name).not.to.equal(undefined);
  return f!;
}

describe('cli: goheap object', function () {
  this.timeout(60000);
  for (const version of GO_VERSIONS) {
    it(`go${version}: ListHead, a Session and a Medium`, async function () {
      const f = zooFacts(version);
      const head = object(version, f.addresses.ListHead);
      expect(head.type).to.equal('main.Node');
      expect(head.size).to.be.at.least(f.sizes.Node);
      expect(head.reachable).to.equal(true);
      expect(head.referrers).to.be.greaterThan(0);
      expect(field(head, 'Value').value).to.equal('0');
      expect(field(head, 'Name').value).to.equal('"node-0"');
      expect(field(head, 'Next').value).to.match(/^0x[0-9a-f]+ \(main\.Node\)$/);
      expect(field(head, 'Next').offset).to.equal(0);

      const s = object(version, f.addresses.Sessions[0]);
      expect(s.type).to.equal('main.Session');
      expect(field(s, 'ID').value).to.equal('0');
      expect(field(s, 'User').value).to.equal('"user-0000"');
      expect(field(s, 'Data').value).to.match(new RegExp(`^len ${f.counts.SessionData} cap ${f.counts.SessionData} 0x[0-9a-f]+ \\(\\[${f.counts.SessionData}\\]uint8\\) \\[0, 1, 2, 3`));

      // The Mediums: the first through the CLI; all of them through the answer the CLI prints (lib/answers
      // objectAnswer), asked of one session instead of one process (one reading of the binary) per object.
      const first = object(version, f.addresses.Mediums[0]);
      const s2 = await HeapSession.open(zooDump(version), { binary: zooBinary(version), cacheDir: SHARED_INDEX });
      try {
        const answer = (a: string) => JSON.parse(JSON.stringify(objectAnswer(s2, s2.findInstance(addr(a)))));
        expect(answer(f.addresses.Mediums[0])).to.deep.equal(first);
        const tags = new Set<number>();
        for (const a of f.addresses.Mediums) {
          const m = answer(a);
          expect(m.type).to.equal('main.Medium');
          tags.add(Number(field(m, 'Tag').value));
          expect(field(m, 'Items').value).to.match(/^\[0x[0-9a-f]+ \(main\.Node\), nil/);
        }
        expect([...tags].sort()).to.deep.equal(Array.from({ length: f.counts.Medium }, (_, k) => 1000 + k));
      } finally {
        s2.close();
      }
    });
  }

  for (const version of ['1.22', '1.26']) {
    it(`go${version}: referrers held by garbage are counted apart (the sessions' map's old buckets)`, async function () {
      const f = zooFacts(version);
      const s = await HeapSession.open(zooDump(version, 'heap2'), { binary: zooBinary(version), cacheDir: SHARED_INDEX });
      let heldByGarbage = '';
      try {
        const sessions = s.instances('main.Session', { limit: 0, all: true })!.items;
        expect(sessions).to.have.length(f.counts.Session2);
        let live = 0;
        let garbage = 0;
        for (const i of sessions) {
          const a = objectAnswer(s, i);
          live += a.referrers - a.unreachableReferrers;
          garbage += a.unreachableReferrers;
          if (a.unreachableReferrers > 0) heldByGarbage ||= a.address;
        }
        // Live: each session's slot in LeakyCache, and the Peer of the next of the first Session1 sessions.
        expect(live).to.equal(f.counts.Session2 + f.counts.Session1 - 1);
        // The map grew with the collector off: its old buckets still point at sessions.
        expect(garbage).to.be.greaterThan(0);
      } finally {
        s.close();
      }
      const one = spawnSync(process.execPath, [CLI, 'object', zooDump(version, 'heap2'), zooBinary(version), heldByGarbage], { encoding: 'utf8' });
      expect(one.stdout).to.match(/^referrers +\d+ objects? \(\d+ of them unreachable: garbage not yet freed\)$/m);
    });
  }

  it('the marker string data, shortened and quoted', function () {
    const f = zooFacts('1.26');
    const o = object('1.26', f.addresses.MarkerData);
    expect(o.type).to.equal('string data');
    expect(field(o, 'bytes').value.startsWith(JSON.stringify(f.marker.slice(0, 64)))).to.equal(true);
  });

  it('an address in no object: one line, exit 1', function () {
    const r = spawnSync(process.execPath, [CLI, 'object', zooDump('1.26'), zooBinary('1.26'), '0x10'], { encoding: 'utf8' });
    expect(r.status).to.equal(1);
    expect(r.stderr).to.match(/^goheap: .*no heap object contains address 0x10\n$/);
  });
});
