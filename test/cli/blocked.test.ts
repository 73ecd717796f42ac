// Goroutines that hold their work only in stack objects (fixtures/blocked: 400 handlers blocked sending a
// *RequestState with an 8 KiB body, 150 blocked in a select offering one with 4 KiB, 100 inlined workers started
// with `go worker(j, ch)` sending one with 2 KiB, 50 in a select offering one with 1 KiB until a time.After(time.Hour)
// fires; a runtime.GC() just before the dump), checked against what the
// program printed about itself: counts, the bytes each group holds, and the runtime.Stack text of one goroutine
// per group. Nothing it holds may be unreachable, each group retains exactly what it holds, `types` counts every
// RequestState, and the frames read as Go's traceback prints them (inlined calls included).
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, scratchDir } from '../support/fixtures.js';
import { json, run, sharedJson } from './analysis-cli.js';
import { stackFrames, type StackFrame } from '../support/runtime-stack.js';
import { HeapSession } from '../../lib/session/index.js';
import { readSvg, renderWithDot } from '../export/dot-svg.js';
import { goroutineDetail } from '../../viewer/data/goroutines.js';

interface BlockedFacts {
  goVersion: string;
  ptrSize: number;
  stateSize: number;
  requestStateCount: number;
  /** The channels time.After made (one per goroutine in main.waitTimeout), each with its runtime timer. */
  timerChannels: number;
  groups: { function: string; reason: string; count: number; bodySize: number; heldBytes: number; stack: string }[];
  /** The worker's locals that hold its state and its id (the state's ID) across its send. */
  workerLocals: { state: string; id: string };
  /** runtime.MemProfile's records whose stack holds main.worker, frames as runtime.CallersFrames expands them. */
  workerAllocs: { frames: StackFrame[]; allocs: number; bytes: number }[];
}

function dir(v: string): string {
  const d = path.join(ROOT, '.cache/fixtures/blocked', `go${v}`);
  if (!fs.existsSync(path.join(d, 'heap1.dump'))) throw new Error(`${d}: fixtures are not unpacked; run 'make unpack'`);
  return d;
}
const facts = (v: string): BlockedFacts => JSON.parse(fs.readFileSync(path.join(ROOT, 'fixtures/blocked', `go${v}`, 'facts.json'), 'utf8')) as BlockedFacts;

