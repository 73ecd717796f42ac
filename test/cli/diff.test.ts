// `goheap diff`: between the zoo's two dumps the program added Session2 - Session1 sessions to main.LeakyCache.
import * as path from 'node:path';
import { expect } from 'chai';
import { programMismatch, programPrint } from '../../lib/answers/index.js';
import { HeapSession } from '../../lib/session/index.js';
import { GO_VERSIONS, ROOT, SHARED_INDEX, zooBinary, zooDump, zooFacts } from '../support/fixtures.js';
import { json, run } from './analysis-cli.js';

const leakDir = (version: string): string => path.join(ROOT, '.cache/fixtures/leak', `go${version}`);

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

  // Dumps of two different programs are refused with one line, exit 1: with the binary (it does not match the other
  // dump), without it (the dumps' own records disagree), and for the same source built by two Go versions.
  for (const version of ['1.19', '1.26']) {
    it(`go${version}: zoo against leak, with and without a binary, and zoo against itself built by another Go: refused in one line`, function () {
      const cases: [string[], RegExp][] = [
        [[zooDump(version, 'heap1'), path.join(leakDir(version), 'heap2.dump')], /^goheap: .*leak\/go[\d.]+\/heap2\.dump: not a dump of the program that wrote .*zoo\/go[\d.]+\/heap1\.dump: the data segment is at 0x[0-9a-f]+, \d+ bytes here; at 0x[0-9a-f]+, \d+ bytes there$/],
        [[path.join(leakDir(version), 'heap1.dump'), zooDump(version, 'heap2'), zooBinary(version)], /^goheap: .*zoo(\/go[\d.]+\/zoo)?: does not match .*leak\/go[\d.]+\/heap1\.dump \(data segment at /],
        [[zooDump(version, 'heap1'), zooDump(version === '1.19' ? '1.26' : '1.19', 'heap2')], /^goheap: .*heap2\.dump: not a dump of the program that wrote .*heap1\.dump: /],
      ];
      for (const [args, re] of cases) {
        const r = run(cache, 'diff', ...args);
        expect(r.status, args.join(' ')).to.equal(1);
        expect(r.stdout).to.equal('');
        const lines = r.stderr.trim().split('\n');
        expect(lines, r.stderr).to.have.length(1);
        expect(lines[0]).to.match(re);
      }
      // Two dumps of one program without the binary: accepted, the program's growth found.
      const j = json(cache, 'diff', zooDump(version, 'heap1'), zooDump(version, 'heap2'), '--limit', '0');
      expect(j.hint).to.equal(undefined);
      const f = zooFacts(version);
      expect(j.reachableAfter - j.reachableBefore).to.be.at.least((f.counts.Session2 - f.counts.Session1) * (f.sizes.Session + f.counts.SessionData));
    });

    it(`go${version}: the type records alone tell two programs apart, and agree for two dumps of one`, async function () {
      const open = (dump: string) => HeapSession.open(dump, { cacheDir: SHARED_INDEX });
      const prints = [];
      for (const dump of [zooDump(version, 'heap1'), zooDump(version, 'heap2'), path.join(leakDir(version), 'heap1.dump')]) {
        const s = await open(dump);
        try {
          // Without segments: only the runtime's type and itab records speak.
          prints.push({ ...programPrint(s), segments: [] });
        } finally {
          s.close();
        }
      }
      const [zoo1, zoo2, leak1] = prints;
      expect(programMismatch(zoo1, zoo2)).to.equal(undefined);
      expect(programMismatch(zoo2, zoo1)).to.equal(undefined);
      // The two programs share runtime types (runtime.g, string, ...), each at its own address in its own build.
      const zooNames = new Set(zoo1.typeNames.values());
      const shared = [...leak1.typeNames.values()].filter((n) => zooNames.has(n));
      expect(shared.length).to.be.greaterThan(0);
      expect(programMismatch(zoo1, leak1)).to.match(/^(type .* is at 0x[0-9a-f]+ here, at 0x[0-9a-f]+ there \(\d+ of \d+ type names in both dumps are at other addresses\)|type 0x[0-9a-f]+ is .* here, .* there|no type record in common)$/);
      expect(programMismatch(leak1, zoo1)).to.not.equal(undefined);
    });
  }
});
