/**
 * Seeded synthetic K, V and Q for one attention head (head_dim channels,
 * `contextLen` cached tokens), following an ActivationProfile.
 *
 * Keys (post-RoPE, as TurboMind quantizes them):
 *   k_t = c_t + R(t) o,  then rounded to fp16, where
 *   c_t  content: independent Gaussians, channel pair p with RMS s_p (the two
 *        channels of a rotary pair share s_p); ln s_p is spread by
 *        `key_channel_scale_spread` (stratified normal quantiles, randomly
 *        assigned to pairs, mean square 1);
 *   o    the outlier offset: `key_outlier_channels` channels, one in each of
 *        the lowest-frequency rotary pairs, of size `key_outlier_scale` with
 *        alternating signs (pre-RoPE: fixed, token-independent channels);
 *   R(t) the RoPE rotation at position t (rope.ts).
 *   RoPE is applied only to the offset because a rotation of a pair of
 *   independent equal-variance Gaussians is again such a pair: rotating c_t
 *   would not change its distribution, only cost time.
 * Values: independent Gaussians of std `value_std`, rounded to fp16.
 * Queries: the sum of the contents of `query_aligned_keys` random earlier
 *   keys plus one Gaussian of the same channel scales, with the outlier pair
 *   planes zeroed, then scaled so that the attention entropy is
 *   `attention_entropy_fraction` * ln(contextLen), then rounded to fp16.
 *   Zeroing those planes keeps the attention pattern carried by content: a
 *   query component along the offset would add a slowly rotating, mostly
 *   token-independent logit that softmax largely ignores, and it keeps the
 *   exact attention the same whether outliers are on or off.
 * Every random stream is derived from (seed, head) and a purpose, so the
 * first L tokens of a head are the same at every context >= L.
 */
import { attentionLogits, inverseTemperatureForEntropy } from './attention.js';
import { toFp16 } from './fp16.js';
import { fillNormal, inverseNormalCdf, nextNormal } from './normal.js';
import type { ActivationProfile } from './profile.js';
import { createRng, type Rng } from './rng.js';
import { ropeFrequencies } from './rope.js';

/** Which head to synthesize. */
export interface HeadSpec {
  profile: ActivationProfile;
  headDim: number;
  contextLen: number;
  seed: number;
  head: number;
}

/** The context-independent structure of one head's keys. */
export interface HeadStructure {
  /** RMS of the content of each channel (length headDim; pair p and p + D/2 share it). */
  channelScale: Float64Array;
  /** Rotary pairs that carry an outlier offset (the lowest frequencies). */
  outlierPairs: Int32Array;
  /** Signed size of each outlier offset, on the first channel of its pair before RoPE. */
  outlierOffset: Float64Array;
  /** RoPE frequencies, one per pair. */
  frequencies: Float64Array;
}

/** Synthetic cache of one head: token-major fp16 values stored in Float32Array (exact). */
export interface SynthHead extends HeadStructure {
  headDim: number;
  contextLen: number;
  keys: Float32Array;
  values: Float32Array;
}

/** Name of the random stream of `purpose` for a head. */
function streamSeed(seed: number, head: number, purpose: string): string {
  return `kvsim/quant/synth/${seed}/${head}/${purpose}`;
}

/** Shuffle `a` in place (Fisher-Yates) with `rng`. */
function shuffle(a: Float64Array, rng: Rng): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    const t = a[i] as number;
    a[i] = a[j] as number;
    a[j] = t;
  }
}

/**
 * Per-pair content RMS: exp(spread * z_k) at the stratified normal quantiles
 * z_k = Phi^-1((k + 0.5) / pairs), normalized to mean square 1 and shuffled
 * over the pairs. Stratification gives every head the same set of channel
 * magnitudes (only their placement differs), which removes head-to-head noise
 * from the estimate without changing its mean.
 */
export function pairScales(pairs: number, spread: number, rng: Rng): Float64Array {
  const s = new Float64Array(pairs);
  let meanSquare = 0;
  for (let k = 0; k < pairs; k++) {
    s[k] = Math.exp(spread * inverseNormalCdf((k + 0.5) / pairs));
    meanSquare += (s[k] as number) ** 2 / pairs;
  }
  const norm = 1 / Math.sqrt(meanSquare);
  for (let k = 0; k < pairs; k++) s[k] = (s[k] as number) * norm;
  shuffle(s, rng);
  return s;
}

/** The key structure of head `head` (independent of the context length). */
export function headStructure(profile: ActivationProfile, headDim: number, seed: number, head: number): HeadStructure {
  const pairs = headDim / 2;
  const rng = createRng(streamSeed(seed, head, 'structure'));
  const perPair = pairScales(pairs, profile.key_channel_scale_spread, rng);
  const channelScale = new Float64Array(headDim);
  for (let c = 0; c < headDim; c++) channelScale[c] = perPair[c % pairs] as number;
  const n = profile.key_outlier_channels;
  const outlierPairs = new Int32Array(n);
  const outlierOffset = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    outlierPairs[j] = pairs - 1 - j;
    outlierOffset[j] = (j % 2 === 0 ? 1 : -1) * profile.key_outlier_scale;
  }
  return { channelScale, outlierPairs, outlierOffset, frequencies: ropeFrequencies(headDim, profile.rope_theta) };
}

