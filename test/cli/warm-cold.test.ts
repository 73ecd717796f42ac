// Every command with --json, on every fixture dump, first with an empty index (cold) and then from the index the
// first run wrote (warm): the outputs must be byte-identical. The index is a cache, never a second answer. The warm
// runs read the index section by section (GOHEAP_INDEX_EAGER_BYTES=0: each array read when first used, as on a large
// dump; GOHEAP_INDEX_BLOCK_BYTES=256: a page's few elements read a block at a time), without the answers the cold run kept; the summary commands run a third time, answering from the derived
// indexes and the answers the second run kept.
// One Go version per era of what the index holds: 1.19 (the 1.18 pclntab, no malloc headers, classic maps), 1.22
// (the 1.20 pclntab, malloc headers), 1.26 (Swiss maps, the newest runtime). The versions between add nothing here:
// the index is written and read by the same code for every version, and test/session/session.test.ts checks a warm
// open against a cold one, answer by answer, on every version.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, scratchDir, zooBinary, zooDump, zooFacts } from '../support/fixtures.js';

const CLI = path.join(ROOT, 'dist/cli/goheap.js');
const VERSIONS = ['1.19', '1.22', '1.26'];

function run(cacheDir: string, args: string[], lazy = false): string {
  // Blocks of 256 bytes: the fixtures' long arrays are read by position a block at a time, as a 70 M-object heap's are.
  const env = { ...process.env, GOHEAP_CACHE_DIR: cacheDir, GOHEAP_INDEX_BLOCK_BYTES: '256', ...(lazy ? { GOHEAP_INDEX_EAGER_BYTES: '0' } : {}) };
  const r = spawnSync(process.execPath, [CLI, ...args, '--json'], { encoding: 'utf8', env });
  expect(r.status, `${args.join(' ')}: ${r.stderr}`).to.equal(0);
  return r.stdout;
}

/** The commands run on one zoo dump: each with the binary, and the summary ones without it too. */
function commands(version: string, dump: string): string[][] {
  const bin = zooBinary(version);
  const f = zooFacts(version);
  const session = f.addresses.Sessions[0];
  const other = zooDump(version, dump === zooDump(version, 'heap1') ? 'heap2' : 'heap1');
  return [
    ['info', dump], ['info', dump, bin], ['types', dump], ['types', dump, bin], ['top', dump, bin], ['roots', dump, bin],
    ['suspects', dump, bin], ['path', dump, bin, session], ['object', dump, bin, session], ['object', dump, bin, f.addresses.ListHead],
    ['diff', other, dump, bin], ['goroutines', dump, bin], ['goroutines', dump, bin, '--all'], ['instances', dump, bin, 'main.Node'],
    ['allocs', dump, bin], ['object', dump, bin, 'main.ListHead'],
  ];
}

describe('cli: cold and warm runs print the same JSON', function () {
  this.timeout(600000);
  for (const version of VERSIONS) {
    // heap2 of every version (heap1 is the same program earlier; the diff command reads both).
    for (const which of ['heap2']) {
      it(`go${version} ${which}`, function () {
        const dump = zooDump(version, which);
        const cacheDir = scratchDir(`warm-cold-${version}-${which}`);
        for (const args of commands(version, dump)) {
          // Cold: the command's own first open of this dump (and binary) writes the index; warm: reads it.
          fs.rmSync(cacheDir, { recursive: true, force: true });
          const cold = run(cacheDir, args);
          expect(fs.readdirSync(cacheDir).length, args.join(' ')).to.be.above(0);
          // The answers the cold run kept (HeapSession.keptAnswer) are set aside first: this warm run computes its
          // answer from the index's arrays, as a warm run of another question would.
          for (const f of fs.readdirSync(cacheDir)) if (f.includes('.answer-')) fs.rmSync(path.join(cacheDir, f));
          const warm = run(cacheDir, args, true);
          expect(warm, args.join(' ')).to.equal(cold);
          if (['info', 'types', 'top', 'roots', 'suspects', 'goroutines'].includes(args[0])) {
            expect(run(cacheDir, args, true), `${args.join(' ')} (third run)`).to.equal(cold);
          }
        }
      });
    }
  }
});

describe('cli: a cold open keeps the leak suspects for the next runs', function () {
  this.timeout(300000);
  it('go1.26: after a cold `info`, a warm `suspects` answers from the kept answer, reading no per-object array', function () {
    const version = '1.26';
    const dump = zooDump(version, 'heap2');
    const bin = zooBinary(version);
    const fresh = scratchDir('kept-suspects-fresh');
    fs.rmSync(fresh, { recursive: true, force: true });
    const expected = run(fresh, ['suspects', dump, bin]);
    const cacheDir = scratchDir('kept-suspects');
    fs.rmSync(cacheDir, { recursive: true, force: true });
    run(cacheDir, ['info', dump, bin]);
    const files = fs.readdirSync(cacheDir);
    expect(files.filter((f) => /\.answer-v\d+-suspects-0\.1\.idx$/.test(f))).to.have.length(1);
    // The per-object and per-edge sections that suspects are computed from are damaged (headers and padding left
    // whole, so that opening the indexes succeeds): a warm run that read one would stop at its checksum and rebuild
    // the index. The suspects come from the small kept file, as a cold run computes them, and the damaged files stay.
    const computedFrom = new Set(['objectAddress', 'objectSize', 'edgeStart', 'edgeTarget', 'edgeField', 'idom', 'retained',
      'pathParentEdge', 'objectType', 'tinyObject', 'tinyPlace', 'tinyTyping']);
    const damaged = new Map<string, Buffer>();
    for (const f of files.filter((x) => /\.(graph|analysis-[0-9a-f]+)\.idx$/.test(x))) {
      const file = path.join(cacheDir, f);
      const data = fs.readFileSync(file);
      const header = JSON.parse(data.subarray(24, 24 + data.readUInt32LE(12)).toString('utf8')) as { arrays: { name: string; offset: number; length: number }[] };
      expect(header.arrays.length, f).to.be.above(0);
      for (const a of header.arrays) if (computedFrom.has(a.name) && a.length > 0) data[a.offset] ^= 0xff;
      fs.writeFileSync(file, data);
      damaged.set(file, data);
    }
    expect(damaged.size).to.equal(2);
    expect(run(cacheDir, ['suspects', dump, bin], true)).to.equal(expected);
    for (const [file, data] of damaged) expect(fs.readFileSync(file).equals(data), file).to.equal(true);
    expect(JSON.parse(expected).suspects.length).to.be.above(0);
  });
});
