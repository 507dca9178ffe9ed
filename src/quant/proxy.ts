/**
 * The accuracy proxy of one (profile, head_dim, quant_policy, context):
 * attention error statistics of the quantized KV cache plus the expected
 * change of benchmark score they map to (mapping.ts).
 */
import { expectedScoreChange } from './mapping.js';
import { measureCached, type Measurement, type QuantPolicy } from './measure.js';
import type { ActivationProfile } from './profile.js';
import { sqnrDb, summarize } from './stats.js';
import { policyLabel } from './formats.js';

/** What `kvsim accuracy --json` prints per policy. */
export interface AccuracyProxy {
  quant_policy: QuantPolicy;
  label: 'fp16' | 'int8' | 'int4';
  context: number;
  /** Mean over (head, query) samples of ||o_quant - o_exact|| / ||o_exact||. */
  rel_error: number;
  rel_error_p10: number;
  rel_error_p90: number;
  rel_error_std: number;
  /** Combined K and V SQNR in dB; null = infinite (fp16). */
  sqnr_db: number | null;
  sqnr_k_db: number | null;
  sqnr_v_db: number | null;
  /** Mean KL(p_exact || p_quant) of the attention weights, nats. */
  kl_div: number;
  /** Expected change of the mean benchmark score, points (negative = loss). */
  expected_score_change: number;
  /** 90% prediction band [low, high] of that change. */
  expected_score_change_band: [number, number];
  /** Number of (head, query) samples averaged. */
  samples: number;
}

/** Options of `accuracyProxy`. */
export interface AccuracyProxyOptions {
  profile: ActivationProfile;
  headDim: number;
  quantPolicy: QuantPolicy;
  contextLen: number;
  seed?: number;
}

/** Seed used when none is given. */
export const DEFAULT_SEED = 1;


/** Summarize one measurement into the proxy record. */
export function toAccuracyProxy(m: Measurement): AccuracyProxy {
  const rel = summarize(m.relErrors);
  const { change, band } = expectedScoreChange(rel.mean);
  return {
    quant_policy: m.quantPolicy,
    label: policyLabel(m.quantPolicy),
    context: m.contextLen,
    rel_error: rel.mean,
    rel_error_p10: rel.p10,
    rel_error_p90: rel.p90,
    rel_error_std: rel.std,
    sqnr_db: sqnrDb(m.keySignal + m.valueSignal, m.keyNoise + m.valueNoise),
    sqnr_k_db: sqnrDb(m.keySignal, m.keyNoise),
    sqnr_v_db: sqnrDb(m.valueSignal, m.valueNoise),
    kl_div: summarize(m.klDivs).mean,
    expected_score_change: change,
    expected_score_change_band: band,
    samples: m.relErrors.length,
  };
}

/** The accuracy proxy of one policy at one context (cached; deterministic for a seed). */
export function accuracyProxy(opts: AccuracyProxyOptions): AccuracyProxy {
  const { profile, headDim, quantPolicy, contextLen } = opts;
  const [m] = measureCached({ profile, headDim, contextLen, seed: opts.seed ?? DEFAULT_SEED }, [quantPolicy]);
  return toAccuracyProxy(m as Measurement);
}
