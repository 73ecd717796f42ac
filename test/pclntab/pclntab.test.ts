// lib/pclntab on real executables: the zoo fixture built with every Go from 1.19 to 1.26 (both pcHeader magics, both
// _func layouts, both inline-tree entry layouts) and the blocked fixture. Function entries are checked against
// `go tool nm` run here on the same binary; names, file:line and inlined frames against what the blocked program
// printed with runtime.Stack; stack object records against what the compiler must emit for the program's sends
// and select; a damaged table ends in a PclntabError naming the file and offset.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ElfFile } from '../../lib/elf/index.js';
import { Pclntab, PclntabError } from '../../lib/pclntab/index.js';
import { GO_VERSIONS, ROOT, scratchDir, zooBinary } from '../support/fixtures.js';

const NM_GO = path.join(ROOT, '.toolchains/go1.26/bin/go');

/** `go tool nm` of a binary: text symbols by name (the last of a name listed twice, e.g. an ABI0 and ABIInternal pair). */
function nmText(binary: string): Map<string, number> {
  return new Map([...nmTextAll(binary)].map(([k, v]) => [k, v[v.length - 1]]));
}

/** `go tool nm` of a binary: every text symbol address of each name. */
function nmTextAll(binary: string): Map<string, number[]> {
  const r = spawnSync(NM_GO, ['tool', 'nm', binary], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`go tool nm ${binary}: ${r.stderr}`);
  const out = new Map<string, number[]>();
  for (const line of r.stdout.split('\n')) {
    const m = /^\s*([0-9a-f]+) [Tt] (.+)$/.exec(line);
    if (!m) continue;
    const l = out.get(m[2]) ?? [];
    l.push(Number.parseInt(m[1], 16));
    out.set(m[2], l);
  }
  return out;
}

function open(binary: string): Pclntab {
  const t = Pclntab.open(ElfFile.open(binary), binary);
  if (!t) throw new Error(`${binary}: no .gopclntab`);
  return t;
}

const blocked = (v: string): string => path.join(ROOT, '.cache/fixtures/blocked', `go${v}`, 'blocked');
const blockedFacts = (v: string): { groups: { function: string; stack: string }[] } =>
  JSON.parse(fs.readFileSync(path.join(ROOT, 'fixtures/blocked', `go${v}`, 'facts.json'), 'utf8'));

describe('pclntab: the functab against go tool nm', function () {
  for (const v of GO_VERSIONS) {
    it(`zoo go${v}: every function's entry is its text symbol's address, and lookup by pc finds it`, function () {
      const bin = zooBinary(v);
      const nm = nmTextAll(bin);
      const t = open(bin);
      expect(t.header.magic).to.equal(v === '1.19' ? 0xfffffff0 : 0xfffffff1);
      // Every function's name is a text symbol's, and every text symbol at a function's entry names that function.
      // (nm names an assembly function's ABI0 symbol `name.abi0`; a name may be two functions, an ABI0 wrapper and
      // the function, of which nm lists one.)
      const byEntry = new Map<number, string>();
      const names = new Set<string>();
      let named = 0;
      for (const f of t.functions()) {
        if (nm.has(f.name) || nm.has(`${f.name}.abi0`)) named++;
        byEntry.set(f.entry, f.name);
        names.add(f.name);
      }
      let matched = 0;
      for (const [name, addrs] of nm) {
        for (const a of addrs) {
          const fn = byEntry.get(a);
          if (fn === undefined) continue;
          if (fn.includes('[...]') || fn.startsWith('go:') || !names.has(name.replace(/\.abi0$/, ''))) continue; // markers: runtime.text, go:textfipsstart (empty)
          expect(fn, `0x${a.toString(16)}`).to.equal(name.replace(/\.abi0$/, ''));
          const r = t.funcAt(a + 1);
          expect(r && t.funcName(r), name).to.equal(fn);
          matched++;
        }
      }
      // (The pclntab shortens some generated names: `type..eq.[...]internal/cpu.option`, `type:.eq.runtime.untracedG·4`.)
      expect(named).to.be.at.least(t.functionCount - 10);
      expect(matched).to.be.at.least(t.functionCount - 20);
      expect(matched).to.be.greaterThan(1000);
      expect(t.funcAt(nm.get('main.main')![0] - 1)).to.satisfy((r: unknown) => r === undefined || t.funcName(r as never) !== 'main.main');
    });
  }
});

