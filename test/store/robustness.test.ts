// The index never hangs and never lies: a directory or a FIFO where an index file should be is a stale index (a
// note, then rebuilt), a cache folder that cannot be made (/proc) is a note, not a spin; a dump rewritten in place
// with the same size and mtime (touch -r) is read again, not answered from the old index. The real CLI on a real
// fixture, each run under a timeout so a hang fails the test instead of stalling it.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  indexPaths, IndexFileError, loadGraph, readIndexFile, sourceIdentity, writeIndexFile,
} from '../../lib/store/index.js';
import { makeDirectories } from '../../lib/store/index-file.js';
import { sampleHash } from '../../lib/store/cache.js';
import { MEMSTATS_FIELDS } from '../../lib/dump/index.js';
import { ROOT, scratchDir, zooDump } from '../support/fixtures.js';
import { readUvarint, uvarint } from '../support/dump-bytes.js';

const CLI = path.join(ROOT, 'dist/cli/goheap.js');

function goheap(cacheDir: string, ...args: string[]): { status: number | null; stdout: string; stderr: string; ms: number } {
  const t = Date.now();
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8', env: { ...process.env, GOHEAP_CACHE_DIR: cacheDir }, timeout: 30_000, killSignal: 'SIGKILL',
  });
  if (r.error) throw r.error;
  if (r.signal) throw new Error(`goheap ${args.join(' ')} did not finish in 30 s (killed by ${r.signal})`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - t };
}

/** The byte offset of the MemStats record's field `name` (its uvarint) in a go1.7 dump, found from its values. */
function memStatsFieldAt(buf: Buffer, memstats: Record<string, unknown>, name: string): number {
  // The record is tag 10 then the fields in MEMSTATS_FIELDS order: look for the tag followed by the first three.
  const head = Buffer.from([10, ...uvarint(Number(memstats.Alloc)), ...uvarint(Number(memstats.TotalAlloc)),
    ...uvarint(Number(memstats.Sys))]);
  const at = buf.lastIndexOf(head);
  if (at < 0 || buf.indexOf(head) !== at) throw new Error('MemStats record not found exactly once');
  let p = at + 1;
  for (const f of MEMSTATS_FIELDS) {
    if (f === name) return p;
    p = readUvarint(buf, p).next;
  }
  throw new Error(`no MemStats field ${name}`);
}

