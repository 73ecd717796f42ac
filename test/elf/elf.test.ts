// ElfFile on the zoo binaries of every Go version and on cross-built ELF32/big-endian ones,
// checked against readelf; section decompression checked against objcopy; bad files give ElfError.

import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ElfError, ElfFile, SHF_COMPRESSED } from '../../lib/elf/index.js';
import {
  CROSS_ARCHES,
  GO_VERSIONS,
  crossZoo,
  readelfSections,
  readelfSymbols,
  zooBinary,
} from './fixtures.js';

/** Compares headers and symbols of one file with readelf. */
function checkAgainstReadelf(file: string): void {
  const elf = ElfFile.open(file);
  try {
    const want = readelfSections(file);
    expect(elf.sections.length).to.equal(want.length);
    for (const w of want) {
      const s = elf.sections[w.index];
      expect(s.name, `section ${w.index}`).to.equal(w.name);
      expect(s.addr, w.name).to.equal(w.addr);
      expect(s.offset, w.name).to.equal(w.offset);
      expect(s.size, w.name).to.equal(w.size);
      expect((s.flags & SHF_COMPRESSED) !== 0, `${w.name} compressed`).to.equal(w.flags.includes('C'));
      if (w.name !== '') expect(elf.section(w.name)).to.equal(s);
    }
    const syms = readelfSymbols(file);
    const mine = elf.symbols();
    expect(mine.length).to.equal(syms.length - 1); // readelf lists the null symbol 0
    for (const w of syms) {
      if (w.index === 0) continue;
      const s = mine[w.index - 1];
      expect(s.name, `symbol ${w.index}`).to.equal(w.name);
      expect(s.value, w.name).to.equal(w.value);
      expect(s.size, w.name).to.equal(w.size);
    }
  } finally {
    elf.close();
  }
}

describe('elf: zoo binaries against readelf', () => {
  for (const v of GO_VERSIONS) {
    it(`go${v}: sections and symbols match readelf -S/-s`, () => {
      checkAgainstReadelf(zooBinary(v));
    });

    it(`go${v}: header, symbol lookup, virtual reads`, () => {
      const elf = ElfFile.open(zooBinary(v));
      expect(elf.class64).to.equal(true);
      expect(elf.bigEndian).to.equal(false);
      expect(elf.goarch).to.equal('amd64');
      const want = readelfSymbols(zooBinary(v)).find((s) => s.name === 'main.ListHead')!;
      expect(elf.symbol('main.ListHead')?.value).to.equal(want.value);
      expect(elf.symbol('no.such.symbol')).to.equal(undefined);
      // .noptrdata is PROGBITS: a virtual read returns the file bytes at the section's offset.
      const nd = elf.section('.noptrdata')!;
      const raw = elf.readAt(nd.offset + 16, 32);
      expect(Buffer.from(elf.readVirtual(nd.addr + 16, 32)!)).to.deep.equal(Buffer.from(raw));
      // .bss is NOBITS: zeros.
      const bss = elf.section('.bss')!;
      expect([...elf.readVirtual(bss.addr, 8)!]).to.deep.equal([0, 0, 0, 0, 0, 0, 0, 0]);
      elf.close();
    });
  }
});

describe('elf: section decompression against objcopy', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'goheap-elf-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  for (const v of ['1.19', '1.26']) {
    it(`go${v}: SHF_COMPRESSED sections equal objcopy --decompress-debug-sections`, () => {
      const plain = path.join(tmp, `plain-${v}`);
      execFileSync('objcopy', ['--decompress-debug-sections', zooBinary(v), plain]);
      const a = ElfFile.open(zooBinary(v));
      const b = ElfFile.open(plain);
      let compressed = 0;
      for (const s of a.sections) {
        if ((s.flags & SHF_COMPRESSED) === 0) continue;
        compressed++;
        const other = b.section(s.name)!;
        expect(other.flags & SHF_COMPRESSED).to.equal(0);
        const mine = a.sectionData(s)!;
        expect(mine.length, s.name).to.equal(other.size);
        expect(Buffer.compare(Buffer.from(mine), Buffer.from(b.sectionData(other)!)), s.name).to.equal(0);
      }
      expect(compressed).to.be.greaterThan(4);
      a.close();
      b.close();
    });
  }

  it('go1.26: .zdebug_* (GNU form) is found under its .debug_* name and inflates to the same bytes', () => {
    const gnu = path.join(tmp, 'gnu');
    execFileSync('objcopy', ['--compress-debug-sections=zlib-gnu', zooBinary('1.26'), gnu]);
    const a = ElfFile.open(zooBinary('1.26'));
    const b = ElfFile.open(gnu);
    const names = readelfSections(gnu).map((s) => s.name);
    expect(names).to.include('.zdebug_info');
    expect(names).to.not.include('.debug_info');
    for (const n of ['.debug_info', '.debug_abbrev', '.debug_line']) {
      expect(b.section(n)?.name).to.equal('.z' + n.slice(1));
      expect(Buffer.compare(Buffer.from(b.sectionData(n)!), Buffer.from(a.sectionData(n)!)), n).to.equal(0);
    }
    a.close();
    b.close();
  });
});

