// Line-number programs of .debug_line (versions 2-5): header (including DWARF 5 entry formats), the
// state machine, and pc -> file:line lookup. Rows of one program are kept in parallel arrays in
// program order; a LineIndex merges all programs' sequences, sorted by address, for lookups.

import { DW_FORM, DW_LNCT } from './constants.js';
import { Cursor, stringAt } from './cursor.js';

/** A decoded line program: rows i = 0..count-1 in parallel arrays. */
export interface LineTable {
  /** Offset of the program in .debug_line. */
  readonly offset: number;
  readonly version: number;
  /** File names by the program's file index (index 0 unused before DWARF 5), joined with their directory. */
  readonly files: readonly string[];
  readonly address: Float64Array;
  readonly file: Uint32Array;
  readonly line: Uint32Array;
  readonly column: Uint32Array;
  /** Bit 0: is_stmt, bit 1: end_sequence. */
  readonly flags: Uint8Array;
  readonly count: number;
}

export const LINE_IS_STMT = 1;
export const LINE_END_SEQUENCE = 2;

/** Result of a pc lookup. */
export interface LineInfo {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Address of the row that covers the pc. */
  readonly address: number;
}

/** Sections a line program may refer to for strings. */
export interface LineStrings {
  readonly str?: Uint8Array;
  readonly lineStr?: Uint8Array;
}

function joinPath(dir: string, name: string): string {
  if (name.startsWith('/') || dir === '' || dir === '.') return name;
  return dir.endsWith('/') ? dir + name : dir + '/' + name;
}

/** Reads one value of a DWARF 5 entry-format field. */
function readEntryValue(c: Cursor, form: number, offsetSize: number, strs: LineStrings): string | number | undefined {
  switch (form) {
    case DW_FORM.string:
      return c.cstring();
    case DW_FORM.line_strp:
      return stringAt('.debug_line_str', strs.lineStr ?? new Uint8Array(0), c.offset(offsetSize), c.file);
    case DW_FORM.strp:
      return stringAt('.debug_str', strs.str ?? new Uint8Array(0), c.offset(offsetSize), c.file);
    case DW_FORM.udata:
      return c.ulebn();
    case DW_FORM.data1:
      return c.u8();
    case DW_FORM.data2:
      return c.u16();
    case DW_FORM.data4:
      return c.u32();
    case DW_FORM.data8:
      c.skip(8);
      return undefined;
    case DW_FORM.data16:
      c.skip(16);
      return undefined;
    case DW_FORM.block:
      c.skip(c.ulebn());
      return undefined;
    default:
      return c.fail(`unsupported form 0x${form.toString(16)} in line table entry format`);
  }
}

/** Growable parallel row arrays. */
class RowBuilder {
  n = 0;
  address = new Float64Array(256);
  file = new Uint32Array(256);
  line = new Uint32Array(256);
  column = new Uint32Array(256);
  flags = new Uint8Array(256);

  push(address: number, file: number, line: number, column: number, flags: number): void {
    if (this.n === this.address.length) {
      const cap = this.n * 2;
      const a = new Float64Array(cap);
      a.set(this.address);
      this.address = a;
      const f = new Uint32Array(cap);
      f.set(this.file);
      this.file = f;
      const l = new Uint32Array(cap);
      l.set(this.line);
      this.line = l;
      const co = new Uint32Array(cap);
      co.set(this.column);
      this.column = co;
      const fl = new Uint8Array(cap);
      fl.set(this.flags);
      this.flags = fl;
    }
    const i = this.n++;
    this.address[i] = address;
    this.file[i] = file;
    this.line[i] = line;
    this.column[i] = column;
    this.flags[i] = flags;
  }
}

