// describeObject and describeGlobal on the shapes fixture, every Go version: a three-level nested struct by field
// path, maps' entries (old hmap buckets on Go <= 1.23, Swiss tables from 1.24) against the maps the program printed,
// pointers with their target object, tiny-block sub-objects with their values, and the caps on output.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from 'chai';
import { HeapGraph, loadHeapGraph } from '../../lib/graph/index.js';
import { GoProgram, loadGoProgram } from '../../lib/gotypes/index.js';
import { FieldValue, RecoveredTypes, describeGlobal, describeObject, recoverTypes } from '../../lib/typing/index.js';
import { GO_VERSIONS, ROOT, addr } from '../support/fixtures.js';

describe('typing: describeObject and describeGlobal on the shapes fixture', function () {
  this.timeout(120000);
  for (const version of GO_VERSIONS) {
    describe(`go${version}`, function () {
      const dir = path.join(ROOT, '.cache/fixtures/shapes', `go${version}`);
      const f = JSON.parse(fs.readFileSync(path.join(ROOT, 'fixtures/shapes', `go${version}`, 'facts.json'), 'utf8'));
      let graph: HeapGraph;
      let program: GoProgram;
      let types: RecoveredTypes;
      before(function () {
        graph = loadHeapGraph(path.join(dir, 'heap1.dump'));
        program = loadGoProgram(path.join(dir, 'shapes'));
        types = recoverTypes(graph, program) as RecoveredTypes;
      });
      after(function () {
        graph.close();
        program.close();
      });

      const entries = (fv: FieldValue): Record<string, number> =>
        Object.fromEntries((fv.children ?? []).map((c) => [JSON.parse(c.name.slice(1, -1)), Number(c.value)]));

      it('a three-level nested struct: every leaf by its path, with its value; the map field with its entries', function () {
        const i = graph.findObject(addr(f.addresses.Nested));
        const d = describeObject(graph, types, i);
        expect(d.type).to.equal('main.Outer');
        expect(d.truncated).to.equal(false);
        const by = Object.fromEntries(d.fields.map((x) => [x.name, x]));
        expect(Object.keys(by)).to.deep.equal(['Name', 'Mid.Level', 'Mid.In.X', 'Mid.In.Y', 'Mid.In.Label', 'Mid.Ok', 'Tags', 'Count']);
        expect(by.Name.value).to.equal('"outer"');
        expect(by['Mid.Level'].value).to.equal('2');
        expect(by['Mid.In.X'].value).to.equal('7');
        expect(by['Mid.In.Y'].value).to.equal('-3');
        expect(by['Mid.In.Label'].value).to.equal('"innermost"');
        expect(by['Mid.Ok'].value).to.equal('true');
        expect(by.Count.value).to.equal('42');
        expect(by['Mid.In.Label'].offset).to.equal(32);
        expect(entries(by.Tags)).to.deep.equal(f.values.Tags);
        expect(by.Tags.value).to.match(/^map\[3\] \{/);
        for (const [k, v] of Object.entries(f.values.Tags)) expect(by.Tags.value).to.contain(`"${k}": ${v}`);
        // The map pointer's target is the map's header object.
        expect(by.Tags.targetIndex).to.equal(graph.findObject(addr(by.Tags.target!)));
        expect(types.objectTypeName(by.Tags.targetIndex!)).to.equal('map[string]int'); // Go's spelling, as `types` prints it
      });

      it('a global map decoded from the data segment: its entries', function () {
        const g = program.globals.find((x) => x.name === 'main.Counts')!;
        expect(g.address).to.equal(addr(f.addresses.CountsGlobal));
        const d = describeGlobal(graph, types, g);
        expect(d.fields).to.have.length(1);
        expect(entries(d.fields[0])).to.deep.equal(f.values.Counts);
        const n = describeGlobal(graph, types, program.globals.find((x) => x.name === 'main.Nested')!);
        expect(n.fields[0].target).to.equal(f.addresses.Nested);
        expect(n.fields[0].value).to.contain('main.Outer');
      });

      it("tiny blocks: the sub-object's fields hold the program's values; pointers to it name its type", function () {
        f.addresses.Nums.forEach((hex: string, k: number) => {
          const i = graph.findObject(addr(hex));
          const off = addr(hex) - graph.objectAddress[i];
          const d = describeObject(graph, types, i);
          expect(d.subObjects!.some((s) => s.offset === off && s.type === 'main.Num')).to.equal(true);
          const v = d.fields.find((x) => x.name === `<main.Num at +${off}>.V`)!;
          expect(Number(v.value)).to.equal(f.values.Nums[k]);
        });
        // The Add holding the first Num: its interface field names the sub-object, not the block.
        const a = addr(f.addresses.Nums[0]);
        const block = graph.findObject(a);
        const rev = graph.reverseEdges();
        const parent = rev.source[rev.start[block]];
        const d = describeObject(graph, types, parent);
        expect(d.type).to.equal('main.Add');
        const leaf = d.fields.find((x) => x.target === f.addresses.Nums[0])!;
        expect(leaf.value).to.equal(`(*main.Num) ${f.addresses.Nums[0]} (main.Num in tiny block +${a - graph.objectAddress[block]})`);
        expect(leaf.targetIndex).to.equal(block);
      });

      it('Payload behind unsafe.Pointer: described as inferred', function () {
        const d = describeObject(graph, types, graph.findObject(addr(f.addresses.FirstPayload)));
        expect(d.type).to.equal('main.Payload');
        expect(d.inferred).to.equal(true);
        expect(d.fields.find((x) => x.name === 'Name')!.value).to.equal('"payload-0"');
        const h = describeObject(graph, types, graph.findObject(addr(f.addresses.FirstHolder)));
        const p = h.fields.find((x) => x.name === 'P')!;
        expect(p.target).to.equal(f.addresses.FirstPayload);
        expect(p.value).to.contain('main.Payload');
      });

      it('arrays are capped at 8 elements, with the rest counted', function () {
        const i = graph.findObject(addr(f.addresses.FirstSession));
        const d = describeObject(graph, types, i);
        expect(d.fields.find((x) => x.name === 'User')!.value).to.equal('"user-0000"');
        // Any [N]T typing with N > 8 shows 8 elements and a "... more elements" line.
        let big = -1;
        for (let k = 0; k < graph.objectCount && big < 0; k++) {
          const id = types.objectType[k];
          if (types.typings.kind[id] === 2 && types.typings.count[id] > 20 && types.typings.goType[id]!.size >= 8) big = k;
        }
        expect(big).to.be.at.least(0);
        const b = describeObject(graph, types, big);
        const more = b.fields.find((x) => x.name === '...')!;
        expect(more.value).to.equal(`${types.typings.count[types.objectType[big]] - 8} more elements`);
      });
    });
  }
});
