// Go 1.22+ malloc headers (runtime/mbitmap.go): a pointer-containing small object whose requested size exceeds
// minSizeForMallocHeader = PtrSize * PtrBits (512 bytes on 64-bit targets, 128 on 32-bit ones) starts with an
// 8-byte header holding its type; above maxSmallSize - mallocHeaderSize it is a large object (type in its span).
// The bound is exclusive and the slot is size + 8 rounded up to a size class, so a size class above the bound
// (and at most 32768) is exactly a slot that carries a header when its type has pointers.

/** The largest size class without a malloc header on a target with `ptrSize`-byte pointers. */
export function mallocHeaderBound(ptrSize: number): number {
  return ptrSize * ptrSize * 8;
}

/** The largest small size class (larger objects are spans of their own, without a header). */
export const MALLOC_HEADER_MAX = 32768;

/** True when an object of this size class carries a malloc header if its type has pointers. */
export function headeredSizeClass(size: number, ptrSize: number): boolean {
  return size > mallocHeaderBound(ptrSize) && size <= MALLOC_HEADER_MAX;
}
