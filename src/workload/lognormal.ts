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
