/**
 * From the proxy to an expected change of benchmark score.
 *
 * Calibration data: LMDeploy's published OpenCompass table for online KV
 * quantization (docs/en/quantization/kv_quant.md; shared/reference/lmdeploy.md
 * §1.3), six benchmarks, two models, fp16 / int8 / int4. Score = mean of the
 * six. Both models have head_dim 128 and use the one default activation
 * profile, so they share the proxy value per policy: 4 calibration points
 * (2 models x int8/int4) for one parameter.
 *
 * Form: delta_score = -k * rel_error^2 (through the origin), chosen by
 * argument: quantization noise is zero-mean and uncorrelated with the
 * direction that would change an answer, so the first-order change of any
 * smooth quality measure averages out and the expected loss is second order
 * in the perturbation (the same reason the attention KL is ~ 1/2 Var of the
 * logit error). The table cannot decide between forms: int8 shows no loss
 * beyond noise (+0.02, -0.05 points), which a linear law (int8 = int4/17)
 * and the quadratic law (int4/290) both fit within that noise.
 * Band: a 90% prediction interval from the residuals (Student t, 3 degrees
 * of freedom): it carries the scatter of the table around the fit (evaluation
 * noise and the difference between the two models).
 */
import { measureCached, type QuantPolicy } from './measure.js';
import { DEFAULT_ACTIVATION_PROFILE } from './profile.js';
import { summarize } from './stats.js';
import { studentT3Quantile } from './tdist.js';

/** The six benchmarks of the published table, in its row order. */
export const BENCHMARKS = ['ceval', 'mmlu', 'triviaqa', 'gsm8k', 'race-middle', 'race-high'] as const;

/** One model's scores per benchmark (BENCHMARKS order) for each KV type. */
export interface ModelScores {
  model: string;
  headDim: number;
  fp16: readonly number[];
  int8: readonly number[];
  int4: readonly number[];
}

/**
 * LMDeploy kv_quant.md accuracy table (OpenCompass), verbatim: ceval and mmlu
 * naive_average, triviaqa score, gsm8k and race accuracy.
 */
export const PUBLISHED_SCORES: readonly ModelScores[] = [
  {
    model: 'llama2-7b-chat',
    headDim: 128,
    fp16: [28.42, 35.64, 56.09, 28.2, 41.57, 39.65],
    int8: [27.96, 35.58, 56.13, 28.05, 41.78, 39.77],
    int4: [27.58, 34.79, 53.71, 27.37, 41.23, 40.77],
  },
  {
    model: 'internlm2-chat-7b',
    headDim: 128,
    fp16: [60.45, 63.91, 58.73, 70.13, 88.93, 85.33],
    int8: [60.88, 64, 58.7, 69.75, 88.93, 85.31],
    int4: [60.28, 62.36, 58.18, 66.87, 88.93, 84.62],
  },
];

/**
 * Context length at which the proxy is evaluated for the calibration: the
 * suites are short-prompt tasks (zero- to few-shot prompts of a few hundred
 * to about 1.5k tokens), and 1024 is a round value in that range.
 */
export const CALIBRATION_CONTEXT = 1024;

/**
 * Seeds of the proxy runs pooled for the calibration: 4 x 64 samples, so that
 * the sampling noise of k (~8%) stays well below the spread between the two
 * models; a single default-seed proxy has a standard error of ~8% on
 * rel_error, i.e. ~16% on k.
 */
export const CALIBRATION_SEEDS: readonly number[] = [1, 2, 3, 4];

/** Mean score over the six benchmarks. */
export function meanScore(scores: readonly number[]): number {
  if (scores.length !== BENCHMARKS.length) throw new RangeError(`meanScore: need ${BENCHMARKS.length} scores`);
  return scores.reduce((a, b) => a + b, 0) / scores.length;
}

/** Published change of mean score, quantized minus fp16, in points. */
export function publishedScoreChange(model: ModelScores, policy: 8 | 4): number {
  return meanScore(policy === 8 ? model.int8 : model.int4) - meanScore(model.fp16);
}

