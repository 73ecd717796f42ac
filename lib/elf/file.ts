// ElfFile: a lazy ELF32/ELF64 reader for either byte order. Only the ELF header and section headers
// are read when the file is opened; section bytes are read with positional reads (fs.readSync on a
// kept-open fd) the first time they are asked for, decompressed if needed, and cached.

import * as fs from 'node:fs';
import {
  ELFCLASS32,
  ELFCLASS64,
  ELFDATA2LSB,
  ELFDATA2MSB,
  MACHINE_GOARCH,
  SHF_ALLOC,
  SHF_COMPRESSED,
  SHN_XINDEX,
  SHT_NOBITS,
  SHT_SYMTAB,
} from './constants.js';
import { decompressChdr, decompressZdebug } from './compress.js';
import { ElfError } from './errors.js';

/** One section header, with its name resolved from the section header string table. */
export interface ElfSection {
  readonly index: number;
  readonly name: string;
  readonly type: number;
  readonly flags: number;
  readonly addr: number;
  /** File offset of the section's bytes. */
  readonly offset: number;
  /** Size in the file (compressed size for compressed sections). */
  readonly size: number;
  readonly link: number;
  readonly info: number;
  readonly addralign: number;
  readonly entsize: number;
}

/** One symbol from .symtab. */
export interface ElfSymbol {
  readonly name: string;
  readonly value: number;
  readonly size: number;
  /** STT_* (low 4 bits of st_info). */
  readonly type: number;
  /** STB_* (high 4 bits of st_info). */
  readonly bind: number;
  readonly shndx: number;
}

/** Reads a u64 at `off` as a number (exact below 2^53, which covers addresses and file offsets). */
function u64(dv: DataView, off: number, le: boolean): number {
  const a = dv.getUint32(off, le);
  const b = dv.getUint32(off + 4, le);
  return le ? b * 0x100000000 + a : a * 0x100000000 + b;
}

/** Reads a NUL-terminated latin1/UTF-8 string from a string table. */
function cstr(tab: Uint8Array, off: number): string {
  if (off >= tab.length) return '';
  let end = off;
  while (end < tab.length && tab[end] !== 0) end++;
  return Buffer.from(tab.buffer, tab.byteOffset + off, end - off).toString('utf8');
}

/** A lazily read ELF file. Call close() when done (or rely on process exit). */
export class ElfFile {
  readonly class64: boolean;
  readonly bigEndian: boolean;
  /** e_type (2 = EXEC, 3 = DYN). */
  readonly type: number;
  /** e_machine. */
  readonly machine: number;
  /** GOARCH name for e_machine, or "" if unknown. */
  readonly goarch: string;
  readonly entry: number;
  readonly sections: readonly ElfSection[];

  private fd: number | undefined;
  private readonly fileSize: number;
  private readonly byName = new Map<string, ElfSection>();
  private readonly dataCache = new Map<number, Uint8Array>();
  private symtab: ElfSymbol[] | undefined;
  private symByName: Map<string, ElfSymbol> | undefined;