/** Add the RoPE-rotated outlier offset at `position` to `row` (length headDim), in place. */
export function addKeyOffset(structure: HeadStructure, position: number, row: Float64Array): Float64Array {
  const pairs = structure.frequencies.length;
  for (let j = 0; j < structure.outlierPairs.length; j++) {
    const p = structure.outlierPairs[j] as number;
    const a = structure.outlierOffset[j] as number;
    const angle = position * (structure.frequencies[p] as number);
    row[p] = (row[p] as number) + a * Math.cos(angle);
    row[p + pairs] = (row[p + pairs] as number) + a * Math.sin(angle);
  }
  return row;
}

/** Write `row` rounded to fp16 into out[base ..]. */
function storeRowFp16(row: Float64Array, out: Float32Array, base: number): void {
  for (let c = 0; c < row.length; c++) out[base + c] = toFp16(row[c] as number);
}

/** Fill `keys` (token-major, headDim = channelScale.length) with fp16 keys at positions 0, 1, ... */
function fillKeys(structure: HeadStructure, rng: Rng, keys: Float32Array): void {
  const d = structure.channelScale.length;
  const row = new Float64Array(d);
  for (let t = 0; t * d < keys.length; t++) {
    fillNormal(rng, row);
    for (let c = 0; c < d; c++) row[c] = (structure.channelScale[c] as number) * (row[c] as number);
    addKeyOffset(structure, t, row);
    storeRowFp16(row, keys, t * d);
  }
}

/** Fill `values` (token-major rows of headDim) with fp16 Gaussians of std `std`. */
function fillValues(std: number, rng: Rng, values: Float32Array, headDim: number): void {
  const row = new Float64Array(headDim);
  for (let base = 0; base < values.length; base += headDim) {
    fillNormal(rng, row);
    for (let c = 0; c < headDim; c++) row[c] = std * (row[c] as number);
    storeRowFp16(row, values, base);
  }
}

/**
 * Keys and values of one head for positions 0 .. contextLen-1, token-major
 * (row t holds the head_dim channels of token t).
 */
export function synthesizeHead(spec: HeadSpec): SynthHead {
  const { profile, headDim, contextLen, seed, head } = spec;
  const keys = new Float32Array(contextLen * headDim);
  const values = new Float32Array(contextLen * headDim);
  const structure = headStructure(profile, headDim, seed, head);
  fillKeys(structure, createRng(streamSeed(seed, head, 'keys')), keys);
  fillValues(profile.value_std, createRng(streamSeed(seed, head, 'values')), values, headDim);
  return { ...structure, headDim, contextLen, keys, values };
}

/** Content part of cached key `t`: k_t minus its rotated outlier offset (length headDim). */
export function keyContent(head: SynthHead, t: number): Float64Array {
  const d = head.headDim;
  const row = new Float64Array(d);
  for (let c = 0; c < d; c++) row[c] = head.keys[t * d + c] as number;
  const offset = addKeyOffset(head, t, new Float64Array(d));
  for (let c = 0; c < d; c++) row[c] = (row[c] as number) - (offset[c] as number);
  return row;
}

/**
 * `count` decode queries for `head` (fp16 values, length headDim), built and
 * scaled as described at the top of this file. `scratch` (>= contextLen) is
 * reused for the logits of the entropy calibration.
 */
export function synthesizeQueries(head: SynthHead, profile: ActivationProfile, count: number, seed: number, headIndex: number, scratch?: Float64Array): Float64Array[] {
  const d = head.headDim;
  const pairs = d / 2;
  const rng = createRng(streamSeed(seed, headIndex, 'queries'));
  const raw = scratch ? scratch.subarray(0, head.contextLen) : new Float64Array(head.contextLen);
  const target = profile.attention_entropy_fraction * Math.log(head.contextLen);
  const keys = { kind: 'dense' as const, data: head.keys };
  const queries: Float64Array[] = [];
  let lambda: number | undefined;
  for (let i = 0; i < count; i++) {
    const dir = new Float64Array(d);
    for (let j = 0; j < profile.query_aligned_keys; j++) {
      const content = keyContent(head, rng.nextInt(head.contextLen));
      for (let c = 0; c < d; c++) dir[c] = (dir[c] as number) + (content[c] as number);
    }
    for (let c = 0; c < d; c++) dir[c] = (dir[c] as number) + (head.channelScale[c] as number) * nextNormal(rng);
    for (const p of head.outlierPairs) {
      dir[p] = 0;
      dir[p + pairs] = 0;
    }
    const scale = inverseTemperatureForEntropy(attentionLogits(dir, keys, raw), target, lambda);
    lambda = scale;
    queries.push(dir.map((x) => toFp16(scale * x)));
  }
  return queries;
}
