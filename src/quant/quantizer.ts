/**
 * LMDeploy TurboMind's online KV-cache quantizer (quant_policy 8 and 4).
 *
 * Source: lmdeploy `src/turbomind/kernels/attention/quantization.h` @v0.4.0
 * (see shared/reference/lmdeploy.md §2.1). For every token and every KV head,
 * separately for K and V, over the `head_dim` elements of that vector:
 *   scale = (max - min) / (2^bits - 1)     stored as fp16
 *   zero  = min                            stored as fp16 (a float zero point)
 *   q     = round_half_even((x - zero) / scale), saturated to [0, 2^bits - 1]
 *   x^    = q * scale + zero
 * Asymmetric, unsigned codes, no calibration.
 *
 * Arithmetic: the kernel computes in fp32 and finally feeds fp16 values to the
 * tensor-core MMA; we compute codes and dequantized values in double with the
 * fp16-rounded scale and zero. The difference is at the level of fp32/fp16
 * rounding of the dequantized value (relative 2^-24 / 2^-11), far below one
 * int8 step, and is not modelled.
 */
import { toFp16 } from './fp16.js';
import { ROUND_CONSTANT, roundHalfEven } from './rounding.js';

/** Bit widths of a quantized KV cache (quant_policy 8 and 4). */
export type QuantBits = 4 | 8;

/** Bit widths of a KV cache including the unquantized fp16 cache. */
export type KvBits = QuantBits | 16;

/** Either typed array that can hold KV activations (fp16 values fit exactly in both). */
export type FloatArray = Float64Array | Float32Array;

/** Per-(token, head) quantization parameters, both fp16 values. */
export interface QuantParams {
  /** Step between consecutive codes. 0 when the vector is constant. */
  scale: number;
  /** Value of code 0 (the vector's minimum, rounded to fp16). */
  zero: number;
}

/** One quantized vector: its codes and the parameters to decode them. */
export interface QuantizedVector extends QuantParams {
  bits: QuantBits;
  codes: Uint8Array;
}

/** Largest code of a `bits`-bit unsigned integer: 255 for int8, 15 for int4. */
export function maxCode(bits: QuantBits): number {
  return (1 << bits) - 1;
}

/**
 * Scale and zero point for a vector with the given minimum and maximum, as
 * TurboMind computes them: scale = (max - min) / (2^bits - 1), zero = min,
 * both rounded to fp16 because they are stored as fp16 next to the codes.
 * A constant vector gets scale 0. Throws on non-finite input or parameters
 * that overflow fp16, where the kernel would produce Inf/NaN.
 */
export function quantParams(min: number, max: number, bits: QuantBits): QuantParams {
  if (!Number.isFinite(min) || !Number.isFinite(max) || min > max) {
    throw new RangeError(`quantParams: need finite min <= max, got min=${min} max=${max}`);
  }
  const scale = toFp16((max - min) / maxCode(bits));
  const zero = toFp16(min);
  if (!Number.isFinite(scale) || !Number.isFinite(zero)) {
    throw new RangeError(`quantParams: range [${min}, ${max}] overflows fp16 parameters`);
  }
  return { scale, zero };
}

/**
 * Code of one element: round-half-even of (x - zero) / scale, saturated to
 * [0, 2^bits - 1]. Saturation matters: the fp16-rounded scale can be slightly
 * smaller than the exact one, pushing the maximum just past the top code.
 * With scale 0 (constant vector) every code is 0, so decoding returns exactly
 * the zero point; the kernel itself would divide by zero here.
 */
export function quantizeValue(x: number, params: QuantParams, bits: QuantBits): number {
  if (params.scale === 0) return 0;
  const q = roundHalfEven((x - params.zero) / params.scale);
  const top = maxCode(bits);
  return q < 0 ? 0 : q > top ? top : q;
}

/** Decoded value of one code: code * scale + zero (in double). */
export function dequantizeValue(code: number, params: QuantParams): number {
  return code * params.scale + params.zero;
}

/**
 * Minimum and maximum of `length` elements of `src` starting at `offset`.
 * Throws if any element is NaN or infinite (a real kernel would propagate it);
 * detected through the running sum, which is cheaper than a test per element.
 */
export function rangeOf(src: FloatArray, offset: number, length: number): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = offset; i < offset + length; i++) {
    const x = src[i] as number;
    if (x < min) min = x;
    if (x > max) max = x;
    sum += x;
  }
  if (length === 0 || !Number.isFinite(sum)) throw new RangeError('rangeOf: empty or non-finite input');
  return { min, max };
}

/**
 * Quantize one row (one token of one head) in place into `codes`, without
 * allocating a new array: the kernel the proxy runs for every cached token.
 * Reads src[offset .. offset+length), writes codes[codesOffset ..].
 */
export function quantizeRowInto(
  src: FloatArray,
  offset: number,
  length: number,
  bits: QuantBits,
  codes: Uint8Array,
  codesOffset: number,
): QuantParams {
  const { min, max } = rangeOf(src, offset, length);
  const params = quantParams(min, max, bits);
  const { scale, zero } = params;
  if (scale === 0) {
    codes.fill(0, codesOffset, codesOffset + length);
    return params;
  }
  const top = maxCode(bits);
  for (let i = 0; i < length; i++) {
    // quantizeValue with the parameters hoisted. |v| < 2^42 for any input in
    // the fp16 range (|x - zero| < 2^17, scale >= 2^-24), so roundHalfEven
    // reduces to its constant add-subtract (exact for |v| < 2^51).
    const v = ((src[offset + i] as number) - zero) / scale;
    const q = v + ROUND_CONSTANT - ROUND_CONSTANT;
    codes[codesOffset + i] = q < 0 ? 0 : q > top ? top : q;
  }
  return params;
}

/** Quantize a whole vector (one token of one head) with TurboMind's scheme. */
export function quantizeVector(x: Float64Array, bits: QuantBits): QuantizedVector {
  const codes = new Uint8Array(x.length);
  const params = quantizeRowInto(x, 0, x.length, bits, codes, 0);
  return { bits, codes, scale: params.scale, zero: params.zero };
}

/** Decode a quantized vector: codes[i] * scale + zero. */
export function dequantizeVector(q: QuantizedVector): Float64Array {
  const out = new Float64Array(q.codes.length);
  for (let i = 0; i < out.length; i++) out[i] = dequantizeValue(q.codes[i] as number, q);
  return out;
}

/**
 * What the attention kernel reads back after storing `x` in a KV cache of
 * `bits` bits: the quantize/dequantize round trip for 8 and 4, and plain fp16
 * rounding for 16 (the unquantized cache of an fp16 model).
 */
export function quantizeDequantize(x: Float64Array, bits: KvBits): Float64Array {
  if (bits === 16) return x.map(toFp16);
  return dequantizeVector(quantizeVector(x, bits));
}
