import { normal, type Uniform } from '../sim/rng.js';
import { lognormalSigmaFromP50P90 } from './lognormal.js';

/**
 * The ShareGPT workload of LMDeploy's profile_throughput (shared/reference/workloads.md).
 *
 * Shape, frozen before any throughput fitting: a conversation's first prompt and first reply
 * are drawn from independent lognormals in llama2 tokens, then LMDeploy's own filter is
 * applied by rejection, exactly as profile_throughput drops conversations. The spreads come
 * from the only published conversation trace in the reference, Azure's splitwise_conv
 * (median and p90: prompt 1020 / 2734.5, output 129 / 424): lognormal is the usual model of
 * such right-skewed, multiplicative lengths. The locations are then solved so that the
 * filtered means equal the published 246.9 prompt and 232.7 output tokens; nothing here
 * refers to RPS. test/workload/sharegpt.test.ts pins the result.
 */
export const SHAREGPT_FILTER = {
  minPrompt: 4,
  minOutput: 4,
  maxPrompt: 1024,
  maxTotal: 2048,
} as const;

export const SHAREGPT_TARGET_MEANS = { prompt: 246.9, output: 232.7 } as const;

export const SHAREGPT_SIGMA = {
  prompt: lognormalSigmaFromP50P90(1020, 2734.5),
  output: lognormalSigmaFromP50P90(129, 424),
} as const;

/**
 * Log-medians (mu) of the raw prompt and output lognormals, solved by
 * `solveShareGptMu` for the frozen spreads (see test/workload/sharegpt.test.ts).
 */
export const SHAREGPT_MU = { prompt: 5.287771, output: 5.062145 } as const;

export interface ShareGptParams {
  muPrompt: number;
  sigmaPrompt: number;
  muOutput: number;
  sigmaOutput: number;
  /** Model tokens per llama2 token, applied before the filter (LMDeploy filters in model tokens). */
  tokenizerFactor: number;
}

export function defaultShareGptParams(tokenizerFactor = 1): ShareGptParams {
  return {
    muPrompt: SHAREGPT_MU.prompt,
    sigmaPrompt: SHAREGPT_SIGMA.prompt,
    muOutput: SHAREGPT_MU.output,
    sigmaOutput: SHAREGPT_SIGMA.output,
    tokenizerFactor,
  };
}

/** True when LMDeploy's profile_throughput keeps a (prompt, output) pair. */
export function passesShareGptFilter(prompt: number, output: number): boolean {
  const f = SHAREGPT_FILTER;
  return prompt >= f.minPrompt && output >= f.minOutput && prompt <= f.maxPrompt && prompt + output <= f.maxTotal;
}

/** Draws one (prompt, output) pair that survives the filter; writes it into out[0], out[1]. */
export function drawShareGpt(u: Uniform, p: ShareGptParams, out: Int32Array): void {
  for (let tries = 0; tries < 100_000; tries++) {
    const prompt = Math.round(Math.exp(p.muPrompt + p.sigmaPrompt * normal(u)) * p.tokenizerFactor);
    const output = Math.round(Math.exp(p.muOutput + p.sigmaOutput * normal(u)) * p.tokenizerFactor);
    if (passesShareGptFilter(prompt, output)) {
      out[0] = prompt;
      out[1] = output;
      return;
    }
  }
  throw new Error('sharegpt: the length model rejects almost every draw; check its parameters');
}

/**
 * Filtered means of the model by quadrature over the two lognormals (deterministic, no
 * sampling), on a grid of integer token counts after rounding.
 */
export function shareGptFilteredMeans(p: Omit<ShareGptParams, 'tokenizerFactor'>): { prompt: number; output: number; keep: number } {
  const f = SHAREGPT_FILTER;
  const pmfP = roundedLognormalPmf(p.muPrompt, p.sigmaPrompt, f.maxPrompt);
  const pmfO = roundedLognormalPmf(p.muOutput, p.sigmaOutput, f.maxTotal);
  // Prefix sums over outputs let each prompt value sum its admissible outputs in O(1).
  const cumW = new Float64Array(pmfO.length + 1);
  const cumWO = new Float64Array(pmfO.length + 1);
  for (let o = 0; o < pmfO.length; o++) {
    const w = o >= f.minOutput ? pmfO[o]! : 0;
    cumW[o + 1] = cumW[o]! + w;
    cumWO[o + 1] = cumWO[o]! + w * o;
  }
  let keep = 0, sumP = 0, sumO = 0;
  for (let pr = f.minPrompt; pr <= f.maxPrompt; pr++) {
    const maxO = Math.min(pmfO.length - 1, f.maxTotal - pr);
    const wO = cumW[maxO + 1]!;
    const wOO = cumWO[maxO + 1]!;
    const wp = pmfP[pr]!;
    keep += wp * wO;
    sumP += wp * wO * pr;
    sumO += wp * wOO;
  }
  return { prompt: sumP / keep, output: sumO / keep, keep };
}

/** P(round(X) = k) for X lognormal(mu, sigma), k = 0..kMax. */
function roundedLognormalPmf(mu: number, sigma: number, kMax: number): Float64Array {
  const pmf = new Float64Array(kMax + 1);
  let prev = 0;
  for (let k = 0; k <= kMax; k++) {
    const hi = k + 0.5;
    const c = cdfLognormal(hi, mu, sigma);
    pmf[k] = c - prev;
    prev = c;
  }
  return pmf;
}

function cdfLognormal(x: number, mu: number, sigma: number): number {
  return 0.5 * erfc(-(Math.log(x) - mu) / (sigma * Math.SQRT2));
}

/** Complementary error function (Numerical Recipes erfcc; relative error < 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

/**
 * Solves the two log-medians so that the filtered means hit the targets, by Newton steps on
 * a finite-difference Jacobian. Used to derive SHAREGPT_MU and to re-derive it for another spread.
 */
export function solveShareGptMu(sigmaPrompt: number, sigmaOutput: number, target = SHAREGPT_TARGET_MEANS): { muPrompt: number; muOutput: number } {
  let mp = Math.log(target.prompt), mo = Math.log(target.output);
  for (let it = 0; it < 50; it++) {
    const m = shareGptFilteredMeans({ muPrompt: mp, sigmaPrompt, muOutput: mo, sigmaOutput });
    const rp = m.prompt - target.prompt, ro = m.output - target.output;
    if (Math.abs(rp) < 1e-6 && Math.abs(ro) < 1e-6) break;
    const h = 1e-4;
    const mP = shareGptFilteredMeans({ muPrompt: mp + h, sigmaPrompt, muOutput: mo, sigmaOutput });
    const mO = shareGptFilteredMeans({ muPrompt: mp, sigmaPrompt, muOutput: mo + h, sigmaOutput });
    const a = (mP.prompt - m.prompt) / h, b = (mO.prompt - m.prompt) / h;
    const c = (mP.output - m.output) / h, d = (mO.output - m.output) / h;
    const det = a * d - b * c;
    mp -= (d * rp - b * ro) / det;
    mo -= (-c * rp + a * ro) / det;
  }
  return { muPrompt: round6(mp), muOutput: round6(mo) };
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
