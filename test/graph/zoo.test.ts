// The object graph of every zoo fixture (Go 1.19-1.26), checked against what the Go program printed about its own
// heap (facts.json), against the runtime's own MemStats, and against the naive second decoder in test/support.
import { expect } from 'chai';
import { HeapGraph, loadHeapGraph, reverseEdgesOf, RootKind } from '../../lib/graph/index.js';
import { naiveDecode, NaiveSummary } from '../support/naive-decoder.js';
import { addr, DUMPS, GO_VERSIONS, hasMallocHeaders, zooDump, zooFacts, ZooFacts } from '../support/fixtures.js';

const TAGS = ['eof', 'object', 'otherRoot', 'type', 'goroutine', 'stackFrame', 'params', 'finalizer', 'itab', 'osThread',
  'memStats', 'queuedFinalizer', 'data', 'bss', 'defer', 'panic', 'memProf', 'allocSample'];

/** Follows the edge at byte offset `field` from object `o`; -1 when the slot is nil or points outside the heap. */
function follow(g: HeapGraph, o: number, field: number): number {
  for (let e = g.edgeStart[o]; e < g.edgeStart[o + 1]; e++) if (g.edgeOffset(e) === field) return g.edgeTarget[e];
  return -1;
}

function framesOf(g: HeapGraph, name: string): number[] {
  const id = g.frames.functionNames.indexOf(name);
  const out: number[] = [];
  for (let f = 0; f < g.frames.count; f++) if (g.frames.functionId[f] === id) out.push(f);
  return out;
}

function goroutineWith(g: HeapGraph, fn: string): number {
  const fs = framesOf(g, fn);
  expect(fs.length, `frames of ${fn}`).to.equal(1);
  return g.frames.goroutine[fs[0]];
}