/** Parses the line program at `offset` of .debug_line. */
export function parseLineTable(bytes: Uint8Array, offset: number, strs: LineStrings, littleEndian = true, binaryPath = ''): LineTable {
  const c = new Cursor('.debug_line', bytes, offset, littleEndian, binaryPath);
  let unitLength = c.u32();
  let offsetSize = 4;
  if (unitLength === 0xffffffff) {
    unitLength = c.u64n();
    offsetSize = 8;
  }
  const end = c.pos + unitLength;
  if (end > bytes.length) c.fail(`line program length ${unitLength} runs past end of section`, offset);
  const version = c.u16();
  if (version < 2 || version > 5) c.fail(`unsupported line table version ${version}`, offset + 4);
  let addrSize = 8;
  if (version >= 5) {
    addrSize = c.u8();
    c.u8(); // segment_selector_size
  }
  const headerLength = c.offset(offsetSize);
  const programStart = c.pos + headerLength;
  const minInst = c.u8();
  if (version >= 4) c.u8(); // maximum_operations_per_instruction (1 for non-VLIW)
  const defaultIsStmt = c.u8() !== 0;
  const lineBase = c.i8();
  const lineRange = c.u8();
  const opcodeBase = c.u8();
  if (lineRange === 0) c.fail('line_range is 0');
  const stdLengths: number[] = [0];
  for (let i = 1; i < opcodeBase; i++) stdLengths.push(c.u8());

  const files: string[] = [];
  if (version >= 5) {
    const dirs: string[] = [];
    const readEntries = (into: (path: string, dir: number) => void): void => {
      const nFormats = c.u8();
      const types: number[] = [];
      const forms: number[] = [];
      for (let i = 0; i < nFormats; i++) {
        types.push(c.ulebn());
        forms.push(c.ulebn());
      }
      const count = c.ulebn();
      for (let e = 0; e < count; e++) {
        let path = '';
        let dir = 0;
        for (let i = 0; i < nFormats; i++) {
          const v = readEntryValue(c, forms[i], offsetSize, strs);
          if (types[i] === DW_LNCT.path && typeof v === 'string') path = v;
          else if (types[i] === DW_LNCT.directory_index && typeof v === 'number') dir = v;
        }
        into(path, dir);
      }
    };
    readEntries((p) => dirs.push(p));
    readEntries((p, d) => files.push(joinPath(dirs[d] ?? '', p)));
  } else {
    const dirs: string[] = [''];
    for (;;) {
      const d = c.cstring();
      if (d === '') break;
      dirs.push(d);
    }
    files.push('');
    for (;;) {
      const name = c.cstring();
      if (name === '') break;
      const dir = c.ulebn();
      c.ulebn(); // mtime
      c.ulebn(); // length
      files.push(joinPath(dirs[dir] ?? '', name));
    }
  }

  const rows = new RowBuilder();
  c.pos = programStart;
  // State machine registers (DWARF 5 section 6.2.2).
  let address = 0;
  let file = 1;
  let line = 1;
  let column = 0;
  let isStmt = defaultIsStmt;
  const reset = (): void => {
    address = 0;
    file = 1;
    line = 1;
    column = 0;
    isStmt = defaultIsStmt;
  };
  while (c.pos < end) {
    const op = c.u8();
    if (op >= opcodeBase) {
      const adj = op - opcodeBase;
      address += Math.floor(adj / lineRange) * minInst;
      line += lineBase + (adj % lineRange);
      rows.push(address, file, line, column, isStmt ? LINE_IS_STMT : 0);
      continue;
    }
    switch (op) {
      case 0: {
        const len = c.ulebn();
        const next = c.pos + len;
        if (len === 0) break;
        const ext = c.u8();
        if (ext === 1) {
          rows.push(address, file, line, column, (isStmt ? LINE_IS_STMT : 0) | LINE_END_SEQUENCE);
          reset();
        } else if (ext === 2) {
          address = len - 1 === 8 ? c.u64n() : c.uN(len - 1 || addrSize);
        } else if (ext === 3) {
          files.push(c.cstring()); // DW_LNE_define_file (pre-DWARF 5); directory ignored
        }
        c.pos = next;
        break;
      }
      case 1: // copy
        rows.push(address, file, line, column, isStmt ? LINE_IS_STMT : 0);
        break;
      case 2: // advance_pc
        address += c.ulebn() * minInst;
        break;
      case 3: // advance_line
        line += c.slebn();
        break;
      case 4: // set_file
        file = c.ulebn();
        break;
      case 5: // set_column
        column = c.ulebn();
        break;
      case 6: // negate_stmt
        isStmt = !isStmt;
        break;
      case 7: // set_basic_block
        break;
      case 8: // const_add_pc
        address += Math.floor((255 - opcodeBase) / lineRange) * minInst;
        break;
      case 9: // fixed_advance_pc
        address += c.u16();
        break;
      default:
        // set_prologue_end, set_epilogue_begin, set_isa, or an unknown standard opcode: skip its operands.
        for (let i = 0; i < stdLengths[op]; i++) c.uleb();
    }
  }
  return {
    offset,
    version,
    files,
    address: rows.address.subarray(0, rows.n),
    file: rows.file.subarray(0, rows.n),
    line: rows.line.subarray(0, rows.n),
    column: rows.column.subarray(0, rows.n),
    flags: rows.flags.subarray(0, rows.n),
    count: rows.n,
  };
}

/**
 * A pc -> row index over many line tables. Every sequence (rows up to and including an
 * end_sequence row) is one entry; entries are sorted by start address. Row r of sequence s covers
 * [address[r], address[r+1]).
 */
export class LineIndex {
  /** seqStart[s], seqEnd[s]: address range of sequence s; seqTable[s], seqFirst[s], seqLast[s]: its rows. */
  private readonly seqStart: Float64Array;
  private readonly seqEnd: Float64Array;
  private readonly seqTable: Uint32Array;
  private readonly seqFirst: Uint32Array;
  private readonly seqLast: Uint32Array;

  constructor(readonly tables: readonly LineTable[]) {
    const seqs: Array<[number, number, number, number, number]> = [];
    for (let t = 0; t < tables.length; t++) {
      const tb = tables[t];
      let first = 0;
      for (let r = 0; r < tb.count; r++) {
        if ((tb.flags[r] & LINE_END_SEQUENCE) !== 0) {
          if (r > first) seqs.push([tb.address[first], tb.address[r], t, first, r]);
          first = r + 1;
        }
      }
    }
    seqs.sort((a, b) => a[0] - b[0]);
    const n = seqs.length;
    this.seqStart = new Float64Array(n);
    this.seqEnd = new Float64Array(n);
    this.seqTable = new Uint32Array(n);
    this.seqFirst = new Uint32Array(n);
    this.seqLast = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const s = seqs[i];
      this.seqStart[i] = s[0];
      this.seqEnd[i] = s[1];
      this.seqTable[i] = s[2];
      this.seqFirst[i] = s[3];
      this.seqLast[i] = s[4];
    }
  }

  /** The file:line covering `pc`, or undefined if no sequence covers it. */
  lookup(pc: number): LineInfo | undefined {
    // Last sequence whose start <= pc.
    let lo = 0;
    let hi = this.seqStart.length - 1;
    let s = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.seqStart[mid] <= pc) {
        s = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (s < 0 || pc >= this.seqEnd[s]) return undefined;
    const tb = this.tables[this.seqTable[s]];
    // Last row of the sequence (excluding the end row) whose address <= pc.
    lo = this.seqFirst[s];
    hi = this.seqLast[s] - 1;
    let r = lo;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (tb.address[mid] <= pc) {
        r = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return { file: tb.files[tb.file[r]] ?? '', line: tb.line[r], column: tb.column[r], address: tb.address[r] };
  }
}
