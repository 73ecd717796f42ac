// The pprof exporter checked by an independent reader: `go tool pprof` from a real Go toolchain (.toolchains/go1.26,
// installed by scripts/install-go.sh in CI) reads the gzipped profiles goheap writes. -top must list every type
// with goheap's reachable count and bytes (`goheap types`), totals equal to the reachable heap, retained bytes as a
// root frame's cum, and the program's own counts; -traces must show
// the dominator-tree paths; the allocation profile must give the allocation sites runtime.MemProfile reported.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HeapSession } from '../../lib/session/index.js';
import { writeOutput } from '../../lib/export/output.js';
import { allocationProfile, retentionProfile, writePprof } from '../../lib/export/pprof.js';
import { GO_VERSIONS, ROOT, addr, scratchDir, zooBinary, zooDump, zooFacts, SHARED_INDEX } from '../support/fixtures.js';

const CLI = path.join(ROOT, 'dist/cli/goheap.js');
const GOROOT = path.join(ROOT, '.toolchains/go1.26');
const GO = path.join(GOROOT, 'bin/go');

/** Runs `go tool pprof ARGS` and returns its stdout (fails the test with its stderr otherwise). */
function goPprof(...args: string[]): string {
  if (!fs.existsSync(GO)) throw new Error(`${GO} is missing: run scripts/install-go.sh 1.26`);
  const r = spawnSync(GO, ['tool', 'pprof', ...args], {
    encoding: 'utf8', env: { ...process.env, GOROOT, GOTOOLCHAIN: 'local', GOFLAGS: '', HOME: process.env.HOME ?? '/tmp' }, maxBuffer: 64 << 20,
  });
  if (r.status !== 0) throw new Error(`go tool pprof ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** `go tool pprof -top` as name -> flat value and name -> cum value (bytes as plain numbers with -unit=B), and the total. */
function top(file: string, sampleIndex: string): { rows: Map<string, number>; cum: Map<string, number>; order: string[]; total: number } {
  const out = goPprof('-top', `-sample_index=${sampleIndex}`, '-unit=B', '-nodecount=1000000', '-nodefraction=0', '-edgefraction=0', file);
  const rows = new Map<string, number>();
  const cum = new Map<string, number>();
  const order: string[] = [];
  const t = /of (\d+)B? total/.exec(out);
  for (const line of out.split('\n')) {
    const m = /^\s*(\d+)B?\s+[\d.]+%\s+[\d.]+%\s+(\d+)B?\s+[\d.]+%\s+(.+)$/.exec(line);
    if (!m) continue;
    rows.set(m[3], Number(m[1]));
    cum.set(m[3], Number(m[2]));
    order.push(m[3]);
  }
  return { rows, cum, order, total: t ? Number(t[1]) : -1 };
}

/** `go tool pprof -traces`: each trace's frames, leaf first. */
function traces(file: string): string[][] {
  const out = goPprof('-traces', file);
  const result: string[][] = [];
  for (const block of out.split(/^-+\+-+$/m).slice(1)) {
    const frames: string[] = [];
    for (const line of block.split('\n')) {
      const m = /^\s*(?:\S+\s{3})?\s*(\S.*)$/.exec(line);
      if (line.trim() === '' || !m) continue;
      // The first line carries the value: "     6.38kB   []main.T"; the others only a frame.
      const v = /^\s*\S+\s{3}(.+)$/.exec(line);
      frames.push(frames.length === 0 && v ? v[1].trim() : line.trim());
    }
    if (frames.length > 0) result.push(frames);
  }
  return result;
}

describe('export: pprof profiles, read by go tool pprof', function () {
  const dir = scratchDir('export-pprof');

  for (const version of GO_VERSIONS) {
    it(`go${version}: -top lists every type with goheap's reachable count and bytes, totals the reachable heap; -traces shows dominator paths`, async function () {
      const f = zooFacts(version);
      const s = await HeapSession.open(zooDump(version), { binary: zooBinary(version), cacheDir: SHARED_INDEX });
      const out = path.join(dir, `zoo-${version}.pb.gz`);
      try {
        await writeOutput(out, { inputs: [s.dumpPath] }, async (sink) => { await writePprof(retentionProfile(s).profile, sink); });
        const objects = top(out, 'inuse_objects').rows;
        const space = top(out, 'inuse_space');
        const rows = s.typeRows();
        // Reachable objects only (issue 14): a type's values are its reachable count and bytes, and the total is
        // the reachable heap (no retained size is a sample of its own any more).
        for (const r of rows) {
          expect(objects.get(r.type) ?? 0, `${r.type} objects`).to.equal(r.reachableCount);
          expect(space.rows.get(r.type) ?? 0, `${r.type} bytes`).to.equal(r.reachableBytes);
        }
        expect(space.total).to.equal(s.reachableBytes);
        // Retained sizes are the cumulative sums: a root node's frame holds what it alone keeps.
        const k = s.rootNodes.name.indexOf('main.LeakyCache');
        expect(space.cum.get('main.LeakyCache')).to.equal(s.rootRetained(k));
        const all = path.join(dir, `zoo-${version}-all.pb.gz`);
        await writeOutput(all, { inputs: [s.dumpPath] }, async (sink) => { await writePprof(retentionProfile(s, { all: true }).profile, sink); });
        const every = top(all, 'inuse_space');
        expect(every.total).to.equal(s.graph.stats().objectBytes);
        const everyCount = top(all, 'inuse_objects').rows;
        for (const r of rows) expect(everyCount.get(r.type) ?? 0, `${r.type} objects with --all`).to.equal(r.count);
        // The program's own counts.
        expect(objects.get('main.Node')).to.equal(f.counts.Node);
        expect(space.rows.get('main.Node')).to.equal(f.counts.Node * f.sizes.Node);
        expect(objects.get('main.Session')).to.equal(f.counts.Session1);
        expect(objects.get('main.Big')).to.equal(f.counts.Big);
        // Paths: a session is under the map of main.LeakyCache (its root, outermost); the list head's trace ends
        // where goheap's dominator chain of the list head ends; repeated frames are folded.
        const t = traces(out);
        const session = t.find((x) => x[0] === 'main.Session')!;
        expect(session, 'a trace with leaf main.Session').to.not.equal(undefined);
        expect(session[session.length - 1]).to.equal('main.LeakyCache');
        expect(session.slice(1).some((x) => x.startsWith('main.Session'))).to.equal(false);
        const head = s.findObject(addr(f.addresses.ListHead));
        const chain = s.dominatorChain(head);
        const last = chain[chain.length - 1];
        const outermost = last.kind === 'roots' ? 'shared' : last.kind === 'root' ? s.rootNodes.name[last.rootNode] : '';
        const ends = t.filter((x) => x[0] === 'main.Node').map((x) => x[x.length - 1]);
        if (outermost === 'shared') {
          // Shared roots are named: the list is reached from main.ListHead and main.BigObj (among others).
          expect(ends.some((e) => /^\(shared by .*main\.BigObj.*main\.ListHead/.test(e)), ends.join('; ')).to.equal(true);
        } else expect(ends).to.include(outermost);
        // (Frame 1 may equal the leaf: a dominator of the same type reaching it through others.)
        for (const x of t) for (let k = 2; k < x.length; k++) expect(x[k], x.join(' <- ')).to.not.equal(x[k - 1]);
      } finally {
        s.close();
      }
    });
  }

  for (const version of ['1.19', '1.22', '1.26']) {
    it(`leak go${version}: --mode alloc gives the allocation sites of runtime.MemProfile (every allocation sampled)`, async function () {
      const fdir = path.join(ROOT, '.cache/fixtures/leak', `go${version}`);
      const facts = JSON.parse(fs.readFileSync(path.join(ROOT, 'fixtures/leak', `go${version}`, 'facts.json'), 'utf8')) as {
        heap1: { allocSites: Record<string, { allocObjects: number; allocBytes: number; freeObjects: number }> };
      };
      const s = await HeapSession.open(path.join(fdir, 'heap1.dump'), { binary: path.join(fdir, 'leak'), cacheDir: SHARED_INDEX });
      const out = path.join(dir, `leak-${version}.pb.gz`);
      try {
        await writeOutput(out, { inputs: [s.dumpPath] }, async (sink) => { await writePprof(allocationProfile(s).profile, sink); });
      } finally {
        s.close();
      }
      // The program's sites by function (a function may allocate on several lines).
      const expected = new Map<string, { objects: number; bytes: number; inuse: number }>();
      for (const [key, site] of Object.entries(facts.heap1.allocSites)) {
        const fn = key.slice(0, key.lastIndexOf(':'));
        const e = expected.get(fn) ?? { objects: 0, bytes: 0, inuse: 0 };
        e.objects += site.allocObjects;
        e.bytes += site.allocBytes;
        e.inuse += site.allocObjects - site.freeObjects;
        expected.set(fn, e);
      }
      expect(expected.size).to.be.at.least(2);
      const allocObjects = top(out, 'alloc_objects').rows;
      const allocSpace = top(out, 'alloc_space').rows;
      const inuseObjects = top(out, 'inuse_objects').rows;
      for (const [fn, e] of expected) {
        expect(allocObjects.get(fn), `${fn} alloc_objects`).to.equal(e.objects);
        expect(allocSpace.get(fn), `${fn} alloc_space`).to.equal(e.bytes);
        expect(inuseObjects.get(fn), `${fn} inuse_objects`).to.equal(e.inuse);
      }
    });
  }

  // fixtures/blocked: main.worker, inlined into the go statement's wrapper on 1.22+, allocates through main.newState;
  // the program printed its memory profile's records as runtime.CallersFrames expands them.
  for (const version of ['1.19', '1.22', '1.26']) {
    it(`blocked go${version}: --mode alloc expands inlined calls as Go's own heap profile does (-traces, -top)`, async function () {
      const fdir = path.join(ROOT, '.cache/fixtures/blocked', `go${version}`);
      const facts = JSON.parse(fs.readFileSync(path.join(ROOT, 'fixtures/blocked', `go${version}`, 'facts.json'), 'utf8')) as {
        groups: { function: string; stack: string }[];
        workerAllocs: { frames: { function: string; file: string; line: number }[]; allocs: number; bytes: number }[];
      };
      const s = await HeapSession.open(path.join(fdir, 'heap1.dump'), { binary: path.join(fdir, 'blocked'), cacheDir: SHARED_INDEX });
      const out = path.join(dir, `blocked-${version}.pb.gz`);
      try {
        await writeOutput(out, { inputs: [s.dumpPath] }, async (sink) => { await writePprof(allocationProfile(s).profile, sink); });
      } finally {
        s.close();
      }
      const inlined = facts.groups.find((g) => g.function === 'main.worker')!.stack.includes('main.worker(...)');
      expect(inlined).to.equal(version !== '1.19');
      // Go's frames below the runtime's allocator (as Go's heap profile hides them); pprof's without the value, the
      // label line ("bytes: 32B") and the "(inline)" mark.
      const user = (frames: string[]): string[] => frames.slice(Math.max(0, frames.findIndex((f) => !f.startsWith('runtime.'))));
      const got = traces(out).map((t) => t.filter((f) => !/^\w+:\s/.test(f)).map((f) => f.replace(/^\S+\s{3}/, '').replace(/ \(inline\)$/, '')));
      const sites = facts.workerAllocs.filter((a) => a.frames.some((f) => f.function === 'main.newState'));
      expect(sites).to.have.length.at.least(2); // the RequestState and its Body (and what the runtime allocated meanwhile)
      for (const a of facts.workerAllocs) {
        const want = user(a.frames.map((f) => f.function));
        expect(got.filter((t) => t.join('|') === want.join('|')), want.join(' ')).to.have.length.at.least(1);
      }
      // -top: main.worker is a function of the profile, whose cum holds what the workers allocated, and the `go`
      // statement's wrapper is not: the runtime recorded no pc of its own (tracebackPCs elides wrappers).
      const bytes = facts.workerAllocs.reduce((n, a) => n + a.bytes, 0);
      const cum = top(out, 'alloc_space').cum;
      expect((cum.get('main.worker') ?? 0) + (cum.get('main.worker (inline)') ?? 0), 'main.worker cum').to.equal(bytes);
      expect([...cum.keys()].filter((k) => /^main\.main\.gowrap\d+$/.test(k))).to.deep.equal([]);
    });
  }

  it('goheap pprof: -o and positional output, --mode alloc --rate scales like Go, bad options are one-line errors', function () {
    const env = { ...process.env, GOHEAP_CACHE_DIR: path.join(dir, 'index') };
    const runCli = (...args: string[]) => spawnSync(process.execPath, [CLI, 'pprof', ...args], { encoding: 'utf8', env });
    const fdir = path.join(ROOT, '.cache/fixtures/leak/go1.26');
    const a = path.join(dir, 'cli-a.pb.gz');
    const b = path.join(dir, 'cli-b.pb.gz');
    let r = runCli(zooDump('1.26'), zooBinary('1.26'), '-o', a, '--json');
    expect(r.status, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.include({ mode: 'retained', bytes: fs.statSync(a).size });
    r = runCli(path.join(fdir, 'heap1.dump'), path.join(fdir, 'leak'), b, '--mode', 'alloc', '--rate', '524288', '-q');
    expect(r.status, r.stderr).to.equal(0);
    const scaled = top(b, 'alloc_objects').rows.get('main.newExpr')!;
    // Go's scaleHeapSample for 8191 objects of 32 bytes at the default rate: each sample stands for ~16384.
    expect(scaled).to.be.greaterThan(8191 * 16000).and.lessThan(8191 * 16500);
    r = runCli(zooDump('1.26'), zooBinary('1.26'), '-o', a, '--max-depth', '0');
    expect(r.status).to.equal(1);
    // The message every numeric option gives (cli/options.ts), naming it.
    expect(r.stderr).to.equal('goheap: --max-depth: expected a whole number from 1 to 65535, got "0"\n');
    r = runCli(zooDump('1.26'), zooBinary('1.26'), '-o', zooDump('1.26'));
    expect(r.status).to.equal(1);
    expect(r.stderr).to.match(/refusing to write over the input/);
  });
});
