// The instance index (lib/session/instances.ts) on the zoo fixtures: every row's pages, at every sort and with or
// without the unreachable members, equal an oracle sorted with a comparator from the session's own per-object
// answers, counted as `goheap types` counts; the index by length dealt out from the joined one (refine) equals one
// built from scratch; one row built alone equals its row in the whole index; and the radix order (key-order.ts) equals a comparator sort on keys of every width.
import { expect } from 'chai';
import type { HeapGraph } from '../../lib/graph/index.js';
import { HeapSession } from '../../lib/session/index.js';
import { InstanceIndex, type MemberFacts, rowGrouping, rowMembers } from '../../lib/session/instances.js';
import { typedRowHead, typedRowMembers, typingsOfRow } from '../../lib/session/typed-row.js';
import { membersInRunOrder, planRetainedPage, RETAINED_BUCKETS, retainedBucket, retainedPage, runsInOrder } from '../../lib/session/crowded-row.js';
import { orderByKey } from '../../lib/session/key-order.js';
import { histogramRowNames, TINY_BLOCK_NAME, TINY_REST_NAME, typeHistogram } from '../../lib/typing/index.js';
import { scratchDir, zooBinary, zooDump, zooFacts } from '../support/fixtures.js';

describe('session/typed-row: a row from the typing ids alone', () => {
  it('lists the objects of the wanted typings by address, when object numbers are not in address order, a chunk at a time', () => {
    // Five objects whose numbers are not in address order (runs interleaved); typings 1 and 2 are the row.
    const address = [0x500, 0x100, 0x400, 0x200, 0x300];
    const graph = { objectCount: 5, addressOf: (i: number) => address[i], sizeOf: (i: number) => 16 * (i + 1) } as unknown as HeapGraph;
    const ids = Uint32Array.of(1, 3, 2, 1, 0);
    const typeIds = { length: 5, at: (i: number) => ids[i], range: (from: number, to: number) => ids.slice(from, to) };
    const wanted = Uint8Array.of(0, 1, 1, 0);
    for (const chunk of [1, 2, 5]) {
      const row = typedRowMembers(graph, typeIds, wanted, chunk);
      expect(Array.from(row.member), `chunks of ${chunk}`).to.deep.equal([3, 2, 0]);
      expect(Array.from(row.bytes)).to.deep.equal([64, 48, 16]);
    }
  });
});

describe('session/typed-row: a crowded row\'s head', () => {
  // Four objects of 16 bytes in two runs of two; typing 1 is the row; all reachable, retaining 5, 9, 9 and 7 bytes.
  const fake = (runStart: number[]) => ({
    objectCount: 4,
    addressIndex: { runFirst: Uint32Array.of(0, 2), runCount: Uint32Array.of(2, 2), runObjectSize: Uint32Array.of(16, 16), runStart: Float64Array.from(runStart) },
  }) as unknown as HeapGraph;
  const ids = Uint32Array.of(1, 1, 1, 1);
  const column = (a: Uint32Array | Uint8Array) => ({ length: a.length, at: (i: number) => a[i], range: (from: number, to: number) => a.slice(from, to) });
  const retained = Float64Array.of(5, 9, 9, 7);
  const source = (graph: HeapGraph) => ({ graph, typeIds: column(ids), reachable: column(Uint8Array.of(1, 1, 1, 1)), retained: (lo: number, hi: number) => retained.slice(lo, hi) });
  // The first k members by address or size: read from the head's bitmap, as a page is (crowded-row.ts).
  const firstOf = (graph: HeapGraph, head: { members: Uint32Array }, by: 'address' | 'size', k: number) =>
    membersInRunOrder(head.members, graph.addressIndex, runsInOrder(graph.addressIndex, by), 0, k);

  it('keeps the first k by address, and the k largest by retained size and size with ties to the lower address, a chunk at a time', () => {
    for (const chunk of [1, 3, 4]) {
      const graph = fake([0x100, 0x200]);
      const head = typedRowHead(source(graph), Uint8Array.of(0, 1), 2, chunk);
      expect(head.count, `chunks of ${chunk}`).to.equal(4);
      expect(head.bytes).to.equal(64);
      expect(Array.from(firstOf(graph, head, 'address', 2))).to.deep.equal([0, 1]);
      expect(Array.from(head.byRetained)).to.deep.equal([1, 2]);
      expect(Array.from(firstOf(graph, head, 'size', 2))).to.deep.equal([0, 1]);
    }
  });

  it('orders by address, not by object number, when runs are not in address order', () => {
    // Objects 2 and 3 (the second run) come first in memory.
    for (const chunk of [1, 3, 4]) {
      const graph = fake([0x300, 0x100]);
      const head = typedRowHead(source(graph), Uint8Array.of(0, 1), 3, chunk);
      expect(Array.from(firstOf(graph, head, 'address', 3)), `chunks of ${chunk}`).to.deep.equal([2, 3, 0]);
      expect(Array.from(head.byRetained)).to.deep.equal([2, 1, 3]);
      expect(Array.from(firstOf(graph, head, 'size', 3))).to.deep.equal([2, 3, 0]);
    }
  });
});