  /** Opens `path` and reads its ELF and section headers; throws ElfError if it is not a valid ELF file. */
  static open(path: string): ElfFile {
    const fd = fs.openSync(path, 'r');
    try {
      return new ElfFile(path, fd);
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
  }

  private constructor(
    readonly path: string,
    fd: number,
  ) {
    this.fd = fd;
    this.fileSize = fs.fstatSync(fd).size;
    const ident = this.readAt(0, Math.min(64, this.fileSize));
    if (ident.length < 16 || ident[0] !== 0x7f || ident[1] !== 0x45 || ident[2] !== 0x4c || ident[3] !== 0x46) {
      throw new ElfError(path, 0, 'not an ELF file (bad magic)');
    }
    const cls = ident[4];
    const data = ident[5];
    if (cls !== ELFCLASS32 && cls !== ELFCLASS64) throw new ElfError(path, 4, `bad ELF class ${cls}`);
    if (data !== ELFDATA2LSB && data !== ELFDATA2MSB) throw new ElfError(path, 5, `bad ELF data encoding ${data}`);
    this.class64 = cls === ELFCLASS64;
    this.bigEndian = data === ELFDATA2MSB;
    const le = !this.bigEndian;
    const ehsize = this.class64 ? 64 : 52;
    if (ident.length < ehsize) throw new ElfError(path, ident.length, `truncated ELF header (need ${ehsize} bytes)`);
    const dv = new DataView(ident.buffer, ident.byteOffset, ident.byteLength);
    this.type = dv.getUint16(16, le);
    this.machine = dv.getUint16(18, le);
    this.goarch = MACHINE_GOARCH[this.machine] ?? '';
    let shoff: number, shentsize: number, shnum: number, shstrndx: number;
    if (this.class64) {
      this.entry = u64(dv, 24, le);
      shoff = u64(dv, 40, le);
      shentsize = dv.getUint16(58, le);
      shnum = dv.getUint16(60, le);
      shstrndx = dv.getUint16(62, le);
    } else {
      this.entry = dv.getUint32(24, le);
      shoff = dv.getUint32(32, le);
      shentsize = dv.getUint16(46, le);
      shnum = dv.getUint16(48, le);
      shstrndx = dv.getUint16(50, le);
    }
    const minEnt = this.class64 ? 64 : 40;
    if (shoff === 0) {
      this.sections = [];
      return;
    }
    if (shentsize < minEnt) throw new ElfError(path, this.class64 ? 58 : 46, `bad section header size ${shentsize}`);
    // Extended numbering: shnum 0 and/or shstrndx SHN_XINDEX live in section header 0.
    if (shnum === 0 || shstrndx === SHN_XINDEX) {
      const h0 = this.readHeaderBytes(shoff, shentsize);
      const d0 = new DataView(h0.buffer, h0.byteOffset, h0.byteLength);
      if (shnum === 0) shnum = this.class64 ? u64(d0, 32, le) : d0.getUint32(20, le);
      if (shstrndx === SHN_XINDEX) shstrndx = d0.getUint32(this.class64 ? 40 : 24, le);
    }
    const table = this.readHeaderBytes(shoff, shnum * shentsize);
    const tv = new DataView(table.buffer, table.byteOffset, table.byteLength);
    const raw: Array<Omit<ElfSection, 'name'> & { nameOff: number }> = [];
    for (let i = 0; i < shnum; i++) {
      const o = i * shentsize;
      if (this.class64) {
        raw.push({
          index: i,
          nameOff: tv.getUint32(o, le),
          type: tv.getUint32(o + 4, le),
          flags: u64(tv, o + 8, le),
          addr: u64(tv, o + 16, le),
          offset: u64(tv, o + 24, le),
          size: u64(tv, o + 32, le),
          link: tv.getUint32(o + 40, le),
          info: tv.getUint32(o + 44, le),
          addralign: u64(tv, o + 48, le),
          entsize: u64(tv, o + 56, le),
        });
      } else {
        raw.push({
          index: i,
          nameOff: tv.getUint32(o, le),
          type: tv.getUint32(o + 4, le),
          flags: tv.getUint32(o + 8, le),
          addr: tv.getUint32(o + 12, le),
          offset: tv.getUint32(o + 16, le),
          size: tv.getUint32(o + 20, le),
          link: tv.getUint32(o + 24, le),
          info: tv.getUint32(o + 28, le),
          addralign: tv.getUint32(o + 32, le),
          entsize: tv.getUint32(o + 36, le),
        });
      }
    }
    let names: Uint8Array = new Uint8Array(0);
    if (shstrndx > 0 && shstrndx < shnum) {
      const s = raw[shstrndx];
      names = this.readSectionBytes(s.offset, s.size, s.type);
    }
    const sections: ElfSection[] = [];
    for (const r of raw) {
      const { nameOff, ...rest } = r;
      const sec: ElfSection = { ...rest, name: cstr(names, nameOff) };
      sections.push(sec);
      if (sec.name !== '' && !this.byName.has(sec.name)) this.byName.set(sec.name, sec);
    }
    this.sections = sections;
  }

  private readHeaderBytes(off: number, len: number): Uint8Array {
    if (off + len > this.fileSize) {
      throw new ElfError(this.path, off, `truncated section header table (need ${len} bytes, file has ${this.fileSize})`);
    }
    return this.readAt(off, len);
  }

  private readSectionBytes(off: number, size: number, type: number): Uint8Array {
    if (type === SHT_NOBITS) return new Uint8Array(0);
    if (off + size > this.fileSize) {
      throw new ElfError(this.path, off, `section data runs past end of file (${size} bytes, file has ${this.fileSize})`);
    }
    return this.readAt(off, size);
  }

  /** Reads `length` raw bytes at file offset `offset` (positional read; fewer bytes at end of file). */
  readAt(offset: number, length: number): Uint8Array {
    if (this.fd === undefined) throw new ElfError(this.path, offset, 'file is closed');
    const buf = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const n = fs.readSync(this.fd, buf, done, length - done, offset + done);
      if (n === 0) break;
      done += n;
    }
    return done === length ? buf : buf.subarray(0, done);
  }

