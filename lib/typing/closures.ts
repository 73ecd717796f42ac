// Closures: a funcval is the code pointer followed by the captured variables. DWARF does not describe the funcval
// struct, but the closure function's first locals are its captured variables, in order; closureLayout places them
// after the code pointer and keeps the shortest run that explains the object's pointer bitmap and size class.
import type { GoFunction, GoProgram, GoType } from '../gotypes/index.js';
import type { SlotTables } from './slots.js';
import { alignOf, sizeClass } from './layout-math.js';

/**
 * The slot table (word -> slot descriptor) of a funcval of function fn whose pointer words are `pointerOffsets` and
 * whose size class is `size`: the code pointer, then fn's first locals (its captured variables, in DWARF's order) at
 * their natural alignment; the shortest run of them whose pointer words are exactly the object's and whose size
 * rounds up to its size class. Null when none fits.
 */
export function closureLayout(program: GoProgram, slots: SlotTables, fn: GoFunction, pointerOffsets: number[], size: number): Int32Array | null {
  const want = [...pointerOffsets].sort((a, b) => a - b).join(',');
  const p = program.ptrSize;
  const vars = fn.locals.filter((v) => v.type !== undefined && v.type.size > 0 && !v.name.startsWith('~'));
  let off = p;
  const placed: { type: GoType; offset: number }[] = [];
  const ptrs: number[] = [];
  for (let k = 0; k < vars.length && k < 16; k++) {
    const t = vars[k].type!;
    const a = alignOf(t, p);
    off = Math.ceil(off / a) * a;
    placed.push({ type: t, offset: off });
    for (const w of program.pointerMap(t)) ptrs.push(off + w);
    off += t.size;
    if (sizeClass(off) !== size) {
      if (off > size) return null;
      continue;
    }
    if (ptrs.join(',') !== want) continue;
    const table = new Int32Array(Math.ceil(size / p));
    for (const v of placed) {
      if (v.offset % p !== 0) continue;
      const inner = slots.table(v.type);
      if (inner === null) continue;
      for (let w = 0; w < inner.length && v.offset / p + w < table.length; w++) if (inner[w] !== 0) table[v.offset / p + w] = inner[w];
    }
    return table;
  }
  return null;
}
