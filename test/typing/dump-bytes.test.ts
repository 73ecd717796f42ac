// DumpBytes against a whole-file read (Buffer.readBigUInt64LE / readUInt32BE as the oracle), with caches far smaller
// than the file so that pages are evicted and their buffers reused; and recoverTypes with such a cache gives the
// same typing of every object as with the default cache.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { loadHeapGraph } from '../../lib/graph/index.js';
import { loadGoProgram } from '../../lib/gotypes/index.js';
import { DumpBytes, recoverTypes } from '../../lib/typing/index.js';
import { zooBinary, zooDump } from '../support/fixtures.js';

describe('typing: DumpBytes page cache', function () {
  this.timeout(120000);
  const path = zooDump('1.26', 'heap2');
  const whole = readFileSync(path);

  /** Deterministic pseudo-random offsets (xorshift), spread over the whole file. */
  function offsets(count: number, limit: number): number[] {
    let x = 0x9e3779b9;
    const out: number[] = [];
    for (let k = 0; k < count; k++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      out.push((x >>> 0) % limit);
    }
    return out;
  }

  for (const budget of [0, 256 * 1024, 64 * 1024 * 1024]) {
    it(`words, bytes and windows equal a whole-file read (budget ${budget} bytes)`, function () {
      const b = new DumpBytes(path, 8, true, budget);
      try {
        // Sequential sweeps, then scattered reads (pages evicted and re-read), then sweeps again.
        for (let at = 0; at + 8 <= whole.length; at += 4093) expect(b.word(at)).to.equal(Number(whole.readBigUInt64LE(at)));
        for (const at of offsets(20000, whole.length - 8)) expect(b.word(at), `word at ${at}`).to.equal(Number(whole.readBigUInt64LE(at)));
        for (const at of offsets(2000, whole.length - 100)) {
          expect(Buffer.from(b.bytes(at, 100)).equals(whole.subarray(at, at + 100))).to.equal(true);
          expect(b.byte(at)).to.equal(whole[at]);
        }
        // Windows inside a page (the page's view) and across pages (a copy), up to several pages long.
        for (const at of offsets(300, whole.length - 200000)) {
          const length = 1 + (at % 3 === 0 ? at % 200000 : at % 300);
          const o = b.window(at, length);
          for (let k = 0; k < length; k += 97) expect(b.win.getUint8(o + k), `window ${at}+${length} byte ${k}`).to.equal(whole[at + k]);
          expect(b.win.getUint8(o + length - 1)).to.equal(whole[at + length - 1]);
          // All of [winStart, winEnd) is readable in win, not only the bytes asked for.
          expect(b.winStart).to.be.at.most(at);
          expect(b.winEnd).to.be.at.least(at + length);
          for (let a = b.winStart; a < Math.min(b.winEnd, whole.length); a += 1009) expect(b.win.getUint8(a - b.winStart)).to.equal(whole[a]);
        }
        // A word that straddles a page boundary (pages are 64 KiB).
        for (let at = 65536 - 7; at + 8 <= whole.length; at += 65536) expect(b.word(at)).to.equal(Number(whole.readBigUInt64LE(at)));
        // Reading a page that evicts another empties the window (its buffer may be reused).
        if (budget === 0) {
          b.window(0, 8);
          for (let at = 65536; at < 6 * 65536; at += 65536) b.word(at);
          expect(b.winEnd).to.equal(b.winStart);
        }
        // Past the end of the file: zero bytes.
        expect(b.byte(whole.length + 3)).to.equal(0);
        expect(b.pageReads).to.be.greaterThan(0);
      } finally {
        b.close();
      }
    });
  }

  it('fieldlists of every object (after its contents) equal a plain uvarint decode, with a 4-page cache', function () {
    const graph = loadHeapGraph(path);
    const b = new DumpBytes(path, 8, true, 0);
    try {
      const out = { offsets: new Uint32Array(1) };
      let slots = 0;
      for (let i = 0; i < graph.objectCount; i++) {
        let at = graph.objectContentOffset[i] + graph.objectSize[i];
        const n = b.fieldList(at, out);
        // Oracle: (kind, offset) uvarint pairs until kind 0.
        const want: number[] = [];
        for (;;) {
          const kind = whole[at++];
          expect(kind).to.be.below(0x80);
          if (kind === 0) break;
          let v = 0;
          let mul = 1;
          for (;;) {
            const x = whole[at++];
            v += (x & 0x7f) * mul;
            mul *= 128;
            if (x < 0x80) break;
          }
          want.push(v);
        }
        expect(Array.from(out.offsets.subarray(0, n)), `object ${i}`).to.deep.equal(want);
        slots += n;
      }
      expect(slots).to.be.greaterThan(1000);
    } finally {
      b.close();
      graph.close();
    }
  });

  it('big-endian 4-byte words', function () {
    const b = new DumpBytes(path, 4, false, 0);
    try {
      for (const at of offsets(5000, whole.length - 4)) expect(b.word(at)).to.equal(whole.readUInt32BE(at));
    } finally {
      b.close();
    }
  });

  it('recoverTypes with a 4-page cache types every object as with the default cache', function () {
    for (const version of ['1.21', '1.26']) {
      const graph = loadHeapGraph(zooDump(version, 'heap2'));
      const program = loadGoProgram(zooBinary(version));
      try {
        const a = recoverTypes(graph, program);
        const b = recoverTypes(graph, program, { pageBudgetBytes: 0 });
        expect(b.typedObjects).to.equal(a.typedObjects);
        expect(b.typedBytes).to.equal(a.typedBytes);
        for (let i = 0; i < graph.objectCount; i++) {
          if (a.typeNames[a.objectType[i]] !== b.typeNames[b.objectType[i]]) expect.fail(`object ${i}: ${a.objectTypeName(i)} vs ${b.objectTypeName(i)}`);
        }
      } finally {
        graph.close();
        program.close();
      }
    }
  });
});
