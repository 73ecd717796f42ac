// Composite locations (DW_OP_piece): Go describes a slice, string or interface variable split between stack slots,
// registers and nothing (optimized out) as pieces. Every location list entry with pieces of the variables of
// main.main and main.(*Job).run (fixtures/blocked and fixtures/spread, DWARF 4 .debug_loc on Go 1.19/1.22, DWARF 5
// .debug_loclists on 1.26) is compared with llvm-dwarfdump's, and the frame variables of a real dump place the pointer
// piece of `scratch` where the goroutine's stack holds its buffer's address (and its length and capacity, where a
// piece in the frame holds them, equal to the program's scratch size).
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadGoProgram, type GoVariable } from '../../lib/gotypes/index.js';
import { loadHeapGraph } from '../../lib/graph/index.js';
import { decodeSimpleLocation, type SimpleLocation } from '../../lib/dwarf/index.js';
import { frameVariables, variableAddress } from '../../lib/typing/index.js';
import { ROOT } from '../support/fixtures.js';
import { spreadFacts } from '../support/spread.js';
import { run } from '../elf/fixtures.js';

/** llvm-dwarfdump's location list entries with pieces of function `fn`'s named variables: "name [lo, hi): ops". */
function dumpedPieces(file: string, fn: string): string[] {
  const out: string[] = [];
  let name: string | undefined;
  for (const line of run('llvm-dwarfdump', [`--name=${fn}`, '-c', file]).split('\n')) {
    if (/^0x[0-9a-f]+:\s+(DW_TAG_\w+|NULL)/.test(line)) name = undefined;
    const n = /^\s+DW_AT_name\t\("(.*)"\)$/.exec(line);
    if (n) name = n[1];
    const e = /^\s+\[0x([0-9a-f]+), 0x([0-9a-f]+)\): (.*DW_OP_piece.*?)\)?$/.exec(line);
    if (e && name !== undefined) out.push(`${name} [${parseInt(e[1], 16)}, ${parseInt(e[2], 16)}): ${e[3]}`);
  }
  return out.sort();
}

const REGS = ['RAX', 'RDX', 'RCX', 'RBX', 'RSI', 'RDI', 'RBP', 'RSP', 'R8', 'R9', 'R10', 'R11', 'R12', 'R13', 'R14', 'R15'];

/** A decoded location in llvm-dwarfdump's spelling. */
function spell(loc: SimpleLocation): string {
  if (loc.kind !== 'pieces') return `(${loc.kind})`;
  return loc.pieces.map((p) => {
    const at = p.location === undefined ? ''
      : p.location.kind === 'frame' ? `DW_OP_fbreg ${p.location.offset}, `
        : p.location.kind === 'reg' ? `DW_OP_reg${p.location.reg} ${REGS[p.location.reg] ?? ''}, ` : `(${p.location.kind}), `;
    return `${at}DW_OP_piece 0x${p.size.toString(16)}`;
  }).join(', ');
}

function ourPieces(vars: readonly GoVariable[]): string[] {
  const out: string[] = [];
  for (const v of vars) {
    for (const e of v.locationList ?? []) if (e.location.kind === 'pieces') out.push(`${v.name} [${e.low}, ${e.high}): ${spell(e.location)}`);
  }
  return out;
}

