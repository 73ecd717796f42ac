// Goroutines that hold their work only in stack objects (fixtures/blocked: 400 handlers blocked sending a
// *RequestState with an 8 KiB body, 150 blocked in a select offering one with 4 KiB, 100 inlined workers started
// with `go worker(j, ch)` sending one with 2 KiB; a runtime.GC() just before the dump), checked against what the
// program printed about itself: counts, the bytes each group holds, and the runtime.Stack text of one goroutine
// per group. Nothing it holds may be unreachable, each group retains exactly what it holds, `types` counts every
// RequestState, and the frames read as Go's traceback prints them (inlined calls included).
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, scratchDir } from '../support/fixtures.js';
import { json, run, sharedJson } from './analysis-cli.js';

interface BlockedFacts {
  goVersion: string;
  ptrSize: number;
  stateSize: number;
  requestStateCount: number;
  groups: { function: string; reason: string; count: number; bodySize: number; heldBytes: number; stack: string }[];
}

function dir(v: string): string {
  const d = path.join(ROOT, '.cache/fixtures/blocked', `go${v}`);
  if (!fs.existsSync(path.join(d, 'heap1.dump'))) throw new Error(`${d}: fixtures are not unpacked; run 'make unpack'`);
  return d;
}
const facts = (v: string): BlockedFacts => JSON.parse(fs.readFileSync(path.join(ROOT, 'fixtures/blocked', `go${v}`, 'facts.json'), 'utf8')) as BlockedFacts;

/** The user frames of runtime.Stack's text for one goroutine: function (without arguments), file, line. */
function stackFrames(text: string): { function: string; file: string; line: number }[] {
  const lines = text.split('\n');
  const out: { function: string; file: string; line: number }[] = [];
  for (let k = 1; k + 1 < lines.length; k += 2) {
    if (lines[k].startsWith('created by ')) break;
    const m = /^\t(.+):(\d+)(?: \+0x[0-9a-f]+)?$/.exec(lines[k + 1]);
    if (!m) throw new Error(`not a runtime.Stack frame: ${lines[k + 1]}`);
    out.push({ function: lines[k].replace(/\(.*\)$/, ''), file: m[1], line: Number(m[2]) });
  }
  return out;
}

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
      // than a hundredth of what it holds, where before stack objects were roots it was all of it.
      const info = json(cache, 'info', dump, bin);
      expect(info.unreachableBytes).to.be.below(held / 100);
      const noBinary = json(cache, 'info', dump);
      expect(noBinary.unreachableBytes).to.be.at.least(held);
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
        expect(user.slice(0, want.length).map((x: { function: string; file: string; line: number }) => ({ function: x.function, file: x.file, line: x.line })), g.function).to.deep.equal(want);
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
        const m = /^goroutines (\S+)\n {2}→ \((?:stack )?(\S+)[: ]/.exec(p.stdout);
        expect(m, p.stdout).to.not.equal(null);
        expect(m![1]).to.equal(m![2]);
        seen.add(m![1]);
      }
      expect([...seen].sort()).to.deep.equal(f.groups.map((g) => g.function).sort());
    });
  });
}
