/**
 * Single-query attention over one head's cache, in double precision:
 * logits l_i = q . k_i / sqrt(head_dim), weights p = softmax(l),
 * output o = sum_i p_i v_i. Works on dense (fp16) and code (int8/int4) caches.
 */
import type { CacheView } from './kvcache.js';

/**
 * Attention logits of query `q` against every key of `keys`, written into
 * `out` (one per token).
 */
export function attentionLogits(q: Float64Array, keys: CacheView, out: Float64Array): Float64Array {
  const d = q.length;
  const invSqrtD = 1 / Math.sqrt(d);
  const tokens = out.length;
  if (keys.kind === 'dense') {
    const data = keys.data;
    for (let t = 0; t < tokens; t++) out[t] = dotDense(q, data, t * d) * invSqrtD;
    return out;
  }
  // q . (scale * codes + zero) = scale * (q . codes) + zero * sum(q)
  const { codes, scale, zero } = keys;
  let qSum = 0;
  for (let c = 0; c < d; c++) qSum += q[c] as number;
  for (let t = 0; t < tokens; t++) {
    out[t] = ((scale[t] as number) * dotCodes(q, codes, t * d) + (zero[t] as number) * qSum) * invSqrtD;
  }
  return out;
}

/*
 * The four row kernels below are the proxy's inner loops. Each is written
 * for one array type (V8 compiles a monomorphic loop much better) and keeps
 * four partial sums (about 1.5x faster than one running sum).
 */

/** q . data[base .. base + q.length) for a dense cache. */
function dotDense(q: Float64Array, data: Float32Array | Float64Array, base: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const d = q.length;
  const d4 = d - (d % 4);
  for (let c = 0; c < d4; c += 4) {
    s0 += (q[c] as number) * (data[base + c] as number);
    s1 += (q[c + 1] as number) * (data[base + c + 1] as number);
    s2 += (q[c + 2] as number) * (data[base + c + 2] as number);
    s3 += (q[c + 3] as number) * (data[base + c + 3] as number);
  }
  for (let c = d4; c < d; c++) s0 += (q[c] as number) * (data[base + c] as number);
  return s0 + s1 + s2 + s3;
}

/** q . codes[base .. base + q.length) for a quantized cache. */
function dotCodes(q: Float64Array, codes: Uint8Array, base: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const d = q.length;
  const d4 = d - (d % 4);
  for (let c = 0; c < d4; c += 4) {
    s0 += (q[c] as number) * (codes[base + c] as number);
    s1 += (q[c + 1] as number) * (codes[base + c + 1] as number);
    s2 += (q[c + 2] as number) * (codes[base + c + 2] as number);
    s3 += (q[c + 3] as number) * (codes[base + c + 3] as number);
  }
  for (let c = d4; c < d; c++) s0 += (q[c] as number) * (codes[base + c] as number);
  return s0 + s1 + s2 + s3;
}

/** out += w * data[base .. base + out.length) for a dense cache. */
function axpyDense(out: Float64Array, w: number, data: Float32Array | Float64Array, base: number): void {
  const d = out.length;
  const d4 = d - (d % 4);
  for (let c = 0; c < d4; c += 4) {
    out[c] = (out[c] as number) + w * (data[base + c] as number);
    out[c + 1] = (out[c + 1] as number) + w * (data[base + c + 1] as number);
    out[c + 2] = (out[c + 2] as number) + w * (data[base + c + 2] as number);
    out[c + 3] = (out[c + 3] as number) + w * (data[base + c + 3] as number);
  }
  for (let c = d4; c < d; c++) out[c] = (out[c] as number) + w * (data[base + c] as number);
}

/** out += w * codes[base .. base + out.length) for a quantized cache. */
function axpyCodes(out: Float64Array, w: number, codes: Uint8Array, base: number): void {
  const d = out.length;
  const d4 = d - (d % 4);
  for (let c = 0; c < d4; c += 4) {
    out[c] = (out[c] as number) + w * (codes[base + c] as number);
    out[c + 1] = (out[c + 1] as number) + w * (codes[base + c + 1] as number);
    out[c + 2] = (out[c + 2] as number) + w * (codes[base + c + 2] as number);
    out[c + 3] = (out[c + 3] as number) + w * (codes[base + c + 3] as number);
  }
  for (let c = d4; c < d; c++) out[c] = (out[c] as number) + w * (codes[base + c] as number);
}

/**
 * Softmax of `logits` written into `out` (one exp per element); returns the
 * log-sum-exp, which the KL divergence needs.
 */
export function softmaxInto(logits: Float64Array, out: Float64Array): number {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if ((logits[i] as number) > max) max = logits[i] as number;
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    const w = Math.exp((logits[i] as number) - max);
    out[i] = w;
    sum += w;
  }
  const inv = 1 / sum;
  for (let i = 0; i < logits.length; i++) out[i] = (out[i] as number) * inv;
  return max + Math.log(sum);
}

