// Ordering indices by a numeric key without a comparator: a stable LSD radix sort over 8-bit digits of integer keys
// in [0, 2^53) (byte counts, sizes, addresses). Seven passes at most; a digit that every key shares is skipped, so
// sizes under 64 KiB sort in two passes. Used by the instance index (instances.ts) where a comparator sort of millions
// of members took seconds. Keys below 2^32 can come as a Uint32Array, which the sort then uses as its own key words
// (two words per key less than a Float64Array and its split into words).

const RADIX = 256;
const PASSES = 7; // 8-bit digits: 53 bits
const HI = 4294967296;

/**
 * The positions 0..n-1 of `key` ordered by key, largest first when `descending` (else smallest first); equal keys
 * keep their order (stable). With `payload` (one word per key), its words in that order instead of the positions.
 * A Uint32Array key and the payload are the sort's own working arrays: their contents are undefined afterwards (the
 * result may be the payload's array).
 */
export function orderByKey(key: Float64Array | Uint32Array, descending: boolean, payload?: Uint32Array): Uint32Array {
  const n = key.length;
  if (payload !== undefined && payload.length !== n) throw new RangeError(`${payload.length} payload words for ${n} keys`);
  // Keys under 2^32 (sizes, most retained sizes) need no high words: two words per key less.
  let wide = false;
  if (key instanceof Float64Array) {
    for (let x = 0; x < n; x++) {
      if (key[x] >= HI) {
        wide = true;
        break;
      }
    }
  }
  // The key's low and (when wide) high 32-bit words, then each digit's count.
  let lo: Uint32Array = key instanceof Uint32Array ? key : new Uint32Array(n);
  let hi: Uint32Array = new Uint32Array(wide ? n : 0);
  if (key instanceof Float64Array) {
    for (let x = 0; x < n; x++) {
      const k = key[x];
      const l = k % HI;
      lo[x] = l;
      if (wide) hi[x] = (k - l) / HI;
    }
  }
  const counts = new Uint32Array(PASSES * RADIX);
  for (let x = 0; x < n; x++) {
    const l = lo[x];
    counts[l & 255]++;
    counts[RADIX + ((l >>> 8) & 255)]++;
    counts[2 * RADIX + ((l >>> 16) & 255)]++;
    counts[3 * RADIX + (l >>> 24)]++;
  }
  if (wide) {
    for (let x = 0; x < n; x++) {
      const h = hi[x];
      counts[4 * RADIX + (h & 255)]++;
      counts[5 * RADIX + ((h >>> 8) & 255)]++;
      counts[6 * RADIX + ((h >>> 16) & 255)]++;
    }
  } else counts[4 * RADIX] = counts[5 * RADIX] = counts[6 * RADIX] = n;
  // Each pass moves the positions (or the payload) with their key words, so that every pass reads its input in
  // order. Keys under 2^32 leave the high words alone (their passes are skipped: every high digit is 0).
  let src: Uint32Array = payload ?? new Uint32Array(n);
  if (payload === undefined) for (let x = 0; x < n; x++) src[x] = x;
  let dst: Uint32Array = new Uint32Array(n);
  let loDst: Uint32Array = new Uint32Array(n);
  let hiDst: Uint32Array = new Uint32Array(wide ? n : 0);
  const offset = new Uint32Array(RADIX);
  for (let pass = 0; pass < PASSES; pass++) {
    const base = pass * RADIX;
    let single = false;
    for (let d = 0; d < RADIX; d++) {
      const c = counts[base + d];
      if (c === n) single = true;
      if (c !== 0) break;
    }
    if (single || n === 0) continue;
    // Where each digit's run starts: digits in key order (descending: the largest digit first).
    let at = 0;
    if (descending) {
      for (let d = RADIX - 1; d >= 0; d--) {
        offset[d] = at;
        at += counts[base + d];
      }
    } else {
      for (let d = 0; d < RADIX; d++) {
        offset[d] = at;
        at += counts[base + d];
      }
    }
    const shift = (pass % 4) * 8;
    if (pass < 4) {
      for (let x = 0; x < n; x++) {
        const o = offset[(lo[x] >>> shift) & 255]++;
        dst[o] = src[x];
        loDst[o] = lo[x];
        if (wide) hiDst[o] = hi[x];
      }
      [lo, loDst] = [loDst, lo];
    } else {
      for (let x = 0; x < n; x++) {
        const o = offset[(hi[x] >>> shift) & 255]++;
        dst[o] = src[x];
        hiDst[o] = hi[x];
      }
    }
    [hi, hiDst] = [hiDst, hi];
    [src, dst] = [dst, src];
  }
  return src;
}
