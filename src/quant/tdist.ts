/**
 * Student's t distribution with 3 degrees of freedom: the mapping's
 * prediction band is a t interval from 4 calibration points and 1 fitted
 * parameter. For 3 degrees of freedom the CDF has a closed form, so the
 * quantile can be computed here instead of copied from a table.
 */

/** CDF of Student's t with 3 degrees of freedom: 1/2 + (u/(1+u^2) + atan u)/pi, u = t/sqrt(3). */
export function studentT3Cdf(t: number): number {
  const u = t / Math.sqrt(3);
  return 0.5 + (u / (1 + u * u) + Math.atan(u)) / Math.PI;
}

/** Quantile of Student's t with 3 degrees of freedom, by bisection on the CDF (0 < p < 1). */
export function studentT3Quantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`studentT3Quantile: p must be in (0, 1), got ${p}`);
  let lo = -1e6;
  let hi = 1e6;
  for (let i = 0; i < 200 && hi - lo > 1e-13 * Math.max(1, Math.abs(hi)); i++) {
    const mid = (lo + hi) / 2;
    if (studentT3Cdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
