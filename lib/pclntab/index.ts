// Public face of the pclntab stage: a Go executable's .gopclntab (Go 1.18/1.19 and 1.20+ layouts) with the
// moduledata bases it is relative to. Answers, by pc: the function (name, entry, frame size), file:line, the
// logical frames of a physical frame (inlined calls expanded as Go's traceback prints them) and the function's
// stack object records.
import type { ElfFile } from '../elf/index.js';
import { PclntabError } from './errors.js';
import { funcdataOffset, pcdataTable, readFunc, cString, type FuncRecord,
  FUNCDATA_INL_TREE, FUNCDATA_STACK_OBJECTS, PCDATA_INL_TREE_INDEX } from './func.js';
import { Bytes, MAGIC_GO118, readModuleBases, readPcHeader, type ModuleBases, type PcHeader } from './header.js';
import { readInlinedCall } from './inline.js';
import { pcValue, pcValueRuns } from './pcvalue.js';
import type { StackObjectRecord } from './stack-objects.js';

export { PclntabError } from './errors.js';
export type { StackObjectRecord } from './stack-objects.js';
export type { FuncRecord } from './func.js';

/** A frame as Go's traceback prints it: a function (inlined or not), its file and line. */
export interface LogicalFrame {
  function: string;
  file: string;
  line: number;
  /** True for a call inlined into the physical function (the last frame of a list is the physical one). */
  inlined: boolean;
}

export class Pclntab {
  readonly header: PcHeader;
  readonly bases: ModuleBases;
  private readonly b: Bytes;
  private readonly ftab: number;
  private readonly nfunc: number;
  /** Entry pcs of the functab (nfunc + 1 with the end sentinel). */
  private readonly entries: Float64Array;
  private gofuncBytes: { start: number; b: Bytes } | null | undefined;
  private readonly stackObjectCache = new Map<number, StackObjectRecord[]>();
  private byName: Map<string, number> | undefined;

  /** The pclntab of `elf`, or undefined when it has no .gopclntab section. Throws PclntabError when it is damaged. */
  static open(elf: ElfFile, file: string): Pclntab | undefined {
    const sec = elf.section('.gopclntab');
    const data = sec ? elf.sectionData(sec) : undefined;
    if (!sec || !data) return undefined;
    return new Pclntab(elf, file, sec.addr, data);
  }

  private constructor(private readonly elf: ElfFile, readonly file: string, readonly address: number, data: Uint8Array) {
    this.b = new Bytes(data, !elf.bigEndian);
    this.header = readPcHeader(file, this.b);
    this.bases = readModuleBases(elf, this.header, address);
    this.ftab = this.header.pclnOffset;
    this.nfunc = this.header.nfunc;
    const e = new Float64Array(this.nfunc + 1);
    let prev = -1;
    for (let i = 0; i <= this.nfunc; i++) {
      const off = this.b.u32(this.ftab + 8 * i);
      if (off < prev) throw new PclntabError(file, '.gopclntab', this.ftab + 8 * i, 'functab entries in increasing pc order');
      e[i] = this.bases.text + off;
      prev = off;
    }
    this.entries = e;
  }

  /** Number of functions in the functab. */
  get functionCount(): number {
    return this.nfunc;
  }

