// Records that contradict each other: the address index (address-index.ts) finds the first run of objects that
// disagrees with an earlier one while it builds its page table; this file names the two objects and the offset of
// the later record, as a HeapDumpError, so a dump that lists an object twice or overlapping objects is refused
// instead of having its bytes counted twice. Only the failing case does any work beyond the index's own loop.
import { HeapDumpError } from '../dump/index.js';
import type { AddressIndex } from './address-index.js';
import type { ContentOffsets } from './content-offsets.js';

const PAGE = 8192;

const hex = (n: number): string => `0x${n.toString(16)}`;

/** Throws a HeapDumpError naming the contradiction the index found, if it found one. */
export function checkRunsAgree(path: string, index: AddressIndex, objectCount: number, offsets: ContentOffsets): void {
  const r = index.conflict;
  if (r < 0) return;
  const address = index.objectAddresses(objectCount);
  const size = index.objectSizes(objectCount);
  const contentOffset = offsets.toFloat64Array();
  const first = index.runFirst[r];
  const runStart = index.runStart[r];
  const runSize = index.runObjectSize[r];
  const runEnd = runStart + runSize * index.runCount[r];
  // The earliest object recorded before the run that overlaps it.
  for (let i = 0; i < first; i++) {
    const a = address[i];
    const e = a + size[i];
    if (e <= runStart || a >= runEnd) continue;
    const j = first + Math.max(0, Math.floor((a - runStart) / runSize));
    const aj = address[j];
    const what = aj === a && size[j] === size[i]
      ? `an object not recorded before: ${hex(aj)} (${size[j]} bytes) was already recorded at offset ${contentOffset[i]}`
      : `an object clear of the others: ${hex(aj)} (${size[j]} bytes) overlaps ${hex(a)} (${size[i]} bytes) recorded at offset ${contentOffset[i]}`;
    throw new HeapDumpError(path, contentOffset[j], what);
  }
  // No overlap: the run sits in a page of another span (out of that span's order), where spans never share pages.
  const firstPage = Math.floor(runStart / PAGE);
  const lastPage = Math.floor((runEnd - 1) / PAGE);
  for (let i = 0; i < first; i++) {
    const a = address[i];
    if (Math.floor((a + size[i] - 1) / PAGE) < firstPage || Math.floor(a / PAGE) > lastPage) continue;
    throw new HeapDumpError(path, contentOffset[first],
      `objects of one span per 8 KiB page: ${hex(runStart)} (${runSize} bytes) shares a page with ${hex(a)} ` +
      `(${size[i]} bytes) recorded at offset ${contentOffset[i]} with other objects between them`);
  }
  throw new HeapDumpError(path, contentOffset[first], `objects in address order within their span at ${hex(runStart)}`);
}
