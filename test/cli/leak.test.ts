// The leak-hunting answers on the leak fixture (fixtures/leak: 200 then 300 goroutines parked in main.handle, each
// holding a 32-byte Request and its 4 KiB payload; an expression tree reachable from main.Tree and main.Cache),
// checked against what the program printed about itself: Go's own goroutine profile (runtime.GoroutineProfile,
// frames from runtime.CallersFrames), its memory profile (runtime.MemProfile), sizes, counts and addresses.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, scratchDir } from '../support/fixtures.js';
import { json, run, sharedJson } from './analysis-cli.js';

const LEAK_VERSIONS = ['1.19', '1.22', '1.26'];

interface Frame { function: string; file: string; line: number }
interface LeakFacts {
  goVersion: string;
  ptrSize: number;
  handler: string;
  leaked: { heap1: number; heap2: number; added: number };
  sizes: { Request: number; Payload: number; Expr: number };
  retainedPerGoroutine: number;
  exprNodes: number;
  treeBytes: number;
  sharedBy: string[];
  addresses: { Tree: string; TreeGlobal: string; Requests: string[] };
  heap1: LeakDumpFacts;
  heap2: LeakDumpFacts;
}
interface LeakDumpFacts {
  goroutineGroups: { count: number; frames: Frame[] }[];
  allocSites: Record<string, { allocObjects: number; allocBytes: number; freeObjects: number; frames: Frame[] }>;
}

function leakDir(version: string): string {
  const dir = path.join(ROOT, '.cache/fixtures/leak', `go${version}`);
  if (!fs.existsSync(path.join(dir, 'heap1.dump'))) throw new Error(`${dir}: fixtures are not unpacked; run 'make unpack'`);
  return dir;
}
const dump = (v: string, d: 'heap1' | 'heap2' = 'heap1'): string => path.join(leakDir(v), `${d}.dump`);
const binary = (v: string): string => path.join(leakDir(v), 'leak');
const facts = (v: string): LeakFacts => JSON.parse(fs.readFileSync(path.join(ROOT, 'fixtures/leak', `go${v}`, 'facts.json'), 'utf8')) as LeakFacts;

/** The program's goroutine-profile group whose stack holds main.handle. */
function handlerGroup(f: LeakDumpFacts): { count: number; frames: Frame[] } {
  const g = f.goroutineGroups.filter((x) => x.frames.some((fr) => fr.function === 'main.handle'));
  expect(g).to.have.length(1);
  return g[0];
}

