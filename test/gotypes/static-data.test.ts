// Statically allocated pointees (`var X = &T{...}` puts the T in a data symbol DWARF does not describe): each
// becomes a typed global "*X" at the address X holds (the linker names no symbol for it).
import { expect } from 'chai';
import { loadGoProgram } from '../../lib/gotypes/index.js';
import { GO_VERSIONS, zooBinary } from '../support/fixtures.js';

describe('gotypes: statically allocated pointees', function () {
  for (const version of GO_VERSIONS) {
    it(`go${version}: "*X" globals sit where X points, inside a data segment, covered by no other global`, function () {
      const p = loadGoProgram(zooBinary(version));
      try {
        const statics = p.globals.filter((g) => g.name.startsWith('*'));
        // The standard library's own: unicode range tables (var Letter = _L, with _L a &RangeTable{...}) and more.
        expect(statics.length).to.be.above(10);
        for (const s of statics) {
          const holder = p.globalByName(s.name.slice(1))!;
          expect(holder, s.name).to.not.equal(undefined);
          const b = p.elf.readVirtual(holder.address, p.ptrSize)!;
          const value = p.ptrSize === 8 ? Number(Buffer.from(b).readBigUInt64LE(0)) : Buffer.from(b).readUInt32LE(0);
          expect(s.address, s.name).to.equal(value);
          expect(s.type, s.name).to.equal(holder.type!.elem);
          expect(s.size).to.equal(holder.type!.elem!.size);
          const seg = [p.sections.data, p.sections.noptrdata, p.sections.bss, p.sections.noptrbss]
            .find((x) => s.address >= x.addr && s.address + s.size <= x.addr + x.size);
          expect(seg, s.name).to.not.equal(undefined);
          const others = p.globals.filter((g) => g !== s && !g.name.startsWith('*') && g.address < s.address + s.size && s.address < g.address + g.size);
          expect(others.map((g) => g.name), s.name).to.deep.equal([]);
        }
      } finally {
        p.close();
      }
    });
  }
});
