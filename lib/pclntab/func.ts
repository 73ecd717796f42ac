// `_func` records: the function's entry, name, pc-value table offsets (pcsp, pcfile, pcln, pcdata[]) and funcdata
// offsets. 1.18/1.19 has a 40-byte header (funcID at 36, nfuncdata at 39); 1.20+ adds startLine at 36 and moves
// funcID/flag/nfuncdata to 40/41/43 (docs: go-runtime-internals.md §1.4, §1.6).
import { Bytes, MAGIC_GO118, type PcHeader } from './header.js';

export const PCDATA_STACK_MAP_INDEX = 1;
export const PCDATA_INL_TREE_INDEX = 2;
export const FUNCDATA_ARGS_POINTER_MAPS = 0;
export const FUNCDATA_LOCALS_POINTER_MAPS = 1;
export const FUNCDATA_STACK_OBJECTS = 2;
export const FUNCDATA_INL_TREE = 3;

/** A decoded `_func` record (offsets are in the pclntab's tables). */
export interface FuncRecord {
  /** Offset of the record in the section. */
  offset: number;
  entry: number;
  nameOff: number;
  pcsp: number;
  pcfile: number;
  pcln: number;
  npcdata: number;
  cuOffset: number;
  funcID: number;
  flag: number;
  nfuncdata: number;
  /** Section offset of pcdata[0]; funcdata[0] follows pcdata[npcdata-1]. */
  pcdataAt: number;
}

/** Reads the `_func` at section offset `off`; `text` is the module's text base. */
export function readFunc(b: Bytes, h: PcHeader, off: number, text: number): FuncRecord {
  const old = h.magic === MAGIC_GO118;
  const fixed = old ? 40 : 44;
  return {
    offset: off,
    entry: text + b.u32(off),
    nameOff: b.i32(off + 4),
    pcsp: b.u32(off + 16),
    pcfile: b.u32(off + 20),
    pcln: b.u32(off + 24),
    npcdata: b.u32(off + 28),
    cuOffset: b.u32(off + 32),
    funcID: b.u8(off + (old ? 36 : 40)),
    flag: b.u8(off + (old ? 37 : 41)),
    nfuncdata: b.u8(off + (old ? 39 : 43)),
    pcdataAt: off + fixed,
  };
}

/** The pctab offset of PCDATA table k, or 0 when the function has none. */
export function pcdataTable(b: Bytes, f: FuncRecord, k: number): number {
  return k < f.npcdata ? b.u32(f.pcdataAt + 4 * k) : 0;
}

/** The gofunc-relative offset of FUNCDATA k, or -1 when absent. */
export function funcdataOffset(b: Bytes, f: FuncRecord, k: number): number {
  if (k >= f.nfuncdata) return -1;
  const v = b.u32(f.pcdataAt + 4 * f.npcdata + 4 * k);
  return v === 0xffffffff ? -1 : v;
}

/** The NUL-terminated string at `off` of funcnametab (or filetab). */
export function cString(b: Bytes, base: number, off: number): string {
  const d = b.data;
  const start = base + off;
  let end = start;
  while (end < d.length && d[end] !== 0) end++;
  return Buffer.from(d.buffer, d.byteOffset + start, end - start).toString('utf8');
}