describe('session/crowded-row: the retained-size histogram\'s buckets', () => {
  it('one per size below 8 KiB; above, never fewer bytes in a higher bucket, up to 2^53 bytes', () => {
    for (let v = 0; v < 8192; v++) expect(retainedBucket(v)).to.equal(v);
    let seed = 99;
    const values = [8191, 8192, 8193, 12287, 12288, 16383, 16384, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 53 - 1];
    for (let x = 0; x < 20000; x++) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      values.push(Math.floor((seed / 2147483648) * 2 ** (13 + (x % 40))));
    }
    values.sort((a, b) => a - b);
    for (let x = 1; x < values.length; x++) expect(retainedBucket(values[x]), `${values[x - 1]} then ${values[x]}`).to.be.at.least(retainedBucket(values[x - 1]));
    expect(retainedBucket(2 ** 53 - 1)).to.equal(RETAINED_BUCKETS - 1);
    // 2^12 buckets per power of two: 8192..8193 share one, 8192 + 2 is the next.
    expect(retainedBucket(8193)).to.equal(8192);
    expect(retainedBucket(8194)).to.equal(8193);
  });
});

describe('session/key-order: radix order by key', () => {
  for (const bits of [6, 20, 40, 53]) {
    for (const descending of [true, false]) {
      it(`${bits}-bit keys, ${descending ? 'descending' : 'ascending'}: the comparator's order, stable`, () => {
        let seed = 12345 + bits;
        const rand = (): number => {
          seed = (seed * 1103515245 + 12345) % 2147483648;
          return seed / 2147483648;
        };
        const key = new Float64Array(20000);
        for (let x = 0; x < key.length; x++) key[x] = Math.floor(rand() * 2 ** bits);
        const want = [...key.keys()].sort((a, b) => (descending ? key[b] - key[a] : key[a] - key[b]) || a - b);
        expect(Array.from(orderByKey(key, descending))).to.deep.equal(want);
        if (bits <= 32) {
          // The same keys as the sort's own 32-bit words, carrying a payload: the payload in the same order.
          const payload = Uint32Array.from(key.keys(), (x) => x * 7 + 1);
          expect(Array.from(orderByKey(Uint32Array.from(key), descending, payload))).to.deep.equal(want.map((x) => x * 7 + 1));
        }
      });
    }
  }
  // The high words are kept only when some key needs them: one wide key at the very end must still sort first/last.
  for (const descending of [true, false]) {
    it(`32-bit keys and one of 2^45 last, ${descending ? 'descending' : 'ascending'}: the comparator's order`, () => {
      const key = new Float64Array(5000);
      for (let x = 0; x < key.length; x++) key[x] = (x * 2654435761) % 4294967296;
      key[key.length - 1] = 2 ** 45 + 7;
      const want = [...key.keys()].sort((a, b) => (descending ? key[b] - key[a] : key[a] - key[b]) || a - b);
      const got = Array.from(orderByKey(key, descending));
      expect(got).to.deep.equal(want);
      expect(got[descending ? 0 : got.length - 1]).to.equal(key.length - 1);
    });
  }
});

