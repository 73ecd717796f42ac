// Dumps whose records contradict each other, made from a real dump by byte surgery on its Object records (the
// format of shared/docs/go-heapdump-format.md: tag 1, uvarint address, contents as uvarint length + bytes,
// fieldlist of (kind, offset) pairs ending in kind 0): the same object twice, right after itself or far from
// itself, and an object moved 8 bytes onto its neighbour. Each is refused with a HeapDumpError naming the later
// record's offset and both objects, instead of loading and counting bytes twice; the CLI prints it as one line.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HeapDumpError } from '../../lib/dump/index.js';
import { loadHeapGraph, type HeapGraph } from '../../lib/graph/index.js';
import { readUvarint, uvarint } from '../support/dump-bytes.js';
import { naiveDecode } from '../support/naive-decoder.js';
import { GO_VERSIONS, ROOT, scratchDir, zooDump } from '../support/fixtures.js';

const hex = (n: number): string => `0x${n.toString(16)}`;

/** Start and end (exclusive) of object i's record, from its address, size and content offset, checked byte by byte. */
function recordBounds(buf: Buffer, g: HeapGraph, i: number): { start: number; end: number } {
  const a = g.objectAddress[i];
  const size = g.objectSize[i];
  const c = g.objectContentOffset[i];
  const start = c - uvarint(size).length - uvarint(a).length - 1;
  expect(buf[start], `tag of object ${i}`).to.equal(1);
  const addr = readUvarint(buf, start + 1);
  expect(addr.value).to.equal(a);
  const len = readUvarint(buf, addr.next);
  expect([len.value, len.next]).to.deep.equal([size, c]);
  let p = c + size;
  for (;;) {
    const kind = readUvarint(buf, p);
    p = kind.next;
    if (kind.value === 0) break;
    p = readUvarint(buf, p).next;
  }
  return { start, end: p };
}

/** An object in the middle of a run of at least three equal objects laid end to end. */
function middleOfRun(g: HeapGraph, from = 0): number {
  for (let i = Math.max(1, from); i + 1 < g.objectCount; i++) {
    const s = g.objectSize[i];
    if (g.objectAddress[i - 1] + s === g.objectAddress[i] && g.objectSize[i - 1] === s &&
      g.objectAddress[i] + s === g.objectAddress[i + 1] && g.objectSize[i + 1] === s && s >= 16) return i;
  }
  throw new Error('no run of three objects');
}

function expectInconsistent(file: string, offset: number, what: RegExp | string): HeapDumpError {
  try {
    loadHeapGraph(file);
  } catch (e) {
    if (!(e instanceof HeapDumpError)) throw e;
    expect(e.file).to.equal(file);
    expect(e.offset).to.equal(offset);
    if (typeof what === 'string') expect(e.expected).to.equal(what);
    else expect(e.expected).to.match(what);
    expect(e.message).to.equal(`${file}: offset ${offset}: ${e.expected}`);
    return e;
  }
  throw new Error(`${file}: loaded without a word`);
}

