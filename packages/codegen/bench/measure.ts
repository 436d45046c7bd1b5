// Timing helpers shared by this package's benchmarks.

/** The q-quantile of a sample (0.5 = median), nearest rank. */
export const quantile = (xs: ReadonlyArray<number>, q: number): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!
}

/** Wall time of one call, in ms. */
export const time = (f: () => void): number => {
  const t = performance.now()
  f()
  return performance.now() - t
}