for (const version of GO_VERSIONS) {
  for (const dump of DUMPS) {
    describe(`graph: zoo go${version} ${dump}`, function () {
      let g: HeapGraph;
      let naive: NaiveSummary;
      let facts: ZooFacts;

      before(function () {
        g = loadHeapGraph(zooDump(version, dump));
        naive = naiveDecode(zooDump(version, dump));
        facts = zooFacts(version);
      });
      after(() => g.close());

      it('agrees with the naive decoder on every record count, objects, bytes and params', function () {
        for (let t = 0; t < TAGS.length; t++) expect(g.recordCounts[t], TAGS[t]).to.equal(naive.tagCounts[t]);
        const s = g.stats();
        expect(s.objects).to.equal(naive.objectCount);
        expect(s.objectBytes).to.equal(naive.objectBytes);
        expect(s.pointerSlots).to.equal(naive.objectPointerFields);
        expect(s.goroutines).to.equal(naive.goroutineCount);
        expect(s.frames).to.equal(naive.frameCount);
        expect(s.ptrSize).to.equal(naive.params.ptrSize);
        expect(s.arch).to.equal(naive.params.arch);
        for (let i = 0; i < naive.objects.length; i += 97) {
          expect(g.objectAddress[i]).to.equal(Number(naive.objects[i].address));
          expect(g.objectSize[i]).to.equal(naive.objects[i].size);
        }
      });

      it('gives the reverse edges of a few objects as the whole reverse index has them, read whole or a chunk at a time', function () {
        const whole = g.reverseEdges();
        // Every 37th object, the most referred-to one, the last one, and one asked twice.
        let most = 0;
        for (let i = 0; i < g.objectCount; i++) if (whole.start[i + 1] - whole.start[i] > whole.start[most + 1] - whole.start[most]) most = i;
        const asked = [g.objectCount - 1, most, most];
        for (let i = 0; i < g.objectCount; i += 37) asked.push(i);
        expect(whole.start[most + 1] - whole.start[most]).to.be.above(10);
        for (const chunk of [1000, 1 << 18]) {
          const few = reverseEdgesOf(g, asked, chunk);
          let edges = 0;
          for (const i of new Set(asked)) {
            const [a, b] = [few.start.at(i), few.start.at(i + 1)];
            const [wa, wb] = [whole.start[i], whole.start[i + 1]];
            expect(Array.from(few.source.range(a, b)), `sources of ${i}`).to.deep.equal(Array.from(whole.source.subarray(wa, wb)));
            edges += b - a;
          }
          expect(few.source.length).to.equal(edges);
          // An object not asked about has no referring edges there.
          const other = asked[3] + 1;
          expect(few.start.at(other + 1) - few.start.at(other)).to.equal(0);
        }
      });

      it('lists each object\'s referrers by source, once per edge into it: a source\'s edges into it (edgesBetween) are as many, in edge order', function () {
        const whole = g.reverseEdges();
        // The forward edges into each object, as (source, edge) in source then edge order.
        const into = new Map<number, number[]>();
        for (let o = 0; o < g.objectCount; o++) {
          for (let e = g.edgeStart[o]; e < g.edgeStart[o + 1]; e++) {
            const t = g.edgeTarget[e];
            if (!into.has(t)) into.set(t, []);
            into.get(t)!.push(e);
          }
        }
        let checked = 0;
        for (let i = 0; i < g.objectCount; i++) {
          const listed: number[] = [];
          for (let k = whole.start[i]; k < whole.start[i + 1]; k++) {
            const src = whole.source[k];
            if (k === whole.start[i] || src !== whole.source[k - 1]) listed.push(...g.edgesBetween(src, i));
          }
          expect(listed, `edges into ${i}`).to.deep.equal(into.get(i) ?? []);
          checked += listed.length;
        }
        expect(checked).to.equal(g.edgeCount);
      });

      it('reports the Go version, architecture and pointer size the program printed', function () {
        const s = g.stats();
        expect(s.format).to.equal('go1.7 heap dump');
        expect(s.goVersion).to.equal(facts.goVersion);
        expect(s.arch).to.equal(facts.goarch);
        expect(s.ptrSize).to.equal(facts.ptrSize);
      });

      it("matches the runtime's own MemStats", function () {
        const s = g.stats();
        const m = s.memstats!;
        if (hasMallocHeaders(version)) {
          // From Go 1.22 the dump also lists some freed slots that MemStats no longer counts.
          expect(s.objects).to.be.at.least(m.HeapObjects as number);
          expect(s.objectBytes).to.be.at.least(m.HeapAlloc as number);
          expect(s.objects).to.be.below((m.HeapObjects as number) * 1.1);
        } else {
          expect(s.objects).to.equal(m.HeapObjects);
          expect(s.objectBytes).to.equal(m.HeapAlloc);
        }
        expect(s.objects).to.equal(s.reachableObjects + s.unreachableObjects);
        expect(s.objectBytes).to.equal(s.reachableBytes + s.unreachableBytes);
      });

      it('resolves every pointer slot like a brute-force interval search over the naive decoder objects', function () {
        // Sorted object intervals from the naive decoder, and every non-nil pointer word read back from the file.
        const order = naive.objects.map((o, i) => ({ a: Number(o.address), e: Number(o.address) + o.size, i }))
          .sort((x, y) => x.a - y.a);
        const bruteFind = (p: number): number => {
          let lo = 0;
          let hi = order.length - 1;
          while (lo <= hi) {
            const mid = (lo + hi) >> 1;
            if (p < order[mid].a) hi = mid - 1;
            else if (p >= order[mid].e) lo = mid + 1;
            else return order[mid].i;
          }
          return -1;
        };
        let checked = 0;
        let interior = 0;
        for (let o = 0; o < g.objectCount; o++) {
          if (g.edgeStart[o + 1] === g.edgeStart[o]) continue;
          const bytes = g.objectContent(o);
          const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
          for (let e = g.edgeStart[o]; e < g.edgeStart[o + 1]; e++) {
            const off = g.edgeOffset(e);
            const word = dv.getUint32(off + 4, true) * 2 ** 32 + dv.getUint32(off, true);
            const t = bruteFind(word);
            expect(t, `edge ${e} of object ${o}`).to.equal(g.edgeTarget[e]);
            expect(g.edgeIsInterior(e)).to.equal(word !== Number(naive.objects[t].address));
            if (g.edgeIsInterior(e)) interior++;
            checked++;
          }
        }
        expect(checked).to.equal(g.edgeCount);
        expect(interior).to.be.greaterThan(0);
        // Every heap address inside an object is found, interior or not; addresses between objects are not.
        for (let k = 0; k < naive.objects.length; k += 13) {
          const o = naive.objects[k];
          expect(g.findObject(Number(o.address))).to.equal(k);
          expect(g.findObject(Number(o.address) + o.size - 1)).to.equal(k);
        }
        expect(g.findObject(0)).to.equal(-1);
        expect(g.findObject(addr(facts.addresses.ListHeadGlobal))).to.equal(-1);
      });

      it('holds the linked list: ListHead and exactly listLen nodes through Next, all reachable', function () {
        let o = g.findObject(addr(facts.addresses.ListHead));
        expect(g.objectAddress[o]).to.equal(addr(facts.addresses.ListHead));
        let n = 0;
        while (o >= 0) {
          expect(g.reachable[o]).to.equal(1);
          expect(g.objectSize[o]).to.be.at.least(facts.sizes.Node);
          n++;
          o = follow(g, o, 0);
        }
        expect(n).to.equal(facts.counts.Node);
      });

      it('finds the garbage: GarbageHead starts a chain of exactly garbageLen unreachable objects', function () {
        let o = g.findObject(addr(facts.addresses.GarbageHead));
        expect(o).to.be.at.least(0);
        let n = 0;
        while (o >= 0) {
          expect(g.reachable[o], `garbage #${n}`).to.equal(0);
          n++;
          o = follow(g, o, 16); // Garbage{A, B int64; Next *Garbage}
        }
        expect(n).to.equal(facts.counts.Garbage);
        expect(g.stats().unreachableBytes).to.be.at.least(facts.counts.Garbage * facts.sizes.Garbage);
      });

      it('holds the large object with one edge per slot, all into the list', function () {
        const o = g.findObject(addr(facts.addresses.BigObj));
        expect(g.objectAddress[o]).to.equal(addr(facts.addresses.BigObj));
        expect(g.objectSize[o]).to.be.at.least(facts.sizes.Big);
        expect(g.objectSize[o]).to.be.above(32768);
        expect(g.edgeStart[o + 1] - g.edgeStart[o]).to.equal(facts.sizes.Big / facts.ptrSize);
        expect(g.reachable[o]).to.equal(1);
        const head = g.findObject(addr(facts.addresses.ListHead));
        expect(g.edgeTarget[g.edgeStart[o]]).to.equal(head);
      });

      it('reads object contents back from the file: the marker string', function () {
        const o = g.findObject(addr(facts.addresses.MarkerData));
        const text = Buffer.from(g.objectContent(o)).toString('latin1');
        const start = addr(facts.addresses.MarkerData) - g.objectAddress[o];
        expect(text.slice(start, start + facts.marker.length)).to.equal(facts.marker);
        expect(g.reachable[o]).to.equal(1);
      });

      it('places medium objects after their malloc header on Go 1.22+', function () {
        for (const a of facts.addresses.Mediums) {
          const o = g.findObject(addr(a));
          const headerBytes = hasMallocHeaders(version) ? facts.ptrSize : 0;
          expect(g.objectAddress[o]).to.equal(addr(a) - headerBytes);
          expect(g.objectSize[o]).to.be.at.least(facts.sizes.Medium + headerBytes);
          expect(g.reachable[o]).to.equal(1);
        }
      });

      it('has the finalizers the program set and the ones it left queued, as roots', function () {
        const rootsOf = (kind: RootKind) => {
          const out = new Set<number>();
          for (let r = 0; r < g.roots.count; r++) if (g.roots.kind[r] === kind) out.add(g.objectAddress[g.roots.target[r]]);
          return out;
        };
        const set = rootsOf(RootKind.Finalizer);
        for (const a of facts.addresses.Finalized) expect(set.has(addr(a)), a).to.equal(true);
        const queued = rootsOf(RootKind.QueuedFinalizer);
        for (const a of facts.addresses.Queued) expect(queued.has(addr(a)), a).to.equal(true);
        expect(g.stats().finalizers).to.be.at.least(facts.counts.Finalized);
        expect(g.stats().queuedFinalizers).to.be.at.least(facts.counts.Doomed);
      });

      it('has the parked goroutines with deep stacks, frames linked by sp and depth', function () {
        const frames = framesOf(g, facts.recurseFunc);
        expect(frames.length).to.equal(facts.counts.Parked * (facts.counts.Depth + 1));
        const perGoroutine = new Map<number, number[]>();
        for (const f of frames) {
          const gi = g.frames.goroutine[f];
          if (!perGoroutine.has(gi)) perGoroutine.set(gi, []);
          perGoroutine.get(gi)!.push(f);
        }
        expect(perGoroutine.size).to.equal(facts.counts.Parked);
        for (const [gi, fs] of perGoroutine) {
          expect(fs.length).to.equal(facts.counts.Depth + 1);
          const first = g.frames.goroutineFirstFrame[gi];
          const count = g.frames.goroutineFrameCount[gi];
          for (let f = first; f < first + count; f++) {
            expect(g.frames.depth[f]).to.equal(f - first);
            if (f > first) expect(g.frames.childSp[f]).to.equal(g.frames.sp[f - 1]);
            else expect(g.frames.childSp[f]).to.equal(0);
          }
        }
        expect(g.stats().goroutines).to.be.at.least(facts.counts.Parked + 3);
      });

      it('has the defers of main.deferrer and the panic of main.panicker', function () {
        const deferrer = g.goroutines[goroutineWith(g, 'main.deferrer')].address;
        expect(g.defers.filter((d) => d.goroutine === deferrer).length).to.equal(facts.counts.Defers);
        const panicker = g.goroutines[goroutineWith(g, 'main.panicker')];
        expect(g.panics.length).to.equal(1);
        expect(g.panics[0].goroutine).to.equal(panicker.address);
        expect(panicker.panicHead).to.equal(g.panics[0].address);
      });

      it('roots the globals: ListHead and LeakyCache are pointer slots of Data/BSS', function () {
        const slots = new Map<number, number>();
        for (let r = 0; r < g.roots.count; r++) {
          const k = g.roots.kind[r];
          if (k === RootKind.Data || k === RootKind.Bss) slots.set(g.roots.slotAddress[r], g.roots.target[r]);
        }
        expect(slots.get(addr(facts.addresses.ListHeadGlobal))).to.equal(g.findObject(addr(facts.addresses.ListHead)));
        expect(slots.has(addr(facts.addresses.LeakyCacheGlobal))).to.equal(true);
      });
    });
  }
}

describe('graph: zoo heap1 -> heap2 growth', function () {
  for (const version of GO_VERSIONS) {
    it(`go${version}: the second dump holds the added sessions`, function () {
      const a = loadHeapGraph(zooDump(version, 'heap1')).stats();
      const b = loadHeapGraph(zooDump(version, 'heap2')).stats();
      const f = zooFacts(version);
      const added = f.counts.Session2 - f.counts.Session1;
      // Each session adds a Session, its Data array and its map (plus strings): at least 3 objects.
      expect(b.reachableObjects - a.reachableObjects).to.be.at.least(3 * added);
      expect(b.reachableBytes - a.reachableBytes).to.be.at.least(added * (f.sizes.Session + f.counts.SessionData));
    });
  }
});
