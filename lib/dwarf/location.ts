// Location descriptions: simple DWARF expressions goheap understands (DW_OP_addr, DW_OP_addrx,
// DW_OP_fbreg, DW_OP_call_frame_cfa, registers), composites of them (DW_OP_piece: a variable split into parts,
// e.g. a Go slice whose pointer is in a stack slot and whose length is in a register or nowhere) and location
// lists from .debug_loc (DWARF 2-4) and .debug_loclists (DWARF 5).

import { DW_FORM, DW_OP } from './constants.js';
import { Cursor } from './cursor.js';
import type { Unit } from './info.js';

/** What a location expression denotes, when it is one of the simple forms. */
export type SimpleLocation =
  | { readonly kind: 'addr'; readonly address: number }
  | { readonly kind: 'addrx'; readonly index: number }
  /** Offset from the frame base (Go: the CFA). DW_OP_call_frame_cfa alone is offset 0. */
  | { readonly kind: 'frame'; readonly offset: number }
  | { readonly kind: 'reg'; readonly reg: number }
  /** A composite (DW_OP_piece): the variable's bytes in order, each part at its own simple location. */
  | { readonly kind: 'pieces'; readonly pieces: readonly LocationPiece[] }
  /** Something else (arithmetic, values): kept as raw bytes. */
  | { readonly kind: 'expr'; readonly expr: Uint8Array };

/** One part of a composite location: `size` bytes of the variable, at `location` (undefined: optimized out). */
export interface LocationPiece {
  readonly size: number;
  readonly location: Exclude<SimpleLocation, { kind: 'pieces' }> | undefined;
}

/** Decodes an expression into a SimpleLocation, or 'expr' if it is not one of the simple forms. */
export function decodeSimpleLocation(expr: Uint8Array, addrSize = 8, littleEndian = true, file = ''): SimpleLocation {
  if (expr.length === 0) return { kind: 'expr', expr };
  const parts = pieceBounds(expr, addrSize, littleEndian, file);
  if (parts !== undefined) {
    const pieces: LocationPiece[] = [];
    for (let k = 0; k < parts.length; k += 3) {
      const sub = expr.subarray(parts[k], parts[k + 1]);
      if (sub.length === 0) {
        pieces.push({ size: parts[k + 2], location: undefined });
        continue;
      }
      const loc = decodeSimpleLocation(sub, addrSize, littleEndian, file);
      if (loc.kind === 'expr' || loc.kind === 'pieces') return { kind: 'expr', expr };
      pieces.push({ size: parts[k + 2], location: loc });
    }
    return { kind: 'pieces', pieces };
  }
  const c = new Cursor('location expression', expr, 0, littleEndian, file);
  try {
    const op = c.u8();
    let loc: SimpleLocation | undefined;
    if (op === DW_OP.addr) loc = { kind: 'addr', address: addrSize === 8 ? c.u64n() : c.uN(addrSize) };
    else if (op === DW_OP.addrx || op === DW_OP.GNU_addr_index) loc = { kind: 'addrx', index: c.ulebn() };
    else if (op === DW_OP.fbreg) loc = { kind: 'frame', offset: c.slebn() };
    else if (op === DW_OP.call_frame_cfa) {
      let off = 0;
      if (c.remaining > 0) {
        const next = c.u8();
        if (next === DW_OP.consts) {
          off = c.slebn();
          if (c.u8() !== 0x22 /* DW_OP_plus */) return { kind: 'expr', expr };
        } else if (next === DW_OP.plus_uconst) off = c.ulebn();
        else return { kind: 'expr', expr };
      }
      loc = { kind: 'frame', offset: off };
    } else if (op >= DW_OP.reg0 && op <= DW_OP.reg31) loc = { kind: 'reg', reg: op - DW_OP.reg0 };
    else if (op === DW_OP.regx) loc = { kind: 'reg', reg: c.ulebn() };
    if (loc === undefined || c.remaining > 0) return { kind: 'expr', expr };
    return loc;
  } catch {
    return { kind: 'expr', expr };
  }
}

/**
 * The parts of a composite expression (one with DW_OP_piece), as flat triples [start, end, size]: the bytes of each
 * part's own expression and the piece's size; undefined when the expression has no piece or holds an operation
 * goheap does not walk (only the simple forms' operations may precede a piece).
 */
