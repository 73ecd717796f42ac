// Heap arrays held only by slice locals of blocked goroutines (fixtures/stackslices: read buffers, work lists of
// *Item, counters), checked against the addresses and lengths the program printed: each array is typed by its
// variable's type and named by it, and what only a typed array reaches (the Items) is typed through it. The groups
// are named after the program's functions (main.reader), not the sync.WaitGroup or sync.Mutex they wait in. Optimized
// code may store only a slice's pointer in the frame while DWARF places the whole slice there (Go 1.26 does for
// these): the capacity word then reads 0, which types nothing unless taken as unknown.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, addr, hasMallocHeaders, scratchDir } from '../support/fixtures.js';
import { HeapSession } from '../../lib/session/index.js';

interface StackSlicesFacts {
  goVersion: string;
  groups: { function: string; type: string; variable: string; arrays: string[]; lengths: number[] }[];
  items: number;
  itemSize: number;
}

/** Bytes per element of the arrays' types (64-bit). */
const ELEMENT_BYTES: Record<string, number> = { '[]uint8': 1, '[]*main.Item': 8, '[]int64': 8 };

for (const v of ['1.19', '1.22', '1.26']) {
  describe(`slice locals of blocked goroutines: go${v}`, function () {
    const d = path.join(ROOT, '.cache/fixtures/stackslices', `go${v}`);
    const facts = JSON.parse(fs.readFileSync(path.join(ROOT, 'fixtures/stackslices', `go${v}`, 'facts.json'), 'utf8')) as StackSlicesFacts;
    let s: HeapSession;
    before(async function () {
      if (!fs.existsSync(path.join(d, 'heap1.dump'))) throw new Error(`${d}: fixtures are not unpacked; run 'make unpack'`);
      s = await HeapSession.open(path.join(d, 'heap1.dump'), { binary: path.join(d, 'stackslices'), cacheDir: scratchDir(`stackslices-${v}`) });
    });
    after(() => s?.close());

    it('each array is typed by its variable and held by it: the goroutine\'s slot names the variable', function () {
      for (const g of facts.groups) {
        expect(g.arrays.length, g.function).to.be.above(0);
        for (const [k, a] of g.arrays.entries()) {
          const i = s.graph.findObject(addr(a));
          expect(i, a).to.be.at.least(0);
          // The array starts the object, or follows its malloc header (Go 1.22+, an array of pointers over 512 bytes).
          const header = hasMallocHeaders(v) && g.type === '[]*main.Item' && s.graph.objectSize[i] > 512 ? 8 : 0;
          expect(addr(a) - s.address(i), a).to.equal(header);
          // An array of the element type, at least as long as the slice and within the object: its exact capacity
          // where the frame holds it, else as many elements as the object holds.
          const m = /^\[(\d+)\](.+)$/.exec(s.typeName(i));
          expect(m?.[2], `${g.function} ${a}: ${s.typeName(i)}`).to.equal(g.type.slice(2));
          const n = Number(m![1]);
          expect(n, `${g.function} ${a}`).to.be.at.least(g.lengths[k]);
          expect(n * ELEMENT_BYTES[g.type], `${g.function} ${a}`).to.be.at.most(s.graph.objectSize[i] - header);
          const slots = s.referrers(i).map((r) => (r.kind === 'root' ? r.slot : `object ${r.object}`));
          expect(slots, `${g.function} ${a}`).to.deep.equal([`${g.function}: ${g.variable}`]);
        }
      }
    });

    it('each group is named after the function that waits, not the wait, and retains exactly the arrays it holds', function () {
      const rn = s.rootNodes;
      for (const g of facts.groups) {
        const k = rn.name.findIndex((nm, j) => rn.kind[j] === 'goroutines' && nm === g.function);
        expect(k, `${g.function} among ${rn.name.filter((_, j) => rn.kind[j] === 'goroutines').join(', ')}`).to.be.at.least(0);
        if (g.function === 'main.collector') continue; // its lists keep their Items too
        const held = g.arrays.reduce((sum, a) => sum + s.graph.objectSize[s.graph.findObject(addr(a))], 0);
        expect(s.dominators.retained[k + 1], g.function).to.equal(held);
      }
    });

    it('types counts every array and every Item the work lists alone reach', function () {
      const rows = s.typeCounts(true);
      const row = (name: string) => rows.find((r) => r.name === name);
      expect(row('main.Item')).to.include({ count: facts.items, bytes: facts.items * facts.itemSize });
      const lists = facts.groups.find((g) => g.function === 'main.collector')!;
      expect(row('[]*main.Item')?.count).to.equal(lists.arrays.length);
      const counts = facts.groups.find((g) => g.function === 'main.counter')!;
      expect(row('[]int64')?.count).to.equal(counts.arrays.length);
      // No untyped object as large as a read buffer is left.
      expect(rows.filter((r) => r.name.startsWith('untyped') && Number(/\d+/.exec(r.name)?.[0]) >= 8192).map((r) => r.name)).to.deep.equal([]);
    });
  });
}
