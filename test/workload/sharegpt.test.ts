import { describe, expect, it } from 'vitest';
import { stream } from '../../src/sim/rng.js';
import { defaultShareGptParams, drawShareGpt, passesShareGptFilter, SHAREGPT_MU, SHAREGPT_SIGMA, SHAREGPT_TARGET_MEANS, shareGptFilteredMeans, solveShareGptMu } from '../../src/workload/sharegpt.js';

describe('ShareGPT length model (frozen before any throughput fit)', () => {
  it('takes its spreads from the Azure conversation trace (median and p90)', () => {
    expect(SHAREGPT_SIGMA.prompt).toBeCloseTo(Math.log(2734.5 / 1020) / 1.2815515655446004, 12);
    expect(SHAREGPT_SIGMA.output).toBeCloseTo(Math.log(424 / 129) / 1.2815515655446004, 12);
  });

  it('pins the solved locations, which give the published filtered means', () => {
    expect(solveShareGptMu(SHAREGPT_SIGMA.prompt, SHAREGPT_SIGMA.output)).toEqual({ muPrompt: SHAREGPT_MU.prompt, muOutput: SHAREGPT_MU.output });
    const m = shareGptFilteredMeans({ muPrompt: SHAREGPT_MU.prompt, sigmaPrompt: SHAREGPT_SIGMA.prompt, muOutput: SHAREGPT_MU.output, sigmaOutput: SHAREGPT_SIGMA.output });
    expect(m.prompt).toBeCloseTo(SHAREGPT_TARGET_MEANS.prompt, 3);
    expect(m.output).toBeCloseTo(SHAREGPT_TARGET_MEANS.output, 3);
  });

  it('draws pairs that pass LMDeploy\'s filter and match the means', () => {
    const u = stream(7, 'lengths');
    const out = new Int32Array(2);
    const p = defaultShareGptParams();
    let sp = 0, so = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      drawShareGpt(u, p, out);
      expect(passesShareGptFilter(out[0]!, out[1]!)).toBe(true);
      sp += out[0]!;
      so += out[1]!;
    }
    // Sampling error of the mean is about sd/sqrt(n) ≈ 0.7 tokens.
    expect(Math.abs(sp / n - 246.9)).toBeLessThan(3);
    expect(Math.abs(so / n - 232.7)).toBeLessThan(3);
  });

  it('applies the filter exactly as profile_throughput does', () => {
    expect(passesShareGptFilter(3, 100)).toBe(false);
    expect(passesShareGptFilter(4, 4)).toBe(true);
    expect(passesShareGptFilter(100, 3)).toBe(false);
    expect(passesShareGptFilter(1025, 10)).toBe(false);
    expect(passesShareGptFilter(1024, 1024)).toBe(true);
    expect(passesShareGptFilter(1024, 1025)).toBe(false);
  });
});