function pieceBounds(expr: Uint8Array, addrSize: number, littleEndian: boolean, file: string): number[] | undefined {
  const c = new Cursor('location expression', expr, 0, littleEndian, file);
  const out: number[] = [];
  let start = 0;
  try {
    while (c.remaining > 0) {
      const at = c.pos;
      const op = c.u8();
      if (op === DW_OP.piece) {
        const size = c.ulebn();
        out.push(start, at, size);
        start = c.pos;
      } else if (op === DW_OP.addr) c.bytesN(addrSize);
      else if (op === DW_OP.addrx || op === DW_OP.GNU_addr_index || op === DW_OP.plus_uconst || op === DW_OP.regx) c.ulebn();
      else if (op === DW_OP.fbreg || op === DW_OP.consts) c.slebn();
      else if (op === DW_OP.call_frame_cfa || op === 0x22 /* DW_OP_plus */ || (op >= DW_OP.reg0 && op <= DW_OP.reg31)) continue;
      else return undefined;
    }
  } catch {
    return undefined;
  }
  return out.length === 0 || start !== expr.length ? undefined : out;
}

/** One entry of a location list: the expression holds for pcs in [low, high). */
export interface LocationListEntry {
  readonly low: number;
  readonly high: number;
  readonly expr: Uint8Array;
}

/** Sections and unit facts needed to read location lists. */
export interface LocationContext {
  readonly loc?: Uint8Array;
  readonly loclists?: Uint8Array;
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
 * Reads the location list referred to by an attribute of `form` with value `value` (a section
 * offset, or a DW_FORM_loclistx index) in unit `unit`, whose base address is `base` (its low_pc).
 */
export function readLocationList(
  ctx: LocationContext,
  unit: Unit,
  form: number,
  value: number,
  base: number,
): LocationListEntry[] {
  const out: LocationListEntry[] = [];
  if (unit.version < 5) {
    const bytes = ctx.loc;
    if (bytes === undefined) return out;
    const c = new Cursor('.debug_loc', bytes, value, ctx.littleEndian, ctx.file);
    const size = unit.addrSize;
    const max = size === 8 ? 2 ** 64 - 1 : 2 ** (8 * size) - 1;
    for (;;) {
      const lo = num(size === 8 ? c.u64() : c.uN(size));
      const hi = num(size === 8 ? c.u64() : c.uN(size));
      if (lo === 0 && hi === 0) break;
      if (lo === max) {
        base = hi;
        continue;
      }
      const len = c.u16();
      out.push({ low: base + lo, high: base + hi, expr: c.bytesN(len) });
    }
    return out;
  }
  const bytes = ctx.loclists;
  if (bytes === undefined) return out;
  let offset = value;
  if (form === DW_FORM.loclistx) {
    const oc = new Cursor('.debug_loclists', bytes, unit.loclistsBase + value * unit.offsetSize, ctx.littleEndian, ctx.file);
    offset = unit.loclistsBase + oc.offset(unit.offsetSize);
  }
  const c = new Cursor('.debug_loclists', bytes, offset, ctx.littleEndian, ctx.file);
  const addr = (): number => num(unit.addrSize === 8 ? c.u64() : c.uN(unit.addrSize));
  for (;;) {
    const kind = c.u8();
    let lo: number;
    let hi: number;
    switch (kind) {
      case 0: // DW_LLE_end_of_list
        return out;
      case 1: // DW_LLE_base_addressx
        base = num(ctx.address(unit, c.ulebn()));
        continue;
      case 2: // DW_LLE_startx_endx
        lo = num(ctx.address(unit, c.ulebn()));
        hi = num(ctx.address(unit, c.ulebn()));
        break;
      case 3: // DW_LLE_startx_length
        lo = num(ctx.address(unit, c.ulebn()));
        hi = lo + c.ulebn();
        break;
      case 4: // DW_LLE_offset_pair
        lo = base + c.ulebn();
        hi = base + c.ulebn();
        break;
      case 5: // DW_LLE_default_location
        lo = 0;
        hi = Number.MAX_SAFE_INTEGER;
        break;
      case 6: // DW_LLE_base_address
        base = addr();
        continue;
      case 7: // DW_LLE_start_end
        lo = addr();
        hi = addr();
        break;
      case 8: // DW_LLE_start_length
        lo = addr();
        hi = lo + c.ulebn();
        break;
      default:
        return c.fail(`unknown location list entry kind ${kind}`, c.pos - 1);
    }
    out.push({ low: lo, high: hi, expr: c.bytesN(c.ulebn()) });
  }
}
