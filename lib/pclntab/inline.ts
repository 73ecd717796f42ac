// The inline tree (FUNCDATA_InlTree with PCDATA_InlTreeIndex): which calls were inlined at a pc, innermost first.
// Entries are 20 bytes in 1.18/1.19 {parent int16, funcID u8, _, file int32, line int32, func_ int32 (name),
// parentPc int32} and 16 bytes from 1.20 {funcID u8, _ [3], nameOff int32, parentPc int32, startLine int32}. The
// expansion is the runtime's (inlineUnwinder, 1.19's gentraceback loop): emit the inlined callee named by the entry
// with the file:line of the physical function at the current pc, then continue at entry + parentPc, the call site
// (docs: go-runtime-internals.md §3.1-3.2).
import type { Bytes } from './header.js';

/** One inline tree entry: the callee's name offset (funcnametab) and the call site's pc offset from the entry. */
export interface InlinedCall {
  nameOff: number;
  funcID: number;
  parentPc: number;
}

/** Entry `ix` of the inline tree at section offset `at` (of gofunc's bytes). */
export function readInlinedCall(b: Bytes, at: number, ix: number, old: boolean): InlinedCall {
  if (old) {
    const o = at + ix * 20;
    return { funcID: b.u8(o + 2), nameOff: b.i32(o + 12), parentPc: b.i32(o + 16) };
  }
  const o = at + ix * 16;
  return { funcID: b.u8(o), nameOff: b.i32(o + 4), parentPc: b.i32(o + 8) };
}
