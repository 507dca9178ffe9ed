/**
 * A KV cache of one head as the attention kernel reads it back: either dense
 * fp16 values (quant_policy 0) or TurboMind codes with per-token fp16
 * scale/zero (quant_policy 8 and 4). Quantizing the whole cache once per head
 * and reading codes directly is what keeps the proxy fast at long contexts:
 * q . k^ = scale * (q . codes) + zero * sum(q), with no dequantized copy.
 */
import { toFp16 } from './fp16.js';
import { quantizeRowInto, type FloatArray, type KvBits } from './quantizer.js';

/** Dense rows of `headDim` values, token-major. */
export interface DenseCache {
  kind: 'dense';
  data: FloatArray;
}

/** Quantized rows: codes (token-major) plus one scale and zero per token. */
export interface CodeCache {
  kind: 'codes';
  codes: Uint8Array;
  scale: Float64Array;
  zero: Float64Array;
}

export type CacheView = DenseCache | CodeCache;

/** The cache of `bits` bits built from `src`, plus the energies for SQNR. */
export interface StoredCache {
  view: CacheView;
  /** Sum of squares of the stored (reference) values. */
  signalEnergy: number;
  /** Sum of squared reconstruction errors, 0 for an fp16 cache of fp16 data. */
  noiseEnergy: number;
}

/** Reusable output buffers for `storeCache` (to avoid re-faulting large arrays). */
export interface CodeBuffers {
  codes: Uint8Array;
  scale: Float64Array;
  zero: Float64Array;
}

/** Allocate buffers big enough for `tokens` rows of `headDim`. */
export function allocateCodeBuffers(tokens: number, headDim: number): CodeBuffers {
  return { codes: new Uint8Array(tokens * headDim), scale: new Float64Array(tokens), zero: new Float64Array(tokens) };
}

/**
 * Store `tokens` rows of `src` (fp16 values, token-major) in a cache of `bits`
 * bits. For 16 the reference values are already fp16, so the stored cache is
 * `src` itself; this is checked element by element (an fp16 round trip of
 * fp16 data is the identity), which is why fp16 shows exactly zero error.
 */
export function storeCache(src: FloatArray, tokens: number, headDim: number, bits: KvBits, buffers?: CodeBuffers): StoredCache {
  const n = tokens * headDim;
  const signalEnergy = sumOfSquares(src, n);
  if (bits === 16) {
    assertFp16(src, n);
    return { view: { kind: 'dense', data: src.subarray(0, n) }, signalEnergy, noiseEnergy: 0 };
  }
  const b = buffers ?? allocateCodeBuffers(tokens, headDim);
  const view: CodeCache = { kind: 'codes', codes: b.codes.subarray(0, n), scale: b.scale.subarray(0, tokens), zero: b.zero.subarray(0, tokens) };
  let noiseEnergy = 0;
  for (let t = 0; t < tokens; t++) {
    const params = quantizeRowInto(src, t * headDim, headDim, bits, view.codes, t * headDim);
    view.scale[t] = params.scale;
    view.zero[t] = params.zero;
    noiseEnergy += rowSquaredError(src, view.codes, t * headDim, headDim, params.scale, params.zero);
  }
  return { view, signalEnergy, noiseEnergy };
}

/** Sum of squares of src[0 .. n). */
export function sumOfSquares(src: FloatArray, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += (src[i] as number) * (src[i] as number);
  return s;
}

/** Throw unless every src[i], i < n, is an fp16 value (fp16 rounding leaves it unchanged). */
function assertFp16(src: FloatArray, n: number): void {
  for (let i = 0; i < n; i++) {
    if (toFp16(src[i] as number) !== src[i]) throw new Error(`storeCache: element ${i} is not an fp16 value`);
  }
}

/** Sum over one row of (code * scale + zero - x)^2: the row's reconstruction error energy. */
function rowSquaredError(src: FloatArray, codes: Uint8Array, base: number, length: number, scale: number, zero: number): number {
  let s = 0;
  for (let i = base; i < base + length; i++) {
    const err = (codes[i] as number) * scale + zero - (src[i] as number);
    s += err * err;
  }
  return s;
}
