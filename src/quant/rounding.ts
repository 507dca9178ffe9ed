/**
 * 1.5 * 2^52: for |v| < 2^51, v + ROUND_CONSTANT - ROUND_CONSTANT is v rounded
 * to an integer, ties to even (see roundHalfEven).
 */
export const ROUND_CONSTANT = 6755399441055744;

/**
 * Round to the nearest integer, ties to even ("banker's rounding").
 *
 * This is the rounding of the PTX instruction `cvt.rni`, which TurboMind uses
 * to turn `(x - zero) / scale` into an integer code (`TM_ROUND_USE_CVT_RNI`).
 * JavaScript's `Math.round` breaks ties towards +Infinity instead (2.5 -> 3,
 * -2.5 -> -2) and is slow in V8. For |v| < 2^51, v + 1.5*2^52 lies in a
 * binade whose spacing is exactly 1, so the FPU's own round-half-even does
 * the work; subtracting the constant back is exact. Beyond 2^51, spacing
 * is >= 0.5, handled by the tie rule explicitly; >= 2^52 is already integral.
 */
export function roundHalfEven(v: number): number {
  if (v < 2251799813685248 && v > -2251799813685248) {
    const r = v + ROUND_CONSTANT - ROUND_CONSTANT;
    return r === 0 && v < 0 ? -0 : r;
  }
  const r = Math.round(v); // NaN, +-Infinity and integers pass through
  return r - v === 0.5 && (r & 1) !== 0 ? r - 1 : r;
}
