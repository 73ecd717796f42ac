// One function inlined at two call sites of one caller (fixtures/inlinesites: main.hold inlined at two lines of
// main.twice, 30 goroutines blocked in each call's send, each holding an *Item whose Body is 1 KiB at the first
// site and 3 KiB at the second), checked against what the program printed: runtime.Stack's text of a goroutine at
// each site, and its memory profile's records as runtime.CallersFrames expands them. Goroutine stacks, allocation
// sites and the pprof allocation profile must name the call site each went through, not the first one.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, scratchDir } from '../support/fixtures.js';
import { json, run } from './analysis-cli.js';
import { stackFrames, type StackFrame as Frame } from '../support/runtime-stack.js';

interface InlineSitesFacts {
  goroutines: number;
  itemSize: number;
  bodies: number[];
  /** Per call site of main.hold in main.twice: twice's line, the goroutines there, one's runtime.Stack text. */
  sites: { line: number; count: number; stack: string }[];
  /** runtime.MemProfile's records whose stack holds main.hold, frames as runtime.CallersFrames expands them. */
  holdAllocs: { frames: Frame[]; allocs: number; bytes: number }[];
}

function dir(v: string): string {
  const d = path.join(ROOT, '.cache/fixtures/inlinesites', `go${v}`);
  if (!fs.existsSync(path.join(d, 'heap1.dump'))) throw new Error(`${d}: fixtures are not unpacked; run 'make unpack'`);
  return d;
}
const facts = (v: string): InlineSitesFacts =>
  JSON.parse(fs.readFileSync(path.join(ROOT, 'fixtures/inlinesites', `go${v}`, 'facts.json'), 'utf8')) as InlineSitesFacts;

const GOROOT = path.join(ROOT, '.toolchains/go1.26');

for (const v of ['1.19', '1.22', '1.26']) {
  describe(`a callee inlined at two call sites of one function: go${v} (fixtures/inlinesites)`, function () {
    const f = facts(v);
    const dump = path.join(dir(v), 'heap1.dump');
    const bin = path.join(dir(v), 'inlinesites');
    let cache: string;
    before(function () {
      cache = scratchDir(`inlinesites-${v}`);
    });

    it('goroutines: one group per call site, its frames as runtime.Stack printed them, retaining what it holds', function () {
      expect(f.sites.map((x) => x.count).reduce((a, b) => a + b, 0)).to.equal(f.goroutines);
      expect(f.sites).to.have.length(2);
      const j = json(cache, 'goroutines', dump, bin, '--limit', '0');
      const groups = j.groups.filter((g: { function: string }) => g.function === 'main.hold');
      expect(groups).to.have.length(f.sites.length);
      for (const site of f.sites) {
        const want = stackFrames(site.stack);
        expect(want[0].function).to.equal('main.hold');
        const g = groups.find((x: { frames: Frame[] }) => x.frames.some((fr) => fr.function === 'main.twice' && fr.line === site.line));
        expect(g, `a group at main.twice line ${site.line}`).to.not.equal(undefined);
        expect(g.count).to.equal(site.count);
        const user = (g.frames as Frame[]).filter((x) => !x.function.startsWith('runtime.')).map((x) => ({ function: x.function, file: x.file, line: x.line }));
        // runtime.Stack stops at the goroutine's start function; goheap also lists the `go` statement's wrapper.
        expect(user.slice(0, want.length)).to.deep.equal(want);
        // Each site's goroutines hold their Items and Bodies.
        const body = f.bodies[f.sites.indexOf(site)];
        expect(g.retained).to.be.at.least(site.count * (f.itemSize + body));
      }
    });

    it('allocs: each allocation site names its call site as runtime.CallersFrames expands it', function () {
      const j = json(cache, 'allocs', dump, bin, '--limit', '0');
      const sites = j.sites.map((x: { frames: Frame[]; allocs: number }) => ({
        key: x.frames.map((fr) => `${fr.function} ${fr.line}`).join(' | '), allocs: x.allocs,
      }));
      const lines = new Set<number>();
      for (const a of f.holdAllocs) {
        // The runtime's allocator frames differ between versions' profiles and the dump's: from the user's first.
        const k = a.frames.findIndex((fr) => !fr.function.startsWith('runtime.'));
        const want = a.frames.slice(k).map((fr) => `${fr.function} ${fr.line}`).join(' | ');
        const got = sites.filter((x: { key: string }) => x.key.endsWith(want) && !x.key.slice(0, -want.length).split(' | ').some((s: string) => s !== '' && !s.startsWith('runtime.')));
        expect(got.length, want).to.be.at.least(1);
        lines.add(a.frames.find((fr) => fr.function === 'main.twice')!.line);
      }
      expect([...lines].sort()).to.deep.equal(f.sites.map((x) => x.line).sort());
    });

    it('pprof --mode alloc: main.hold is an inlined line of main.twice\'s location at each call site (go tool pprof -traces)', function () {
      const out = path.join(cache, 'alloc.pb.gz');
      const r = run(cache, 'pprof', dump, bin, out, '--mode', 'alloc');
      expect(r.status, r.stderr).to.equal(0);
      const t = spawnSync(path.join(GOROOT, 'bin/go'), ['tool', 'pprof', '-traces', out], {
        encoding: 'utf8', env: { ...process.env, GOROOT, GOTOOLCHAIN: 'local', GOFLAGS: '', HOME: process.env.HOME ?? '/tmp' }, maxBuffer: 64 << 20,
      });
      expect(t.status, t.stderr).to.equal(0);
      const traces = t.stdout.split(/^-+\+-+$/m).slice(1).map((b) => b.split('\n').map((l) => l.trim()).filter((l) => l !== ''));
      const withHold = traces.filter((x) => x.some((l) => /\bmain\.hold\b/.test(l)));
      // Both call sites' records, each allocation of newItem and of the send's sudog.
      expect(withHold.length).to.be.at.least(f.sites.length * 2);
      for (const x of withHold) {
        const k = x.findIndex((l) => /\bmain\.hold\b/.test(l));
        expect(x[k], x.join('\n')).to.match(/main\.hold \(inline\)$/);
        expect(x[k + 1], x.join('\n')).to.match(/main\.twice$/);
      }
    });
  });
}
