// fixtures/spread: leaks spread over many objects that no single root keeps alive (a generic pub/sub whose
// subscribers never unsubscribe, a cache shared by two global indexes, a registry with a goroutine per job), dumped
// without a GC (overwritten cache entries are garbage still in the dumps). The program prints its own live counts
// and bytes per structure; goheap's suspects, types and diff must give them exactly, on every version.
import * as path from 'node:path';
import { expect } from 'chai';
import { ROOT, scratchDir } from '../support/fixtures.js';
import { SPREAD_VERSIONS, spreadBinary, spreadDump, spreadFacts } from '../support/spread.js';
import { json, run } from './analysis-cli.js';

interface Part { type: string; count: number; bytes: number; retained: number }

// Both parts of this file ask questions of the same dumps: one index folder for both (each dump is read cold once).
const cache = scratchDir('cli-spread');

describe('cli: leaks spread over many objects (fixtures/spread)', function () {
  for (const version of SPREAD_VERSIONS) {
    for (const dump of ['heap1', 'heap2'] as const) {
      it(`go${version} ${dump}: suspects puts the subscriptions first, with the program's count and bytes; then the cache; then the jobs' goroutines`, function () {
        const f = spreadFacts(version)[dump];
        const j = json(cache, 'suspects', spreadDump(version, dump), spreadBinary(version));
        const [subs, entries, jobs] = j.suspects;
        // 1. The subscriptions: each reachable from main.Events and from its own goroutine, so no root retains one.
        expect(subs).to.include({ kind: 'aggregate', runtime: false, count: f.subscriptions.count });
        expect(subs.name.startsWith('main.Subscription[')).to.equal(true);
        expect(subs.roots.some((r: string) => /main\.Events$/.test(r))).to.equal(true);
        expect(subs.roots.some((r: string) => /^main\.\(\*Subscription\[.*\]\)\.loop$/.test(r))).to.equal(true);
        const own = subs.parts.find((p: Part) => p.type.startsWith('main.Subscription['));
        expect(own).to.include({ count: f.subscriptions.count, bytes: f.subscriptions.bytes, retained: f.subscriptionsAlone.bytes });
        expect(subs.composition.find((p: Part) => p.type === 'main.Profile')).to.include({ count: f.profiles.count, bytes: f.profiles.bytes });
        expect(subs.retained).to.be.at.least(f.subscriptionsAlone.bytes);
        expect(subs.retained / j.reachableBytes).to.equal(subs.share);
        // Accumulates in the bus's slice of subscribers; the example path ends at a subscription.
        expect(subs.accumulation.type).to.match(/^\[\d+\]\*main\.Subscription\[/);
        expect(subs.accumulation.children).to.equal(f.subscriptions.count);
        expect(subs.path[subs.path.length - 1].type.startsWith('main.Subscription[')).to.equal(true);
        // 2. The cache entries, shared by the two indexes; they accumulate in a map (not its tables).
        expect(entries).to.include({ kind: 'aggregate', name: 'main.Entry', runtime: false, count: f.entries.count, retained: f.entriesAlone.bytes });
        expect(entries.roots).to.deep.equal(['main.ByHash', 'main.ByID']);
        expect(entries.parts[0]).to.include({ type: 'main.Entry', count: f.entries.count, bytes: f.entries.bytes });
        expect(entries.accumulation.type).to.match(/^(\[\d+\])?map\[u?int64\]\*main\.Entry( buckets)?$/);
        expect(entries.accumulation.children).to.equal(f.entries.count);
        // 3. The jobs' goroutines: one group keeps every scratch buffer.
        expect(jobs).to.include({ kind: 'goroutines', count: f.jobs.count, runtime: false });
        expect(jobs.name).to.match(/^main\.\(\*Job\)\.run$/);
        expect(jobs.childGroups[0]).to.include({ count: f.scratch.count, retained: f.scratch.bytes });
      });
    }
    it(`go${version}: at a threshold of 0.1%, the subscriptions still lead and no runtime structure ranks above the program's memory`, function () {
      const f = spreadFacts(version).heap2;
      const j = json(cache, 'suspects', spreadDump(version, 'heap2'), spreadBinary(version), '--threshold', '0.001');
      expect(j.suspects[0]).to.include({ kind: 'aggregate', count: f.subscriptions.count });
      const firstRuntime = j.suspects.findIndex((x: { runtime: boolean }) => x.runtime);
      const program = firstRuntime < 0 ? j.suspects : j.suspects.slice(0, firstRuntime);
      expect(j.suspects.slice(program.length).every((x: { runtime: boolean }) => x.runtime)).to.equal(true);
      for (const x of program) expect(x.name, x.summary).to.not.match(/^(\[\d*\])?\*?(runtime|internal)[./]|^runtime\.|allp/);
      // The registry's jobs: an aggregate of their own (main.Registry and their goroutines), with their payloads.
      const jobs = j.suspects.find((x: { kind: string; name: string }) => x.kind === 'aggregate' && x.name === 'main.Job');
      expect(jobs.count).to.equal(f.jobs.count);
      expect(jobs.parts[0]).to.include({ count: f.jobs.count, bytes: f.jobs.bytes, retained: f.jobsAlone.bytes });
      expect(jobs.roots).to.include('main.Registry');
    });
  }

  it('prints one line per suspect saying where it lives', function () {
    const f = spreadFacts('1.26').heap2;
    const r = run(cache, 'suspects', spreadDump('1.26', 'heap2'), spreadBinary('1.26'));
    expect(r.status, r.stderr).to.equal(0);
    const first = r.stdout.split('\n')[0];
    expect(first).to.match(new RegExp(`^1\\. aggregate ${f.subscriptions.count.toLocaleString('en-US')} x main\\.Subscription\\[.* and what they alone keep, .* reached from .*main\\.Events`));
    expect(r.stdout).to.match(/accumulates in 0x[0-9a-f]+ (\[\d+\])?map\[int64\]\*main\.Entry/);
    expect(r.stdout).to.match(/3000 x main\.Entry: 187\.5 KiB/);
  });
});

describe('cli: live-only histograms and a two-way diff (fixtures/spread)', function () {
  const row = (j: { types: { name: string }[] }, name: string): any => j.types.find((t) => t.name === name);
  const drow = (j: { types: { type: string }[] }, name: string): any => j.types.find((t) => t.type === name);
  for (const version of SPREAD_VERSIONS) {
    it(`go${version}: types counts the program's live entries exactly; --all counts the overwritten ones too`, function () {
      for (const dump of ['heap1', 'heap2'] as const) {
        const f = spreadFacts(version)[dump];
        const j = json(cache, 'types', spreadDump(version, dump), spreadBinary(version), '--limit', '0');
        expect(j.all).to.equal(false);
        expect(row(j, 'main.Entry')).to.include({ count: f.entries.count, bytes: f.entries.bytes });
        expect(row(j, 'main.Profile')).to.include({ count: f.profiles.count, bytes: f.profiles.bytes });
        expect(row(j, 'main.Job')).to.include({ count: f.jobs.count, bytes: f.jobs.bytes });
        const sub = j.types.find((t: { name: string }) => t.name.startsWith('main.Subscription['));
        expect(sub).to.include({ count: f.subscriptions.count, bytes: f.subscriptions.bytes });
        // Every row counts reachable objects only: together they are the reachable heap.
        expect(j.types.reduce((n: number, t: { bytes: number }) => n + t.bytes, 0)).to.equal(j.reachableBytes);
        const all = json(cache, 'types', spreadDump(version, dump), spreadBinary(version), '--limit', '0', '--all');
        expect(all.all).to.equal(true);
        expect(all.types.reduce((n: number, t: { bytes: number }) => n + t.bytes, 0)).to.equal(all.objectBytes);
        expect(all.objectBytes).to.be.above(j.reachableBytes);
        // instances: the live entries by default, as many as the program holds.
        const inst = json(cache, 'instances', spreadDump(version, dump), spreadBinary(version), 'main.Entry', '--limit', '0');
        expect(inst).to.include({ count: f.entries.count, bytes: f.entries.bytes });
        expect(inst.instances).to.have.length(f.entries.count);
      }
    });

    // Each job's goroutine holds its scratch buffer in `scratch := make([]byte, n)`, a variable DWARF describes in
    // pieces (its pointer in a stack slot, its length elsewhere, its capacity nowhere): the buffers are typed from the
    // pointer piece, named by the variable, and the typed share of the reachable bytes is at least 99%.
    it(`go${version}: the jobs' scratch buffers (a slice variable in DWARF pieces) are typed and named; >= 99% of the reachable bytes typed`, function () {
      const f = spreadFacts(version);
      for (const dump of ['heap1', 'heap2'] as const) {
        const info = json(cache, 'info', spreadDump(version, dump), spreadBinary(version));
        console.log(`      go${version} ${dump}: typed ${(100 * info.typedBytes / info.reachableBytes).toFixed(2)}% of ${info.reachableBytes} reachable bytes`);
        expect(info.typedBytes / info.reachableBytes).to.be.at.least(0.99);
        const byLength = json(cache, 'types', spreadDump(version, dump), spreadBinary(version), '--by-length', '--limit', '0');
        expect(row(byLength, `[${f.sizes.Scratch}]uint8`)).to.include({ count: f[dump].scratch.count, bytes: f[dump].scratch.bytes });
      }
      // goroutines --all: each job's frame names `scratch`, with its one pointer (the parts not in the frame are not
      // read), one buffer per job.
      const j = json(cache, 'goroutines', spreadDump(version, 'heap1'), spreadBinary(version), '--all', '--limit', '0');
      const grp = j.groups.find((x: { function: string }) => x.function === 'main.(*Job).run');
      expect(grp.count).to.equal(f.heap1.jobs.count);
      type Local = { name: string; type: string; value?: string; pointers: { offset: number; target: string; type: string }[]; parts?: { offset: number; size: number }[] };
      const targets = new Set<string>();
      for (const g of grp.goroutines as { frames: { function: string; locals: Local[] }[] }[]) {
        const scratch = g.frames.find((x) => x.function === 'main.(*Job).run')!.locals.find((l) => l.name === 'scratch');
        expect(scratch, JSON.stringify(g.frames)).to.not.equal(undefined);
        expect(scratch!.type).to.equal('[]uint8');
        expect(scratch!.value).to.equal(undefined);
        expect(scratch!.pointers.map((x) => [x.offset, x.type])).to.deep.equal([[0, `[${f.sizes.Scratch}]uint8`]]);
        if (scratch!.parts !== undefined) expect(scratch!.parts[0]).to.include({ offset: 0 });
        targets.add(scratch!.pointers[0].target);
      }
      expect(targets.size).to.equal(f.heap1.scratch.count);
      const p = json(cache, 'path', spreadDump(version, 'heap1'), spreadBinary(version), [...targets][0]);
      expect(p.path[p.path.length - 1]).to.include({ field: 'main.(*Job).run: scratch', type: `[${f.sizes.Scratch}]uint8` });
    });

    it(`go${version}: diff gives the live growth exactly, and the shrink (with a hint) when the dumps are swapped`, function () {
      const f = spreadFacts(version);
      const j = json(cache, 'diff', spreadDump(version, 'heap1'), spreadDump(version, 'heap2'), spreadBinary(version), '--limit', '0');
      expect(j.hint).to.equal(undefined);
      expect(drow(j, 'main.Entry')).to.include({
        countBefore: f.heap1.entries.count, countAfter: f.heap2.entries.count,
        countDelta: f.heap2.entries.count - f.heap1.entries.count, bytesDelta: f.heap2.entries.bytes - f.heap1.entries.bytes,
      });
      expect(drow(j, 'main.Profile')).to.include({ countDelta: f.heap2.profiles.count - f.heap1.profiles.count, bytesDelta: f.heap2.profiles.bytes - f.heap1.profiles.bytes });
      expect(drow(j, 'main.Job')).to.include({ countDelta: f.heap2.jobs.count - f.heap1.jobs.count });
      // Goroutine groups are matched once each (the main goroutine too, though its stack moved).
      const names = j.roots.map((r: { kind: string; name: string }) => `${r.kind} ${r.name}`);
      expect(new Set(names).size).to.equal(names.length);
      const loop = j.roots.find((r: { kind: string; name: string }) => r.kind === 'goroutines' && /Subscription\[.*\]\)\.loop$/.test(r.name));
      expect(loop).to.include({ countBefore: f.heap1.subscriptions.count, countAfter: f.heap2.subscriptions.count });
      // Swapped: the same rows shrink, and the base dump is said to look newer.
      const w = json(cache, 'diff', spreadDump(version, 'heap2'), spreadDump(version, 'heap1'), spreadBinary(version), '--limit', '0');
      expect(w.hint).to.match(/looks newer/);
      expect(drow(w, 'main.Entry')).to.include({ countDelta: f.heap1.entries.count - f.heap2.entries.count });
      expect(drow(w, 'main.Profile').bytesDelta).to.equal(f.heap1.profiles.bytes - f.heap2.profiles.bytes);
      expect(w.types[0].bytesDelta).to.be.below(0);
      for (let k = 1; k < w.types.length; k++) expect(Math.abs(w.types[k - 1].bytesDelta)).to.be.at.least(Math.abs(w.types[k].bytesDelta));
    });
  }

  it('refuses to diff dumps of two different programs (without a binary: their type records disagree)', function () {
    const r = run(cache, 'diff', spreadDump('1.26', 'heap1'), path.join(ROOT, '.cache/fixtures/zoo/go1.26/heap1.dump'));
    expect(r.status).to.equal(1);
    expect(r.stderr).to.match(/^goheap: .*heap1\.dump: not a dump of the program that wrote .*spread\/go1\.26\/heap1\.dump/);
    expect(r.stderr.trim().split('\n')).to.have.length(1);
  });
});