describe('pclntab: frames and stack objects of the blocked program', function () {
  for (const v of ['1.19', '1.22', '1.26']) {
    it(`go${v}: each blocked function's runtime.Stack frame (name, file:line) is its pc's, inlined calls included`, function () {
      const t = open(blocked(v));
      const nm = nmText(blocked(v));
      for (const g of blockedFacts(v).groups) {
        // runtime.Stack: "fn(args)\n\tfile:line +0xOFF" (no +0x for an inlined call); the first frame is the user's.
        const lines = g.stack.split('\n');
        const fnLine = lines.findIndex((l) => l.startsWith(`${g.function}(`));
        const m = /^\t(.+):(\d+)(?: \+0x([0-9a-f]+))?$/.exec(lines[fnLine + 1])!;
        const inlined = m[3] === undefined;
        // The physical function holding the frame is the caller named on a later line for an inlined call.
        let physical = g.function;
        let pcOff = inlined ? undefined : Number.parseInt(m[3], 16);
        if (inlined) {
          // Go elides the `go` statement's wrapper: find it by name in the symbol table, as the frame's function.
          const wrappers = [...nm.keys()].filter((n) => /^main\.main\.gowrap\d+$/.test(n));
          const found = wrappers.find((w) => {
            const f = t.funcAt(nm.get(w)!)!;
            for (let pc = f.entry; t.funcAt(pc)?.entry === f.entry; pc++) {
              const fr = t.logicalFrames(pc);
              if (fr.length === 2 && fr[0].function === g.function && fr[0].line === Number(m[2])) return true;
            }
            return false;
          });
          expect(found, `a wrapper inlining ${g.function} at line ${m[2]}`).to.be.a('string');
          physical = found!;
          continue;
        }
        const pc = nm.get(physical)! + pcOff! - 1;
        const frames = t.logicalFrames(pc);
        expect(frames[0]).to.deep.equal({ function: g.function, file: m[1], line: Number(m[2]), inlined: false });
      }
    });

    it(`go${v}: stack objects: the send's temporary (one pointer word) and the select's scase array`, function () {
      const t = open(blocked(v));
      const nm = nmText(blocked(v));
      const process = t.stackObjects(t.funcAt(nm.get('main.process')!)!);
      expect(process.map((r) => ({ size: r.size, ptrdata: r.ptrdata, mask: [...r.mask] }))).to.deep.equal([{ size: 8, ptrdata: 8, mask: [1] }]);
      expect(process[0].off).to.be.below(0);
      const sel = t.stackObjects(t.funcAt(nm.get('main.waitSelect')!)!);
      // [2]runtime.scase {c, elem}: 4 pointer words; the offered *RequestState: 1 word; the received []byte: 3 words, 1 pointer.
      const shapes = sel.map((r) => `${r.size}/${r.ptrdata}/${[...r.mask]}`);
      expect(shapes).to.include.members(['32/32/15', '8/8/1', '24/8/1']);
      for (let i = 1; i < sel.length; i++) expect(sel[i].off).to.be.above(sel[i - 1].off);
    });
  }

  it('go1.26: the inlined worker expands to main.worker then the go statement wrapper, as Go prints it', function () {
    const t = open(blocked('1.26'));
    const nm = nmText(blocked('1.26'));
    // The wrapper of `go worker(j, ch)` is the one of main's go statements (main.main.gowrapN) that inlines worker.
    const seen = new Set<string>();
    const wrappers = [...nm.keys()].filter((name) => /^main\.main\.gowrap\d+$/.test(name));
    expect(wrappers).to.have.length.above(1);
    for (const name of wrappers) {
      const wrap = t.funcAt(nm.get(name)!)!;
      expect(t.funcName(wrap)).to.equal(name);
      for (let pc = wrap.entry; t.funcAt(pc)?.entry === wrap.entry; pc++) seen.add(t.logicalFrames(pc).map((f) => `${f.function}${f.inlined ? '(...)' : ''}`).join(' < '));
    }
    const worker = [...seen].filter((s) => s.startsWith('main.worker(...) < '));
    expect(worker).to.have.length(1);
    expect(worker[0]).to.match(/^main\.worker\(\.\.\.\) < main\.main\.gowrap\d+$/);
  });
});

describe('pclntab: damaged tables', function () {
  it('a wrong magic is a PclntabError naming the file, the section and offset 0', function () {
    const src = blocked('1.26');
    const elf = ElfFile.open(src);
    const sec = elf.section('.gopclntab')!;
    const bytes = fs.readFileSync(src);
    bytes.writeUInt32LE(0x12345678, sec.offset);
    const bad = path.join(scratchDir('pclntab-damaged'), 'blocked');
    fs.writeFileSync(bad, bytes);
    let err: unknown;
    try {
      Pclntab.open(ElfFile.open(bad), bad);
    } catch (e) {
      err = e;
    }
    expect(err).to.be.instanceOf(PclntabError);
    expect((err as Error).message).to.equal(`${bad}: .gopclntab: offset 0x0: a pcHeader magic 0xfffffff0 or 0xfffffff1 (found 0x12345678)`);
  });
});
