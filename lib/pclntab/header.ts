// The pcHeader at the start of .gopclntab and the moduledata fields the tables need (text, gofunc, rodata), and
// the functab: lookup of the function holding a pc. Go 1.18/1.19 (magic 0xfffffff0) and 1.20+ (0xfffffff1);
// on 1.26 pcHeader.textStart is 0 and moduledata.text is the base (see docs: go-runtime-internals.md §1.1-1.3).
import type { ElfFile } from '../elf/index.js';
import { PclntabError } from './errors.js';

export const MAGIC_GO118 = 0xfffffff0;
export const MAGIC_GO120 = 0xfffffff1;

/** Reads little- or big-endian words of one byte array. */
export class Bytes {
  private readonly dv: DataView;
  constructor(readonly data: Uint8Array, readonly le: boolean) {
    this.dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }
  get length(): number { return this.data.length; }
  u8(off: number): number { return this.data[off]; }
  u32(off: number): number { return this.dv.getUint32(off, this.le); }
  i32(off: number): number { return this.dv.getInt32(off, this.le); }
  word(off: number, ptrSize: number): number {
    if (ptrSize === 4) return this.dv.getUint32(off, this.le);
    const a = this.dv.getUint32(off, this.le);
    const b = this.dv.getUint32(off + 4, this.le);
    return this.le ? b * 0x100000000 + a : a * 0x100000000 + b;
  }
}

export interface PcHeader {
  magic: number;
  /** Instruction size quantum of pc deltas (1 on x86, 4 on arm64). */
  quantum: number;
  ptrSize: number;
  nfunc: number;
  textStart: number;
  funcnameOffset: number;
  cuOffset: number;
  filetabOffset: number;
  pctabOffset: number;
  pclnOffset: number;
}

/** The pcHeader at offset 0 of the section; throws PclntabError when it is not one. */
export function readPcHeader(file: string, b: Bytes): PcHeader {
  if (b.length < 8) throw new PclntabError(file, '.gopclntab', 0, 'a pcHeader (section too short)');
  const magic = b.u32(0);
  if (magic !== MAGIC_GO118 && magic !== MAGIC_GO120) {
    throw new PclntabError(file, '.gopclntab', 0, `a pcHeader magic 0xfffffff0 or 0xfffffff1 (found 0x${magic.toString(16)})`);
  }
  const quantum = b.u8(6);
  const ptrSize = b.u8(7);
  if ((ptrSize !== 4 && ptrSize !== 8) || quantum === 0 || b.u8(4) !== 0 || b.u8(5) !== 0) {
    throw new PclntabError(file, '.gopclntab', 4, `a pcHeader with pad 0, a quantum and a pointer size 4 or 8`);
  }
  if (b.length < 8 + 8 * ptrSize) throw new PclntabError(file, '.gopclntab', 8, 'a pcHeader (section too short)');
  const w = (k: number) => b.word(8 + k * ptrSize, ptrSize);
  const h: PcHeader = {
    magic, quantum, ptrSize, nfunc: w(0), textStart: w(2), funcnameOffset: w(3), cuOffset: w(4),
    filetabOffset: w(5), pctabOffset: w(6), pclnOffset: w(7),
  };
  for (const [k, v] of [['funcnameOffset', h.funcnameOffset], ['cuOffset', h.cuOffset], ['filetabOffset', h.filetabOffset],
    ['pctabOffset', h.pctabOffset], ['pclnOffset', h.pclnOffset]] as const) {
    if (v >= b.length) throw new PclntabError(file, '.gopclntab', 8, `${k} inside the section (0x${v.toString(16)})`);
  }
  if (h.pclnOffset + (h.nfunc + 1) * 8 > b.length) {
    throw new PclntabError(file, '.gopclntab', h.pclnOffset, `a functab of ${h.nfunc + 1} entries inside the section`);
  }
  return h;
}

/** The moduledata fields the tables are relative to. */
export interface ModuleBases {
  text: number;
  /** go:func.* (funcdata offsets are from here); 0 when unknown. */
  gofunc: number;
  /** Start of rodata (stack object gcdata offsets are from here); 0 when unknown. */
  rodata: number;
}

/**
 * Reads runtime.firstmoduledata (words: text at 22; gofunc at 38 and rodata at 37 for the 1.18/1.19 layout, 40 and
 * 39 once covctrs were inserted in 1.20), falling back on the go:func.* / runtime.types symbols and the header.
 */
export function readModuleBases(elf: ElfFile, h: PcHeader, sectionAddr: number): ModuleBases {
  const P = h.ptrSize;
  const le = !elf.bigEndian;
  const sym = elf.symbol('runtime.firstmoduledata');
  let text = h.textStart;
  let gofunc = 0;
  let rodata = 0;
  if (sym) {
    const raw = elf.readVirtual(sym.value, 41 * P);
    if (raw) {
      const m = new Bytes(raw, le);
      if (m.word(0, P) === sectionAddr) {
        text = m.word(22 * P, P) || text;
        const old = h.magic === MAGIC_GO118;
        rodata = m.word((old ? 37 : 39) * P, P);
        gofunc = m.word((old ? 38 : 40) * P, P);
      }
    }
  }
  if (gofunc === 0) gofunc = (elf.symbol('go:func.*') ?? elf.symbol('go.func.*'))?.value ?? 0;
  if (rodata === 0) rodata = (elf.symbol('runtime.types') ?? elf.symbol('runtime.rodata'))?.value ?? elf.section('.rodata')?.addr ?? 0;
  if (text === 0) text = elf.symbol('runtime.text')?.value ?? 0;
  return { text, gofunc, rodata };
}
