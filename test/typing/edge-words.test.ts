// The edge words pass on two threads (lib/typing/edge-words.ts): this thread and a worker take chunks of objects in
// turn and read the words next to their slots, and the malloc headers both find are noted in object order. Types
// recovered so, in chunks of a few objects (however the two threads share them), must be those of one thread: every
// object's type, the tiny blocks' sub-objects, the objects typed by inference. Checked on Go 1.19 (no malloc
// headers), 1.22 and 1.26 (headers), and on three programs of other shapes.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadGoProgram } from '../../lib/gotypes/index.js';
import { loadHeapGraph } from '../../lib/graph/index.js';
import { compiledFile } from '../../lib/package-files.js';
import { RecoveredTypes, recoverTypes } from '../../lib/typing/index.js';
import { noteInOrder } from '../../lib/typing/edge-words.js';
import { ROOT, zooBinary, zooDump } from '../support/fixtures.js';

const fixture = (name: string): { dump: string; binary: string } => {
  const dir = path.join(ROOT, '.cache/fixtures', name, 'go1.26');
  return { dump: path.join(dir, 'heap1.dump'), binary: path.join(dir, name) };
};

describe('typing: the edge words read on two threads', function () {
  this.timeout(120000);
  const cases = [
    ...['1.19', '1.22', '1.26'].map((v) => ({ name: `zoo go${v}`, dump: zooDump(v, 'heap2'), binary: zooBinary(v) })),
    ...['realtypes', 'svcmix', 'bigarray'].map((n) => ({ name: `${n} go1.26`, ...fixture(n) })),
  ];
  for (const c of cases) {
    it(`types ${c.name} as one thread does`, function () {
      expect(fs.existsSync(compiledFile('lib/typing/edge-words-worker.js')), 'the worker is built').to.equal(true);
      const graph = loadHeapGraph(c.dump);
      const program = loadGoProgram(c.binary);
      try {
        // The split is taken only over shared columns, as a loaded graph's are.
        expect(graph.edgeTarget.buffer).to.be.instanceOf(SharedArrayBuffer);
        const one = recoverTypes(graph, program, { edgeWordsSplitMinObjects: Infinity }) as RecoveredTypes;
        const two = recoverTypes(graph, program, { edgeWordsSplitMinObjects: 0, edgeWordsChunkObjects: 37, edgeWordsWorkerFirst: true }) as RecoveredTypes;
        expect(two.typedObjects).to.equal(one.typedObjects);
        expect(two.typedBytes).to.equal(one.typedBytes);
        expect(one.typedObjects).to.be.above(graph.objectCount / 2);
        let differ = 0;
        for (let i = 0; i < graph.objectCount; i++) if (one.objectTypeName(i) !== two.objectTypeName(i) && differ++ < 5) expect.fail(`object ${i}: ${one.objectTypeName(i)} vs ${two.objectTypeName(i)}`);
        const [a, b] = [one.tinyObjects, two.tinyObjects];
        expect([...b.object]).to.deep.equal([...a.object]);
        expect([...b.place]).to.deep.equal([...a.place]);
        expect([...b.typing]).to.deep.equal([...a.typing]);
        expect([...two.inferred]).to.deep.equal([...one.inferred]);
      } finally {
        graph.close();
        program.close();
      }
    });
  }

  it('the headers both threads found are noted in object order, whichever thread read which chunk', function () {
    // Chunks of 3 objects: this thread read 0-2 and 9-11, the worker 3-8 and 12-14 (object, first word) pairs.
    const mine = [0, 100, 2, 102, 9, 109, 11, 111];
    const theirs = [3, 103, 5, 105, 8, 108, 13, 113];
    const noted: number[] = [];
    noteInOrder(mine, theirs, (o, w) => noted.push(o, w));
    expect(noted).to.deep.equal([0, 100, 2, 102, 3, 103, 5, 105, 8, 108, 9, 109, 11, 111, 13, 113]);
    const only: number[] = [];
    noteInOrder([], Float64Array.of(4, 104, 7, 107), (o, w) => only.push(o, w));
    expect(only).to.deep.equal([4, 104, 7, 107]);
  });
});
