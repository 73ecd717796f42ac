// Inlined calls in DWARF (DW_TAG_inlined_subroutine: name by abstract origin, pc ranges from low_pc/high_pc,
// .debug_ranges or .debug_rnglists, variables named through their abstract origins), compared with llvm-dwarfdump
// on the blocked fixture's executables (DWARF 4 on Go 1.19/1.22, DWARF 5 on 1.26), where main.worker is inlined.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadGoProgram } from '../../lib/gotypes/index.js';
import { ROOT } from '../support/fixtures.js';
import { run } from '../elf/fixtures.js';

/** Every inlined_subroutine llvm-dwarfdump prints: "callee [lo,hi) [lo,hi)...", sorted. */
function dumpedInlinedCalls(file: string): string[] {
  const out: string[] = [];
  let cur: { name: string; ranges: string[] } | undefined;
  let inRanges = false;
  const flush = (): void => {
    if (cur && cur.name !== '' && cur.ranges.length > 0) out.push(`${cur.name} ${cur.ranges.join(' ')}`);
    cur = undefined;
  };
  let low = -1;
  for (const line of run('llvm-dwarfdump', ['--debug-info', file]).split('\n')) {
    const die = /^0x[0-9a-f]+:\s+(DW_TAG_\w+|NULL)/.exec(line);
    if (die) {
      flush();
      inRanges = false;
      if (die[1] === 'DW_TAG_inlined_subroutine') cur = { name: '', ranges: [] };
      continue;
    }
    if (!cur) continue;
    const at = /^\s+(DW_AT_\w+)\t\((.*)$/.exec(line);
    if (at) {
      inRanges = at[1] === 'DW_AT_ranges';
      if (at[1] === 'DW_AT_abstract_origin') cur.name = /"([^"]+)"/.exec(at[2])![1];
      if (at[1] === 'DW_AT_low_pc') low = parseInt(at[2], 16);
      if (at[1] === 'DW_AT_high_pc') {
        const hi = parseInt(at[2], 16);
        cur.ranges.push(`[${low.toString(16)},${hi.toString(16)})`);
      }
    }
    const r = /^\s+\[0x([0-9a-f]+), 0x([0-9a-f]+)\)/.exec(line);
    if (r && inRanges) cur.ranges.push(`[${parseInt(r[1], 16).toString(16)},${parseInt(r[2], 16).toString(16)})`);
  }
  flush();
  return out.sort();
}

describe('dwarf: inlined calls and their variables (fixtures/blocked)', function () {
  this.timeout(120000);
  for (const v of ['1.19', '1.22', '1.26']) {
    it(`go${v}: every inlined call with its callee and pc ranges as llvm-dwarfdump reads them; main.worker's variables named`, function () {
      const bin = path.join(ROOT, '.cache/fixtures/blocked', `go${v}`, 'blocked');
      if (!fs.existsSync(bin)) throw new Error(`${bin}: fixtures are not unpacked; run 'make unpack'`);
      const program = loadGoProgram(bin);
      const ours: string[] = [];
      for (const f of program.functions) {
        for (const c of f.inlined) {
          const r: string[] = [];
          for (let k = 0; k < c.ranges.length; k += 2) r.push(`[${c.ranges[k].toString(16)},${c.ranges[k + 1].toString(16)})`);
          ours.push(`${c.name} ${r.join(' ')}`);
        }
      }
      const want = dumpedInlinedCalls(bin);
      expect(want.length).to.be.above(100);
      expect(ours.sort()).to.deep.equal(want);
      if (v === '1.19') {
        // Not inlined into the go statement's wrapper: an out-of-line copy, named through its abstract origin.
        const w = program.functionByName('main.worker')!;
        expect(w.params.map((x) => x.name)).to.deep.equal(['j', 'ch']);
      } else {
        // The wrapper of `go worker(j, ch)`: the one of main's go statements (main.main.gowrapN) that inlines it.
        const calls = program.functions.filter((f) => /^main\.main\.gowrap\d+$/.test(f.name)).flatMap((f) => f.inlined.filter((c) => c.name === 'main.worker'));
        expect(calls).to.have.length(1);
        const call = calls[0];
        expect(call.depth).to.equal(1);
        expect(call.params.map((x) => [x.name, x.type?.name])).to.deep.equal([['j', 'int'], ['ch', 'chan *main.RequestState']]);
        expect(call.locals.map((x) => [x.name, x.type?.name])).to.deep.equal([['st', '*main.RequestState']]);
      }
    });
  }
});
