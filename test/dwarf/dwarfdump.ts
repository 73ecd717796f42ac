// Parsers for llvm-dwarfdump --debug-info / --debug-line text output: the independent oracle the
// DWARF tests compare against.

import { run } from '../elf/fixtures.js';

const infoCache = new Map<string, { units: DumpUnit[]; dies: DumpDie[] }>();
const lineCache = new Map<string, DumpLineTable[]>();

export interface DumpDie {
  offset: number;
  tag: string;
  /** Attribute name -> printed value (inside the parentheses, first line only). */
  attrs: Map<string, string>;
}

export interface DumpUnit {
  offset: number;
  version: number;
  addrSize: number;
  abbrOffset: number;
}

/** Parses `llvm-dwarfdump --debug-info` (the NULL entries are skipped). */
export function dwarfdumpInfo(file: string): { units: DumpUnit[]; dies: DumpDie[] } {
  const cached = infoCache.get(file);
  if (cached !== undefined) return cached;
  const units: DumpUnit[] = [];
  const dies: DumpDie[] = [];
  let cur: DumpDie | undefined;
  for (const line of run('llvm-dwarfdump', ['--debug-info', file]).split('\n')) {
    let m = /^0x([0-9a-f]+): \w+ Unit: .*version = 0x([0-9a-f]+).*abbr_offset = 0x([0-9a-f]+), addr_size = 0x([0-9a-f]+)/.exec(line);
    if (m) {
      units.push({
        offset: parseInt(m[1], 16),
        version: parseInt(m[2], 16),
        abbrOffset: parseInt(m[3], 16),
        addrSize: parseInt(m[4], 16),
      });
      cur = undefined;
      continue;
    }
    m = /^0x([0-9a-f]+):\s+(DW_TAG_\w+|NULL)/.exec(line);
    if (m) {
      cur = undefined;
      if (m[2] !== 'NULL') {
        cur = { offset: parseInt(m[1], 16), tag: m[2], attrs: new Map() };
        dies.push(cur);
      }
      continue;
    }
    m = /^\s+(DW_AT_\w+)\t\((.*?)\)?$/.exec(line);
    if (m && cur) cur.attrs.set(m[1], m[2]);
  }
  infoCache.set(file, { units, dies });
  return { units, dies };
}

export interface DumpLineTable {
  offset: number;
  version: number;
  fileNames: string[];
  rows: Array<{ address: number; line: number; column: number; file: number; endSequence: boolean }>;
}

/** Parses `llvm-dwarfdump --debug-line`. */
export function dwarfdumpLines(file: string): DumpLineTable[] {
  const cached = lineCache.get(file);
  if (cached !== undefined) return cached;
  const out: DumpLineTable[] = [];
  let cur: DumpLineTable | undefined;
  let inFile = false;
  for (const line of run('llvm-dwarfdump', ['--debug-line', file]).split('\n')) {
    let m = /^debug_line\[0x([0-9a-f]+)\]/.exec(line);
    if (m) {
      cur = { offset: parseInt(m[1], 16), version: 0, fileNames: [], rows: [] };
      out.push(cur);
      continue;
    }
    if (!cur) continue;
    m = /^\s+version: (\d+)/.exec(line);
    if (m) cur.version = Number(m[1]);
    if (/^file_names\[/.test(line)) inFile = true;
    m = /^\s+name: "(.*)"$/.exec(line);
    if (m && inFile) {
      cur.fileNames.push(m[1]);
      inFile = false;
    }
    m = /^0x([0-9a-f]{16})\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*(.*)$/.exec(line);
    if (m) {
      cur.rows.push({
        address: parseInt(m[1], 16),
        line: Number(m[2]),
        column: Number(m[3]),
        file: Number(m[4]),
        endSequence: m[7].includes('end_sequence'),
      });
    }
  }
  lineCache.set(file, out);
  return out;
}
