/**
 * IEEE 754 binary16 ("fp16", CUDA `half`) rounding, computed in double.
 *
 * The KV cache of an fp16 model holds fp16 values, and TurboMind stores each
 * quantization scale and zero point as fp16. To reproduce both we need the
 * exact round-to-nearest-even conversion double -> fp16 (the conversion of
 * `__float2half_rn`), including subnormals and overflow.
 */

/** Largest finite fp16 value, (2 - 2^-10) * 2^15. */
export const FP16_MAX = 65504;

/** Smallest positive fp16 value (subnormal), 2^-24. */
export const FP16_MIN_SUBNORMAL = 2 ** -24;

/** Smallest positive normal fp16 value, 2^-14. */
export const FP16_MIN_NORMAL = 2 ** -14;

const scratch = new Float64Array(1);
const scratchWords = new Uint32Array(scratch.buffer);
/** Index of the 32-bit word that holds sign, exponent and top mantissa bits. */
const HI_WORD = (() => {
  scratch[0] = 1; // 0x3FF00000_00000000
  return scratchWords[1] === 0x3ff00000 ? 1 : 0;
})();

/**
 * For each biased double exponent E (0..2047), the "rounding constant"
 * C = 1.5 * 2^(quantum + 52), where quantum = log2 of the spacing of fp16
 * values in the binade of E. Adding then subtracting C rounds a double of that
 * binade to a multiple of 2^quantum with the FPU's own round-half-to-even
 * (C / 2^quantum = 1.5 * 2^52 is even, so parity is preserved).
 * Binades below 2^-14 share the subnormal spacing 2^-24.
 */
const ROUNDING_CONSTANT = (() => {
  const table = new Float64Array(2048);
  for (let biased = 0; biased < 2048; biased++) {
    const exponent = biased - 1023;
    const quantum = Math.max(exponent, -14) - 10;
    table[biased] = 1.5 * 2 ** (quantum + 52);
  }
  return table;
})();

/**
 * Round a double to the nearest fp16 value, ties to even, and return it as a
 * double. NaN stays NaN, +-Infinity stays, results beyond +-65504 become
 * +-Infinity (65520, the midpoint between 65504 and 2^16, rounds to even =
 * 2^16, i.e. overflows), values below 2^-25 in magnitude become (signed) zero
 * and 2^-25 itself ties to even zero.
 */
export function toFp16(x: number): number {
  scratch[0] = x;
  const biased = ((scratchWords[HI_WORD] as number) >>> 20) & 0x7ff;
  if (biased > 1023 + 15) {
    // NaN, +-Infinity, or a finite |x| >= 2^16: all beyond the fp16 range.
    if (x !== x) return NaN;
    return x > 0 ? Infinity : -Infinity;
  }
  const c = ROUNDING_CONSTANT[biased] as number;
  const y = x + c - c;
  if (y > FP16_MAX) return Infinity;
  if (y < -FP16_MAX) return -Infinity;
  return y === 0 ? x * 0 : y; // x * 0 keeps the sign of x (-0 for negative underflow)
}