describe('dump: records that contradict each other', function () {
  this.timeout(120_000);

  for (const version of ['1.19', '1.26']) {
    describe(`go${version}`, () => {
      const source = zooDump(version);
      const original = fs.readFileSync(source);
      const g = loadHeapGraph(source);
      let dir: string;
      before(() => {
        dir = scratchDir(`inconsistent-${version}`);
      });

      it('an Object record repeated right after itself: "already recorded", at the copy\'s offset', () => {
        const i = middleOfRun(g, g.objectCount >> 1);
        const { start, end } = recordBounds(original, g, i);
        const file = path.join(dir, 'twice-adjacent.dump');
        fs.writeFileSync(file, Buffer.concat([original.subarray(0, end), original.subarray(start, end), original.subarray(end)]));
        // The naive reader sees one more object of the same address: the file is well-formed record by record.
        const naive = naiveDecode(file);
        expect(naive.objectCount).to.equal(g.objectCount + 1);
        const c = g.objectContentOffset[i];
        expectInconsistent(file, c + (end - start),
          `an object not recorded before: ${hex(g.objectAddress[i])} (${g.objectSize[i]} bytes) was already recorded at offset ${c}`);
      });

      it('an Object record repeated after the last object (another span\'s place): the same error', () => {
        const i = middleOfRun(g, 10);
        const { start, end } = recordBounds(original, g, i);
        const last = recordBounds(original, g, g.objectCount - 1);
        expect(Math.abs(g.objectAddress[g.objectCount - 1] - g.objectAddress[i])).to.be.above(8192);
        const file = path.join(dir, 'twice-far.dump');
        fs.writeFileSync(file, Buffer.concat([original.subarray(0, last.end), original.subarray(start, end), original.subarray(last.end)]));
        const c = g.objectContentOffset[i];
        expectInconsistent(file, last.end + (c - start),
          `an object not recorded before: ${hex(g.objectAddress[i])} (${g.objectSize[i]} bytes) was already recorded at offset ${c}`);
      });

      it('an object moved 8 bytes onto its neighbour: "overlaps", at the neighbour\'s offset', () => {
        // An object whose address's lowest 7-bit group has room for +8: the uvarint keeps its length.
        let i = middleOfRun(g, 1);
        while ((g.objectAddress[i] % 128) + 8 >= 128) i = middleOfRun(g, i + 1);
        const { start } = recordBounds(original, g, i);
        const b = Buffer.from(original);
        b[start + 1] += 8;
        const file = path.join(dir, 'overlap.dump');
        fs.writeFileSync(file, b);
        const s = g.objectSize[i];
        expectInconsistent(file, g.objectContentOffset[i + 1],
          `an object clear of the others: ${hex(g.objectAddress[i + 1])} (${s} bytes) overlaps ${hex(g.objectAddress[i] + 8)} ` +
          `(${s} bytes) recorded at offset ${g.objectContentOffset[i]}`);
      });
    });
  }

  it('an object outside the heap arenas Params gives: refused at its record, naming the bounds', () => {
    const source = zooDump('1.26');
    const original = fs.readFileSync(source);
    const g = loadHeapGraph(source);
    const { heapStart, heapEnd } = g.params;
    // Move the last object 64 MiB up, past heapEnd, keeping its address uvarint's length: an address of the same
    // number of 7-bit groups, so every later offset stays put.
    const i = g.objectCount - 1;
    const { start } = recordBounds(original, g, i);
    const moved = g.objectAddress[i] + 2 ** 26;
    expect(moved + g.objectSize[i]).to.be.above(heapEnd);
    expect(uvarint(moved).length).to.equal(uvarint(g.objectAddress[i]).length);
    const b = Buffer.concat([original.subarray(0, start + 1), Buffer.from(uvarint(moved)),
      original.subarray(start + 1 + uvarint(moved).length)]);
    const file = path.join(scratchDir('inconsistent-outside'), 'outside.dump');
    fs.writeFileSync(file, b);
    expectInconsistent(file, start + 1, `an object inside the heap [${hex(heapStart)}, ${hex(heapEnd)}) of the Params record, ` +
      `found ${hex(moved)} (${g.objectSize[i]} bytes)`);
  });

  it('every fixture dump (every program, Go version and architecture) loads: real dumps never contradict themselves', () => {
    const dumps = (fs.readdirSync(path.join(ROOT, '.cache/fixtures'), { recursive: true }) as string[])
      .filter((f) => f.endsWith('.dump')).map((f) => path.join(ROOT, '.cache/fixtures', f));
    expect(dumps).to.include.members(GO_VERSIONS.map((v) => zooDump(v)));
    for (const d of dumps) expect(loadHeapGraph(d).objectCount, d).to.be.above(100);
  });

  it('the CLI prints the contradiction as one line with exit status 1', () => {
    const source = zooDump('1.26');
    const original = fs.readFileSync(source);
    const g = loadHeapGraph(source);
    const i = middleOfRun(g, g.objectCount >> 1);
    const { start, end } = recordBounds(original, g, i);
    const dir = scratchDir('inconsistent-cli');
    const file = path.join(dir, 'twice.dump');
    fs.writeFileSync(file, Buffer.concat([original.subarray(0, end), original.subarray(start, end), original.subarray(end)]));
    for (const cmd of ['info', 'types', 'roots']) {
      const r = spawnSync(process.execPath, [path.join(ROOT, 'dist/cli/goheap.js'), cmd, file, '--no-cache'], { encoding: 'utf8' });
      expect(r.status, r.stderr).to.equal(1);
      expect(r.stdout).to.equal('');
      expect(r.stderr).to.equal(`goheap: ${file}: offset ${g.objectContentOffset[i] + (end - start)}: an object not recorded before: ` +
        `${hex(g.objectAddress[i])} (${g.objectSize[i]} bytes) was already recorded at offset ${g.objectContentOffset[i]}\n`);
    }
  });
});
