// Type recovery on every zoo fixture: coverage of reachable objects and bytes, counts of the program's own types
// against the numbers it printed (facts.json), known objects' types, frame locals, and binary/dump matching.
import { expect } from 'chai';
import { HeapGraph, loadHeapGraph } from '../../lib/graph/index.js';
import { GoProgram, loadGoProgram } from '../../lib/gotypes/index.js';
import {
  BinaryMismatchError, RecoveredTypes, checkBinaryMatchesDump, recoverTypes, typeHistogram, untypedNames,
} from '../../lib/typing/index.js';
import { DUMPS, GO_VERSIONS, addr, zooBinary, zooDump, zooFacts } from '../support/fixtures.js';

describe('typing: recoverTypes on the zoo fixtures', function () {
  this.timeout(120000);
  for (const version of GO_VERSIONS) {
    for (const dump of DUMPS) {
      describe(`go${version} ${dump}`, function () {
        let graph: HeapGraph;
        let program: GoProgram;
        let types: RecoveredTypes;
        const f = zooFacts(version);
        before(function () {
          graph = loadHeapGraph(zooDump(version, dump));
          program = loadGoProgram(zooBinary(version));
          types = recoverTypes(graph, program) as RecoveredTypes;
        });
        after(function () {
          graph.close();
          program.close();
        });

        it('types >= 99% of reachable bytes and >= 95% of reachable objects', function () {
          let objects = 0;
          let bytes = 0;
          let typedObjects = 0;
          let typedBytes = 0;
          for (let i = 0; i < graph.objectCount; i++) {
            if (graph.reachable[i] === 0) continue;
            objects++;
            bytes += graph.objectSize[i];
            if (types.objectType[i] !== 0) {
              typedObjects++;
              typedBytes += graph.objectSize[i];
            }
          }
          const po = (100 * typedObjects) / objects;
          const pb = (100 * typedBytes) / bytes;
          // The figures, for the record.
          console.log(`      go${version} ${dump}: typed ${po.toFixed(2)}% of ${objects} reachable objects, ${pb.toFixed(2)}% of ${bytes} reachable bytes`);
          expect(pb).to.be.at.least(99);
          expect(po).to.be.at.least(95);
        });

        it("counts of the program's own types equal the numbers it printed", function () {
          const h = typeHistogram(graph, types);
          const count = (name: string): number => h.find((r) => r.name === name)?.count ?? 0;
          expect(count('main.Node'), 'Node').to.equal(f.counts.Node);
          expect(count('main.Session'), 'Session').to.equal(dump === 'heap1' ? f.counts.Session1 : f.counts.Session2);
          expect(count('main.Circle'), 'Circle').to.equal(f.counts.Circle);
          expect(count('main.Rect'), 'Rect').to.equal(f.counts.Rect);
          expect(count('main.Big'), 'Big').to.equal(f.counts.Big);
          expect(count('main.Medium'), 'Medium').to.equal(f.counts.Medium);
          expect(count('main.Finalized'), 'Finalized').to.equal(f.counts.Finalized);
          // The queued ones, plus main's `blocker`: the argument of the first finalizer, which is parked in
          // <-blockForever and so keeps it alive (main.go allocates doomed + 1 Doomed values).
          expect(count('main.Doomed'), 'Doomed').to.equal(f.counts.Doomed + 1);
        });

        it('known objects have their types', function () {
          const typeAt = (hex: string): string => {
            const i = graph.findObject(addr(hex));
            expect(i, hex).to.be.at.least(0);
            return types.objectTypeName(i);
          };
          expect(typeAt(f.addresses.ListHead)).to.equal('main.Node');
          expect(typeAt(f.addresses.BigObj)).to.equal('main.Big');
          for (const a of f.addresses.Sessions) expect(typeAt(a)).to.equal('main.Session');
          for (const a of f.addresses.Finalized) expect(typeAt(a)).to.equal('main.Finalized');
          for (const a of f.addresses.Queued) expect(typeAt(a)).to.equal('main.Doomed');
          for (const a of f.addresses.Mediums) expect(typeAt(a)).to.equal('main.Medium');
          expect(typeAt(f.addresses.MarkerData)).to.equal('string data');
          expect(typeAt(f.addresses.Pipe)).to.equal('chan *main.Node');
        });

        it('field names by offset', function () {
          const head = graph.findObject(addr(f.addresses.ListHead));
          expect(types.fieldName(head, 0)).to.equal('Next');
          expect(types.fieldName(head, 8)).to.equal('Value');
          expect(types.fieldName(head, 16)).to.equal('Name');
          const big = graph.findObject(addr(f.addresses.BigObj));
          expect(types.fieldName(big, 12 * f.ptrSize)).to.equal('Slots[12]');
        });

        it('the binary matches its own dump', function () {
          expect(() => checkBinaryMatchesDump(graph, program, zooBinary(version))).not.to.throw();
        });
      });
    }
  }

  it('main.recurse frames: `pad` sits at CFA-56 with CFA = sp + size, holding pad[n%4] = n', function () {
    // Independent of the typing code: read main.recurse's DWARF location of `pad` and check the frame words.
    const v = '1.26';
    const graph = loadHeapGraph(zooDump(v));
    const program = loadGoProgram(zooBinary(v));
    const fn = program.functionByName('main.recurse')!;
    const pad = fn.locals.find((l) => l.name === 'pad')!;
    const fr = graph.frames;
    let checked = 0;
    for (let k = 0; k < fr.count; k++) {
      if (fr.functionNames[fr.functionId[k]] !== 'main.recurse') continue;
      const pc = fr.depth[k] > 0 ? fr.pc[k] - 1 : fr.pc[k];
      const loc = pad.location ?? pad.locationList!.find((e) => e.low <= pc && pc < e.high)?.location;
      if (loc?.kind !== 'frame') continue;
      // The depth of recursion: n counts down to 0 at the innermost main.recurse frame of the goroutine.
      let n = 0;
      for (let j = k - 1; j >= 0 && fr.goroutine[j] === fr.goroutine[k] && fr.functionNames[fr.functionId[j]] === 'main.recurse'; j--) n++;
      const at = fr.size[k] + loc.offset; // CFA - sp = size
      const words = new DataView(graph.frameContent(k).buffer);
      const vals = [0, 1, 2, 3].map((q) => Number(words.getBigInt64(at + 8 * q, true)));
      expect(vals[n % 4], `frame ${k} n=${n}`).to.equal(n);
      checked++;
    }
    expect(checked).to.be.at.least(zooFacts(v).counts.Parked);
    graph.close();
    program.close();
  });

  it('BinaryMismatchError for another Go version\'s binary', function () {
    const graph = loadHeapGraph(zooDump('1.26'));
    const other = loadGoProgram(zooBinary('1.22'));
    expect(() => checkBinaryMatchesDump(graph, other, zooBinary('1.22'))).to.throw(BinaryMismatchError, /does not match/);
    graph.close();
    other.close();
  });

  it('untypedNames: every object untyped, named by its size class', function () {
    const graph = loadHeapGraph(zooDump('1.22'));
    const u = untypedNames(graph);
    expect(u.typedObjects).to.equal(0);
    expect(u.objectTypeName(0)).to.contain(String(graph.objectSize[0]));
    const h = typeHistogram(graph, u);
    expect(h.reduce((s, r) => s + r.count, 0)).to.equal(graph.objectCount);
    graph.close();
  });
});
