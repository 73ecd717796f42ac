// Type recovery on the realtypes fixture (fixtures/realtypes: what real services hold), on every Go version it is
// built with: two maps of 100,000 entries (big Swiss maps from Go 1.24: directories with malloc headers, tables,
// group arrays that are large objects), time.AfterFunc timers and tickers (the runtime's timeTimer from Go 1.23),
// contexts with timeouts and values, 1-, 2-, 4- and 8-byte values boxed in an interface (tiny blocks; types DWARF
// does not describe, read from their itabs' runtime descriptors), and a word of eight 'x' bytes. Every number
// checked is one the program printed about itself.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'chai';
import { HeapSession } from '../../lib/session/index.js';
import { RecoveredTypes, typeCoverage, typeHistogram } from '../../lib/typing/index.js';
import { ROOT, addr, scratchDir } from '../support/fixtures.js';

const NAME = 'realtypes';

function versions(): string[] {
  return fs.readFileSync(path.join(ROOT, 'fixtures', NAME, 'versions'), 'utf8').split('\n').filter((l) => l !== '');
}

function minor(v: string): number {
  return Number(v.split('.')[1]);
}

describe('typing: the realtypes fixture (big maps, timers, contexts, small boxed values, exact words)', function () {
  this.timeout(300000);
  for (const version of versions()) {
    describe(`go${version}`, function () {
      const dir = path.join(ROOT, '.cache/fixtures', NAME, `go${version}`);
      const facts = JSON.parse(fs.readFileSync(path.join(ROOT, 'fixtures', NAME, `go${version}`, 'facts.json'), 'utf8'));
      let s: HeapSession;
      let types: RecoveredTypes;
      before(async function () {
        if (!fs.existsSync(path.join(dir, 'heap1.dump'))) throw new Error(`${dir}: fixtures are not unpacked; run 'make unpack'`);
        s = await HeapSession.open(path.join(dir, 'heap1.dump'), { binary: path.join(dir, NAME), cacheDir: scratchDir(`realtypes-${version}`) });
        types = s.types as RecoveredTypes;
      });
      after(function () {
        s?.close();
      });

      it("counts every type the program counts, exactly, with the program's sizes", function () {
        const h = typeHistogram(s.graph, types);
        for (const [name, want] of Object.entries(facts.counts as Record<string, number>)) {
          // A slice type's values are one row apart from the arrays of its element: "main.Tags (slice header)".
          const row = h.find((r) => r.name === name) ?? h.find((r) => r.name === `${name} (slice header)`);
          expect(row?.count ?? 0, name).to.equal(want);
          // Tiny sub-objects count their own size; other objects their size class, at least the type's size.
          const size = facts.sizes[name] as number;
          if (size < 16 && !name.endsWith('Tags') && !name.endsWith('Label')) expect(row!.bytes, `${name} bytes`).to.equal(want * size);
          else expect(row!.bytes, `${name} bytes`).to.be.at.least(want * size);
        }
      });

      it('types the timers as the runtime allocated them, and what their closures capture', function () {
        const h = typeHistogram(s.graph, types);
        const count = (name: string): number => h.find((r) => r.name === name)?.count ?? 0;
        const t = facts.timers;
        if (minor(version) >= 23) {
          expect(count('runtime.timeTimer')).to.equal(t.timerObjects + t.tickerObjects);
          expect(count('time.Timer') + count('time.Ticker')).to.equal(0);
        } else {
          expect(count('time.Timer')).to.equal(t.timerObjects);
          expect(count('time.Ticker')).to.equal(t.tickerObjects);
        }
        // Every Job (800 of them reached only through AfterFunc closures) and its 4 KiB buffer.
        expect(count('main.Job')).to.equal(facts.counts['main.Job']);
        const buffers = s.instances('[]uint8', { limit: 0 })!;
        const big = buffers.items.filter((i) => s.size(i) === facts.jobBuffer);
        expect(big.length * facts.jobBuffer).to.equal(facts.jobBufferBytes);
      });

      it('types both maps of 100,000 entries whole: no untyped group array, directory or table', function () {
        const h = typeHistogram(s.graph, types);
        expect(facts.maps.Entries).to.equal(100000);
        for (const m of ['map[int64]*main.Entry', 'map[int64]main.Record']) {
          expect(h.find((r) => r.name === m)?.count, m).to.equal(1);
          expect(h.find((r) => r.name === `${m} buckets`)?.bytes ?? 0, `${m} buckets`).to.be.above(facts.maps.Entries * 16);
          if (minor(version) >= 24) {
            expect(h.find((r) => r.name === `${m} directory`)?.count, `${m} directory`).to.equal(1);
            expect(h.find((r) => r.name === `${m} table`)?.count ?? 0, `${m} table`).to.be.above(64);
          }
        }
        // Nothing reachable and large is left untyped (a group array of 40960 bytes, a directory with a header).
        const reach = typeHistogram(s.graph, types, true);
        const untypedLarge = reach.filter((r) => /^untyped \(size class (\d+)\)$/.test(r.name) && Number(/\d+/.exec(r.name)![0]) >= 1024);
        expect(untypedLarge.map((r) => r.name)).to.deep.equal([]);
      });

      it('types at least 99% of the reachable bytes', function () {
        const c = typeCoverage(s.graph, types);
        const share = c.typedReachableBytes / c.reachableBytes;
        console.log(`      go${version}: typed ${(100 * share).toFixed(2)}% of ${c.reachableBytes} reachable bytes`);
        expect(share).to.be.at.least(0.99);
      });

      it('`instances` finds the boxed small values (sub-objects of tiny blocks) with their own addresses and sizes', function () {
        for (const name of ['main.Flag', 'main.Half', 'main.Dot', 'main.Num']) {
          const page = s.instances(name, { limit: 0 });
          expect(page?.count, name).to.equal(facts.counts[name]);
          expect(page?.bytes, name).to.equal(facts.counts[name] * facts.sizes[name]);
          for (const i of page!.items.slice(0, 20)) {
            expect(s.typeName(i), name).to.equal(name);
            expect(s.size(i), name).to.equal(facts.sizes[name]);
            const block = s.findObject(s.address(i));
            expect(s.size(block), 'a tiny block').to.equal(16);
            expect(s.findInstance(s.address(i))).to.equal(i);
            expect(s.describe(i).type).to.equal(name);
            expect(s.pathToRoot(i).length, 'a path from a root').to.be.above(0);
            expect(s.referrers(i).length, 'the []main.Shape refers to it').to.be.above(0);
          }
        }
      });

      it('`object` prints 64-bit words exactly (eight x bytes: 0x7878787878787878)', function () {
        expect(facts.word).to.equal('0x7878787878787878');
        const i = s.findObject(addr(facts.addresses.word));
        const d = s.describe(i);
        expect(d.type).to.equal('main.Word');
        const field = (n: string) => d.fields.find((f) => f.name === n)?.value;
        expect(field('W')).to.equal(BigInt(facts.word).toString());
        expect(field('Tag')).to.equal(facts.word);
        const next = d.fields.find((f) => f.name === 'Next')!.targetIndex!;
        const dn = s.describe(next);
        expect(dn.fields.find((f) => f.name === 'Tag')?.value).to.equal(facts.wordNext);
        expect(dn.fields.find((f) => f.name === 'W')?.value).to.equal(BigInt(facts.wordNext).toString());
      });
    });
  }
});