/** One calibration point: proxy rel_error and the published score change. */
export interface CalibrationPoint {
  model: string;
  quantPolicy: 8 | 4;
  relError: number;
  scoreChange: number;
}

/** The fitted mapping delta = -k * rel_error^2 and what its band needs. */
export interface Mapping {
  /** Points of mean score lost per unit of rel_error^2. */
  k: number;
  /** Residual standard deviation (points), n - 1 = 3 degrees of freedom. */
  residualSd: number;
  /** Sum of the squared regressors, sum (rel_error^2)^2, for the band's leverage term. */
  sumZ2: number;
  /** Two-sided 90% Student t quantile for 3 degrees of freedom. */
  t90: number;
}

/** rel_error of the default-profile proxy for `headDim` at the calibration context, pooled over the calibration seeds. */
export function calibrationRelError(headDim: number, policy: QuantPolicy): number {
  const samples = CALIBRATION_SEEDS.flatMap((seed) => {
    const [m] = measureCached({ profile: DEFAULT_ACTIVATION_PROFILE, headDim, contextLen: CALIBRATION_CONTEXT, seed }, [policy]);
    return m?.relErrors ?? [];
  });
  return summarize(samples).mean;
}

/** The four calibration points from the table and the proxy. */
export function calibrationPoints(relErrorOf: (headDim: number, policy: 8 | 4) => number = calibrationRelError): CalibrationPoint[] {
  return PUBLISHED_SCORES.flatMap((model) =>
    ([8, 4] as const).map((quantPolicy) => ({
      model: model.model,
      quantPolicy,
      relError: relErrorOf(model.headDim, quantPolicy),
      scoreChange: publishedScoreChange(model, quantPolicy),
    })),
  );
}

/**
 * Least squares through the origin of scoreChange on -rel_error^2:
 * k = -sum(y z) / sum(z^2), z = rel_error^2, residuals r = y + k z.
 */
export function fitMapping(points: readonly CalibrationPoint[]): Mapping {
  if (points.length < 2) throw new RangeError('fitMapping: need at least 2 points');
  let syz = 0;
  let szz = 0;
  for (const p of points) {
    const z = p.relError ** 2;
    syz += p.scoreChange * z;
    szz += z * z;
  }
  const k = -syz / szz;
  let rss = 0;
  for (const p of points) rss += (p.scoreChange + k * p.relError ** 2) ** 2;
  const dof = points.length - 1;
  if (dof !== 3) throw new RangeError('fitMapping: the t quantile here is for 4 points (3 degrees of freedom)');
  return { k, residualSd: Math.sqrt(rss / dof), sumZ2: szz, t90: studentT3Quantile(0.95) };
}

/**
 * The mapping fitted at the time of writing, pinned so that any change to
 * the proxy or the profile shows up as a failing test (test/quant/mapping)
 * until this constant is updated on purpose with the value of
 * fitMapping(calibrationPoints()).
 */
export const PINNED_MAPPING: Mapping = Object.freeze({
  k: 6.374960981219118,
  residualSd: 0.147124027301767,
  sumZ2: 0.0366854083427757,
  t90: 2.3533634348017536,
});

/**
 * Expected change of the mean benchmark score (points; negative = loss) for
 * a proxy rel_error, with its 90% prediction band [low, high]:
 * -k z +- t * s * sqrt(1 + z^2 / sum z_i^2), z = rel_error^2. An unquantized
 * cache (rel_error exactly 0) is the baseline itself: change 0, band [0, 0].
 */
export function expectedScoreChange(relError: number, mapping: Mapping = PINNED_MAPPING): { change: number; band: [number, number] } {
  if (relError === 0) return { change: 0, band: [0, 0] };
  const z = relError * relError;
  const change = -mapping.k * z;
  const half = mapping.t90 * mapping.residualSd * Math.sqrt(1 + (z * z) / mapping.sumZ2);
  return { change, band: [change - half, change + half] };
}
