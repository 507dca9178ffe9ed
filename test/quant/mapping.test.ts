import { describe, expect, it } from 'vitest';
import {
  calibrationPoints,
  expectedScoreChange,
  fitMapping,
  meanScore,
  PINNED_MAPPING,
  publishedScoreChange,
  PUBLISHED_SCORES,
} from '../../src/quant/mapping.js';

const [llama, internlm] = PUBLISHED_SCORES as [(typeof PUBLISHED_SCORES)[0], (typeof PUBLISHED_SCORES)[0]];

describe('published table', () => {
  it('means and changes over the six benchmarks', () => {
    expect(meanScore(llama.fp16)).toBeCloseTo(229.57 / 6, 10);
    expect(publishedScoreChange(llama, 8)).toBeCloseTo(-0.3 / 6, 10);
    expect(publishedScoreChange(llama, 4)).toBeCloseTo(-4.12 / 6, 10);
    expect(publishedScoreChange(internlm, 8)).toBeCloseTo(0.09 / 6, 10);
    expect(publishedScoreChange(internlm, 4)).toBeCloseTo(-6.24 / 6, 10);
    expect(() => meanScore([1, 2])).toThrow(RangeError);
  });
});

describe('fitMapping', () => {
  it('recovers an exact quadratic law', () => {
    const pts = [0.02, 0.3, 0.05, 0.4].map((relError, i) => ({ model: `m${i}`, quantPolicy: 4 as const, relError, scoreChange: -5 * relError ** 2 }));
    const m = fitMapping(pts);
    expect(m.k).toBeCloseTo(5, 12);
    expect(m.residualSd).toBeCloseTo(0, 12);
    expect(m.t90).toBeCloseTo(2.353363, 5);
  });

  it('recomputing the fit from the table and the current proxy gives the pinned constant', () => {
    // Fails whenever the proxy or the default profile changes: update PINNED_MAPPING on purpose.
    const fresh = fitMapping(calibrationPoints());
    expect(fresh.k).toBeCloseTo(PINNED_MAPPING.k, 9);
    expect(fresh.residualSd).toBeCloseTo(PINNED_MAPPING.residualSd, 9);
    expect(fresh.sumZ2).toBeCloseTo(PINNED_MAPPING.sumZ2, 12);
    expect(fresh.t90).toBeCloseTo(PINNED_MAPPING.t90, 12);
  });

  it('the 90% band of the pinned fit covers all four published points', () => {
    for (const p of calibrationPoints()) {
      const { change, band } = expectedScoreChange(p.relError);
      expect(band[0]).toBeLessThan(change);
      expect(band[1]).toBeGreaterThan(change);
      expect(p.scoreChange).toBeGreaterThan(band[0]);
      expect(p.scoreChange).toBeLessThan(band[1]);
    }
  });
});

describe('expectedScoreChange', () => {
  it('is -k rel_error^2, zero (with a zero band) for an exact cache, and falls with the error', () => {
    expect(expectedScoreChange(0)).toEqual({ change: 0, band: [0, 0] });
    expect(expectedScoreChange(0.3).change).toBeCloseTo(-PINNED_MAPPING.k * 0.09, 12);
    expect(expectedScoreChange(0.5).change).toBeLessThan(expectedScoreChange(0.3).change);
    const small = expectedScoreChange(0.01);
    expect(small.band[1] - small.band[0]).toBeCloseTo(2 * PINNED_MAPPING.t90 * PINNED_MAPPING.residualSd, 3);
  });
});
