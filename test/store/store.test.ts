// The persisted index: written on first open, read back identically, rebuilt when stale or damaged, skipped with
// noCache, kept in the cache folder and never beside the dump.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HeapSession } from '../../lib/session/index.js';
import {
  defaultCacheDir, indexPaths, openIndexFile, readIndexFile, sourceIdentity, writeIndexFile, IndexFileError,
} from '../../lib/store/index.js';
import { scratchDir, zooBinary, zooDump } from '../support/fixtures.js';

function sameArrays(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return false;
  return true;
}

describe('store: persisted index', function () {
  const version = '1.26';

  it('index files round-trip typed arrays and JSON, and reject every damaged byte range', function () {
    const dir = scratchDir('store-format');
    const file = path.join(dir, 'x.idx');
    const arrays = { a: Float64Array.of(1.5, -2, 2 ** 52), b: Uint32Array.of(7, 0xffffffff), c: Uint8Array.of(1, 2, 3), d: Int32Array.of(-1) };
    writeIndexFile(file, { hello: 'world', n: [1, 2] }, arrays);
    const back = readIndexFile(file);
    expect(back.meta).to.deep.equal({ hello: 'world', n: [1, 2] });
    for (const [k, v] of Object.entries(arrays)) {
      expect(back.arrays[k].constructor).to.equal(v.constructor);
      expect(Array.from(back.arrays[k])).to.deep.equal(Array.from(v));
    }
    const good = fs.readFileSync(file);
    // Flip one byte at a time, at every offset: each damaged copy is refused, none crashes.
    for (let off = 0; off < good.length; off++) {
      const bad = Buffer.from(good);
      bad[off] ^= 0x5a;
      fs.writeFileSync(file, bad);
      expect(() => readIndexFile(file), `offset ${off}`).to.throw(IndexFileError);
    }
    fs.writeFileSync(file, good.subarray(0, good.length - 3));
    expect(() => readIndexFile(file)).to.throw(IndexFileError);
    expect(() => readIndexFile(path.join(dir, 'missing.idx'))).to.throw(IndexFileError);
  });

  it('an array written from a source, a chunk at a time, makes the very file the array itself makes', function () {
    const dir = scratchDir('store-sources');
    // Long enough for several chunks of the source (1 MiB) and many blocks, with a short last block; and short ones.
    const long = new Uint32Array(((3 << 20) + 4100) / 4).map((_, i) => Math.imul(i, 2654435761) >>> 0);
    const arrays = { small: Float64Array.of(1.5, -2), long, empty: new Uint8Array(0), tail: Int32Array.of(-7, 9) };
    const asSource = <T extends Float64Array | Uint32Array | Uint8Array | Int32Array>(a: T) => {
      const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
      const reads: number[] = [];
      return {
        reads,
        source: {
          type: a.constructor.name as 'Float64Array' | 'Uint32Array' | 'Uint8Array' | 'Int32Array', length: a.length,
          read(into: Uint8Array, at: number): void {
            reads.push(into.length);
            into.set(bytes.subarray(at, at + into.length));
          },
        },
      };
    };
    for (const blockBytes of [16 << 10, 8, 4096 + 8]) {
      writeIndexFile(path.join(dir, 'arrays.idx'), { m: 1 }, arrays, blockBytes);
      const sources = Object.fromEntries(Object.entries(arrays).map(([k, a]) => [k, asSource(a)]));
      writeIndexFile(path.join(dir, 'sources.idx'), { m: 1 }, Object.fromEntries(Object.entries(sources).map(([k, x]) => [k, x.source])), blockBytes);
      expect(fs.readFileSync(path.join(dir, 'sources.idx')).equals(fs.readFileSync(path.join(dir, 'arrays.idx'))), `block ${blockBytes}`).to.equal(true);
      // Never read whole: at most a MiB (rounded to whole blocks) at a time, each byte twice (checksums, then writing).
      expect(Math.max(...sources.long.reads)).to.be.at.most((1 << 20) + blockBytes);
      expect(sources.long.reads.reduce((x, y) => x + y, 0)).to.equal(2 * long.byteLength);
      expect(Array.from(readIndexFile(path.join(dir, 'sources.idx')).arrays.long)).to.deep.equal(Array.from(long));
    }
  });

  it('openIndexFile reads each array on first use, checks it then, and removes a damaged file', function () {
    const dir = scratchDir('store-sections');
    const file = path.join(dir, 'x.idx');
    const arrays = { a: Float64Array.of(1.5, -2, 2 ** 52), b: Uint32Array.of(7, 0xffffffff, 3), c: Uint8Array.of(1, 2, 3) };
    writeIndexFile(file, { hello: 'world' }, arrays);
    const s = openIndexFile(file, 0);
    expect(s.meta).to.deep.equal({ hello: 'world' });
    expect(s.names()).to.deep.equal(['a', 'b', 'c']);
    expect(s.length('b')).to.equal(3);
    expect(s.loaded('b')).to.equal(false);
    expect(Array.from(s.get('b'))).to.deep.equal([7, 0xffffffff, 3]);
    expect(s.loaded('b')).to.equal(true);
    expect(s.loaded('a')).to.equal(false);
    expect(Array.from(s.record().c)).to.deep.equal([1, 2, 3]);
    expect(() => s.get('none')).to.throw(IndexFileError);
    // A byte of array a damaged after the open: found when a is read, and the file is removed for the next open.
    const good = fs.readFileSync(file);
    const at = good.length - 8 * 3 - 8 - 8 - 1; // inside a (a, then b padded to 16 bytes, then c padded to 8)
    const bad = Buffer.from(good);
    bad[at] ^= 0x5a;
    fs.writeFileSync(file, bad);
    const t = openIndexFile(file, 0);
    expect(Array.from(t.get('c'))).to.deep.equal([1, 2, 3]);
    expect(() => t.get('a')).to.throw(IndexFileError, /array a matching its checksum/);
    expect(fs.existsSync(file)).to.equal(false);
    // A file replaced after the open is not read as the one opened.
    writeIndexFile(file, { hello: 'world' }, arrays);
    const u = openIndexFile(file, 0);
    writeIndexFile(file, { hello: 'again' }, arrays);
    expect(() => u.get('a')).to.throw(IndexFileError, /unchanged since it was opened/);
    // Damage to the header or the layout is found by the open itself.
    for (const off of [9, 30]) {
      const b2 = Buffer.from(good);
      b2[off] ^= 0x5a;
      fs.writeFileSync(file, b2);
      expect(() => openIndexFile(file, 0), `offset ${off}`).to.throw(IndexFileError);
    }
    fs.writeFileSync(file, good.subarray(0, good.length - 3));
    expect(() => openIndexFile(file, 0)).to.throw(IndexFileError);
  });

  it('an array this process wrote and still holds is taken as it is, only when its type and length are the file\'s', function () {
    const dir = scratchDir('store-adopt');
    const file = path.join(dir, 'x.idx');
    const arrays = { a: Float64Array.of(1.5, -2), b: Uint32Array.of(7, 8, 9) };
    writeIndexFile(file, {}, arrays);
    const s = openIndexFile(file, 0);
    expect(s.adopt('b', Uint32Array.of(7, 8))).to.equal(false); // another length
    expect(s.adopt('b', Int32Array.of(7, 8, 9))).to.equal(false); // another type
    expect(s.adopt('none', Uint32Array.of(1))).to.equal(false);
    expect(s.loaded('b')).to.equal(false);
    expect(s.adopt('a', arrays.a)).to.equal(true);
    expect(s.loaded('a')).to.equal(true);
    expect(s.get('a')).to.equal(arrays.a); // the very array: nothing read
    expect(s.get('b')).to.not.equal(arrays.b);
    expect(Array.from(s.get('b'))).to.deep.equal([7, 8, 9]);
    // Let go, it is read from the file like any other.
    s.release('a');
    expect(s.get('a')).to.not.equal(arrays.a);
    expect(Array.from(s.get('a'))).to.deep.equal([1.5, -2]);
  });

  it('a long array is checked block by block: every damaged byte is refused, and a column reads the blocks it needs', function () {
    const dir = scratchDir('store-blocks');
    const file = path.join(dir, 'x.idx');
    // Blocks of 16 bytes: a (5 Float64: 3 blocks), b (9 Uint32: 3 blocks), c (one block: checked whole).
    const arrays = { a: Float64Array.of(1.5, -2, 2 ** 52, 4, 5), b: Uint32Array.from({ length: 9 }, (_, k) => 100 + k), c: Uint8Array.of(1, 2, 3) };
    writeIndexFile(file, { hello: 'blocks' }, arrays, 16);
    const back = readIndexFile(file);
    expect(Object.keys(back.arrays)).to.deep.equal(['a', 'b', 'c']);
    expect(Array.from(back.arrays.b)).to.deep.equal(Array.from(arrays.b));
    const good = fs.readFileSync(file);
    for (let off = 0; off < good.length; off++) {
      const bad = Buffer.from(good);
      bad[off] ^= 0x5a;
      fs.writeFileSync(file, bad);
      expect(() => readIndexFile(file), `offset ${off}`).to.throw(IndexFileError);
    }
    fs.writeFileSync(file, good);
    const s = openIndexFile(file, 0);
    expect(s.names()).to.deep.equal(['a', 'b', 'c']);
    const b = s.column('b');
    expect(b.length).to.equal(9);
    expect([b.at(0), b.at(3), b.at(4), b.at(8)]).to.deep.equal([100, 103, 104, 108]);
    expect(Array.from(b.range(2, 7))).to.deep.equal([102, 103, 104, 105, 106]);
    expect(Array.from(b.range(4, 6))).to.deep.equal([104, 105]);
    expect(Array.from(s.column('a').range(1, 5))).to.deep.equal([-2, 2 ** 52, 4, 5]);
    expect(s.loaded('b')).to.equal(false);
    // A damaged block of b: the blocks before it still read; the damaged one is refused and the file removed.
    const bEntry = good.indexOf(Buffer.from(Uint32Array.of(104, 105, 106, 107).buffer));
    expect(bEntry).to.be.greaterThan(0);
    const bad = Buffer.from(good);
    bad[bEntry + 5] ^= 0x5a;
    fs.writeFileSync(file, bad);
    const t = openIndexFile(file, 0);
    expect(t.column('b').at(1)).to.equal(101);
    expect(() => t.column('b').at(5)).to.throw(IndexFileError, new RegExp(`offset ${bEntry}: expected array b matching its checksum`));
    expect(fs.existsSync(file)).to.equal(false);
  });

  it('the second open reads the index and gets the same graph, types and dominators', async function () {
    const cacheDir = scratchDir('store-roundtrip');
    const a = await HeapSession.open(zooDump(version), { binary: zooBinary(version), cacheDir });
    expect(a.fromIndex).to.deep.equal({ graph: false, analysis: false });
    const files = indexPaths(cacheDir, sourceIdentity(zooDump(version)), sourceIdentity(zooBinary(version)));
    expect(fs.existsSync(files.graph)).to.equal(true);
    expect(fs.existsSync(files.analysis)).to.equal(true);
    const b = await HeapSession.open(zooDump(version), { binary: zooBinary(version), cacheDir });
    expect(b.fromIndex).to.deep.equal({ graph: true, analysis: true });
    expect(b.indexNotes).to.deep.equal([]);
    expect(b.graph.stats()).to.deep.equal(a.graph.stats());
    for (const k of ['objectAddress', 'objectSize', 'objectContentOffset', 'edgeStart', 'edgeTarget', 'edgeField', 'reachable'] as const) {
      expect(sameArrays(b.graph[k], a.graph[k]), k).to.equal(true);
    }
    for (let i = 0; i < a.graph.objectCount; i += 97) {
      expect(b.graph.findObject(a.graph.objectAddress[i] + 1)).to.equal(i);
      expect(Buffer.from(b.graph.objectContent(i)).equals(Buffer.from(a.graph.objectContent(i)))).to.equal(true);
    }
    expect(b.graph.frames.functionNames).to.deep.equal(a.graph.frames.functionNames);
    expect(b.graph.goroutines).to.deep.equal(a.graph.goroutines);
    expect(b.graph.memStats).to.deep.equal(a.graph.memStats);
    expect(sameArrays(b.dominators.idom, a.dominators.idom)).to.equal(true);
    expect(sameArrays(b.dominators.retained, a.dominators.retained)).to.equal(true);
    expect(b.dominators.rootNodes.name).to.deep.equal(a.dominators.rootNodes.name);
    expect(b.typed).to.equal(true);
    for (let i = 0; i < a.graph.objectCount; i += 13) expect(b.types.objectTypeName(i)).to.equal(a.types.objectTypeName(i));
    // Without the binary: a separate analysis over the same graph index.
    const c = await HeapSession.open(zooDump(version), { cacheDir });
    expect(c.fromIndex).to.deep.equal({ graph: true, analysis: false });
    expect(c.typed).to.equal(false);
    // With the binary, the goroutines' live stack objects are roots too (lib/graph/stack-objects.ts): the zoo keeps
    // 16 bytes alive only through one, so the binary's analysis reaches those bytes more, and only those.
    expect(c.dominators.retained[0]).to.equal(c.graph.stats().reachableBytes);
    expect(a.dominators.retained[0]).to.equal(a.graph.stats().reachableBytes);
    expect(a.dominators.retained[0]).to.be.at.least(c.dominators.retained[0]);
    a.graph.close(); b.graph.close(); c.graph.close();
  });

  it('a cold open writes its analysis index while it keeps its summaries; one that cannot be written is noted and paths are found again', async function () {
    const dump = zooDump(version);
    const binary = zooBinary(version);
    // Written on a thread of its own: on disk, whole and alone (no temporary file), when the open returns.
    const cacheDir = scratchDir('store-analysis-written');
    const a = await HeapSession.open(dump, { binary, cacheDir });
    const files = indexPaths(cacheDir, sourceIdentity(dump), sourceIdentity(binary));
    expect(a.indexNotes).to.deep.equal([]);
    expect(a.summariesKept).to.equal(true);
    expect(fs.readdirSync(cacheDir).filter((f) => f.endsWith('.tmp'))).to.deep.equal([]);
    expect(() => readIndexFile(files.analysis)).to.not.throw();
    // A directory where the analysis index should go: the write fails after the open has handed its shortest-path tree
    // to the writing thread, so the paths to roots are computed again; they are the ones the written index gives.
    const blockedDir = scratchDir('store-analysis-blocked');
    const blocked = indexPaths(blockedDir, sourceIdentity(dump), sourceIdentity(binary));
    fs.mkdirSync(blocked.analysis, { recursive: true });
    const b = await HeapSession.open(dump, { binary, cacheDir: blockedDir });
    expect(b.indexNotes.some((n) => n.startsWith(`could not write ${blocked.analysis}`)), b.indexNotes.join('; ')).to.equal(true);
    expect(fs.readdirSync(blockedDir).filter((f) => f.endsWith('.tmp'))).to.deep.equal([]);
    const warm = await HeapSession.open(dump, { binary, cacheDir });
    expect(warm.fromIndex).to.deep.equal({ graph: true, analysis: true });
    let checked = 0;
    for (let i = 0; i < warm.graph.objectCount; i += 7) {
      if (!warm.isReachable(i)) continue;
      expect(b.pathToRoot(i), `object ${i}`).to.deep.equal(warm.pathToRoot(i));
      expect(a.pathToRoot(i), `object ${i}`).to.deep.equal(warm.pathToRoot(i));
      checked++;
    }
    expect(checked).to.be.greaterThan(100);
    expect(b.typeRows()).to.deep.equal(warm.typeRows());
  });

  it('a corrupted or truncated index is rebuilt, without a crash', async function () {
    const cacheDir = scratchDir('store-corrupt');
    const first = await HeapSession.open(zooDump(version), { cacheDir });
    // Without a binary the analysis index is written when the dominators are first used.
    expect(first.dominators.retained[0]).to.be.above(0);
    const files = indexPaths(cacheDir, sourceIdentity(zooDump(version)), null);
    for (const damage of ['middle', 'header', 'truncate'] as const) {
      for (const file of [files.graph, files.analysis]) {
        const b = fs.readFileSync(file);
        if (damage === 'truncate') fs.writeFileSync(file, b.subarray(0, b.length >> 1));
        else {
          const at = damage === 'middle' ? b.length >> 1 : 30;
          for (let k = 0; k < 16; k++) b[at + k] ^= 0xff;
          fs.writeFileSync(file, b);
        }
      }
      const h = await HeapSession.open(zooDump(version), { cacheDir });
      expect(h.fromIndex, damage).to.deep.equal({ graph: false, analysis: false });
      expect(h.indexNotes.length, damage).to.equal(2);
      expect(h.dominators.retained[0]).to.equal(first.dominators.retained[0]);
      const again = await HeapSession.open(zooDump(version), { cacheDir });
      expect(again.fromIndex, damage).to.deep.equal({ graph: true, analysis: true });
    }
  });

  it('a dump changed since (size or mtime) is reread; noCache writes nothing', async function () {
    const dir = scratchDir('store-stale');
    const cacheDir = path.join(dir, 'cache');
    const dump = path.join(dir, 'heap.dump');
    fs.copyFileSync(zooDump(version, 'heap1'), dump);
    const a = await HeapSession.open(dump, { cacheDir });
    expect(a.fromIndex.graph).to.equal(false);
    expect((await HeapSession.open(dump, { cacheDir })).fromIndex.graph).to.equal(true);
    // Another dump in the same place, with a different size and mtime.
    fs.copyFileSync(zooDump(version, 'heap2'), dump);
    fs.utimesSync(dump, new Date(), new Date(Date.now() + 5000));
    const b = await HeapSession.open(dump, { cacheDir });
    expect(b.fromIndex).to.deep.equal({ graph: false, analysis: false });
    expect(b.graph.objectCount).to.be.above(a.graph.objectCount);
    expect((await HeapSession.open(dump, { cacheDir })).fromIndex.graph).to.equal(true);
    // The same bytes with only a new mtime are stale too.
    fs.utimesSync(dump, new Date(), new Date(Date.now() + 10000));
    expect((await HeapSession.open(dump, { cacheDir })).fromIndex.graph).to.equal(false);
    expect(fs.readdirSync(dir).sort()).to.deep.equal(['cache', 'heap.dump']);
    const none = path.join(dir, 'none');
    const c = await HeapSession.open(dump, { cacheDir: none, noCache: true });
    expect(c.fromIndex).to.deep.equal({ graph: false, analysis: false });
    expect(fs.existsSync(none)).to.equal(false);
  });

  it('an unwritable cache folder is noted, not fatal', async function () {
    const dir = scratchDir('store-unwritable');
    const notADir = path.join(dir, 'file');
    fs.writeFileSync(notADir, 'x');
    const h = await HeapSession.open(zooDump(version), { cacheDir: notADir });
    expect(h.fromIndex).to.deep.equal({ graph: false, analysis: false });
    // Without a binary the dominators are computed (and their index written) on first use, so the open notes the
    // graph index only; the analysis index is noted when the first dominator query computes it.
    expect(h.indexNotes).to.have.length(1);
    expect(h.indexNotes[0]).to.match(/could not write .*\.graph\.idx/);
    expect(h.dominators.retained[0]).to.equal(h.graph.stats().reachableBytes);
    expect(h.indexNotes).to.have.length(2);
    expect(h.indexNotes[1]).to.match(/could not write .*\.analysis-nobinary\.idx/);
  });

  it('the cache folder comes from GOHEAP_CACHE_DIR, else XDG_CACHE_HOME, else ~/.cache', function () {
    expect(defaultCacheDir({ GOHEAP_CACHE_DIR: '/x/y', XDG_CACHE_HOME: '/z' })).to.equal('/x/y');
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/z' })).to.equal('/z/goheap');
    expect(defaultCacheDir({ HOME: '/home/u' })).to.match(/\.cache\/goheap$/);
  });
});
