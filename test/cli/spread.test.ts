// fixtures/spread: leaks spread over many objects that no single root keeps alive (a generic pub/sub whose
// subscribers never unsubscribe, a cache shared by two global indexes, a registry with a goroutine per job), dumped
// without a GC (overwritten cache entries are garbage still in the dumps). The program prints its own live counts
// and bytes per structure; goheap's suspects, types and diff must give them exactly, on every version.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'chai';
import { ROOT, scratchDir } from '../support/fixtures.js';
import { json, run } from './analysis-cli.js';

export const SPREAD_VERSIONS = ['1.19', '1.22', '1.26'];

interface Stat { count: number; bytes: number }
type Live = Record<'subscriptions' | 'profiles' | 'handlers' | 'subscriptionsAlone' | 'entries' | 'values' | 'entriesAlone' | 'jobs' | 'payloads' | 'jobsAlone' | 'scratch', Stat>;
export interface SpreadFacts { heap1: Live; heap2: Live; sizes: Record<string, number> }

export function spreadDir(version: string): string {
  const dir = path.join(ROOT, '.cache/fixtures/spread', `go${version}`);
  if (!fs.existsSync(path.join(dir, 'heap1.dump'))) throw new Error(`${dir}: fixtures are not unpacked; run 'make unpack'`);
  return dir;
}
export const spreadDump = (v: string, d: string): string => path.join(spreadDir(v), `${d}.dump`);
export const spreadBinary = (v: string): string => path.join(spreadDir(v), 'spread');
export const spreadFacts = (v: string): SpreadFacts => JSON.parse(fs.readFileSync(path.join(ROOT, 'fixtures/spread', `go${v}`, 'facts.json'), 'utf8')) as SpreadFacts;

interface Part { type: string; count: number; bytes: number; retained: number }

describe('cli: leaks spread over many objects (fixtures/spread)', function () {
  const cache = scratchDir('cli-spread');
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
        expect(entries.accumulation.type).to.match(/^(map|hash)<u?int64,\*main\.Entry>$/);
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
    expect(r.stdout).to.match(/accumulates in 0x[0-9a-f]+ map<int64,\*main\.Entry>/);
    expect(r.stdout).to.match(/3000 x main\.Entry: 187\.5 KiB/);
  });
});