for (const v of ['1.19', '1.22', '1.26']) {
  describe(`blocked goroutines holding stack objects: go${v}`, function () {
    const f = facts(v);
    const dump = path.join(dir(v), 'heap1.dump');
    const bin = path.join(dir(v), 'blocked');
    let cache: string;
    before(function () {
      cache = scratchDir(`blocked-${v}`);
    });

    it('types: every RequestState the program holds is counted, and with their bodies none is garbage', function () {
      const j = json(cache, 'types', dump, bin);
      const row = j.types.find((t: { name: string }) => t.name === 'main.RequestState');
      expect(row).to.include({ count: f.requestStateCount, bytes: f.requestStateCount * f.stateSize });
      const held = f.groups.reduce((s, g) => s + g.heldBytes, 0);
      expect(row.retainedBytes).to.equal(held);
      // What is still unreachable is not the program's (the runtime's own leftovers of the dump's set-up): less
      // than a hundredth of what it holds, where before stack objects were roots it was all it holds but the
      // workers' (whose `st`, live across the send, is a pointer slot the dump's frame record lists).
      const info = json(cache, 'info', dump, bin);
      expect(info.unreachableBytes).to.be.below(held / 100);
      const noBinary = json(cache, 'info', dump);
      const workers = f.groups.find((g) => g.function === 'main.worker')!;
      expect(noBinary.unreachableBytes).to.be.at.least(held - workers.heldBytes);
    });

    // time.After's channel is reached only through the runtime: the select's cases and the goroutine's sudogs
    // (*runtime.hchan, whose elemtype word names time.Time), and on Go 1.23+ the channel's timer field, which points
    // inside the runtime.timeTimer time.After allocated; before 1.23 the P's timer heap points inside each time.Timer.
    it('a select on time.After: its channels are chan time.Time, their timers named, none left untyped', function () {
      const j = json(cache, 'types', dump, bin);
      const count = (name: string): number => j.types.find((t: { name: string }) => t.name === name)?.count ?? 0;
      expect(count('chan time.Time')).to.equal(f.timerChannels);
      const timer = Number(v.split('.')[1]) >= 23 ? 'runtime.timeTimer' : 'time.Timer';
      expect(count(timer)).to.equal(f.timerChannels);
      const vague = j.types.filter((t: { name: string; count: number }) => t.name.includes('element type unknown')
        || (t.name.startsWith('untyped') && t.count >= f.timerChannels));
      expect(vague.map((t: { name: string }) => t.name)).to.deep.equal([]);
    });

    // main's `groups := []group{...}` is a slice variable DWARF describes in pieces (its pointer in a stack slot,
    // its length and capacity nowhere): its backing array is typed by the element type over the whole object, the
    // slot is named `groups`, and the strings it holds (runtime.Stack's text, in a large buffer) are typed through it.
    it('a slice variable in DWARF pieces types its backing array; >= 99% of the reachable bytes typed', function () {
      const info = json(cache, 'info', dump, bin);
      console.log(`      go${v}: typed ${(100 * info.typedBytes / info.reachableBytes).toFixed(2)}% of ${info.reachableBytes} reachable bytes`);
      expect(info.typedBytes / info.reachableBytes).to.be.at.least(0.99);
      const inst = json(cache, 'instances', dump, bin, '[]main.group');
      expect(inst.count).to.equal(1);
      const address = inst.instances[0].address;
      const o = json(cache, 'object', dump, bin, address);
      expect(o.type).to.equal(`[${f.groups.length}]main.group`);
      const field = (name: string): { value: string } => o.fields.find((x: { name: string }) => x.name === name);
      f.groups.forEach((g, k) => {
        expect(field(`[${k}].Function`).value).to.equal(JSON.stringify(g.function));
        expect(field(`[${k}].Count`).value).to.equal(String(g.count));
        expect(field(`[${k}].HeldBytes`).value).to.equal(String(g.heldBytes));
        expect(field(`[${k}].Stack`).value).to.match(new RegExp(`\\(${Buffer.byteLength(g.stack)} bytes\\)$`));
      });
      const p = json(cache, 'path', dump, bin, address);
      expect(p.path[p.path.length - 1].field).to.equal('main.main: groups');
    });

    it('goroutines: each blocked group retains exactly what the program says it holds', function () {
      const j = sharedJson(cache, 'goroutines', dump, bin, '--limit', '0');
      for (const g of f.groups) {
        const grp = j.groups.filter((x: { function: string }) => x.function === g.function);
        expect(grp, g.function).to.have.length(1);
        expect(grp[0]).to.include({ count: g.count, retained: g.heldBytes, waitReason: g.reason });
      }
    });

    it('goroutines: frames read as runtime.Stack printed them, inlined calls included', function () {
      const j = sharedJson(cache, 'goroutines', dump, bin, '--limit', '0');
      for (const g of f.groups) {
        const grp = j.groups.find((x: { function: string }) => x.function === g.function);
        const user = grp.frames.filter((x: { function: string }) => !x.function.startsWith('runtime.'))
          .map((x: { function: string; file: string; line: number; inlined?: boolean }) => ({ function: x.function, file: x.file, line: x.line, inlined: x.inlined === true }));
        const want = stackFrames(g.stack);
        expect(user.slice(0, want.length).map((x: StackFrame) => ({ function: x.function, file: x.file, line: x.line })), g.function).to.deep.equal(want);
        // After them only the `go` statement's wrapper, which Go's traceback elides.
        for (const x of user.slice(want.length)) expect(x.function).to.match(/^main\.main\.(gowrap|func)\d+$/);
        // An inlined call is printed `f(...)` by Go, and marked inlined here.
        const inlinedInGo = g.stack.includes(`${g.function}(...)`);
        expect(user[0].inlined, g.function).to.equal(inlinedInGo);
      }
      if (v !== '1.19') expect(f.groups[2].stack).to.include('main.worker(...)'); // Go 1.22+ inlines the worker
    });

    it('path: a held state is reached from its group through a stack slot of the function running there', function () {
      const j = json(cache, 'instances', dump, bin, 'main.RequestState', '--limit', '0');
      const seen = new Set<string>();
      // One state per group: each group's states retain their own body size.
      const one = new Map<number, string>();
      for (const x of j.instances) if (!one.has(x.retained)) one.set(x.retained, x.address);
      expect([...one.keys()].sort()).to.deep.equal(f.groups.map((g) => f.stateSize + g.bodySize).sort());
      for (const address of one.values()) {
        const p = run(cache, 'path', dump, bin, address, '--quiet');
        expect(p.status).to.equal(0);
        const m = /^goroutines (\S+)\n {2}→ \((?:stack )?([^\s:]+)[: ]/.exec(p.stdout);
        expect(m, p.stdout).to.not.equal(null);
        expect(m![1]).to.equal(m![2]);
        seen.add(m![1]);
      }
      expect([...seen].sort()).to.deep.equal(f.groups.map((g) => g.function).sort());
    });

    // The worker (inlined into the go statement's wrapper on 1.22+, a frame of its own on 1.19) keeps its state in
    // its local `st` and its id in `j` across the send: DWARF names them in the inlined body (inlined_subroutine).
    it('goroutines --all: the worker\'s locals are named in its own frame, j equal to the ID of the state st holds', function () {
      const j = json(cache, 'goroutines', dump, bin, '--all', '--limit', '0');
      const grp = j.groups.find((x: { function: string }) => x.function === 'main.worker');
      const worker = f.groups.find((g) => g.function === 'main.worker')!;
      expect(grp.goroutines).to.have.length(worker.count);
      type Local = { name: string; value?: string; pointers: { target: string; type: string }[] };
      type Frame = { function: string; inlined?: boolean; locals: Local[] };
      const ids: number[] = [];
      const checked: { address: string; id: number }[] = [];
      for (const g of grp.goroutines as { frames: Frame[] }[]) {
        const row = g.frames.find((x) => x.function === 'main.worker')!;
        expect(row.inlined === true, 'inlined as runtime.Stack says').to.equal(worker.stack.includes('main.worker(...)'));
        const id = row.locals.find((x) => x.name === f.workerLocals.id);
        const st = row.locals.find((x) => x.name === f.workerLocals.state);
        expect(id, JSON.stringify(row)).to.not.equal(undefined);
        expect(st?.pointers.map((x) => x.type), JSON.stringify(row)).to.deep.equal(['main.RequestState']);
        ids.push(Number(id!.value));
        if (checked.length < 3) checked.push({ address: st!.pointers[0].target, id: Number(id!.value) });
        // The wrapper itself declares none of them.
        for (const x of g.frames) if (x !== row) expect(x.locals.map((l) => l.name)).to.not.include(f.workerLocals.state);
      }
      // The program started workers 0 .. workers-1.
      expect(ids.sort((a, b) => a - b)).to.deep.equal(Array.from({ length: worker.count }, (_, k) => k));
      for (const c of checked) {
        const o = json(cache, 'object', dump, bin, c.address);
        expect(o.fields.find((x: { name: string }) => x.name === 'ID').value).to.equal(String(c.id));
      }
    });

    it('allocs: the workers\' allocation sites read as runtime.CallersFrames expands them (inlined calls included)', function () {
      const j = json(cache, 'allocs', dump, bin, '--limit', '0');
      type Frame = { function: string; file: string; line: number; inlined?: boolean };
      type Site = { count: number; bytes: number; frames: Frame[] };
      // The dump's records name no pc: records whose stacks read the same (a state and its body, allocated on one
      // line) are one site, as in goheap's answer.
      const key = (frames: Frame[]): string => frames.map((x) => `${x.function} ${x.file}:${x.line}`).join('\n');
      const want = new Map<string, { count: number; bytes: number }>();
      for (const a of f.workerAllocs) {
        const w = want.get(key(a.frames)) ?? { count: 0, bytes: 0 };
        w.count += a.allocs;
        w.bytes += a.bytes;
        want.set(key(a.frames), w);
      }
      expect(f.workerAllocs.length).to.be.at.least(2);
      const got = new Map<string, Site>((j.sites as Site[]).filter((x) => x.frames.some((y) => y.function === 'main.worker')).map((x) => [key(x.frames), x]));
      expect([...got.keys()].sort()).to.deep.equal([...want.keys()].sort());
      for (const [k, w] of want) {
        expect(got.get(k), k).to.include(w);
        const worker = got.get(k)!.frames.find((x) => x.function === 'main.worker')!;
        expect(worker.inlined === true).to.equal(f.groups[2].stack.includes('main.worker(...)'));
      }
    });

    it('dot --focus on a worker\'s state: the group\'s frames as runtime.Stack printed them, the edge named `main.worker: st` (rendered by dot)', function () {
      const worker = f.groups.find((g) => g.function === 'main.worker')!;
      const j = json(cache, 'instances', dump, bin, 'main.RequestState', '--limit', '0');
      const address = j.instances.find((x: { retained: number }) => x.retained === f.stateSize + worker.bodySize).address;
      const out = path.join(cache, 'worker.dot');
      const r = run(cache, 'dot', dump, bin, '--focus', address, '-o', out, '--quiet');
      expect(r.status, r.stderr).to.equal(0);
      const items = readSvg(renderWithDot(out));
      const root = items.find((x) => x.kind === 'node' && x.lines[0] === 'goroutines main.worker (identical stacks)');
      expect(root, items.map((x) => x.lines[0]).join('\n')).to.not.equal(undefined);
      // Go's traceback: `main.worker(...)` where inlined (1.22+), then the wrapper it elides; a frame of its own on 1.19.
      const user = root!.lines.slice(1).filter((l) => !l.startsWith('runtime.') && !l.startsWith('retains'));
      const want = stackFrames(worker.stack).map((x) => (worker.stack.includes(`${x.function}(...)`) ? `${x.function}(...)` : x.function));
      expect(user.slice(0, want.length)).to.deep.equal(want);
      for (const l of user.slice(want.length)) expect(l).to.match(/^main\.main\.(gowrap|func)\d+$/);
      const edges = items.filter((x) => x.kind === 'edge' && x.lines.some((l) => l.includes(`main.worker: ${f.workerLocals.state}`)));
      expect(edges, items.filter((x) => x.kind === 'edge').map((x) => x.lines.join(' ')).join('\n')).to.have.length(1);
    });

    it('path and referrers: a worker\'s state is held by `main.worker: st`', async function () {
      const worker = f.groups.find((g) => g.function === 'main.worker')!;
      const j = json(cache, 'instances', dump, bin, 'main.RequestState', '--limit', '0');
      const address = j.instances.find((x: { retained: number }) => x.retained === f.stateSize + worker.bodySize).address;
      const p = run(cache, 'path', dump, bin, address, '--quiet');
      expect(p.stdout).to.include(`→ (main.worker: ${f.workerLocals.state}) ${address} main.RequestState`);
      // `object` says how it is held: a root points at it, no object does (a count of 0 alone read as "garbage").
      const o = run(cache, 'object', dump, bin, address, '--quiet');
      expect(o.stdout).to.match(/^reachable +yes, 1 pointer from a root$/m);
      expect(o.stdout).to.match(/^referrers +0 objects$/m);
      const s = await HeapSession.open(dump, { binary: bin, cacheDir: cache });
      try {
        const refs = s.referrers(s.findObject(Number(address)));
        const named = refs.filter((r) => r.kind === 'root' && r.variable !== undefined);
        expect(named.map((r) => r.kind === 'root' && [r.function, r.variable, r.slot, r.name])).to.deep.equal([
          ['main.worker', f.workerLocals.state, `main.worker: ${f.workerLocals.state}`, 'main.worker']]);
        // The viewer's goroutine page: the worker's row holds st (pointing at its state) and j; the wrapper none.
        const goid = Number(/^goroutine (\d+) /.exec(worker.stack)![1]);
        const g = s.graph.goroutines.findIndex((x) => x.goid === goid);
        const d = goroutineDetail(s, g, Uint32Array.from({ length: s.graph.roots.count }, (_, k) => k));
        const inlined = worker.stack.includes('main.worker(...)');
        const row = d.frames.find((x) => x.function === (inlined ? 'main.worker(...)' : 'main.worker'))!;
        expect(row.locals.map((x) => x.name)).to.include.members([f.workerLocals.state, f.workerLocals.id]);
        expect(row.locals.find((x) => x.name === f.workerLocals.state)!.points.map((x) => x.type)).to.deep.equal(['main.RequestState']);
        for (const x of d.frames) if (x !== row) expect(x.locals.map((l) => l.name)).to.not.include(f.workerLocals.state);
      } finally {
        s.close();
      }
    });
  });
}
