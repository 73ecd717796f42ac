// Type recovery on the shapes fixture (fixtures/shapes: tiny blocks, sync.Map, unsafe.Pointer, sync.Pool, generic
// containers) and the net/http server fixture, on every Go version each is built with: counts of the programs' own
// types against the numbers they printed, tiny-block sub-objects at the addresses the program printed (their bytes
// decoded independently of goheap), inferred typings marked as such, coverage, and the persisted form.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'chai';
import { HeapGraph, loadHeapGraph } from '../../lib/graph/index.js';
import { GoProgram, loadGoProgram } from '../../lib/gotypes/index.js';
import {
  RecoveredTypes, TypingKind, recoverTypes, restoreTypes, storeTypes, typeCoverage, typeHistogram,
} from '../../lib/typing/index.js';
import { HeapSession } from '../../lib/session/index.js';
import { GO_VERSIONS, ROOT, addr, scratchDir } from '../support/fixtures.js';

function fixture(name: string, version: string): { dump: string; binary: string; facts: any } {
  const dir = path.join(ROOT, '.cache/fixtures', name, `go${version}`);
  if (!fs.existsSync(path.join(dir, 'heap1.dump'))) throw new Error(`${dir}: fixtures are not unpacked; run 'make unpack'`);
  const facts = JSON.parse(fs.readFileSync(path.join(ROOT, 'fixtures', name, `go${version}`, 'facts.json'), 'utf8'));
  return { dump: path.join(dir, 'heap1.dump'), binary: path.join(dir, name), facts };
}

function versionsOf(name: string): string[] {
  const f = path.join(ROOT, 'fixtures', name, 'versions');
  return fs.existsSync(f) ? fs.readFileSync(f, 'utf8').split('\n').filter((l) => l !== '') : GO_VERSIONS;
}

function coverageLine(label: string, graph: HeapGraph, types: RecoveredTypes): number {
  const c = typeCoverage(graph, types);
  const pb = (100 * c.typedReachableBytes) / c.reachableBytes;
  const po = (100 * c.typedReachableObjects) / c.reachableObjects;
  console.log(`      ${label}: typed ${pb.toFixed(2)}% of ${c.reachableBytes} reachable bytes, ${po.toFixed(2)}% of ${c.reachableObjects} objects`);
  return pb;
}

