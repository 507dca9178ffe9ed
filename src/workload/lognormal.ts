/** Standard normal quantile z_p for the percentiles used by the length presets. */
export const Z90 = 1.2815515655446004;

/**
 * The lognormal spread implied by a median and a 90th percentile: ln(p90/p50) / z_0.9.
 * Median and p90 are used because they are robust to the caps and filters that shape the
 * tails of published traces.
 */
export function lognormalSigmaFromP50P90(p50: number, p90: number): number {
  return Math.log(p90 / p50) / Z90;
}

/** Standard normal CDF (Abramowitz and Stegun 7.1.26 via erf; |error| < 1.5e-7). */
export function normalCdf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x) / Math.SQRT2);
  const y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-(x * x) / 2);
  return x >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}
