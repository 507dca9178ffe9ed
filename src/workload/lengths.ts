import { normal, type Uniform } from '../sim/rng.js';
import type { LengthsSpec } from '../scenario/schema.js';
import { drawFromQuantiles, QUANTILE_PRESETS, quantileTableFrom, type QuantileTable } from './quantiles.js';
import { defaultShareGptParams, drawShareGpt, solveShareGptMu, SHAREGPT_SIGMA, type ShareGptParams } from './sharegpt.js';

/** Draws one (prompt, output) pair into out[0], out[1]. */
export type LengthSampler = (u: Uniform, out: Int32Array) => void;

/**
 * Builds the sampler for a lengths spec. Presets stated in llama2 tokens (sharegpt and the
 * quantile presets) are scaled by the model's tokenizer factor; lengths the user states
 * directly (fixed, uniform, lognormal, own quantile tables) are taken as model tokens.
 * Trace lengths are handled by the trace reader, not here.
 */
export function lengthSampler(spec: Exclude<LengthsSpec, { type: 'trace' }>, tokenizerFactor: number): LengthSampler | string {
  switch (spec.type) {
    case 'fixed':
      return (_u, out) => {
        out[0] = spec.prompt;
        out[1] = spec.output;
      };
    case 'uniform': {
      const [p0, p1] = spec.prompt, [o0, o1] = spec.output;
      if (p1 < p0 || o1 < o0) return 'uniform ranges are [min, max] with min ≤ max';
      return (u, out) => {
        out[0] = p0 + Math.floor(u() * (p1 - p0 + 1));
        out[1] = o0 + Math.floor(u() * (o1 - o0 + 1));
      };
    }
    case 'lognormal': {
      const { prompt: p, output: o } = spec;
      const clamp = (x: number, lo = 1, hi = Infinity) => Math.min(hi, Math.max(lo, Math.round(x)));
      return (u, out) => {
        out[0] = clamp(p.median * Math.exp(p.sigma * normal(u)), p.min, p.max);
        out[1] = clamp(o.median * Math.exp(o.sigma * normal(u)), o.min, o.max);
      };
    }
    case 'quantiles': {
      const preset = spec.preset ? QUANTILE_PRESETS[spec.preset] : undefined;
      const scale = preset ? tokenizerFactor : 1;
      const prompt = spec.prompt ? quantileTableFrom(spec.prompt) : preset?.prompt;
      const output = spec.output ? quantileTableFrom(spec.output) : preset?.output;
      if (prompt === undefined || output === undefined) return 'give a preset (conversation, code, summarization) or both prompt and output tables';
      if (typeof prompt === 'string') return prompt;
      if (typeof output === 'string') return output;
      return quantileSampler(prompt, output, scale);
    }
    case 'sharegpt':
      return shareGptSampler(spec, tokenizerFactor);
  }
}

function quantileSampler(prompt: QuantileTable, output: QuantileTable, scale: number): LengthSampler {
  return (u, out) => {
    out[0] = Math.max(1, Math.round(drawFromQuantiles(u, prompt) * scale));
    out[1] = Math.max(1, Math.round(drawFromQuantiles(u, output) * scale));
  };
}

/** ShareGPT parameters for a spec: the frozen model, or its spreads changed and locations re-solved. */
export function shareGptParamsFor(spec: Extract<LengthsSpec, { type: 'sharegpt' }>, tokenizerFactor: number): ShareGptParams {
  const base = defaultShareGptParams(tokenizerFactor);
  const k = spec.spread_scale ?? 1;
  const sp = (spec.prompt_sigma ?? SHAREGPT_SIGMA.prompt) * k;
  const so = (spec.output_sigma ?? SHAREGPT_SIGMA.output) * k;
  if (sp === base.sigmaPrompt && so === base.sigmaOutput) return base;
  const mu = solveShareGptMu(sp, so);
  return { ...base, sigmaPrompt: sp, sigmaOutput: so, muPrompt: mu.muPrompt, muOutput: mu.muOutput };
}

function shareGptSampler(spec: Extract<LengthsSpec, { type: 'sharegpt' }>, tokenizerFactor: number): LengthSampler {
  const params = shareGptParamsFor(spec, tokenizerFactor);
  return (u, out) => drawShareGpt(u, params, out);
}