/** Attention output o = sum_i p_i v_i (one entry per channel), written into `out`. */
export function attentionOutput(weights: Float64Array, values: CacheView, out: Float64Array): Float64Array {
  const d = out.length;
  out.fill(0);
  const tokens = weights.length;
  if (values.kind === 'dense') {
    const data = values.data;
    for (let t = 0; t < tokens; t++) axpyDense(out, weights[t] as number, data, t * d);
    return out;
  }
  // sum_t p_t (scale_t * code_tc + zero_t) = sum_t (p_t scale_t) code_tc + sum_t p_t zero_t
  const { codes, scale, zero } = values;
  let offset = 0;
  for (let t = 0; t < tokens; t++) {
    const p = weights[t] as number;
    offset += p * (zero[t] as number);
    axpyCodes(out, p * (scale[t] as number), codes, t * d);
  }
  for (let c = 0; c < d; c++) out[c] = (out[c] as number) + offset;
  return out;
}

/**
 * KL(p || q) in nats between two softmax distributions given by their logits
 * and log-sum-exps; `p` are the weights of the first. Computed as
 * sum_i p_i (lp_i - lq_i) - lseP + lseQ, which is exactly 0 for equal logits.
 */
export function klDivergence(p: Float64Array, logitsP: Float64Array, lseP: number, logitsQ: Float64Array, lseQ: number): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) s += (p[i] as number) * ((logitsP[i] as number) - (logitsQ[i] as number));
  return s - lseP + lseQ;
}

/** Relative L2 error ||approx - exact|| / ||exact|| (0 if both are zero, Infinity if only exact is). */
export function relativeL2Error(approx: Float64Array, exact: Float64Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < exact.length; i++) {
    const e = exact[i] as number;
    const diff = (approx[i] as number) - e;
    num += diff * diff;
    den += e * e;
  }
  if (num === 0) return 0;
  return den === 0 ? Infinity : Math.sqrt(num / den);
}

/** Entropy (nats) and variance of the logits under softmax(lambda * raw). */
function entropyAndVariance(raw: Float64Array, max: number, lambda: number): { entropy: number; variance: number } {
  let z = 0;
  let m1 = 0;
  let m2 = 0;
  for (let i = 0; i < raw.length; i++) {
    const x = (raw[i] as number) - max;
    const w = Math.exp(lambda * x);
    z += w;
    m1 += w * x;
    m2 += w * x * x;
  }
  m1 /= z;
  m2 /= z;
  return { entropy: Math.log(z) - lambda * m1, variance: Math.max(0, m2 - m1 * m1) };
}

/**
 * The inverse temperature lambda >= 0 for which softmax(lambda * raw) has
 * entropy `targetNats` (within 1e-6 nats). The entropy falls monotonically
 * from ln(n) at lambda = 0 (dH/dlambda = -lambda Var_p(raw)), so a bracketed
 * Newton iteration converges in a handful of passes; `guess` (e.g. the value
 * for a similar query) only speeds up the bracketing. This is how queries get
 * a realistic attention spread: a fixed fraction of ln(context).
 */
export function inverseTemperatureForEntropy(raw: Float64Array, targetNats: number, guess?: number): number {
  const n = raw.length;
  if (!(targetNats > 0 && targetNats < Math.log(n))) {
    throw new RangeError(`inverseTemperatureForEntropy: target ${targetNats} outside (0, ln ${n})`);
  }
  let max = -Infinity;
  let min = Infinity;
  for (let i = 0; i < n; i++) {
    const x = raw[i] as number;
    if (x > max) max = x;
    if (x < min) min = x;
  }
  if (!(max > min)) throw new RangeError('inverseTemperatureForEntropy: constant logits cannot reach the target');
  const entropyAt = (lambda: number): number => entropyAndVariance(raw, max, lambda).entropy;
  // Bracket [lo, hi] with H(lo) > target >= H(hi).
  let lo = 0;
  let hi = guess !== undefined && guess > 0 ? guess : 1 / (max - min);
  for (let i = 0; entropyAt(hi) > targetNats; i++) {
    if (i > 200) throw new RangeError('inverseTemperatureForEntropy: target below the entropy of the ties at the maximum');
    lo = hi;
    hi *= 2;
  }
  if (lo === 0) {
    for (let half = hi / 2; half > 1e-300 && entropyAt(half) <= targetNats; half /= 2) hi = half;
    lo = hi / 2;
  }
  let lambda = (lo + hi) / 2;
  for (let iter = 0; iter < 100; iter++) {
    const { entropy, variance } = entropyAndVariance(raw, max, lambda);
    const gap = entropy - targetNats;
    if (Math.abs(gap) < 1e-6) return lambda;
    if (gap > 0) lo = lambda;
    else hi = lambda;
    const newton = lambda + gap / (lambda * variance);
    lambda = newton > lo && newton < hi ? newton : (lo + hi) / 2;
    if (hi - lo <= 1e-15 * hi) break;
  }
  return lambda;
}