  /** The index in the functab of the function holding pc, or -1. */
  funcIndex(pc: number): number {
    const e = this.entries;
    if (pc < e[0] || pc >= e[this.nfunc]) return -1;
    let lo = 0;
    let hi = this.nfunc - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (e[mid] <= pc) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  /** The `_func` record of functab entry i. */
  func(i: number): FuncRecord {
    const at = this.ftab + 8 * i;
    const off = this.ftab + this.b.u32(at + 4);
    if (off + 44 > this.b.length) throw new PclntabError(this.file, '.gopclntab', at + 4, `a _func record inside the section (0x${off.toString(16)})`);
    const f = readFunc(this.b, this.header, off, this.bases.text);
    if (f.entry !== this.entries[i]) {
      throw new PclntabError(this.file, '.gopclntab', off, `a _func whose entry 0x${f.entry.toString(16)} is the functab's 0x${this.entries[i].toString(16)}`);
    }
    return f;
  }

  /** The function holding pc, or undefined. */
  funcAt(pc: number): FuncRecord | undefined {
    const i = this.funcIndex(pc);
    return i < 0 ? undefined : this.func(i);
  }

  funcName(f: FuncRecord): string {
    return cString(this.b, this.header.funcnameOffset, f.nameOff);
  }

  /** The SP offset (frame size below the return address) of f at pc. */
  spDelta(f: FuncRecord, pc: number): number {
    return pcValue(this.b, this.header.pctabOffset + f.pcsp, f.entry, pc, this.header.quantum) * (f.pcsp ? 1 : 0);
  }

  /** PCDATA table k of f at pc (-1 when absent). */
  pcdata(f: FuncRecord, k: number, pc: number): number {
    const t = pcdataTable(this.b, f, k);
    return t === 0 ? -1 : pcValue(this.b, this.header.pctabOffset + t, f.entry, pc, this.header.quantum);
  }

  /** The file and line of f at pc. */
  fileLine(f: FuncRecord, pc: number): { file: string; line: number } {
    const q = this.header.quantum;
    const pct = this.header.pctabOffset;
    const k = f.pcfile ? pcValue(this.b, pct + f.pcfile, f.entry, pc, q) : -1;
    const line = f.pcln ? pcValue(this.b, pct + f.pcln, f.entry, pc, q) : -1;
    let file = '?';
    if (k >= 0) {
      const cu = this.b.u32(this.header.cuOffset + 4 * (f.cuOffset + k));
      if (cu !== 0xffffffff) file = cString(this.b, this.header.filetabOffset, cu);
    }
    return { file, line };
  }

  /** The bytes of funcdata k of f (from gofunc), or undefined when absent. */
  private funcdata(f: FuncRecord, k: number): { b: Bytes; at: number } | undefined {
    const off = funcdataOffset(this.b, f, k);
    if (off < 0 || this.bases.gofunc === 0) return undefined;
    if (this.gofuncBytes === undefined) {
      const sec = this.elf.sectionForAddress(this.bases.gofunc);
      const data = sec ? this.elf.sectionData(sec) : undefined;
      this.gofuncBytes = sec && data ? { start: sec.addr, b: new Bytes(data, !this.elf.bigEndian) } : null;
    }
    const g = this.gofuncBytes;
    if (!g) return undefined;
    const at = this.bases.gofunc - g.start + off;
    if (at >= g.b.length) throw new PclntabError(this.file, '.gopclntab', f.offset, `funcdata ${k} inside its section (gofunc+0x${off.toString(16)})`);
    return { b: g.b, at };
  }

  /**
   * The logical frames at a physical frame's pc, innermost first, the physical function last: inlined calls
   * expanded as the runtime's traceback does. `symPc` is the pc to symbolize (pc-1 for a frame that made a call).
   */
  logicalFrames(symPc: number): LogicalFrame[] {
    const f = this.funcAt(symPc);
    if (!f) return [];
    const out: LogicalFrame[] = [];
    let pc = symPc;
    const tree = this.funcdata(f, FUNCDATA_INL_TREE);
    if (tree) {
      const old = this.header.magic === MAGIC_GO118;
      let ix = this.pcdata(f, PCDATA_INL_TREE_INDEX, pc);
      for (let guard = 0; ix >= 0 && guard < 1000; guard++) {
        const call = readInlinedCall(tree.b, tree.at, ix, old);
        const at = this.fileLine(f, pc);
        out.push({ function: cString(this.b, this.header.funcnameOffset, call.nameOff), file: at.file, line: at.line, inlined: true });
        pc = f.entry + call.parentPc;
        ix = this.pcdata(f, PCDATA_INL_TREE_INDEX, pc);
      }
    }
    const at = this.fileLine(f, pc);
    out.push({ function: this.funcName(f), file: at.file, line: at.line, inlined: false });
    return out;
  }

  /**
   * The logical frames of a frame known only by its physical function's name and the file:line the runtime
   * recorded for it (a MemProf record: the runtime writes funcline's position, the inlined body's, under the
   * physical function's name): each distinct chain at a pc of `name` whose innermost frame is at file:line, in pc
   * order (one per call site where a callee's line is inlined at several call sites of the function); empty when no
   * pc of the function is there. The caller picks the call site by the frames the record lists next.
   */
  logicalFramesAtLine(name: string, file: string, line: number): LogicalFrame[][] {
    if (this.byName === undefined) {
      this.byName = new Map();
      for (let i = 0; i < this.nfunc; i++) {
        const n = this.funcName(this.func(i));
        if (!this.byName.has(n)) this.byName.set(n, i);
      }
    }
    const out: LogicalFrame[][] = [];
    const i = this.byName.get(name);
    if (i === undefined) return out;
    const f = this.func(i);
    const runs = pcValueRuns(this.b, f.pcln ? this.header.pctabOffset + f.pcln : 0, f.entry, this.header.quantum);
    const seen = new Set<string>();
    for (let k = 0; k + 2 < runs.length; k += 3) {
      if (runs[k + 2] !== line) continue;
      const frames = this.logicalFrames(runs[k]);
      if (frames.length === 0 || frames[0].line !== line || frames[0].file !== file) continue;
      const key = frames.map((x) => `${x.function}\u0000${x.file}\u0000${x.line}`).join('\u0001');
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(frames);
    }
    return out;
  }

  /** The stack object records of f (empty when it has none). */
  stackObjects(f: FuncRecord): StackObjectRecord[] {
    let r = this.stackObjectCache.get(f.entry);
    if (r) return r;
    r = [];
    const d = this.funcdata(f, FUNCDATA_STACK_OBJECTS);
    if (d) {
      const P = this.header.ptrSize;
      const n = d.b.word(d.at, P);
      if (d.at + P + n * 16 > d.b.length || n > 1e5) {
        throw new PclntabError(this.file, 'go:func.*', d.at, `${n} stack object records inside the section (${this.funcName(f)})`);
      }
      for (let i = 0; i < n; i++) {
        const o = d.at + P + 16 * i;
        const off = d.b.i32(o);
        const size = d.b.i32(o + 4);
        const ptrdata = d.b.i32(o + 8);
        const gcdataoff = d.b.u32(o + 12);
        let mask = new Uint8Array(0);
        if (ptrdata > 0) {
          const nb = Math.ceil(ptrdata / P / 8);
          const m = this.bases.rodata ? this.elf.readVirtual(this.bases.rodata + gcdataoff, nb) : undefined;
          if (!m) throw new PclntabError(this.file, 'go:func.*', o + 12, `a stack object's pointer mask inside rodata (${this.funcName(f)})`);
          mask = Uint8Array.from(m);
        }
        r.push({ off, size, ptrdata, mask });
      }
    }
    this.stackObjectCache.set(f.entry, r);
    return r;
  }

  /** Every function's name and entry pc (for tests and tools), in functab order. */
  *functions(): Generator<{ name: string; entry: number }> {
    for (let i = 0; i < this.nfunc; i++) {
      const f = this.func(i);
      yield { name: this.funcName(f), entry: f.entry };
    }
  }
}
