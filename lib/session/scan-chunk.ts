// How much of a per-object column a pass over a big heap reads at a time from the index (typed-row.ts' scans,
// crowded-row.ts' pass over retained sizes): chunks of objects, each read into a scratch buffer with room for the
// whole index blocks the chunk lies in.

/** Objects a pass reads at a time (4 MiB of 32-bit typing ids). */
export const SCAN_OBJECTS = 1 << 20;

/** Room in a chunk's scratch buffer for the whole blocks it lies in (lib/store's blocks are 16 KiB). */
export const SCAN_SLACK = 64 << 10;