describe('dwarf: composite locations (DW_OP_piece) against llvm-dwarfdump', function () {
  for (const v of ['1.19', '1.22', '1.26']) {
    for (const [fixture, fns] of [['blocked', ['main.main']], ['spread', ['main.main', 'main.(*Job).run']]] as const) {
      it(`go${v} ${fixture}: every entry with pieces of ${fns.join(', ')} decodes as llvm-dwarfdump prints it`, function () {
        const bin = path.join(ROOT, '.cache/fixtures', fixture, `go${v}`, fixture);
        if (!fs.existsSync(bin)) throw new Error(`${bin}: fixtures are not unpacked; run 'make unpack'`);
        const program = loadGoProgram(bin);
        try {
          for (const fn of fns) {
            const f = program.functionByName(fn)!;
            const ours = ourPieces([...f.params, ...f.locals]).sort();
            const theirs = dumpedPieces(bin, fn);
            expect(theirs.length, fn).to.be.above(0);
            expect(ours, fn).to.deep.equal(theirs);
          }
        } finally {
          program.close();
        }
      });
    }
  }

  it('a piece that is not one of the simple forms leaves the whole expression raw', function () {
    // DW_OP_lit1 DW_OP_stack_value DW_OP_piece 8: a value, not a location.
    const expr = Uint8Array.of(0x31, 0x9f, 0x93, 0x08);
    expect(decodeSimpleLocation(expr).kind).to.equal('expr');
    // DW_OP_fbreg -48 DW_OP_piece 8 DW_OP_piece 8 DW_OP_reg0: trailing bytes after the last piece.
    expect(decodeSimpleLocation(Uint8Array.of(0x91, 0x50, 0x93, 0x08, 0x93, 0x08, 0x50)).kind).to.equal('expr');
  });

  it('go1.19 inlinesites: a slice whose pieces add up to more than it has (32 of 24 bytes) is placed nowhere', function () {
    const dir = path.join(ROOT, '.cache/fixtures/inlinesites/go1.19');
    const graph = loadHeapGraph(path.join(dir, 'heap1.dump'));
    const program = loadGoProgram(path.join(dir, 'inlinesites'));
    try {
      const found = program.functionByName('main.main')!.locals.find((x) => x.name === 'found')!;
      const sums = (found.locationList ?? []).filter((e) => e.location.kind === 'pieces')
        .map((e) => (e.location.kind === 'pieces' ? e.location.pieces.reduce((n, p) => n + p.size, 0) : 0));
      expect(sums.length).to.be.above(0);
      expect(sums.every((n) => n === 32)).to.equal(true);
      const fr = graph.frames;
      let frames = 0;
      for (let f = 0; f < fr.count; f++) {
        if (fr.functionNames[fr.functionId[f]] !== 'main.main') continue;
        frames++;
        expect(frameVariables(program, graph, f).map((x) => x.name)).to.not.include('found');
      }
      expect(frames).to.equal(1);
    } finally {
      graph.close();
      program.close();
    }
  });

  for (const v of ['1.19', '1.22', '1.26']) {
    it(`go${v} spread: each (*Job).run frame's \`scratch\` has its pointer piece in the frame, on the slot the dump lists`, function () {
      const dir = path.join(ROOT, '.cache/fixtures/spread', `go${v}`);
      const facts = spreadFacts(v);
      const graph = loadHeapGraph(path.join(dir, 'heap1.dump'));
      const program = loadGoProgram(path.join(dir, 'spread'));
      try {
        const fr = graph.frames;
        const slots = new Set<number>();
        for (let r = 0; r < graph.roots.count; r++) slots.add(graph.roots.slotAddress[r]);
        let frames = 0;
        let placed = 0;
        for (let f = 0; f < fr.count; f++) {
          if (fr.functionNames[fr.functionId[f]] !== 'main.(*Job).run') continue;
          frames++;
          const scratch = frameVariables(program, graph, f).find((x) => x.name === 'scratch')!;
          expect(scratch.type.name).to.equal('[]uint8');
          const ptr = variableAddress(scratch, 0, graph.params.ptrSize);
          expect(ptr).to.not.equal(undefined);
          expect(slots.has(ptr!)).to.equal(true);
          // The length and capacity, where a piece in the frame holds them (Go 1.26 keeps no capacity), are the
          // program's scratch size; the 1.26 binary describes the capacity in no piece.
          const p = graph.params.ptrSize;
          const content = graph.frameContent(f);
          const view = new DataView(content.buffer, content.byteOffset, content.byteLength);
          for (const k of [1, 2]) {
            const a = variableAddress(scratch, k * p, p);
            if (a === undefined) continue;
            placed++;
            const at = a - fr.sp[f];
            expect(at >= 0 && at + p <= content.byteLength, 'in the frame').to.equal(true);
            expect(Number(view.getBigUint64(at, true))).to.equal(facts.sizes.Scratch);
          }
          if (v === '1.26') expect(variableAddress(scratch, 2 * p, p)).to.equal(undefined);
        }
        expect(frames).to.be.above(0);
        expect(placed).to.be.above(0);
      } finally {
        graph.close();
        program.close();
      }
    });
  }
});
