// HeapSession on the zoo fixtures: a warm open (from the index) and a worker open answer exactly like a cold open,
// and each query agrees with an oracle computed from first principles on the same graph.
import { expect } from 'chai';
import * as fs from 'node:fs';
import { HeapSession } from '../../lib/session/index.js';
import { buildAnalysisGraph, NONE, rootsKeepingAlive, sharedRetention, shortestPathParents, shortestRootPath } from '../../lib/analysis/index.js';
import { GO_VERSIONS, addr, scratchDir, zooBinary, zooDump, zooFacts } from '../support/fixtures.js';

/** Everything a session answers about object i, as one JSON string. */
function answersFor(s: HeapSession, i: number): string {
  return JSON.stringify({
    type: s.typeName(i), retained: s.retained(i), dominator: s.dominator(i), chain: s.dominatorChain(i),
    dominated: s.dominated({ kind: 'object', object: i }, 0, 5), referrers: s.referrers(i), path: s.pathToRoot(i),
    distance: s.distance(i), fields: s.typed ? s.describe(i).fields : null,
  });
}

function sample(n: number, k: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i += Math.max(1, Math.floor(n / k))) out.push(i);
  return out;
}

for (const version of GO_VERSIONS) {
  describe(`session: go${version}`, function () {
    this.timeout(300000);
    let cold: HeapSession;
    let warm: HeapSession;
    let cacheDir = '';

    before(async function () {
      cacheDir = scratchDir(`session-${version}`);
      cold = await HeapSession.open(zooDump(version, 'heap2'), { binary: zooBinary(version), cacheDir });
      warm = await HeapSession.open(zooDump(version, 'heap2'), { binary: zooBinary(version), cacheDir });
    });
    after(function () {
      cold.close();
      warm.close();
    });

    it('coldOpenNeeded says whether an open would compute: until the graph index is written, and with the binary until the analysis index is', async function () {
      const dir = scratchDir(`session-cold-needed-${version}`);
      const dump = zooDump(version, 'heap2');
      const binary = zooBinary(version);
      expect(HeapSession.coldOpenNeeded(dump, { cacheDir: dir })).to.equal(true);
      expect(HeapSession.coldOpenNeeded(dump, { binary, cacheDir: dir })).to.equal(true);
      // Without the binary only the graph index is written (the analysis is computed when first needed).
      (await HeapSession.open(dump, { cacheDir: dir })).close();
      expect(HeapSession.coldOpenNeeded(dump, { cacheDir: dir })).to.equal(false);
      expect(HeapSession.coldOpenNeeded(dump, { binary, cacheDir: dir })).to.equal(true);
      const withBinary = await HeapSession.open(dump, { binary, cacheDir: dir });
      expect(withBinary.fromIndex).to.deep.equal({ graph: true, analysis: false });
      withBinary.close();
      expect(HeapSession.coldOpenNeeded(dump, { binary, cacheDir: dir })).to.equal(false);
      expect(HeapSession.coldOpenNeeded(dump, { binary, cacheDir: dir, noCache: true })).to.equal(true);
      // A damaged analysis index is one to rebuild.
      const analysis = fs.readdirSync(dir).find((n) => /\.analysis-[0-9a-f]+\.idx$/.test(n))!;
      const f = `${dir}/${analysis}`;
      const bytes = fs.readFileSync(f);
      fs.writeFileSync(f, bytes.subarray(0, bytes.length >> 1));
      expect(HeapSession.coldOpenNeeded(dump, { binary, cacheDir: dir })).to.equal(true);
    });

    it('derived indexes built by a session that lets each go once written answer as before, read from their files', async function () {
      // As the viewer's worker builds them (lib/session/derived-worker.ts): the reverse edges, the sorted tree and
      // the instance lists are written and let go one by one; a session opened after reads them by position.
      const dir = scratchDir(`session-let-go-${version}`);
      const open = (): Promise<HeapSession> => HeapSession.open(zooDump(version, 'heap2'), { binary: zooBinary(version), cacheDir: dir });
      (await open()).close();
      const builder = await open();
      try {
        expect(builder.missingStructures()).to.deep.equal(['reverse', 'instances', 'instances-by-length']);
        // What an earlier version kept in their place (the reverse edges with their edge indices, the instance lists
        // of v4) is removed as each is written.
        const tree = fs.readdirSync(dir).find((f) => f.endsWith('.tree.idx'))!;
        const superseded = ['reverse', 'instances-v4', 'instances-split-v4'].map((n) => `${dir}/${tree.replace(/tree\.idx$/, `${n}.idx`)}`);
        for (const f of superseded) fs.writeFileSync(f, 'an index of an earlier version');
        builder.keepDerived(undefined, true);
        expect(builder.missingStructures()).to.deep.equal([]);
        for (const f of superseded) expect(fs.existsSync(f), f).to.equal(false);
        // The builder itself still answers (what it let go is read back when asked).
        for (const i of sample(cold.objectCount, 40)) expect(answersFor(builder, i), `object ${i}`).to.equal(answersFor(cold, i));
      } finally {
        builder.close();
      }
      const reader = await open();
      try {
        const types = cold.typeRows().slice(0, 4).map((r) => r.type);
        for (const t of types) expect(reader.instances(t, { sort: 'size', limit: 20 }), t).to.deep.equal(cold.instances(t, { sort: 'size', limit: 20 }));
        for (const i of sample(cold.objectCount, 40)) expect(answersFor(reader, i), `object ${i}`).to.equal(answersFor(cold, i));
      } finally {
        reader.close();
      }
    });

    it('a warm open comes from the index and answers exactly like the cold one (field names included)', function () {
      expect(cold.fromIndex).to.deep.equal({ graph: false, analysis: false });
      expect(warm.fromIndex).to.deep.equal({ graph: true, analysis: true });
      expect(warm.typed).to.equal(true);
      expect(JSON.stringify(warm.typeRows())).to.equal(JSON.stringify(cold.typeRows()));
      expect(JSON.stringify(warm.rootRows())).to.equal(JSON.stringify(cold.rootRows()));
      for (const i of sample(cold.objectCount, 150)) expect(answersFor(warm, i), `object ${i}`).to.equal(answersFor(cold, i));
      // Field names survive the index: the path to a session goes through the map's fields, not raw offsets.
      const f = zooFacts(version);
      const s = warm.findObject(addr(f.addresses.Sessions[0]));
      const path = warm.pathToRoot(s);
      expect(path[0].name).to.equal('main.LeakyCache');
      expect(path.slice(2).every((h) => h.field !== undefined && !h.field.startsWith('+0x')), JSON.stringify(path)).to.equal(true);
    });

    it('a warm open that reads its arrays by position, a block at a time, answers like the cold one', async function () {
      // Blocks of 64 bytes and no whole-file reads: every query of one object reads the index by position (as a
      // 70 M-object heap's pages do), including the derived indexes the first warm open keeps (reverse edges,
      // dominator tree, instance lists).
      const saved = { block: process.env.GOHEAP_INDEX_BLOCK_BYTES, eager: process.env.GOHEAP_INDEX_EAGER_BYTES };
      process.env.GOHEAP_INDEX_BLOCK_BYTES = '64';
      process.env.GOHEAP_INDEX_EAGER_BYTES = '0';
      const dir = scratchDir(`session-blocks-${version}`);
      const open = (): Promise<HeapSession> => HeapSession.open(zooDump(version, 'heap2'), { binary: zooBinary(version), cacheDir: dir });
      try {
        const first = await open();
        const types = first.typeRows().slice(0, 4).map((r) => r.type);
        first.referrers(0);
        first.dominatorTree();
        for (const t of types) first.instances(t, { limit: 1 });
        first.close();
        const byPosition = await open();
        try {
          expect(byPosition.fromIndex).to.deep.equal({ graph: true, analysis: true });
          for (const i of sample(cold.objectCount, 150)) {
            expect(answersFor(byPosition, i), `object ${i}`).to.equal(answersFor(cold, i));
            expect(byPosition.objectReferrerCount(i)).to.equal(cold.referrers(i).filter((r) => r.kind === 'object').length);
            expect(byPosition.rootsKeepingAlive(i), `object ${i}`).to.deep.equal(cold.rootsKeepingAlive(i));
          }
          for (const t of types) {
            const count = cold.instances(t)!.count;
            for (const sort of ['retained', 'size', 'address'] as const) {
              for (const offset of [0, Math.floor(count / 2), Math.max(0, count - 7)]) {
                const want = cold.instances(t, { sort, offset, limit: 20 });
                expect(byPosition.instances(t, { sort, offset, limit: 20 }), `${t} ${sort} ${offset}`).to.deep.equal(want);
              }
            }
          }
          expect(byPosition.dominated({ kind: 'roots' }, 0, 30)).to.deep.equal(cold.dominated({ kind: 'roots' }, 0, 30));
        } finally {
          byPosition.close();
        }
        // The shared retention's edge scan, a chunk of objects at a time, over edges read by position (into the
        // scan's own buffers) and over the arrays in memory: the very same condensed graph.
        const scan = await open();
        try {
          expect(scan.graph.column('edgeTarget').range(0, 4, new ArrayBuffer(1024)).buffer.byteLength).to.equal(1024);
          const want = sharedRetention(cold.graph, cold.dominators);
          for (const chunk of [1, 97, 1000]) {
            const got = sharedRetention(scan.graph, scan.dominators, chunk);
            for (const k of Object.keys(want) as (keyof typeof want)[]) {
              expect(got[k] instanceof Object ? Array.from(got[k] as Uint32Array) : got[k], `${k}, chunks of ${chunk}`)
                .to.deep.equal(want[k] instanceof Object ? Array.from(want[k] as Uint32Array) : want[k]);
            }
          }
        } finally {
          scan.close();
        }
      } finally {
        for (const [k, v] of [['GOHEAP_INDEX_BLOCK_BYTES', saved.block], ['GOHEAP_INDEX_EAGER_BYTES', saved.eager]] as const) {
          if (v === undefined) delete process.env[k];
          else process.env[k] = v;
        }
      }
    });

    it('a worker open answers like an in-thread one', async function () {
      const w = await HeapSession.open(zooDump(version, 'heap2'), { binary: zooBinary(version), cacheDir, worker: true });
      try {
        expect(w.fromIndex).to.deep.equal({ graph: true, analysis: true });
        for (const i of sample(cold.objectCount, 60)) expect(answersFor(w, i)).to.equal(answersFor(cold, i));
      } finally {
        w.close();
      }
      const noIndex = await HeapSession.open(zooDump(version, 'heap2'), { binary: zooBinary(version), noCache: true, worker: true });
      try {
        expect(noIndex.fromIndex).to.deep.equal({ graph: false, analysis: false });
        for (const i of sample(cold.objectCount, 60)) expect(answersFor(noIndex, i)).to.equal(answersFor(cold, i));
      } finally {
        noIndex.close();
      }
    });

    it('pathToRoot from the persisted tree equals a fresh breadth-first search', function () {
      for (const i of sample(cold.objectCount, 80)) {
        expect(JSON.stringify(cold.pathToRoot(i).map((h) => [h.kind, h.name, h.address, h.object])))
          .to.equal(JSON.stringify(shortestRootPath(cold.graph, cold.types, cold.rootNodes, i).map((h) => [h.kind, h.name, h.address, h.object])));
      }
      const g = buildAnalysisGraph(cold.graph, cold.rootNodes);
      const sp = shortestPathParents(g, Uint32Array.of(0));
      for (const i of sample(cold.objectCount, 80)) {
        const d = sp.distance[g.firstObjectNode + i];
        expect(cold.distance(i)).to.equal(d === NONE ? -1 : d - 1);
      }
    });

    it('rootsKeepingAlive (through the topmost dominator) equals a reverse search from the object itself', function () {
      for (const i of sample(cold.objectCount, 200)) {
        expect(cold.rootsKeepingAlive(i), `object ${i}`).to.deep.equal(rootsKeepingAlive(cold.graph, cold.rootNodes, i));
      }
    });

    it('referrers are the reverse of the edges, plus the roots that point at the object', function () {
      const g = cold.graph;
      const expected = new Map<number, string[]>();
      for (let o = 0; o < g.objectCount; o++) {
        for (let e = g.edgeStart[o]; e < g.edgeStart[o + 1]; e++) {
          const t = g.edgeTarget[e];
          if (!expected.has(t)) expected.set(t, []);
          expected.get(t)!.push(`${o}@${g.edgeOffset(e)}`);
        }
      }
      const rootCount = new Map<number, number>();
      for (let r = 0; r < g.roots.count; r++) rootCount.set(g.roots.target[r], (rootCount.get(g.roots.target[r]) ?? 0) + 1);
      for (const i of sample(g.objectCount, 300)) {
        const refs = cold.referrers(i);
        const objs = refs.filter((r) => r.kind === 'object').map((r) => r.kind === 'object' ? `${r.object}@${r.offset}` : '');
        expect(objs).to.deep.equal(expected.get(i) ?? []);
        expect(refs.filter((r) => r.kind === 'root').length).to.equal(rootCount.get(i) ?? 0);
      }
    });

    it('globals and frame variables are named as referrers', function () {
      const f = zooFacts(version);
      const head = cold.findObject(addr(f.addresses.ListHead));
      const roots = cold.referrers(head).filter((r) => r.kind === 'root');
      expect(roots.map((r) => r.kind === 'root' && r.slot)).to.include('main.ListHead');
      expect(cold.findGlobal('main.ListHead')?.address).to.equal(addr(f.addresses.ListHeadGlobal));
      // Some goroutine frame holds a heap pointer in a named local: its referrer names function and variable.
      let named = 0;
      for (let r = 0; r < cold.graph.roots.count && named === 0; r++) {
        const refs = cold.referrers(cold.graph.roots.target[r]);
        named += refs.filter((x) => x.kind === 'root' && x.variable !== undefined && x.function !== undefined).length;
      }
      expect(named).to.be.above(0);
    });

    it('dominated children are the dominator tree children, largest first, paged', function () {
      const idom = cold.dominators.idom;
      const first = cold.dominators.firstObjectNode;
      const children = new Map<number, number[]>();
      for (let v = first; v < idom.length; v++) if (idom[v] !== NONE && idom[v] >= first) {
        const d = idom[v] - first;
        if (!children.has(d)) children.set(d, []);
        children.get(d)!.push(v - first);
      }
      let checked = 0;
      for (const [d, kids] of children) {
        if (kids.length < 3 || checked > 50) continue;
        checked++;
        const all = cold.dominated({ kind: 'object', object: d }, 0, 0x7fffffff);
        expect(all.total).to.equal(kids.length);
        const got = all.items.map((x) => (x.kind === 'object' ? x.object : -1));
        expect([...got].sort((a, b) => a - b)).to.deep.equal([...kids].sort((a, b) => a - b));
        for (let k = 1; k < all.items.length; k++) expect(all.items[k - 1].retained).to.be.at.least(all.items[k].retained);
        const page = cold.dominated({ kind: 'object', object: d }, 1, 2);
        expect(page.items.map((x) => (x.kind === 'object' ? x.object : -1))).to.deep.equal(got.slice(1, 3));
        // The dominator chain of a child starts at its dominator.
        expect(cold.dominatorChain(kids[0])[0]).to.deep.equal({ kind: 'object', object: d });
      }
      expect(checked).to.be.above(0);
      const top = cold.dominated({ kind: 'roots' }, 0, 1000000);
      expect(top.items.reduce((a, x) => a + x.retained, 0)).to.equal(cold.reachableBytes);
    });

    it('instances of a type: the program\'s own count, paged and sorted', function () {
      const f = zooFacts(version);
      const page = cold.instances('main.Node', { sort: 'retained', offset: 0, limit: 10 })!;
      expect(page.count).to.equal(f.counts.Node);
      expect(page.items).to.have.length(10);
      const all = cold.instances('main.Node', { sort: 'retained', offset: 0, limit: 0 })!;
      expect(all.items).to.have.length(f.counts.Node);
      expect(all.items.slice(0, 10)).to.deep.equal(page.items);
      for (let k = 1; k < all.items.length; k++) expect(cold.retained(all.items[k - 1])).to.be.at.least(cold.retained(all.items[k]));
      const deep = cold.instances('main.Node', { sort: 'retained', offset: 500, limit: 20 })!;
      expect(deep.items).to.deep.equal(all.items.slice(500, 520));
      const bySize = cold.instances('main.Node', { sort: 'address', offset: 0, limit: 5 })!;
      const addrs = all.items.map((i) => cold.address(i)).sort((a, b) => a - b);
      expect(bySize.items.map((i) => cold.address(i))).to.deep.equal(addrs.slice(0, 5));
      expect(cold.instances('no.Such', {})).to.equal(undefined);
      expect(cold.findTypes('main.Node').map((r) => r.type)).to.include('main.Node');
    });

    it('close releases the dump', function () {
      const path = zooDump(version, 'heap1');
      return HeapSession.open(path, { cacheDir }).then((s) => {
        s.describe === undefined || s.size(0);
        s.close();
        expect(fs.existsSync(path)).to.equal(true);
      });
    });
  });
}

describe('session: the answers a cold open keeps while its analysis index is written (whileWriting)', function () {
  this.timeout(300000);
  it('runs before the open waits for the index; when it throws, the open fails with its error and the index is written whole, no unfinished file left', async function () {
    const dir = scratchDir('session-while-writing');
    const options = { binary: zooBinary('1.26'), cacheDir: dir };
    let kept = false;
    const s = await HeapSession.open(zooDump('1.26', 'heap2'), { ...options, whileWriting: (h) => { kept = h.summariesKept; } });
    s.close();
    expect(kept).to.equal(true);
    const failing = scratchDir('session-while-writing-throws');
    let error: unknown;
    try {
      (await HeapSession.open(zooDump('1.26', 'heap2'), { ...options, cacheDir: failing, whileWriting: () => { throw new Error('kept answers failed'); } })).close();
    } catch (e) {
      error = e;
    }
    expect((error as Error)?.message).to.equal('kept answers failed');
    expect(fs.readdirSync(failing).filter((f) => f.endsWith('.tmp'))).to.deep.equal([]);
    expect(HeapSession.coldOpenNeeded(zooDump('1.26', 'heap2'), { ...options, cacheDir: failing })).to.equal(false);
  });
});
