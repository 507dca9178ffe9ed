/**
 * The activation profile: the statistics of one attention head's keys,
 * values and queries that the synthetic generator (synth.ts) reproduces.
 *
 * ONE default profile is shared by all models. It is set from published
 * qualitative observations, never fitted to the accuracy table that the
 * mapping (mapping.ts) is calibrated on. A user who knows that a model has a
 * heavier outlier structure (e.g. Qwen3-32B, lmdeploy issue #3752) supplies a
 * heavier profile in the scenario file.
 *
 * Sources:
 *  - KIVI: Liu et al. 2024, "KIVI: A Tuning-Free Asymmetric 2bit Quantization
 *    for KV Cache" (ICML 2024), §3 and Fig. 2: in the key cache a few fixed
 *    channels have very large magnitudes for all tokens; the value cache has no
 *    such channel pattern.
 *  - KVQuant: Hooper et al. 2024, "KVQuant: Towards 10 Million Context Length
 *    LLM Inference with KV Cache Quantization" (NeurIPS 2024), §3.1 / Fig. 2:
 *    keys have a small number of outlier channels of large magnitude; the
 *    structure is consistent before RoPE and is mixed across channel pairs by
 *    RoPE; values show no fixed outlier channels.
 * Keys are snake_case because the profile appears verbatim in scenario files
 * and in the model catalogue.
 */
export interface ActivationProfile {
  /**
   * Number of key channels (per head, before RoPE) that carry a large,
   * token-independent offset: the "fixed outlier channels" of KIVI/KVQuant.
   * Each sits in its own rotary pair, so after RoPE it spreads over the two
   * channels of that pair. Default 4 (of 128): "a few" channels, ~3%.
   */
  key_outlier_channels: number;
  /**
   * Size of that offset in units of the RMS of an ordinary key channel.
   * Default 10: "about an order of magnitude" above the bulk, as in the key
   * magnitude plots of KIVI Fig. 2 and KVQuant Fig. 2. A round figure read
   * from the papers, not a fit. It sets the per-token range of the keys and
   * thereby their quantization step.
   */
  key_outlier_scale: number;
  /**
   * Standard deviation of ln(RMS) across ordinary key channel pairs: keys have
   * per-channel magnitude structure beyond the outliers (the reason KIVI
   * quantizes keys per channel). Default 0.5, i.e. the middle 80% of channels
   * span a factor of about 3.6 in RMS. An assumption, not a measurement.
   */
  key_channel_scale_spread: number;
  /**
   * RoPE base. Default 10000 (Llama-2; InternLM2 uses 1e6). It only sets how
   * fast the outlier offsets rotate within their pairs, which per-token
   * quantization hardly sees: the range of a token is the same whichever
   * channel of the pair holds the offset.
   */
  rope_theta: number;
  /**
   * Standard deviation of the value entries (Gaussian, no channel structure,
   * per KIVI/KVQuant). Default 1. All reported figures are relative and do
   * not depend on it, except through fp16 rounding at extreme scales.
   */
  value_std: number;
  /**
   * Number of earlier keys each query is built to match (its "content"
   * targets): attention then has a few dominant tokens over a diffuse
   * background instead of being uniform or one-hot. Default 4.
   */
  query_aligned_keys: number;
  /**
   * Target attention entropy as a fraction of ln(context): each query's scale
   * (inverse temperature) is solved so that the softmax entropy equals
   * fraction * ln(L), i.e. about L^fraction effectively attended tokens
   * (45 of 2048, 181 of 32768 at the default 0.5): well below uniform,
   * well above one-hot. An assumption, not a measurement.
   */
  attention_entropy_fraction: number;
}

/** The profile used for every model unless a scenario overrides it. */
export const DEFAULT_ACTIVATION_PROFILE: ActivationProfile = Object.freeze({
  key_outlier_channels: 4,
  key_outlier_scale: 10,
  key_channel_scale_spread: 0.5,
  rope_theta: 10000,
  value_std: 1,
  query_aligned_keys: 4,
  attention_entropy_fraction: 0.5,
});

/**
 * Throw a RangeError naming the first parameter of `profile` that cannot be
 * used with `headDim` (the synthetic generator assumes these ranges).
 */
export function assertValidProfile(profile: ActivationProfile, headDim: number): void {
  const fail = (what: string): never => {
    throw new RangeError(`activation_profile: ${what}`);
  };
  if (!Number.isInteger(headDim) || headDim < 2 || headDim % 2 !== 0) fail(`head_dim must be an even integer >= 2, got ${headDim}`);
  const p = profile;
  if (!Number.isInteger(p.key_outlier_channels) || p.key_outlier_channels < 0 || p.key_outlier_channels > headDim / 2) {
    fail(`key_outlier_channels must be an integer in [0, head_dim/2], got ${p.key_outlier_channels}`);
  }
  if (!(p.key_outlier_scale >= 0 && p.key_outlier_scale <= 1000)) fail(`key_outlier_scale must be in [0, 1000], got ${p.key_outlier_scale}`);
  if (!(p.key_channel_scale_spread >= 0 && p.key_channel_scale_spread <= 3)) {
    fail(`key_channel_scale_spread must be in [0, 3], got ${p.key_channel_scale_spread}`);
  }
  if (!(p.rope_theta > 1 && Number.isFinite(p.rope_theta))) fail(`rope_theta must be > 1, got ${p.rope_theta}`);
  if (!(p.value_std > 0 && p.value_std < 1000)) fail(`value_std must be in (0, 1000), got ${p.value_std}`);
  if (!Number.isInteger(p.query_aligned_keys) || p.query_aligned_keys < 0) {
    fail(`query_aligned_keys must be a non-negative integer, got ${p.query_aligned_keys}`);
  }
  if (!(p.attention_entropy_fraction > 0 && p.attention_entropy_fraction < 1)) {
    fail(`attention_entropy_fraction must be in (0, 1), got ${p.attention_entropy_fraction}`);
  }
}

/** A stable string for `profile` (sorted keys), used as a cache key. */
export function profileKey(profile: ActivationProfile): string {
  const entries = Object.entries(profile).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(entries);
}

/**
 * The default profile with a scenario's `activation_profile` overrides
 * applied. Rejects unknown keys (a typo would otherwise silently keep the
 * default) and values out of range for `headDim`.
 */
export function resolveActivationProfile(overrides: Readonly<Record<string, number>> | undefined, headDim: number): ActivationProfile {
  const profile: ActivationProfile = { ...DEFAULT_ACTIVATION_PROFILE };
  for (const [key, value] of Object.entries(overrides ?? {})) {
    if (!(key in DEFAULT_ACTIVATION_PROFILE)) {
      throw new RangeError(`activation_profile: unknown key "${key}" (known: ${Object.keys(DEFAULT_ACTIVATION_PROFILE).join(', ')})`);
    }
    profile[key as keyof ActivationProfile] = value;
  }
  assertValidProfile(profile, headDim);
  return profile;
}