describe('elf: ELF32 and big-endian (cross-built zoo)', function () {
  this.timeout(600000);
  const bins = new Map<string, string | undefined>();
  before(async () => {
    for (const arch of CROSS_ARCHES) bins.set(arch, await crossZoo(arch));
  });

  const expected: Record<string, { class64: boolean; bigEndian: boolean }> = {
    '386': { class64: false, bigEndian: false },
    mips: { class64: false, bigEndian: true },
    s390x: { class64: true, bigEndian: true },
  };
  for (const arch of CROSS_ARCHES) {
    it(`${arch}: class, byte order, sections and symbols match readelf`, function () {
      const file = bins.get(arch);
      if (file === undefined) this.skip();
      const elf = ElfFile.open(file!);
      expect(elf.class64).to.equal(expected[arch].class64);
      expect(elf.bigEndian).to.equal(expected[arch].bigEndian);
      expect(elf.goarch).to.equal(arch);
      elf.close();
      checkAgainstReadelf(file!);
    });
  }
});

describe('elf: bad files', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'goheap-elfbad-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const write = (name: string, bytes: Uint8Array): string => {
    const p = path.join(tmp, name);
    fs.writeFileSync(p, bytes);
    return p;
  };
  const expectElfError = (file: string, offset: number, re: RegExp): ElfError => {
    try {
      const e = ElfFile.open(file);
      // Header was fine: force reads of everything.
      for (const s of e.sections) e.sectionData(s);
      e.symbols();
    } catch (err) {
      expect(err).to.be.instanceOf(ElfError);
      const ee = err as ElfError;
      expect(ee.file).to.equal(file);
      expect(ee.offset).to.equal(offset);
      expect(ee.message).to.match(re);
      return ee;
    }
    throw new Error('expected an ElfError');
  };
  const zoo = fs.readFileSync(zooBinary('1.26'));

  it('empty and garbage files: bad magic at offset 0', () => {
    expectElfError(write('empty', new Uint8Array(0)), 0, /not an ELF file/);
    const garbage = new Uint8Array(4096);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 2654435761) >>> 24;
    expectElfError(write('garbage', garbage), 0, /not an ELF file/);
  });

  it('bad class byte: offset 4', () => {
    const b = Uint8Array.from(zoo.subarray(0, 64));
    b[4] = 7;
    expectElfError(write('class', b), 4, /bad ELF class/);
  });

  it('header cut short: offset of the end of the data', () => {
    expectElfError(write('short', zoo.subarray(0, 40)), 40, /truncated ELF header/);
  });

  it('section header table cut off: offset of the table', () => {
    const shoff = Number(zoo.readBigUInt64LE(40));
    expectElfError(write('noshdr', zoo.subarray(0, shoff + 100)), shoff, /truncated section header table/);
  });

  it('section data past end of file: offset of the section (the .shstrtab here)', () => {
    const sections = readelfSections(zooBinary('1.26'));
    const shstr = sections.find((s) => s.name === '.shstrtab')!;
    expectElfError(write('nodata', zoo.subarray(0, shstr.offset + 4)), shstr.offset, /runs past end of file/);
  });

  it('corrupt zlib stream in .debug_info: offset just past its Chdr', () => {
    const info = readelfSections(zooBinary('1.26')).find((s) => s.name === '.debug_info')!;
    const b = Uint8Array.from(zoo);
    for (let i = 24; i < 64; i++) b[info.offset + i] ^= 0x5a;
    const file = write('badzlib', b);
    const elf = ElfFile.open(file);
    try {
      elf.sectionData('.debug_info');
      throw new Error('expected an ElfError');
    } catch (err) {
      expect(err).to.be.instanceOf(ElfError);
      expect((err as ElfError).offset).to.equal(info.offset + 24);
      expect((err as ElfError).message).to.match(/zlib/);
    } finally {
      elf.close();
    }
  });
});
