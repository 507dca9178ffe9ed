/**
 * Public API of the KV-quantization accuracy proxy (see docs/accuracy.md).
 */
import { measureCached, type QuantPolicy } from './measure.js';
import type { ActivationProfile } from './profile.js';
import { DEFAULT_SEED, toAccuracyProxy, type AccuracyProxy } from './proxy.js';

export { toFp16, FP16_MAX } from './fp16.js';
export { roundHalfEven } from './rounding.js';
export {
  quantParams,
  quantizeValue,
  dequantizeValue,
  quantizeVector,
  dequantizeVector,
  quantizeDequantize,
  maxCode,
  type QuantBits,
  type KvBits,
  type QuantParams,
  type QuantizedVector,
} from './quantizer.js';
export { DEFAULT_ACTIVATION_PROFILE, assertValidProfile, resolveActivationProfile, type ActivationProfile } from './profile.js';
export { synthesizeHead, synthesizeQueries, type HeadSpec, type SynthHead } from './synth.js';
export { samplingPlan, clearMeasurementCache, type SamplingPlan } from './measure.js';
export { kvBits, policyLabel, type QuantPolicy } from './formats.js';
export { accuracyProxy, DEFAULT_SEED, type AccuracyProxy, type AccuracyProxyOptions } from './proxy.js';
export {
  PINNED_MAPPING,
  PUBLISHED_SCORES,
  CALIBRATION_CONTEXT,
  expectedScoreChange,
  fitMapping,
  calibrationPoints,
  publishedScoreChange,
  type Mapping,
  type CalibrationPoint,
} from './mapping.js';

/** The quant_policies reported, in report order. */
export const REPORT_POLICIES: readonly QuantPolicy[] = [0, 8, 4];

/**
 * Accuracy proxy for fp16, int8 and int4 at one context: what
 * `kvsim accuracy --json` prints. The three share the generated heads.
 */
export function accuracyReport(opts: { profile: ActivationProfile; headDim: number; contextLen: number; seed?: number }): AccuracyProxy[] {
  const { profile, headDim, contextLen } = opts;
  return measureCached({ profile, headDim, contextLen, seed: opts.seed ?? DEFAULT_SEED }, REPORT_POLICIES).map(toAccuracyProxy);
}

/**
 * Contexts at which to tabulate the proxy for a model: 256 * 2^k for every
 * k with 256 * 2^k <= maxPositions (256, 512, ..., up to and including
 * maxPositions when it is of that form). A model shorter than 256 positions
 * gets [maxPositions].
 */
export function contextGrid(maxPositions: number): number[] {
  if (!Number.isInteger(maxPositions) || maxPositions < 16) throw new RangeError(`contextGrid: need an integer >= 16, got ${maxPositions}`);
  if (maxPositions < 256) return [maxPositions];
  const grid: number[] = [];
  for (let l = 256; l <= maxPositions; l *= 2) grid.push(l);
  return grid;
}
