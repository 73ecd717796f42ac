// Checks the naive test decoder (test/support/naive-decoder.ts) on every zoo fixture against what the zoo
// program printed (facts.json) and what its source (fixtures/zoo/main.go) does. Nothing here is taken from
// the decoder's own output: every expected number comes from facts.json, main.go or the format document.
import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { naiveDecode, NaiveDecodeError, Tag, type NaiveSummary } from '../support/naive-decoder.js';

const FIXTURES = join(process.cwd(), '.cache', 'fixtures', 'zoo');
const VERSIONS = ['1.19', '1.21', '1.22', '1.23', '1.24', '1.25', '1.26'];

interface Facts {
  goVersion: string;
  goarch: string;
  ptrSize: number;
  marker: string;
  recurseFunc: string;
  sizes: Record<string, number>;
  counts: Record<string, number>;
  addresses: {
    ListHead: string; BigObj: string; GarbageHead: string; MarkerData: string; Pipe: string;
    Sessions: string[]; Finalized: string[]; Queued: string[]; Mediums: string[];
  };
}

/** Go minor version from a version string such as "go1.22.12". */
function goMinor(version: string): number {
  const m = /^go1\.(\d+)/.exec(version);
  if (!m) throw new Error(`unexpected Go version ${version}`);
  return Number(m[1]);
}

