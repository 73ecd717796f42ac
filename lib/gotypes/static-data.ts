// Values the linker allocated statically: `var Cache = &LRU{...}` makes the LRU a data symbol (main..stmp_N) that
// DWARF does not describe as a variable. The global that points at it does, with the pointer's element type, so
// the pointee becomes a typed global of its own named "*main.Cache": its pointer slots are then named roots and
// its fields get types like any global's.
import type { ElfFile } from '../elf/index.js';
import { GoKind } from './kind.js';
import type { GoGlobal, GoSections } from './program.js';

/** The globals pointed at by pointer globals whose initial value lies in a data segment outside every global. */
export function staticPointees(elf: ElfFile, globals: readonly GoGlobal[], sections: GoSections, ptrSize: number, bigEndian: boolean): GoGlobal[] {
  const segments = [sections.data, sections.bss, sections.noptrdata, sections.noptrbss].filter((s) => s.size > 0);
  const inSegment = (a: number, size: number): boolean => segments.some((s) => a >= s.addr && a + size <= s.addr + s.size);
  const sorted = [...globals].sort((a, b) => a.address - b.address);
  const covered = (a: number, size: number): boolean => {
    // Any global overlapping [a, a + size)?
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid].address + sorted[mid].size <= a) lo = mid + 1;
      else hi = mid;
    }
    return lo < sorted.length && sorted[lo].address < a + size;
  };
  const out: GoGlobal[] = [];
  const seen = new Set<number>();
  for (const g of globals) {
    const t = g.type;
    if (t === undefined || t.kind !== GoKind.Ptr || t.elem === undefined || t.elem.size === 0 || g.size !== ptrSize) continue;
    const b = elf.readVirtual(g.address, ptrSize);
    if (b === undefined || b.length < ptrSize) continue;
    let v = 0;
    for (let k = 0; k < ptrSize; k++) v = v * 256 + b[bigEndian ? k : ptrSize - 1 - k];
    const size = t.elem.size;
    if (v === 0 || seen.has(v) || !inSegment(v, size) || covered(v, size)) continue;
    seen.add(v);
    out.push({ name: `*${g.name}`, address: v, size, type: t.elem });
  }
  return out;
}
