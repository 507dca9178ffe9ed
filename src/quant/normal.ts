/**
 * Standard normal variates, fast and deterministic.
 *
 * A 4096-cell table of the normal quantile function, linearly interpolated
 * inside each cell, turns one 32-bit uniform into one N(0, 1) variate with a
 * table lookup and a multiply-add; the two extreme cells (|z| > 3.49, where
 * the quantile function is steep) use the exact quantile. Compared with
 * Box-Muller this avoids log/sqrt/cos per variate, which matters because
 * the proxy draws head_dim * context * 2 variates per head. The tails, which
 * set the per-token min/max and hence the quantization step, are exact.
 */
import type { Rng } from './rng.js';

const A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];

/** Rational approximation of the lower tail, p < 0.02425. */
function lowerTail(p: number): number {
  const q = Math.sqrt(-2 * Math.log(p));
  const [c0, c1, c2, c3, c4, c5] = C as [number, number, number, number, number, number];
  const [d0, d1, d2, d3] = D as [number, number, number, number];
  return (((((c0 * q + c1) * q + c2) * q + c3) * q + c4) * q + c5) / ((((d0 * q + d1) * q + d2) * q + d3) * q + 1);
}

/**
 * Quantile function of the standard normal, Phi^-1(p) for 0 < p < 1
 * (P. J. Acklam's rational approximation, relative error < 1.2e-9).
 * Returns -Infinity / +Infinity at 0 / 1 and NaN outside [0, 1].
 */
export function inverseNormalCdf(p: number): number {
  if (!(p >= 0 && p <= 1)) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p < 0.02425) return lowerTail(p);
  if (p > 1 - 0.02425) return -lowerTail(1 - p);
  const q = p - 0.5;
  const r = q * q;
  const [a0, a1, a2, a3, a4, a5] = A as [number, number, number, number, number, number];
  const [b0, b1, b2, b3, b4] = B as [number, number, number, number, number];
  return ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q) / (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1);
}

const CELL_BITS = 12;
const CELLS = 1 << CELL_BITS;
const FRACTION_BITS = 32 - CELL_BITS;
const FRACTION_SCALE = 2 ** -FRACTION_BITS;
const FRACTION_MASK = (1 << FRACTION_BITS) - 1;

/** QUANTILES[k] = Phi^-1(k / CELLS), k = 1 .. CELLS - 1 (entries 0 and CELLS unused). */
const QUANTILES = (() => {
  const t = new Float64Array(CELLS + 1);
  for (let k = 1; k < CELLS; k++) t[k] = inverseNormalCdf(k / CELLS);
  return t;
})();

/**
 * The standard normal variate for one 32-bit uniform `u`: the top 12 bits
 * pick a quantile cell, the other 20 bits the position inside it.
 */
export function normalFromUint32(u: number): number {
  const cell = u >>> FRACTION_BITS;
  const fraction = ((u & FRACTION_MASK) + 0.5) * FRACTION_SCALE;
  if (cell === 0 || cell === CELLS - 1) return inverseNormalCdf((cell + fraction) / CELLS);
  const lo = QUANTILES[cell] as number;
  return lo + fraction * ((QUANTILES[cell + 1] as number) - lo);
}

/** One standard normal variate from one 32-bit uniform of `rng`. */
export function nextNormal(rng: Rng): number {
  return normalFromUint32(rng.nextUint32());
}

let words = new Uint32Array(256);

/** Fill `out` with standard normal variates (the same stream as repeated nextNormal). */
export function fillNormal(rng: Rng, out: Float64Array): Float64Array {
  if (words.length < out.length) words = new Uint32Array(out.length);
  const u = rng.fillUint32(words, out.length);
  for (let i = 0; i < out.length; i++) out[i] = normalFromUint32(u[i] as number);
  return out;
}
