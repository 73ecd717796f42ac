// FUNCDATA_StackObjects: the address-taken, pointer-holding locals and params of a function that the garbage
// collector scans only when a pointer into them is found. At gofunc + funcdata[2]: a pointer-sized count, then
// 16-byte records {off int32 (<0: from varp, >=0: from argp), size int32, ptrdata int32, gcdataoff uint32}; the
// pointer mask (one bit per word, LSB first) is at rodata + gcdataoff (docs: go-runtime-internals.md §2.1).

/** One stack object record of a function. */
export interface StackObjectRecord {
  /** Offset from varp when negative, else from argp. */
  off: number;
  size: number;
  /** Bytes of the object that may hold pointers (negative: a GC program, which is not decoded: scanned as all pointers). */
  ptrdata: number;
  /** The pointer mask, one bit per word over ptrdata (empty when a GC program). */
  mask: Uint8Array;
}