describe('typing: the shapes fixture (tiny blocks, sync.Map, unsafe.Pointer, sync.Pool, generics)', function () {
  this.timeout(120000);
  for (const version of versionsOf('shapes')) {
    describe(`go${version}`, function () {
      const fx = fixture('shapes', version);
      const f = fx.facts;
      let graph: HeapGraph;
      let program: GoProgram;
      let types: RecoveredTypes;
      before(function () {
        graph = loadHeapGraph(fx.dump);
        program = loadGoProgram(fx.binary);
        types = recoverTypes(graph, program) as RecoveredTypes;
      });
      after(function () {
        graph.close();
        program.close();
      });

      it("counts of the program's own types equal the numbers it printed", function () {
        const h = typeHistogram(graph, types);
        const count = (name: string): number => h.find((r) => r.name === name)?.count ?? 0;
        const bytesOf = (name: string): number => h.find((r) => r.name === name)?.bytes ?? 0;
        expect(count('main.Num'), 'Num').to.equal(f.counts.Num);
        expect(count('main.Var'), 'Var').to.equal(f.counts.Var);
        // Sub-objects count their own bytes, not their blocks'.
        expect(bytesOf('main.Num'), 'Num bytes').to.equal(f.counts.Num * f.sizes.Num);
        expect(bytesOf('main.Var'), 'Var bytes').to.equal(f.counts.Var * f.sizes.Var);
        expect(count('main.Add'), 'Add').to.equal(f.counts.Add);
        expect(count('main.Session'), 'Session (in a sync.Map)').to.equal(f.counts.Session);
        expect(count('main.Holder'), 'Holder').to.equal(f.counts.Holder);
        expect(count('main.Payload'), 'Payload (behind unsafe.Pointer)').to.equal(f.counts.Payload);
        expect(count('main.Buffer'), 'Buffer (in a sync.Pool)').to.equal(f.counts.Buffer);
        // The pooled buffers' byte arrays: one row per length on request.
        const split = typeHistogram(graph, types, false, true);
        expect(split.find((r) => r.name === `[${f.counts.BufferSize}]uint8`)?.count, 'pooled buffers\' bytes').to.equal(f.counts.Buffer);
        expect(count('main.Item'), 'Item').to.equal(f.counts.Item);
        expect(count(f.typeNames.elem), f.typeNames.elem).to.equal(f.counts.elem);
        expect(count('main.Outer'), 'Outer').to.equal(f.counts.Outer);
        // No block is counted as a type of its own.
        expect(count('tiny block'), 'tiny block').to.equal(0);
      });

      it('tiny blocks: each Num and Var the program printed is a sub-object at its address, holding its value', function () {
        const check = (hexes: string[], values: number[], type: string, size: number, read: (v: DataView, o: number) => number) => {
          hexes.forEach((hex, k) => {
            const a = addr(hex);
            const i = graph.findObject(a);
            expect(i, hex).to.be.at.least(0);
            expect(graph.objectSize[i], hex).to.equal(16);
            expect(types.typings.kind[types.objectType[i]], hex).to.equal(TypingKind.TinyBlock);
            const off = a - graph.objectAddress[i];
            const sub = types.subObjectAt(i, off)!;
            expect(sub, `${hex} +${off}`).to.not.equal(undefined);
            expect(sub.type).to.equal(type);
            expect(sub.offset).to.equal(off);
            expect(sub.size).to.equal(size);
            expect(types.typeNameAt(i, off)).to.equal(type);
            // The value, read straight from the block's bytes.
            const c = graph.objectContent(i);
            expect(read(new DataView(c.buffer, c.byteOffset, c.length), off), hex).to.equal(values[k]);
          });
        };
        check(f.addresses.Nums, f.values.Nums, 'main.Num', f.sizes.Num, (v, o) => v.getFloat64(o, true));
        check(f.addresses.Vars, f.values.Vars, 'main.Var', f.sizes.Var, (v, o) => v.getUint16(o, true));
      });

      it('every reachable Num and Var lies in a tiny block as a sub-object (none typed as a whole block)', function () {
        const t = types.tinyObjects;
        for (let k = 1; k < t.object.length; k++) {
          // Sorted by block, then offset; inside the block.
          expect(t.object[k] > t.object[k - 1] || (t.object[k] === t.object[k - 1] && (t.place[k] & 255) > (t.place[k - 1] & 255))).to.equal(true);
        }
        for (let k = 0; k < t.object.length; k++) expect((t.place[k] & 255) + (t.place[k] >>> 8)).to.be.at.most(graph.objectSize[t.object[k]]);
        const h = typeHistogram(graph, types, true);
        expect(h.find((r) => r.name === 'main.Num')?.count).to.equal(f.counts.Num);
      });

      it('the Payload behind Holder.P is typed and marked inferred; the Holder is not', function () {
        const p = graph.findObject(addr(f.addresses.FirstPayload));
        expect(types.objectTypeName(p)).to.equal('main.Payload');
        expect(types.isInferred(p)).to.equal(true);
        const h = graph.findObject(addr(f.addresses.FirstHolder));
        expect(types.objectTypeName(h)).to.equal('main.Holder');
        expect(types.isInferred(h)).to.equal(false);
        const s = graph.findObject(addr(f.addresses.FirstSession));
        expect(types.objectTypeName(s)).to.equal('main.Session');
      });

      it('types >= 99% of reachable bytes', function () {
        expect(coverageLine(`shapes go${version}`, graph, types)).to.be.at.least(99);
      });

      it('the persisted form restores the same types, sub-objects and inferred marks', function () {
        const stored = storeTypes(types);
        const json = JSON.parse(JSON.stringify(stored.typings));
        const back = restoreTypes(graph, program, { ...stored, typings: json })!;
        expect(back).to.not.equal(undefined);
        expect(JSON.stringify(typeHistogram(graph, back))).to.equal(JSON.stringify(typeHistogram(graph, types)));
        expect([...back.tinyObjects.place]).to.deep.equal([...types.tinyObjects.place]);
        expect([...back.inferred]).to.deep.equal([...types.inferred]);
        const i = graph.findObject(addr(f.addresses.Nums[0]));
        expect(back.subObjects(i)).to.deep.equal(types.subObjects(i));
      });
    });
  }
});

describe('typing: a warm session open answers like the cold one (tiny sub-objects and inferred marks persisted)', function () {
  this.timeout(120000);
  for (const version of ['1.19', '1.26']) {
    it(`shapes go${version}`, async function () {
      const fx = fixture('shapes', version);
      const cacheDir = scratchDir(`typing-warm-${version}`);
      const answers: string[] = [];
      for (let k = 0; k < 2; k++) {
        const s = await HeapSession.open(fx.dump, { binary: fx.binary, cacheDir });
        try {
          const t = s.types as RecoveredTypes;
          const i = s.graph.findObject(addr(fx.facts.addresses.Nums[0]));
          answers.push(JSON.stringify([typeHistogram(s.graph, t), s.typeRows(), [...t.tinyObjects.object], [...t.tinyObjects.place],
            [...t.tinyObjects.typing], [...t.inferred], t.subObjects(i), t.typeNames]));
        } finally {
          s.close();
        }
      }
      expect(answers[1]).to.equal(answers[0]);
      expect(answers[0]).to.contain('"main.Num"');
    });
  }
});

describe('typing: the net/http server fixture', function () {
  this.timeout(120000);
  for (const version of versionsOf('httpserver')) {
    it(`go${version}: >= 99% of reachable bytes typed; connections counted as the program made them`, function () {
      const fx = fixture('httpserver', version);
      const graph = loadHeapGraph(fx.dump);
      const program = loadGoProgram(fx.binary);
      const types = recoverTypes(graph, program) as RecoveredTypes;
      expect(coverageLine(`httpserver go${version}`, graph, types)).to.be.at.least(99);
      const h = typeHistogram(graph, types);
      const count = (name: string): number => h.find((r) => r.name === name)?.count ?? 0;
      const c = fx.facts.counts;
      expect(count('net/http.conn'), 'server connections').to.equal(c.Blocked + c.Idle);
      expect(count('net/http.persistConn'), 'client connections').to.equal(c.Blocked + c.Idle);
      expect(count('net/http.response'), 'requests in the handler').to.equal(c.Blocked);
      expect(count('net/http.Transport'), 'transports').to.equal(c.Idle + 1);
      graph.close();
      program.close();
    });
  }
});