describe('cli: leak hunting (fixtures/leak)', function () {
  this.timeout(120000);
  const cache = scratchDir('cli-leak');
  for (const version of LEAK_VERSIONS) {
    describe(`go${version}`, function () {
      const f = facts(version);
      for (const d of ['heap1', 'heap2'] as const) {
        it(`${d}: goroutines groups the leaked handlers as Go's goroutine profile does, frames and file:line included`, function () {
          const j = json(cache, 'goroutines', dump(version, d), binary(version), '--limit', '0');
          const profile = handlerGroup(f[d]);
          const groups = j.groups.filter((g: { function: string }) => g.function === 'main.handle');
          expect(groups).to.have.length(1);
          const g = groups[0];
          expect(g.count).to.equal(f.leaked[d]).and.to.equal(profile.count);
          expect(g).to.include({ status: 'waiting', waitReason: 'chan receive', name: 'main.handle', system: false });
          expect(g.frames).to.deep.equal(profile.frames);
          expect(g.retained).to.equal(f.leaked[d] * f.retainedPerGoroutine);
          expect(g.reachable).to.be.at.least(g.retained);
          // The biggest group comes first; the groups account for every goroutine of the dump.
          expect(j.groups[0].function).to.equal('main.handle');
          expect(j.groups.reduce((s: number, x: { count: number }) => s + x.count, 0)).to.equal(j.goroutines);
          expect(j.groups).to.have.length(j.groupCount);
        });
      }

      it('suspects: the handler group first, with its goroutines and exactly their requests; the tree as shared', function () {
        for (const d of ['heap1', 'heap2'] as const) {
          const j = json(cache, 'suspects', dump(version, d), binary(version), '--threshold', '0.05');
          expect(j.suspects[0]).to.include({ kind: 'goroutines', name: 'main.handle', count: f.leaked[d] });
          expect(j.suspects[0].retained).to.equal(f.leaked[d] * f.retainedPerGoroutine);
          const req = j.suspects[0].childGroups.find((x: { type: string }) => x.type === 'main.Request');
          expect(req).to.deep.equal({ type: 'main.Request', count: f.leaked[d], retained: f.leaked[d] * f.retainedPerGoroutine });
          const shared = j.suspects.find((x: { kind: string }) => x.kind === 'shared');
          expect(shared).to.include({ name: 'main.Expr', address: f.addresses.Tree, retained: f.treeBytes, rootCount: 2 });
          expect(shared.roots).to.deep.equal(f.sharedBy);
        }
      });

      it('diff: +K goroutines in one group, matched by stack and not by goroutine id', function () {
        const j = json(cache, 'diff', dump(version, 'heap1'), dump(version, 'heap2'), binary(version), '--limit', '0');
        expect(j.roots[0]).to.include({
          kind: 'goroutines', name: 'main.handle', countBefore: f.leaked.heap1, countAfter: f.leaked.heap2, countDelta: f.leaked.added,
          retainedDelta: f.leaked.added * f.retainedPerGoroutine,
        });
        const grown = j.roots.filter((r: { countDelta?: number }) => (r.countDelta ?? 0) > 1);
        expect(grown.map((r: { name: string }) => r.name)).to.deep.equal(['main.handle']);
        const req = j.types.find((t: { type: string }) => t.type === 'main.Request');
        expect(req).to.include({ countBefore: f.leaked.heap1, countAfter: f.leaked.heap2, bytesDelta: f.leaked.added * f.sizes.Request });
      });

      it('roots: groups with counts, the tree as shared by both globals, retained sizes partition the heap', function () {
        const j = json(cache, 'roots', dump(version), binary(version), '--limit', '0');
        expect(j.roots).to.have.length(j.rowCount);
        const sum = j.roots.reduce((s: number, r: { retained: number }) => s + r.retained, 0);
        expect(sum).to.equal(j.totalRetained);
        const handler = j.roots.filter((r: { name: string }) => r.name === 'main.handle');
        expect(handler).to.have.length(1);
        expect(handler[0]).to.include({ kind: 'goroutines', count: f.leaked.heap1, retained: f.leaked.heap1 * f.retainedPerGoroutine });
        const tree = j.roots.find((r: { address: string }) => r.address === f.addresses.Tree);
        expect(tree).to.include({ kind: 'shared', name: 'main.Expr', retained: f.treeBytes, reachable: f.treeBytes, rootCount: 2 });
        expect(tree.roots).to.deep.equal(f.sharedBy);
        // main.Tree is a pointer to the shared tree: it retains nothing alone and reaches the whole tree.
        const global = j.roots.find((r: { name: string }) => r.name === 'main.Tree');
        expect(global).to.include({ kind: 'global', address: f.addresses.TreeGlobal, retained: 0, reachable: f.treeBytes });
        const cacheRow = j.roots.find((r: { name: string }) => r.name === 'main.Cache');
        expect(cacheRow.reachable).to.equal(cacheRow.retained + f.treeBytes);
        for (const r of j.roots) expect(r.reachable).to.be.at.least(r.retained);
        expect(j.roots.filter((r: { kind: string }) => r.kind === 'goroutine' || r.kind === 'goroutines')
          .reduce((s: number, r: { count: number }) => s + r.count, 0)).to.equal(json(cache, 'info', dump(version)).goroutines);
      });

      it("instances: the program's requests and tree nodes, paged and sorted", function () {
        const j = sharedJson(cache, 'instances', dump(version), binary(version), 'main.Request', '--limit', '0');
        expect(j).to.include({ type: 'main.Request', count: f.leaked.heap1, bytes: f.leaked.heap1 * f.sizes.Request });
        expect(j.instances).to.have.length(f.leaked.heap1);
        for (const x of j.instances) expect(x).to.include({ size: f.sizes.Request, retained: f.retainedPerGoroutine });
        const addresses = j.instances.map((x: { address: string }) => x.address);
        for (const a of f.addresses.Requests) expect(addresses).to.include(a);
        const page = json(cache, 'instances', dump(version), binary(version), 'main.Request', '--offset', '5', '--limit', '3', '--sort', 'size');
        expect(page.instances).to.have.length(3);
        expect(page).to.include({ offset: 5, sort: 'size', count: f.leaked.heap1 });
        const expr = json(cache, 'instances', dump(version), binary(version), 'main.Expr', '--limit', '2');
        expect(expr).to.include({ count: f.exprNodes, bytes: f.treeBytes });
        expect(expr.instances[0]).to.deep.equal({ address: f.addresses.Tree, size: f.sizes.Expr, retained: f.treeBytes });
        expect(expr.instances[1].retained).to.equal((f.treeBytes - f.sizes.Expr) / 2);
      });

      it("allocs: the program's allocation sites, counts and bytes as runtime.MemProfile reports them", function () {
        for (const d of ['heap1', 'heap2'] as const) {
          const j = json(cache, 'allocs', dump(version, d), '--limit', '0');
          expect(j.sites).to.have.length(j.siteCount);
          for (const [key, site] of Object.entries(f[d].allocSites)) {
            const [fn, line] = key.split(':');
            // The program sums the records whose first main.new* frame is this line (heap2's requests come from two
            // calls of main.leak: two stacks); so do we over the sites.
            type Site = { frames: Frame[]; count: number; bytes: number; frees: number; function: string };
            const found: Site[] = j.sites.filter((s: Site) => s.frames.some((x) => x.function === fn && x.line === Number(line)));
            expect(found.length, `${d} ${key}`).to.be.at.least(1);
            const sum = (k: 'count' | 'bytes' | 'frees'): number => found.reduce((t, x) => t + x[k], 0);
            expect([sum('count'), sum('bytes'), sum('frees')], `${d} ${key}`).to.deep.equal([site.allocObjects, site.allocBytes, site.freeObjects]);
            for (const x of found) expect(x.function).to.equal(fn);
            expect(found.map((x) => x.frames)).to.deep.include(site.frames);
          }
          // Every request and payload is alive and was sampled (runtime.MemProfileRate = 1).
          const live = j.sites.filter((s: { function: string }) => s.function === 'main.newRequest')
            .reduce((t: number[], s: { liveSamples: number; liveSampleBytes: number }) => [t[0] + s.liveSamples, t[1] + s.liveSampleBytes], [0, 0]);
          expect(live).to.deep.equal([2 * f.leaked[d], f.leaked[d] * (f.sizes.Payload + f.sizes.Request)]);
        }
      });

      it("object: a request's allocation stack is the program's", function () {
        const j = json(cache, 'object', dump(version), binary(version), f.addresses.Requests[0]);
        expect(j.type).to.equal('main.Request');
        const site = Object.entries(f.heap1.allocSites).find(([, s]) => s.allocBytes === f.leaked.heap1 * f.sizes.Request)!;
        expect(site, 'the Request allocation site').to.not.equal(undefined);
        expect(j.allocation).to.deep.equal({ size: f.sizes.Request, frames: site[1].frames });
        const tree = sharedJson(cache, 'object', dump(version), binary(version), f.addresses.Tree);
        expect(tree.dominator).to.equal('several roots');
      });

      it('object: a global by name, in the shape of an object, pointing at the shared tree', function () {
        const byAddress = sharedJson(cache, 'object', dump(version), binary(version), f.addresses.Tree);
        const g = json(cache, 'object', dump(version), binary(version), 'main.Tree');
        expect(Object.keys(g)).to.include.members(Object.keys(byAddress));
        expect(g).to.include({ global: 'main.Tree', address: f.addresses.TreeGlobal, type: '*main.Expr', size: f.ptrSize, retained: 0, reachableBytes: f.treeBytes, index: -1 });
        expect(g.fields).to.have.length(1);
        expect(g.fields[0]).to.include({ offset: 0, type: '*main.Expr', target: f.addresses.Tree, targetIndex: byAddress.index });
        const c = json(cache, 'object', dump(version), binary(version), 'main.Cache');
        expect(c.fields[0].children.map((x: { name: string; target: string }) => [x.name, x.target])).to.deep.equal([['["expr"]', f.addresses.Tree]]);
        const r = run(cache, 'object', dump(version), binary(version), 'main.Missing');
        expect(r.status).to.equal(1);
        expect(r.stderr).to.match(/^goheap: .*no global variable "main\.Missing".*\n$/);
      });

      it('goroutines --all: each handler holds one request in its req variable, and together they are all the requests', function () {
        const j = json(cache, 'goroutines', dump(version), binary(version), '--all', '--limit', '1');
        const g = j.groups[0];
        expect(g.goroutines).to.have.length(f.leaked.heap1);
        const held = new Set<string>();
        for (const gr of g.goroutines) {
          expect(gr).to.include({ status: 'waiting', waitReason: 'chan receive' });
          const handle = gr.frames.find((x: { function: string }) => x.function === 'main.handle');
          const req = handle.locals.find((v: { name: string }) => v.name === 'req');
          expect(req).to.include({ type: '*main.Request', param: true });
          expect(req.pointers).to.have.length(1);
          expect(req.pointers[0]).to.include({ offset: 0, type: 'main.Request' });
          held.add(req.pointers[0].target);
          // Scalars are decoded: runtime.chanrecv1 calls chanrecv(c, elem, true), so its block parameter is true.
          const recv = gr.frames.find((x: { function: string }) => x.function === 'runtime.chanrecv');
          expect(recv.locals.find((v: { name: string }) => v.name === 'block')).to.include({ type: 'bool', value: 'true', param: true });
        }
        const all = sharedJson(cache, 'instances', dump(version), binary(version), 'main.Request', '--limit', '0');
        expect([...held].sort()).to.deep.equal(all.instances.map((x: { address: string }) => x.address).sort());
      });
    });
  }

  // On the newest Go only: test/cli/warm-cold.test.ts runs every command cold and warm on the zoo of 1.19, 1.22 and
  // 1.26; here the leak's own shapes (hundreds of goroutines in one group, every allocation sampled, a global map).
  for (const v of ['1.26']) {
    it(`go${v}: the new commands answer byte-identically from a cold open and from the index`, function () {
      const dir = scratchDir(`cli-leak-warm-${v}`);
      const cmds = [
        ['goroutines', dump(v), binary(v), '--all', '--limit', '2'], ['goroutines', dump(v)], ['roots', dump(v), binary(v), '--limit', '0'],
        ['suspects', dump(v), binary(v)], ['instances', dump(v), binary(v), 'main.Expr', '--limit', '5'],
        ['allocs', dump(v), '--limit', '0'], ['diff', dump(v), dump(v, 'heap2'), binary(v)],
        ['object', dump(v), binary(v), facts(v).addresses.Requests[1]], ['object', dump(v), binary(v), 'main.Cache'],
      ];
      for (const c of cmds) {
        // Cold: this command's own first open writes the index; warm: the same command reads it.
        fs.rmSync(dir, { recursive: true, force: true });
        const cold = run(dir, ...c, '--json');
        expect(cold.status, cold.stderr).to.equal(0);
        expect(fs.readdirSync(dir).length, c.join(' ')).to.be.above(0);
        const warm = run(dir, ...c, '--json');
        expect(warm.stdout, c.join(' ')).to.equal(cold.stdout);
      }
    });
  }

  it('without the binary: the same groups and counts, frames without file:line; instances by size class', function () {
    const v = '1.22';
    const f = facts(v);
    const j = json(cache, 'goroutines', dump(v), '--limit', '1');
    expect(j.groups[0]).to.include({ count: f.leaked.heap1, function: 'main.handle', retained: f.leaked.heap1 * f.retainedPerGoroutine });
    expect(j.groups[0].frames.map((x: Frame) => x.function)).to.deep.equal(handlerGroup(f.heap1).frames.map((x) => x.function));
    for (const x of j.groups[0].frames) expect(x).to.include({ file: null, line: null });
    const sizeClass = json(cache, 'instances', dump(v), 'untyped (size class 4096)', '--limit', '0');
    expect(sizeClass.count).to.be.at.least(f.leaked.heap1);
  });

  it('instances of an unknown type: one line naming types like it, exit 1', function () {
    const r = run(cache, 'instances', dump('1.26'), binary('1.26'), 'main.Reqest');
    expect(r.status).to.equal(1);
    expect(r.stderr).to.match(/^goheap: .*no objects of type "main\.Reqest".*\n$/);
  });

  it('text output: groups with counts, shared rows with their roots, the diff row with +K goroutines', function () {
    const v = '1.26';
    const f = facts(v);
    const g = run(cache, 'goroutines', dump(v), binary(v), '--limit', '1');
    expect(g.stdout).to.match(new RegExp(`^${f.leaked.heap1} x main\\.handle \\[waiting, chan receive\\]`, 'm'));
    const r = run(cache, 'roots', dump(v), binary(v), '--limit', '5');
    expect(r.stdout).to.match(/shared +main\.Expr 0x[0-9a-f]+ ← main\.Cache, main\.Tree/);
    const d = run(cache, 'diff', dump(v), dump(v, 'heap2'), binary(v), '--limit', '3');
    expect(d.stdout).to.match(new RegExp(`\\+${f.leaked.added} \\(${f.leaked.heap1} -> ${f.leaked.heap2}\\)\\s+goroutines main\\.handle`));
    const s = run(cache, 'suspects', dump(v), binary(v));
    expect(s.stdout).to.match(new RegExp(`^1\\. goroutines main\\.handle \\(${f.leaked.heap1} goroutines\\) retains`));
  });
});
