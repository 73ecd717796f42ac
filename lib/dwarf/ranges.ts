// Address ranges of a DIE: DW_AT_low_pc/DW_AT_high_pc, or DW_AT_ranges into .debug_ranges (DWARF 2-4) or
// .debug_rnglists (DWARF 5; Go 1.26 writes every inlined call's pcs there).

import { DW_FORM } from './constants.js';
import { Cursor } from './cursor.js';
import type { Unit } from './info.js';

/** Sections and unit facts needed to read range lists. */
export interface RangeContext {
  readonly ranges?: Uint8Array;
  readonly rnglists?: Uint8Array;
  readonly littleEndian: boolean;
  /** The binary's path, for errors. */
  readonly file?: string;
  /** Reads entry `index` of the unit's .debug_addr contribution. */
  readonly address: (unit: Unit, index: number) => number | bigint;
}

function num(v: number | bigint): number {
  return typeof v === 'number' ? v : Number(v);
}

/**
 * The ranges [low, high) of the range list an attribute of `form` with value `value` (a section offset, or a
 * DW_FORM_rnglistx index) refers to in unit `unit`, whose base address is `base` (its low_pc); flat pairs.
 */
export function readRangeList(ctx: RangeContext, unit: Unit, form: number, value: number, base: number): number[] {
  const out: number[] = [];
  if (unit.version < 5) {
    const bytes = ctx.ranges;
    if (bytes === undefined) return out;
    const c = new Cursor('.debug_ranges', bytes, value, ctx.littleEndian, ctx.file);
    const size = unit.addrSize;
    const max = size === 8 ? 2 ** 64 - 1 : 2 ** (8 * size) - 1;
    for (;;) {
      const lo = num(size === 8 ? c.u64() : c.uN(size));
      const hi = num(size === 8 ? c.u64() : c.uN(size));
      if (lo === 0 && hi === 0) return out;
      if (lo === max) {
        base = hi;
        continue;
      }
      out.push(base + lo, base + hi);
    }
  }
  const bytes = ctx.rnglists;
  if (bytes === undefined) return out;
  let offset = value;
  if (form === DW_FORM.rnglistx) {
    const oc = new Cursor('.debug_rnglists', bytes, unit.rnglistsBase + value * unit.offsetSize, ctx.littleEndian, ctx.file);
    offset = unit.rnglistsBase + oc.offset(unit.offsetSize);
  }
  const c = new Cursor('.debug_rnglists', bytes, offset, ctx.littleEndian, ctx.file);
  const addr = (): number => num(unit.addrSize === 8 ? c.u64() : c.uN(unit.addrSize));
  for (;;) {
    const kind = c.u8();
    switch (kind) {
      case 0: // DW_RLE_end_of_list
        return out;
      case 1: // DW_RLE_base_addressx
        base = num(ctx.address(unit, c.ulebn()));
        break;
      case 2: { // DW_RLE_startx_endx
        const lo = num(ctx.address(unit, c.ulebn()));
        out.push(lo, num(ctx.address(unit, c.ulebn())));
        break;
      }
      case 3: { // DW_RLE_startx_length
        const lo = num(ctx.address(unit, c.ulebn()));
        out.push(lo, lo + c.ulebn());
        break;
      }
      case 4: { // DW_RLE_offset_pair
        const lo = base + c.ulebn();
        out.push(lo, base + c.ulebn());
        break;
      }
      case 5: // DW_RLE_base_address
        base = addr();
        break;
      case 6: { // DW_RLE_start_end
        const lo = addr();
        out.push(lo, addr());
        break;
      }
      case 7: { // DW_RLE_start_length
        const lo = addr();
        out.push(lo, lo + c.ulebn());
        break;
      }
      default:
        return c.fail(`unknown range list entry kind ${kind}`, c.pos - 1);
    }
  }
}
