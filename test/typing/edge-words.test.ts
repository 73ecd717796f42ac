// The edge words pass on two threads (lib/typing/edge-words.ts): a worker reads the words next to the slots of the
// second half of the objects, and the malloc headers it finds are noted after this thread's. Types recovered with the
// pass split at any dump's middle must be those of one thread: every object's type, the tiny blocks' sub-objects, the
// objects typed by inference. Checked on Go 1.19 (no malloc headers), 1.22 and 1.26 (headers), and on three programs
// of other shapes.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadGoProgram } from '../../lib/gotypes/index.js';
import { loadHeapGraph } from '../../lib/graph/index.js';
import { compiledFile } from '../../lib/package-files.js';
import { RecoveredTypes, recoverTypes } from '../../lib/typing/index.js';
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
        const two = recoverTypes(graph, program, { edgeWordsSplitMinObjects: 0 }) as RecoveredTypes;
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
});
