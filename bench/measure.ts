// What every bench stage measures with: the bench's own index folder, rounding, and the process's peak RSS.

/** The bench's own index folder (GOHEAP_CACHE_DIR if set), so that the user's cache is left alone and every stage's
 * warm open reads the index the dominators stage wrote. */
export function benchCacheDir(): string {
  return process.env.GOHEAP_CACHE_DIR ?? new URL('../../bench/output/index-cache', import.meta.url).pathname;
}

export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Peak RSS of this process so far, in MB. */
export function peakRssMB(): number {
  return Math.round(process.resourceUsage().maxRSS / 102.4) / 10;
}
