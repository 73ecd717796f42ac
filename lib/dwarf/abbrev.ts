// Abbreviation tables (.debug_abbrev): code -> tag, children flag and the (attribute, form) list,
// with DW_FORM_implicit_const values held in the table itself. Parsed once per table offset.

import { Cursor } from './cursor.js';
import { DW_FORM } from './constants.js';

/** One abbreviation declaration. `attrs[i]`, `forms[i]`, `implicitConst[i]` describe attribute i. */
export interface Abbrev {
  readonly code: number;
  readonly tag: number;
  readonly hasChildren: boolean;
  readonly attrs: Uint32Array;
  readonly forms: Uint32Array;
  /** Value for DW_FORM_implicit_const attributes (0 elsewhere). */
  readonly implicitConst: Float64Array;
}

/** An abbreviation table: codes are usually dense from 1, so a sparse array indexed by code. */
export type AbbrevTable = ReadonlyArray<Abbrev | undefined>;

/** Parses the abbreviation table that starts at `offset` of .debug_abbrev. */
export function parseAbbrevTable(bytes: Uint8Array, offset: number, file = ''): AbbrevTable {
  const c = new Cursor('.debug_abbrev', bytes, offset, true, file);
  const table: Array<Abbrev | undefined> = [];
  const attrs: number[] = [];
  const forms: number[] = [];
  const consts: number[] = [];
  for (;;) {
    if (c.remaining <= 0) break; // tolerate a missing terminating 0
    const code = c.ulebn();
    if (code === 0) break;
    const declAt = c.pos;
    const tag = c.ulebn();
    const hasChildren = c.u8() !== 0;
    attrs.length = 0;
    forms.length = 0;
    consts.length = 0;
    for (;;) {
      const at = c.ulebn();
      const form = c.ulebn();
      if (at === 0 && form === 0) break;
      attrs.push(at);
      forms.push(form);
      consts.push(form === DW_FORM.implicit_const ? c.slebn() : 0);
    }
    if (code > 1 << 20) c.fail(`abbreviation code ${code} too large`, declAt);
    table[code] = {
      code,
      tag,
      hasChildren,
      attrs: Uint32Array.from(attrs),
      forms: Uint32Array.from(forms),
      implicitConst: Float64Array.from(consts),
    };
  }
  return table;
}