for (const version of ['1.19', '1.26']) {
  describe(`session/instances: zoo go${version}`, function () {
    this.timeout(300000);
    let s: HeapSession;
    let facts: MemberFacts;
    before(async () => {
      s = await HeapSession.open(zooDump(version, 'heap2'), { binary: zooBinary(version), cacheDir: scratchDir(`instances-${version}`) });
      facts = { isReachable: (i) => s.isReachable(i), retained: (i) => s.retained(i), size: (i) => s.size(i), address: (i) => s.address(i) };
    });
    after(() => s?.close());

    it('the joined index\'s rows are the type histogram\'s, unreachable-only rows included (a name of neither is no row, known without the index)', () => {
      const joined = InstanceIndex.build(s.graph, s.types, facts);
      const names = (joined.encode().meta as { names: string[] }).names;
      const rows = s.typeRows();
      // And the tiny blocks' own row, whose bytes the histogram counts as the rest of the blocks'.
      expect([...names].sort()).to.deep.equal([...rows.map((r) => r.type), TINY_BLOCK_NAME].sort());
      expect(rows.some((r) => r.reachableCount === 0)).to.equal(true);
      expect(s.hasInstances('main.NoSuchType')).to.equal(false);
      expect(s.instances('0x1234')).to.equal(undefined);
    });

    it('the index by length dealt out from the joined one equals one built from scratch', () => {
      const joined = InstanceIndex.build(s.graph, s.types, facts);
      const built = InstanceIndex.build(s.graph, s.types, facts, true).encode();
      const refined = joined.refine(s.graph, s.types, true)!.encode();
      expect(refined.meta).to.deep.equal(built.meta);
      for (const [k, a] of Object.entries(built.arrays)) expect(Array.from(refined.arrays[k] as Uint32Array), k).to.deep.equal(Array.from(a as Uint32Array));
    });

    it('every row, every sort, reachable or all: the oracle\'s order at any offset, counted as types counts', () => {
      const f = zooFacts(version);
      for (const split of [false, true]) {
        const rows = typeHistogram(s.graph, s.types, true, split);
        const allRows = new Map(typeHistogram(s.graph, s.types, false, split).map((r) => [r.name, r]));
        let checked = 0;
        for (const r of rows) {
          for (const all of [false, true]) {
            const whole = s.instances(r.name, { sort: 'address', limit: 0, all })!;
            const want = all ? allRows.get(r.name)! : r;
            expect([r.name, whole.count, whole.bytes]).to.deep.equal([r.name, want.count, want.bytes]);
            const byAddress = [...whole.items].sort((a, b) => s.address(a) - s.address(b));
            expect(whole.items, `${r.name} by address`).to.deep.equal(byAddress);
            for (const sort of ['retained', 'size'] as const) {
              const key = sort === 'retained' ? (i: number) => s.retained(i) : (i: number) => s.size(i);
              const oracle = [...byAddress].sort((a, b) => key(b) - key(a) || s.address(a) - s.address(b));
              const offset = Math.floor(oracle.length / 3);
              expect(s.instances(r.name, { sort, limit: 0, all })!.items, `${r.name} by ${sort}`).to.deep.equal(oracle);
              expect(s.instances(r.name, { sort, offset, limit: 7, all })!.items).to.deep.equal(oracle.slice(offset, offset + 7));
            }
            checked++;
          }
        }
        expect(checked).to.be.above(20);
      }
      expect(s.instances('main.Node', {})!.count).to.equal(f.counts.Node);
    });

    it('one row alone (ofRow, what a first start answers while the whole index is built) equals its row in the whole index', () => {
      let checked = 0;
      for (const split of [false, true]) {
        const whole = InstanceIndex.build(s.graph, s.types, facts, split);
        const grouping = rowGrouping(s.graph, s.types, split);
        const order = s.graph.objectsByAddress();
        for (const r of typeHistogram(s.graph, s.types, false, split)) {
          const row = rowMembers(s.graph, grouping, order, r.name);
          expect(row, r.name).to.not.equal(undefined);
          const one = InstanceIndex.ofRow(s.graph, s.types, facts, r.name, row!);
          for (const reachableOnly of [true, false]) {
            for (const sort of ['retained', 'size', 'address'] as const) {
              const want = whole.page(r.name, sort, 0, 0, reachableOnly, facts)!;
              expect(one.page(r.name, sort, 0, 0, reachableOnly, facts), `${r.name} by ${sort}`).to.deep.equal(want);
              expect(one.page(r.name, sort, 3, 5, reachableOnly, facts)).to.deep.equal(whole.page(r.name, sort, 3, 5, reachableOnly, facts));
            }
          }
          checked++;
        }
        expect(rowMembers(s.graph, grouping, order, 'main.NoSuchType')).to.equal(undefined);
      }
      expect(checked).to.be.above(40);
    });

    it('a row found from the typing ids alone (typedRowMembers, a large heap\'s first start) equals its row in the whole index; rows it cannot find are those with tiny blocks in them', () => {
      const whole = InstanceIndex.build(s.graph, s.types, facts, false);
      // The typing ids as a column read in chunks of 1,000 objects, as a large heap's are read from its index.
      const ids = s.types.objectType;
      const typeIds = { length: ids.length, at: (i: number) => ids[i], range: (from: number, to: number) => ids.slice(from, to) };
      const tiny = s.types.tinyObjects;
      const subTypeNames = new Set(Array.from(tiny?.typing ?? [], (t) => histogramRowNames(s.types, false)[t]));
      const listed: string[] = [];
      const notListed: string[] = [];
      for (const r of typeHistogram(s.graph, s.types, false, false)) {
        const wanted = typingsOfRow(s.types, typeIds, r.name, false);
        if (wanted === undefined) {
          notListed.push(r.name);
          continue;
        }
        listed.push(r.name);
        const row = typedRowMembers(s.graph, typeIds, wanted, 1000);
        const one = InstanceIndex.ofRow(s.graph, s.types, facts, r.name, row, (i) => s.graph.sizeOf(i));
        expect(row.member.length, r.name).to.equal(r.count);
        for (const reachableOnly of [true, false]) {
          for (const sort of ['retained', 'size', 'address'] as const) {
            expect(one.page(r.name, sort, 0, 0, reachableOnly, facts), `${r.name} by ${sort}`).to.deep.equal(whole.page(r.name, sort, 0, 0, reachableOnly, facts));
            expect(one.page(r.name, sort, 3, 5, reachableOnly, facts)).to.deep.equal(whole.page(r.name, sort, 3, 5, reachableOnly, facts));
          }
        }
      }
      expect(listed).to.include.members(['main.Node', 'main.Session']);
      expect(listed.length).to.be.above(20);
      // Not listed so: the tiny blocks' rows, the rows tiny blocks' sub-objects count in, untyped size classes.
      for (const name of notListed) {
        const why = name === TINY_BLOCK_NAME || name === TINY_REST_NAME || subTypeNames.has(name) || !histogramRowNames(s.types, false).includes(name);
        expect(why, name).to.equal(true);
      }
      expect(notListed).to.include(TINY_REST_NAME);
      expect(typingsOfRow(s.types, typeIds, 'main.NoSuchType', false)).to.equal(undefined);
    });

    it('a row\'s head from the typing ids (typedRowHead, a large heap\'s first start on a crowded row) is the first k of its row in the whole index, in every sort, with its reachable count and bytes', () => {
      const whole = InstanceIndex.build(s.graph, s.types, facts, false);
      const ids = s.types.objectType;
      const typeIds = { length: ids.length, at: (i: number) => ids[i], range: (from: number, to: number) => ids.slice(from, to) };
      const src = { graph: s.graph, typeIds, reachable: s.graph.column('reachable'), retained: (lo: number, hi: number) => s.retainedOfObjects(lo, hi) };
      let rows = 0;
      let cut = 0;
      for (const r of typeHistogram(s.graph, s.types, false, false)) {
        const wanted = typingsOfRow(s.types, typeIds, r.name, false);
        if (wanted === undefined) continue;
        rows++;
        for (const k of [1, 7, 1000]) {
          for (const chunk of [1000, 4096]) {
            const head = typedRowHead(src, wanted, k, chunk);
            const all = whole.page(r.name, 'address', 0, 0, true, facts)!;
            expect([head.count, head.bytes], `${r.name} (k ${k}, chunks of ${chunk})`).to.deep.equal([all.total, all.bytes]);
            if (all.total > k) cut++;
            const first = (by: 'address' | 'size') => membersInRunOrder(head.members, s.graph.addressIndex, runsInOrder(s.graph.addressIndex, by), 0, k);
            for (const [sort, got] of [['address', first('address')], ['retained', head.byRetained], ['size', first('size')]] as const) {
              expect(Array.from(got), `${r.name} by ${sort} (k ${k})`).to.deep.equal(whole.page(r.name, sort, 0, k, true, facts)!.items);
            }
          }
        }
      }
      expect(rows).to.be.above(20);
      // Rows longer than the head: the heaps let members go.
      expect(cut).to.be.above(20);
    });

    it('a crowded row\'s page at any offset (crowded-row.ts: by address and size from its members\' bitmap, by retained size from its histogram) is that page of the whole index, whether a retained-size bucket is collected or kept as a bitmap', () => {
      const whole = InstanceIndex.build(s.graph, s.types, facts, false);
      const ids = s.types.objectType;
      const typeIds = { length: ids.length, at: (i: number) => ids[i], range: (from: number, to: number) => ids.slice(from, to) };
      const src = { graph: s.graph, typeIds, reachable: s.graph.column('reachable'), retained: (lo: number, hi: number) => s.retainedOfObjects(lo, hi) };
      const runs = s.graph.addressIndex;
      const order = { address: runsInOrder(runs, 'address'), size: runsInOrder(runs, 'size') };
      let pages = 0;
      let bitmapPages = 0;
      let declined = 0;
      let deep = 0;
      for (const r of typeHistogram(s.graph, s.types, false, false)) {
        const wanted = typingsOfRow(s.types, typeIds, r.name, false);
        if (wanted === undefined) continue;
        for (const chunk of [1000, 4096]) {
          const head = typedRowHead(src, wanted, 3, chunk);
          const t = head.count;
          // A window past the end of the listing holds what there is, no more.
          expect(membersInRunOrder(head.members, runs, order.address, 0, t + 10).length, r.name).to.equal(t);
          const starts = [...new Set([0, 1, 7, Math.floor(t / 3), Math.floor(t / 2), t - 3, t - 1, t, t + 5].filter((x) => x >= 0))];
          for (const from of starts) {
            for (const limit of [1, 5, 50, t + 10]) {
              const to = Math.min(t, from + limit);
              if (from > 3) deep++;
              const want = (sort: 'address' | 'size' | 'retained') => whole.page(r.name, sort, from, limit, true, facts)!.items;
              for (const sort of ['address', 'size'] as const) {
                expect(Array.from(membersInRunOrder(head.members, runs, order[sort], Math.min(from, t), to)), `${r.name} by ${sort} [${from}, +${limit})`).to.deep.equal(want(sort));
              }
              // Collected as the viewer does, every one-size bucket as a bitmap, and nothing collected (a declined page: undefined).
              for (const [collectMax, bitmapMin] of [[undefined, undefined], [Infinity, 0], [0, 0]]) {
                const plan = planRetainedPage(head.retainedBuckets, Math.min(from, t), to, collectMax, bitmapMin);
                if (plan === undefined) {
                  expect(collectMax, `${r.name}: only a plan that may collect nothing declines`).to.equal(0);
                  declined++;
                  continue;
                }
                if (plan.asBitmap.some((x) => x === 1)) bitmapPages++;
                const got = retainedPage(src, head.members, plan, order.address, Math.min(from, t), to, chunk);
                expect(Array.from(got), `${r.name} by retained [${from}, +${limit}) (${collectMax}, ${bitmapMin})`).to.deep.equal(want('retained'));
                pages++;
              }
            }
          }
        }
      }
      expect(pages).to.be.above(1000);
      expect(bitmapPages).to.be.above(200);
      expect(declined).to.be.above(20);
      expect(deep).to.be.above(500);
    });
  });
}