  /**
   * Finds a section by name. A ".debug_*" name falls back to the ".zdebug_*" section of the older
   * GNU compressed form.
   */
  section(name: string): ElfSection | undefined {
    const s = this.byName.get(name);
    if (s !== undefined) return s;
    if (name.startsWith('.debug_')) return this.byName.get('.zdebug_' + name.slice(7));
    return undefined;
  }

  /**
   * Returns a section's contents, decompressed (SHF_COMPRESSED or .zdebug_*), read on first use and
   * cached. NOBITS sections give zero bytes of length sh_size. Accepts a section or a name; an unknown
   * name gives undefined.
   */
  sectionData(sec: ElfSection | string): Uint8Array | undefined {
    const s = typeof sec === 'string' ? this.section(sec) : sec;
    if (s === undefined) return undefined;
    const cached = this.dataCache.get(s.index);
    if (cached !== undefined) return cached;
    let data: Uint8Array;
    if (s.type === SHT_NOBITS) {
      data = new Uint8Array(s.size);
    } else {
      const raw = this.readSectionBytes(s.offset, s.size, s.type);
      if ((s.flags & SHF_COMPRESSED) !== 0) {
        data = decompressChdr(this.path, s.offset, raw, this.class64, this.bigEndian);
      } else if (s.name.startsWith('.zdebug_')) {
        data = decompressZdebug(this.path, s.offset, raw);
      } else {
        data = raw;
      }
    }
    this.dataCache.set(s.index, data);
    return data;
  }

  /** The allocated section containing virtual address `addr`, if any. */
  sectionForAddress(addr: number): ElfSection | undefined {
    for (const s of this.sections) {
      if ((s.flags & SHF_ALLOC) !== 0 && s.size > 0 && addr >= s.addr && addr < s.addr + s.size) return s;
    }
    return undefined;
  }

  /**
   * Reads `length` bytes of the loaded image at virtual address `addr` (from one allocated section;
   * NOBITS reads as zeros). Undefined if the range is not inside one section.
   */
  readVirtual(addr: number, length: number): Uint8Array | undefined {
    const s = this.sectionForAddress(addr);
    if (s === undefined || addr + length > s.addr + s.size) return undefined;
    if (s.type === SHT_NOBITS) return new Uint8Array(length);
    const cached = this.dataCache.get(s.index);
    if (cached !== undefined) return cached.subarray(addr - s.addr, addr - s.addr + length);
    return this.readAt(s.offset + (addr - s.addr), length);
  }

  /** All symbols of .symtab (empty if there is none), read on first use. */
  symbols(): readonly ElfSymbol[] {
    if (this.symtab !== undefined) return this.symtab;
    const out: ElfSymbol[] = [];
    const st = this.sections.find((s) => s.type === SHT_SYMTAB);
    if (st !== undefined) {
      const data = this.sectionData(st)!;
      const strSec = this.sections[st.link];
      if (strSec === undefined) throw new ElfError(this.path, st.offset, `.symtab links to missing section ${st.link}`);
      const strs = this.sectionData(strSec)!;
      const le = !this.bigEndian;
      const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
      const ent = st.entsize || (this.class64 ? 24 : 16);
      const n = Math.floor(data.length / ent);
      for (let i = 1; i < n; i++) {
        const o = i * ent;
        if (this.class64) {
          const info = dv.getUint8(o + 4);
          out.push({
            name: cstr(strs, dv.getUint32(o, le)),
            type: info & 0xf,
            bind: info >> 4,
            shndx: dv.getUint16(o + 6, le),
            value: u64(dv, o + 8, le),
            size: u64(dv, o + 16, le),
          });
        } else {
          const info = dv.getUint8(o + 12);
          out.push({
            name: cstr(strs, dv.getUint32(o, le)),
            value: dv.getUint32(o + 4, le),
            size: dv.getUint32(o + 8, le),
            type: info & 0xf,
            bind: info >> 4,
            shndx: dv.getUint16(o + 14, le),
          });
        }
      }
    }
    this.symtab = out;
    return out;
  }

  /** The first .symtab symbol named `name`. */
  symbol(name: string): ElfSymbol | undefined {
    if (this.symByName === undefined) {
      const m = new Map<string, ElfSymbol>();
      for (const s of this.symbols()) if (!m.has(s.name)) m.set(s.name, s);
      this.symByName = m;
    }
    return this.symByName.get(name);
  }

  /** Closes the file descriptor; cached section data stays usable. */
  close(): void {
    if (this.fd !== undefined) {
      fs.closeSync(this.fd);
      this.fd = undefined;
    }
  }
}
