// PC-value tables: sequences of (zigzag value delta, pc delta) uvarint pairs starting at value -1 and the
// function's entry; the value holds from one pc to the next (docs: go-runtime-internals.md §1.5).
import type { Bytes } from './header.js';

/**
 * Walks the table at byte `off` of `b` for a function starting at `entry`, run by run: `visit(start, end, value)`
 * for the pcs [start, end) holding `value`, until it returns true. `quantum` scales pc deltas. False when the table
 * ended (or is absent: off 0) before `visit` asked to stop.
 */
function walkRuns(b: Bytes, off: number, entry: number, quantum: number, visit: (start: number, end: number, value: number) => boolean): boolean {
  if (off === 0) return false;
  const d = b.data;
  const n = d.length;
  let p = off;
  let val = -1;
  let pc = entry;
  let first = true;
  while (p < n) {
    // value delta (zigzag), then pc delta
    let u = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = d[p++];
      u += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80 && p < n);
    if (u === 0 && !first) return false;
    first = false;
    const delta = u % 2 === 1 ? -((u + 1) / 2) : u / 2;
    let v = 0;
    shift = 0;
    do {
      byte = d[p++];
      v += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80 && p < n);
    val += delta;
    const start = pc;
    pc += v * quantum;
    if (visit(start, pc, val)) return true;
  }
  return false;
}

/**
 * The value of the table at byte `off` of `b` for `target` (a pc), in a function starting at `entry`; -1 when the
 * table is absent (off 0) or does not cover target. `quantum` scales pc deltas.
 */
export function pcValue(b: Bytes, off: number, entry: number, target: number, quantum: number): number {
  let found = -1;
  walkRuns(b, off, entry, quantum, (_start, end, value) => {
    if (target >= end) return false;
    found = value;
    return true;
  });
  return found;
}

/**
 * Every run of the table at byte `off` of `b` for a function starting at `entry`, as flat triples (start pc, end pc,
 * value); empty when the table is absent (off 0).
 */
export function pcValueRuns(b: Bytes, off: number, entry: number, quantum: number): number[] {
  const out: number[] = [];
  walkRuns(b, off, entry, quantum, (start, end, value) => {
    out.push(start, end, value);
    return false;
  });
  return out;
}
