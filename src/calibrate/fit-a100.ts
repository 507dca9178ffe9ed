import { calibrationConstants, setCalibrationConstants, type CalibrationConstants } from '../catalog/constants.js';
import { planScenario, runScenario } from '../scenario/run-scenario.js';
import { packagePath } from '../util/package-root.js';
import { round } from './fit.js';

/** The published row the A100 fit uses: LMDeploy's kv_quant.md, llama2-chat-7b, fp16 KV (shared/reference/lmdeploy.md §1.2). */
export const PUBLISHED = { fp16: 14.98, int8: 19.01, int4: 20.81 } as const;
export const FIT_DEVICE = 'a100-80g';
export const FIT_SCENARIO = 'scenarios/lmdeploy-kv-quant-llama2-7b.yaml';

export interface A100Prediction {
  rps: { fp16: number; int8: number; int4: number };
  ratio: { int8: number; int4: number };
}

/** Runs the reproduction scenario under the given constants and returns its three RPS figures. */
export function predict(constants: CalibrationConstants): A100Prediction {
  const saved = calibrationConstants();
  setCalibrationConstants(constants);
  try {
    const plan = planScenario(packagePath(FIT_SCENARIO));
    const { summary } = runScenario(plan);
    const by = (p: number) => summary.variants.find((v) => v.params.quant_policy === p)!.metrics.rps;
    const rps = { fp16: by(0), int8: by(8), int4: by(4) };
    return { rps, ratio: { int8: rps.int8 / rps.fp16, int4: rps.int4 / rps.fp16 } };
  } finally {
    setCalibrationConstants(saved);
  }
}

function withSimt(c: CalibrationConstants, simt: number | undefined): CalibrationConstants {
  const fitted = { ...c.fitted };
  if (simt === undefined) delete fitted[FIT_DEVICE];
  else fitted[FIT_DEVICE] = { overrides: { 'decodeBwEff.simt': simt }, fit: null };
  return { ...c, fitted };
}

/** fp16 RPS of the reproduction alone (the only row the fit may look at). */
function fp16Rps(c: CalibrationConstants): number {
  const saved = calibrationConstants();
  setCalibrationConstants(c);
  try {
    const plan = planScenario(packagePath(FIT_SCENARIO));
    const fp16 = plan.configs.findIndex((x) => x.quantPolicy === 0);
    return runScenario(plan, { only: [fp16] }).summary.variants[0]!.metrics.rps;
  } finally {
    setCalibrationConstants(saved);
  }
}

/**
 * Fits the one A100 constant that only the fp16 row exercises: the achieved bandwidth of
 * TurboMind's SIMT decode-attention kernel (fp16 KV, MHA). The H200 measured a Triton kernel
 * of the same structure, not TurboMind's, so this is the least-known constant on the A100.
 * Bisection on the fp16 RPS alone; the int8 and int4 kernels never use it, so their RPS, and
 * the two ratios, stay predictions.
 */
export function fitA100(base: CalibrationConstants = calibrationConstants()): { simt: number; prefit: A100Prediction; postfit: A100Prediction; constants: CalibrationConstants } {
  const prefit = predict(withSimt(base, undefined));
  let lo = 0.2, hi = 1.0;
  if (fp16Rps(withSimt(base, hi)) < PUBLISHED.fp16) throw new Error('A100 fit: even full bandwidth leaves fp16 below the published RPS');
  for (let i = 0; i < 40 && hi - lo > 1e-6; i++) {
    const mid = (lo + hi) / 2;
    if (fp16Rps(withSimt(base, mid)) < PUBLISHED.fp16) lo = mid;
    else hi = mid;
  }
  const simt = round((lo + hi) / 2);
  const fittedConstants = withSimt(base, simt);
  const postfit = predict(fittedConstants);
  const r4 = (x: number) => Number(x.toFixed(4));
  fittedConstants.fitted[FIT_DEVICE] = {
    overrides: { 'decodeBwEff.simt': simt },
    fit: {
      constant: 'decodeBwEff.simt',
      on: `LMDeploy kv_quant.md fp16 row: ${PUBLISHED.fp16} RPS (${FIT_SCENARIO}, fp16 variant only)`,
      method: 'bisection on fp16 RPS; re-derive with: kvsim fit-a100',
      prefit: { rps: mapValues(prefit.rps, r4), ratio: mapValues(prefit.ratio, r4) },
      postfit: { rps: mapValues(postfit.rps, r4), ratio: mapValues(postfit.ratio, r4) },
    },
  };
  return { simt, prefit, postfit, constants: fittedConstants };
}

function mapValues<T extends Record<string, number>>(o: T, f: (x: number) => number): T {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)])) as T;
}
