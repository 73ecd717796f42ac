// PC-value tables: sequences of (zigzag value delta, pc delta) uvarint pairs starting at value -1 and the
// function's entry; the value holds from one pc to the next (docs: go-runtime-internals.md §1.5).
import type { Bytes } from './header.js';

/**
 * The value of the table at byte `off` of `b` for `target` (a pc), in a function starting at `entry`; -1 when the
 * table is absent (off 0) or does not cover target. `quantum` scales pc deltas.
 */
export function pcValue(b: Bytes, off: number, entry: number, target: number, quantum: number): number {
  if (off === 0) return -1;
  const d = b.data;
  const n = d.length;
  let p = off;
  let val = -1;
  let pc = entry;
  let first = true;
  while (p < n) {
    // value delta
    let u = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = d[p++];
      u += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80 && p < n);
    if (u === 0 && !first) return -1;
    first = false;
    const delta = u % 2 === 1 ? -((u + 1) / 2) : u / 2;
    // pc delta
    let v = 0;
    shift = 0;
    do {
      byte = d[p++];
      v += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80 && p < n);
    val += delta;
    pc += v * quantum;
    if (target < pc) return val;
  }
  return -1;
}

/**
 * Every run of the table at byte `off` of `b` for a function starting at `entry`, as flat triples (start pc, end pc,
 * value); empty when the table is absent (off 0).
 */
export function pcValueRuns(b: Bytes, off: number, entry: number, quantum: number): number[] {
  const out: number[] = [];
  if (off === 0) return out;
  const d = b.data;
  const n = d.length;
  let p = off;
  let val = -1;
  let pc = entry;
  let first = true;
  while (p < n) {
    let u = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = d[p++];
      u += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80 && p < n);
    if (u === 0 && !first) return out;
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
    out.push(start, pc, val);
  }
  return out;
}