for (const v of VERSIONS) {
  const dir = join(FIXTURES, `go${v}`);
  describe(`naive decoder on zoo go${v}`, function () {
    let facts: Facts;
    let heap1: NaiveSummary;
    let heap2: NaiveSummary;
    let sizeAt1: Map<bigint, number>;

    before(function () {
      if (!existsSync(join(dir, 'heap1.dump'))) throw new Error(`fixture missing: run \`make unpack\` (${dir})`);
      facts = JSON.parse(readFileSync(join(dir, 'facts.json'), 'utf8')) as Facts;
      heap1 = naiveDecode(join(dir, 'heap1.dump'));
      heap2 = naiveDecode(join(dir, 'heap2.dump'));
      sizeAt1 = new Map(heap1.objects.map((o) => [o.address, o.size]));
    });

    it('reads both dumps to an EOF record that ends the file', function () {
      for (const [name, s] of [['heap1', heap1], ['heap2', heap2]] as const) {
        expect(s.header, name).to.equal('go1.7 heap dump');
        expect(s.endOffset, name).to.equal(statSync(join(dir, `${name}.dump`)).size);
        expect(s.tagCounts[Tag.Eof], name).to.equal(1);
        expect(s.tagCounts[Tag.Params], name).to.equal(1);
        expect(s.tagCounts[Tag.MemStats], name).to.equal(1);
        expect(s.objectCount, name).to.equal(s.tagCounts[Tag.Object]);
        expect(s.goroutineCount, name).to.equal(s.tagCounts[Tag.Goroutine]);
        expect(s.frameCount, name).to.equal(s.tagCounts[Tag.StackFrame]);
      }
    });

    it('has Params matching the program: Go version, GOARCH, pointer size, little-endian', function () {
      for (const s of [heap1, heap2]) {
        expect(s.params.goVersion).to.equal(facts.goVersion);
        expect(s.params.arch).to.equal(facts.goarch);
        expect(s.params.ptrSize).to.equal(facts.ptrSize);
        expect(s.params.bigEndian).to.equal(false);
      }
    });

    it('has an object at each known address, at least as large as its Go type', function () {
      const a = facts.addresses;
      const z = facts.sizes;
      const expectObject = (what: string, hex: string, minSize: number): void => {
        const size = sizeAt1.get(BigInt(hex));
        expect(size, `${what} ${hex} is an object start`).to.be.a('number');
        expect(size!, `${what} size`).to.be.at.least(minSize);
      };
      expectObject('ListHead', a.ListHead, z.Node);
      expectObject('BigObj', a.BigObj, z.Big);
      expectObject('GarbageHead', a.GarbageHead, z.Garbage);
      expectObject('MarkerData', a.MarkerData, facts.marker.length);
      expectObject('Pipe', a.Pipe, 1);
      for (const s of a.Sessions) expectObject('Session', s, z.Session);
      for (const f of a.Finalized) expectObject('Finalized', f, z.Finalized);
      for (const q of a.Queued) expectObject('Doomed', q, z.Doomed);
      // Go 1.22+: Medium (pointerful, > 512 bytes) carries a one-word malloc header before the address Go hands out.
      const header = goMinor(facts.goVersion) >= 22 ? facts.ptrSize : 0;
      for (const m of a.Mediums) {
        const start = `0x${(BigInt(m) - BigInt(header)).toString(16)}`;
        expectObject('Medium', start, z.Medium + header);
      }
    });

    it('counts objects and their bytes consistently', function () {
      for (const s of [heap1, heap2]) {
        expect(s.objects.length).to.equal(s.objectCount);
        expect(s.objects.reduce((t, o) => t + o.size, 0)).to.equal(s.objectBytes);
        expect(new Set(s.objects.map((o) => o.address)).size, 'addresses are distinct').to.equal(s.objectCount);
        // The Big object alone has Big/ptrSize pointer slots, all set (main.go fills every slot).
        expect(s.objectPointerFields).to.be.at.least(facts.sizes.Big / facts.ptrSize);
      }
    });

    it('grows between the dumps by at least three objects per added session', function () {
      // newSession allocates a Session, its 100-byte Data and its Attrs map; none is tiny, GC is off.
      const added = facts.counts.Session2 - facts.counts.Session1;
      expect(heap2.objectCount - heap1.objectCount).to.be.at.least(3 * added);
      expect(heap2.objectBytes - heap1.objectBytes).to.be.at.least(added * (facts.sizes.Session + facts.counts.SessionData));
    });

    it('lists the finalizers: kept ones as Finalizer records, doomed ones as QueuedFinalizer records', function () {
      for (const s of [heap1, heap2]) {
        const fin = new Set(s.finalizerObjects);
        for (const f of facts.addresses.Finalized) expect(fin.has(BigInt(f)), `finalizer on ${f}`).to.equal(true);
        const queued = new Set(s.queuedFinalizerObjects);
        for (const q of facts.addresses.Queued) expect(queued.has(BigInt(q)), `queued finalizer on ${q}`).to.equal(true);
        expect(s.tagCounts[Tag.Finalizer]).to.be.at.least(facts.counts.Finalized);
        expect(s.tagCounts[Tag.QueuedFinalizer]).to.be.at.least(facts.counts.Doomed);
      }
    });

    it('has the parked goroutines with Depth+1 recurse frames each (recurse(Depth) down to recurse(0))', function () {
      const { Parked, Depth } = facts.counts;
      for (const s of [heap1, heap2]) {
        const recurse = s.frames.filter((f) => f.name === facts.recurseFunc);
        expect(recurse.length).to.equal(Parked * (Depth + 1));
        const perG = new Map<bigint, number>();
        for (const f of recurse) perG.set(f.goroutine, (perG.get(f.goroutine) ?? 0) + 1);
        expect(perG.size).to.equal(Parked);
        for (const n of perG.values()) expect(n).to.equal(Depth + 1);
        // main, the parked ones, the deferrer, the panicker, and the finalizer goroutine stuck in the blocking finalizer.
        expect(s.goroutineCount).to.be.at.least(Parked + 4);
        const named = (name: string): number => s.frames.filter((f) => f.name === name).length;
        expect(named('main.main')).to.equal(1);
        expect(named('main.deferrer')).to.equal(1);
        expect(named('main.panicker')).to.equal(1);
      }
    });

    it('has the deferrer\'s defers and exactly one panic', function () {
      for (const s of [heap1, heap2]) {
        expect(s.tagCounts[Tag.Defer]).to.be.at.least(facts.counts.Defers);
        expect(s.tagCounts[Tag.Panic]).to.equal(1);
      }
    });
  });
}

describe('naive decoder errors', function () {
  it('rejects a file that is not a heap dump, naming the offset', function () {
    const path = join(process.cwd(), 'package.json');
    expect(() => naiveDecode(path)).to.throw(NaiveDecodeError, /offset 0/);
  });

  it('rejects a dump cut short (no EOF record)', function () {
    const whole = readFileSync(join(FIXTURES, 'go1.26', 'heap1.dump'));
    const tmp = mkdtempSync(join(tmpdir(), 'naive-'));
    try {
      const cut = join(tmp, 'cut.dump');
      writeFileSync(cut, whole.subarray(0, Math.floor(whole.length / 2)));
      expect(() => naiveDecode(cut)).to.throw(NaiveDecodeError, /truncated/);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
