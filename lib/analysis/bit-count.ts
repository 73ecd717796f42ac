// Counting the set bits of a 32-bit word (a population count), for the bitmaps over objects: tiny blocks'
// (sub-object-ranges.ts) and a crowded type row's members (lib/session/crowded-row.ts).

/** The set bits of a 32-bit word. */
export function bitCount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}
