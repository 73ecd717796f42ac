// Damaged input: every truncation and byte flip of a real dump ends in either a correct result or a HeapDumpError
// naming the offset, never another exception or a hang; wrong headers, unknown tags and impossible lengths get
// their own clear errors; old go1.6 format dumps decode.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeHeapDump, DumpFileError, DumpVisitor, HeapDumpError } from '../../lib/dump/index.js';
import { loadHeapGraph } from '../../lib/graph/index.js';
import { paramsLayout, uvarint } from '../support/dump-bytes.js';
import { scratchDir, zooDump } from '../support/fixtures.js';

/** A deterministic PRNG (mulberry32) so failures can be replayed. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function expectDumpError(file: string, fn: () => unknown, maxOffset: number): HeapDumpError {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof HeapDumpError)) throw new Error(`${file}: expected a HeapDumpError, got ${(e as Error).stack}`);
    expect(e.offset).to.be.at.least(0);
    expect(e.offset).to.be.at.most(maxOffset);
    expect(e.message).to.match(/: offset \d+: \S/);
    expect(e.message).to.not.include('\n');
    return e;
  }
  throw new Error(`${file}: expected a HeapDumpError, but it loaded`);
}

describe('dump: damaged input', function () {
  this.timeout(180_000); // a thousand loads of a damaged fixture
  const source = zooDump('1.19', 'heap1');
  const original = fs.readFileSync(source);
  let dir: string;
  before(() => {
    dir = scratchDir('bad-input');
  });

  it('rejects the dump cut short at 600 offsets, naming an offset inside the cut file', function () {
    const rand = prng(1);
    const cuts = new Set<number>();
    for (let i = 0; i <= 80; i++) cuts.add(i);
    for (let i = 1; i <= 40; i++) cuts.add(original.length - i);
    while (cuts.size < 600) cuts.add(Math.floor(rand() * original.length));
    const file = path.join(dir, 'cut.dump');
    for (const cut of cuts) {
      fs.writeFileSync(file, original.subarray(0, cut));
      const e = expectDumpError(`cut at ${cut}`, () => loadHeapGraph(file, { windowBytes: 4096 }), cut);
      if (cut > 16) expect(e.expected, `cut at ${cut}`).to.match(/end of file|runs past the end|cut short/);
    }
  });

  it('survives 400 single-byte corruptions: a correct result or a HeapDumpError, nothing else', function () {
    const rand = prng(2);
    const file = path.join(dir, 'flip.dump');
    let loaded = 0;
    let rejected = 0;
    for (let i = 0; i < 400; i++) {
      const b = Buffer.from(original);
      const at = i < 50 ? 16 + i : Math.floor(rand() * b.length);
      b[at] ^= 1 + Math.floor(rand() * 255);
      fs.writeFileSync(file, b);
      try {
        const g = loadHeapGraph(file);
        const s = g.stats();
        expect(s.objects).to.equal(s.reachableObjects + s.unreachableObjects);
        loaded++;
      } catch (e) {
        if (!(e instanceof HeapDumpError)) throw new Error(`flip at ${at}: expected a HeapDumpError, got ${(e as Error).stack}`);
        expect(e.message).to.match(/: offset \d+: \S/);
        rejected++;
      }
    }
    expect(loaded + rejected).to.equal(400);
    expect(rejected).to.be.greaterThan(0);
  });

  it('survives garbage: random bytes after a valid header and Params', function () {
    const rand = prng(3);
    const { end } = paramsLayout(original);
    const file = path.join(dir, 'garbage.dump');
    for (let i = 0; i < 100; i++) {
      const junk = Buffer.alloc(1 + Math.floor(rand() * 5000));
      for (let k = 0; k < junk.length; k++) junk[k] = Math.floor(rand() * 256);
      fs.writeFileSync(file, Buffer.concat([original.subarray(0, end), junk]));
      expectDumpError(`garbage ${i}`, () => loadHeapGraph(file), end + junk.length);
    }
  });

  it('names an unknown tag and where it is', function () {
    const { end } = paramsLayout(original);
    const b = Buffer.from(original);
    b[end] = 42;
    const file = path.join(dir, 'tag.dump');
    fs.writeFileSync(file, b);
    const e = expectDumpError('tag 42', () => loadHeapGraph(file), end);
    expect(e.offset).to.equal(end);
    expect(e.expected).to.equal('a record tag (0-17), found 42');
  });

  it('rejects an impossible object length', function () {
    const { end } = paramsLayout(original);
    const rec = Buffer.from([1, ...uvarint(0xc000010000), ...uvarint(2 ** 40), 0, 0]);
    const file = path.join(dir, 'length.dump');
    fs.writeFileSync(file, Buffer.concat([original.subarray(0, end), rec, Buffer.from([0])]));
    const e = expectDumpError('length', () => loadHeapGraph(file), end + rec.length);
    expect(e.offset).to.equal(end + 1 + uvarint(0xc000010000).length);
    expect(e.expected).to.match(/length 1099511627776 runs past the end of the file/);
  });

  it('rejects data after the EOF record', function () {
    const file = path.join(dir, 'trailing.dump');
    fs.writeFileSync(file, Buffer.concat([original, Buffer.from('xyz')]));
    const e = expectDumpError('trailing', () => loadHeapGraph(file), original.length);
    expect(e.offset).to.equal(original.length);
  });

  it('rejects other files with the header it expected', function () {
    const cases: [string, Buffer, RegExp][] = [
      ['empty.dump', Buffer.alloc(0), /found an empty file/],
      ['text.dump', Buffer.from('hello, this is not a heap dump at all\n'), /16-byte header "go1.7 heap dump\\n" of a Go heap dump/],
      ['short.dump', Buffer.from('go1.7 heap'), /found end of file after 10 bytes/],
      ['go13.dump', Buffer.from('go1.3 heap dump\n\x00'), /unsupported dump version go1\.3/],
      ['go14.dump', Buffer.concat([Buffer.from('go1.4 heap dump\n'), original.subarray(16)]), /unsupported dump version go1\.4/],
      ['elf.dump', fs.readFileSync(zooDump('1.19', 'heap1').replace('heap1.dump', 'zoo')).subarray(0, 4096), /found an ELF executable \(are DUMP and BINARY swapped\?\)/],
    ];
    for (const [name, bytes, re] of cases) {
      const file = path.join(dir, name);
      fs.writeFileSync(file, bytes);
      const e = expectDumpError(name, () => loadHeapGraph(file), 16);
      expect(e.offset, name).to.equal(0);
      expect(e.expected, name).to.match(re);
    }
  });

  it('reports a missing file or a directory as a DumpFileError', function () {
    expect(() => loadHeapGraph(path.join(dir, 'nope.dump'))).to.throw(DumpFileError, /no such file/);
    expect(() => loadHeapGraph(dir)).to.throw(DumpFileError, /not a regular file/);
  });
});

describe('dump: older formats and read windows', function () {
  it('decodes a go1.6-format dump (GOARCH as an architecture character)', function () {
    const original = fs.readFileSync(zooDump('1.19', 'heap1'));
    const { archAt, archEnd, arch } = paramsLayout(original);
    expect(arch).to.equal('amd64');
    const rewritten = Buffer.concat([
      Buffer.from('go1.6 heap dump\n'), original.subarray(16, archAt), Buffer.from(uvarint('6'.charCodeAt(0))),
      original.subarray(archEnd),
    ]);
    const file = path.join(scratchDir('go16'), 'go16.dump');
    fs.writeFileSync(file, rewritten);
    const a = loadHeapGraph(file).stats();
    const b = loadHeapGraph(zooDump('1.19', 'heap1')).stats();
    expect(a.format).to.equal('go1.6 heap dump');
    expect(a.arch).to.equal('amd64');
    expect(a.objects).to.equal(b.objects);
    expect(a.edges).to.equal(b.edges);
    expect(a.reachableBytes).to.equal(b.reachableBytes);
  });

  it('gives the same graph whatever the read window size (records split across reads)', function () {
    const file = zooDump('1.26', 'heap1');
    const ref = loadHeapGraph(file);
    for (const windowBytes of [61, 1000, 4096, 65536]) {
      const g = loadHeapGraph(file, { windowBytes });
      expect(g.stats(), `window ${windowBytes}`).to.deep.equal(ref.stats());
      expect(Buffer.from(g.edgeTarget.buffer, g.edgeTarget.byteOffset, g.edgeTarget.byteLength)
        .equals(Buffer.from(ref.edgeTarget.buffer, ref.edgeTarget.byteOffset, ref.edgeTarget.byteLength))).to.equal(true);
      expect(Array.from(g.objectContentOffset.subarray(0, 500))).to.deep.equal(Array.from(ref.objectContentOffset.subarray(0, 500)));
    }
  });

  it('streams: the visitor sees objects in file order with their content offsets', function () {
    const file = zooDump('1.22', 'heap1');
    const bytes = fs.readFileSync(file);
    let last = 0;
    let objects = 0;
    const visitor = new Proxy({}, {
      get: (_t, name) => name === 'object'
        ? (address: number, size: number, contentOffset: number) => {
          expect(contentOffset).to.be.greaterThan(last);
          expect(contentOffset + size).to.be.at.most(bytes.length);
          last = contentOffset;
          objects++;
        }
        : name === 'progress' ? undefined : () => undefined,
    }) as DumpVisitor;
    const r = decodeHeapDump(file, visitor, { windowBytes: 4096 });
    expect(objects).to.equal(r.recordCounts[1]);
    expect(r.endOffset).to.equal(bytes.length);
  });
});