describe('store: the index never hangs, never lies', function () {
  this.timeout(120_000);
  const dump = zooDump('1.26');

  it('a directory where the graph index should be: a note, the right answer, exit 0', function () {
    const cacheDir = scratchDir('robust-dir');
    const want = goheap(cacheDir, 'info', dump, '--json', '--no-cache');
    expect(want.status, want.stderr).to.equal(0);
    const files = indexPaths(cacheDir, sourceIdentity(dump), null);
    fs.mkdirSync(files.graph, { recursive: true });
    fs.mkdirSync(files.analysis, { recursive: true });
    const r = goheap(cacheDir, 'info', dump);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stderr).to.include(`goheap: note: ${files.graph}: offset 0: expected a regular file, found a directory`);
    expect(r.stderr).to.include(`goheap: note: could not write ${files.graph}`);
    expect(r.stderr).to.not.include('internal error');
    const j = goheap(cacheDir, 'info', dump, '--json');
    expect(j.status, j.stderr).to.equal(0);
    expect(JSON.parse(j.stdout)).to.deep.equal(JSON.parse(want.stdout));
    expect(fs.statSync(files.graph).isDirectory()).to.equal(true); // never removed: it is not ours
    expect(fs.readdirSync(cacheDir).filter((f) => f.endsWith('.tmp'))).to.deep.equal([]);
  });

  it('a FIFO where the graph index should be: read without blocking, replaced by the rebuilt index', function () {
    const cacheDir = scratchDir('robust-fifo');
    const files = indexPaths(cacheDir, sourceIdentity(dump), null);
    const mk = spawnSync('mkfifo', [files.graph]);
    expect(mk.status, String(mk.stderr)).to.equal(0);
    const r = goheap(cacheDir, 'info', dump);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stderr).to.include(`goheap: note: ${files.graph}: offset 0: expected a regular file, found a FIFO`);
    // The index is written beside the FIFO and renamed over it: the next open reads it, silently.
    expect(fs.statSync(files.graph).isFile()).to.equal(true);
    const again = goheap(cacheDir, 'info', dump);
    expect(again.status).to.equal(0);
    expect(again.stderr).to.equal('');
    expect(() => readIndexFile(files.graph)).to.not.throw();
  });

  it('readIndexFile refuses a directory and a FIFO at once with an IndexFileError', function () {
    const dir = scratchDir('robust-read');
    const fifo = path.join(dir, 'fifo.idx');
    expect(spawnSync('mkfifo', [fifo]).status).to.equal(0);
    expect(() => readIndexFile(fifo)).to.throw(IndexFileError, /expected a regular file, found a FIFO/);
    expect(() => readIndexFile(dir)).to.throw(IndexFileError, /expected a regular file, found a directory/);
    expect(() => readIndexFile(path.join(dir, 'none.idx'))).to.throw(IndexFileError, /expected an index file$/);
  });

  it('GOHEAP_CACHE_DIR=/proc/goheap-cache: answers, with a note that the index could not be written', function () {
    if (!fs.existsSync('/proc/self')) this.skip();
    const want = goheap(scratchDir('robust-proc-ref'), 'info', dump, '--json', '--no-cache');
    const r = goheap('/proc/goheap-cache', 'info', dump);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stderr).to.match(/^goheap: note: could not write \/proc\/goheap-cache\/\S+\.graph\.idx: /m);
    expect(r.stderr).to.not.include('internal error');
    const j = goheap('/proc/goheap-cache', 'info', dump, '--json');
    expect(JSON.parse(j.stdout)).to.deep.equal(JSON.parse(want.stdout));
    expect(() => makeDirectories('/proc/goheap-cache/a/b')).to.throw(/ENOENT/);
  });

  it('makeDirectories makes missing parents one level at a time and accepts an existing folder', function () {
    const dir = scratchDir('robust-mkdir');
    const deep = path.join(dir, 'a', 'b', 'c');
    makeDirectories(deep);
    expect(fs.statSync(deep).isDirectory()).to.equal(true);
    makeDirectories(deep);
    fs.writeFileSync(path.join(dir, 'file'), 'x');
    expect(() => makeDirectories(path.join(dir, 'file'))).to.throw(/EEXIST/);
    expect(() => makeDirectories(path.join(dir, 'file', 'sub'))).to.throw(/ENOTDIR/);
  });

  it('a dump rewritten in place with one MemStats byte changed, same size and mtime (touch -r), is read again', function () {
    const cacheDir = scratchDir('robust-same-mtime');
    const dir = scratchDir('robust-same-mtime-dump');
    const copy = path.join(dir, 'heap.dump');
    fs.copyFileSync(dump, copy);
    const before = goheap(cacheDir, 'info', copy, '--json');
    expect(before.status, before.stderr).to.equal(0);
    const ms = JSON.parse(before.stdout).memstats as Record<string, unknown>;
    const warm = goheap(cacheDir, 'info', copy, '--json');
    expect(warm.stdout).to.equal(before.stdout);

    // Flip bit 1 of the lowest 7-bit group of MemStats.Sys: a valid uvarint of the same length, Sys ^ 2.
    const buf = fs.readFileSync(copy);
    const at = memStatsFieldAt(buf, ms, 'Sys');
    buf[at] ^= 0x02;
    const st = fs.statSync(copy);
    const ref = path.join(dir, 'times');
    fs.writeFileSync(ref, '');
    expect(spawnSync('touch', ['-r', copy, ref]).status).to.equal(0); // keep the times, to the nanosecond
    fs.writeFileSync(copy, buf); // in place: same inode
    expect(spawnSync('touch', ['-r', ref, copy]).status).to.equal(0);
    const st2 = fs.statSync(copy);
    expect([st2.size, st2.mtimeMs, st2.ino]).to.deep.equal([st.size, st.mtimeMs, st.ino]);

    const text = goheap(cacheDir, 'info', copy);
    expect(text.stderr).to.include(`expected an index of ${copy} as it is now`);
    const after = goheap(cacheDir, 'info', copy, '--json');
    expect(after.status, after.stderr).to.equal(0);
    const sys = BigInt(String(ms.Sys));
    expect(String(JSON.parse(after.stdout).memstats.Sys)).to.equal(String(sys ^ 2n));

    // Replaced by another file (a new inode) with the original bytes and the same mtime: read again too.
    buf[at] ^= 0x02;
    const tmp = path.join(dir, 'heap.dump.new');
    fs.writeFileSync(tmp, buf);
    expect(spawnSync('touch', ['-r', ref, tmp]).status).to.equal(0);
    fs.renameSync(tmp, copy);
    expect(fs.statSync(copy).mtimeMs).to.equal(st.mtimeMs);
    const back = goheap(cacheDir, 'info', copy, '--json');
    expect(String(JSON.parse(back.stdout).memstats.Sys)).to.equal(String(sys));
  });

  it('the identity carries inode, ctime and a sample hash; an index of any other identity is stale', function () {
    const cacheDir = scratchDir('robust-identity');
    const id = sourceIdentity(dump);
    const st = fs.statSync(dump);
    expect(id.ino).to.equal(st.ino);
    expect(id.ctimeMs).to.equal(st.ctimeMs);
    expect(id.sample).to.match(/^[0-9a-f]{32}$/);
    expect(goheap(cacheDir, 'info', dump).status).to.equal(0);
    const file = indexPaths(cacheDir, id, null).graph;
    expect(() => loadGraph(file, id)).to.not.throw();
    for (const change of [{ ino: id.ino + 1 }, { ctimeMs: id.ctimeMs + 1 }, { sample: '0'.repeat(32) }, { size: id.size + 1 }]) {
      expect(() => loadGraph(file, { ...id, ...change }), JSON.stringify(change)).to.throw(IndexFileError, /as it is now/);
    }
  });

  it('the sample hash reads the first and last 64 KiB and 64 blocks of 4 KiB between them', function () {
    const dir = scratchDir('robust-sample');
    const size = 8 << 20;
    const base = Buffer.alloc(size);
    for (let i = 0; i < size; i += 4) base.writeUInt32LE((i * 2654435761) >>> 0, i);
    const hashOf = (b: Buffer): string => {
      const f = path.join(dir, 'f');
      fs.writeFileSync(f, b);
      const fd = fs.openSync(f, 'r');
      try {
        return sampleHash(fd, b.length);
      } finally {
        fs.closeSync(fd);
      }
    };
    const h0 = hashOf(base);
    const step = Math.floor((size - 2 * 65536 - 4096) / 63);
    const flip = (at: number): string => {
      const b = Buffer.from(base);
      b[at] ^= 1;
      return hashOf(b);
    };
    for (const at of [0, 65535, size - 1, size - 65536, 65536, 65536 + 4095, 65536 + 17 * step + 100, 65536 + 63 * step + 4095]) {
      expect(flip(at), `byte ${at}`).to.not.equal(h0);
    }
    // A byte between two sampled blocks is not read (the cost stays a few hundred KiB on any size).
    expect(flip(65536 + 4096 + 10)).to.equal(h0);
    // Small files are hashed whole.
    const small = base.subarray(0, 300_000);
    const hs = hashOf(Buffer.from(small));
    const s2 = Buffer.from(small);
    s2[150_000] ^= 1;
    expect(hashOf(s2)).to.not.equal(hs);
  });

  it('a dump that is a FIFO or a directory is refused at once with one line, exit 1', function () {
    const dir = scratchDir('robust-fifo-dump');
    const fifo = path.join(dir, 'heap.dump');
    expect(spawnSync('mkfifo', [fifo]).status).to.equal(0);
    const r = goheap(scratchDir('robust-fifo-dump-cache'), 'info', fifo);
    expect(r.status).to.equal(1);
    expect(r.stderr).to.equal(`goheap: ${fifo}: not a regular file (a FIFO)\n`);
    const d = goheap(scratchDir('robust-fifo-dump-cache'), 'info', dir);
    expect(d.status).to.equal(1);
    expect(d.stderr).to.equal(`goheap: ${dir}: not a regular file (a directory)\n`);
  });

  it('writeIndexFile leaves no temporary file when the rename fails', function () {
    const dir = scratchDir('robust-tmp');
    const target = path.join(dir, 'x.idx');
    fs.mkdirSync(path.join(target, 'inside'), { recursive: true });
    expect(() => writeIndexFile(target, { a: 1 }, { a: Uint8Array.of(1) })).to.throw(/EISDIR|ENOTEMPTY|EEXIST/);
    expect(fs.readdirSync(dir)).to.deep.equal(['x.idx']);
  });
});
