/** Medians and spreads for the benches: a busy machine makes single figures meaningless. */

export interface Spread {
  readonly median: number
  readonly p25: number
  readonly p75: number
}

/** Median and quartiles (nearest rank) of the samples. */
export const quartiles = (xs: ReadonlyArray<number>): Spread => {
  const s = [...xs].sort((a, b) => a - b)
  const at = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.round(p * (s.length - 1))))]!
  return { median: at(0.5), p25: at(0.25), p75: at(0.75) }
}

/** `1.23 (1.10–1.40)` */
export const show = (x: Spread, digits = 2): string =>
  `${x.median.toFixed(digits)} (${x.p25.toFixed(digits)}–${x.p75.toFixed(digits)})`
