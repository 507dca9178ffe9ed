import { beforeAll, describe, expect, it } from 'vitest';
import { accuracyProxy, accuracyReport, clearMeasurementCache, contextGrid, DEFAULT_ACTIVATION_PROFILE, samplingPlan } from '../../src/quant/index.js';

const P = DEFAULT_ACTIVATION_PROFILE;
/** Purely Gaussian keys: no outlier channels, no per-channel spread. */
const GAUSSIAN = { ...P, key_outlier_channels: 0, key_channel_scale_spread: 0 };
/** The default profile with its outlier channels switched off. */
const NO_OUTLIERS = { ...P, key_outlier_channels: 0 };
const base = { headDim: 128, contextLen: 1024 };

describe('accuracyProxy', () => {
  beforeAll(() => clearMeasurementCache());

  it('fp16 has exactly zero error', () => {
    const r = accuracyProxy({ ...base, profile: P, quantPolicy: 0 });
    expect(r).toMatchObject({ label: 'fp16', rel_error: 0, rel_error_p90: 0, rel_error_std: 0, kl_div: 0 });
    expect([r.sqnr_db, r.sqnr_k_db, r.sqnr_v_db]).toEqual([null, null, null]);
    expect(r.expected_score_change).toBe(0);
    expect(r.expected_score_change_band).toEqual([0, 0]);
    expect(JSON.parse(JSON.stringify(r)).sqnr_db).toBeNull();
  });

  it('error scales with the step (2^b - 1): int4/int8 near 255/15 = 17 on Gaussian K and V', () => {
    const i8 = accuracyProxy({ ...base, profile: GAUSSIAN, quantPolicy: 8 });
    const i4 = accuracyProxy({ ...base, profile: GAUSSIAN, quantPolicy: 4 });
    const ratio = i4.rel_error / i8.rel_error;
    expect(ratio).toBeGreaterThanOrEqual(14);
    expect(ratio).toBeLessThanOrEqual(20);
    // ~6 dB per bit: the V SQNR gap is 20 log10(17) = 24.6 dB
    expect((i8.sqnr_v_db as number) - (i4.sqnr_v_db as number)).toBeCloseTo(24.6, 0);
  });

  it('key outlier channels at least double the int4 error', () => {
    const args = { ...base, contextLen: 2048, quantPolicy: 4 as const };
    const withOutliers = accuracyProxy({ ...args, profile: P });
    const without = accuracyProxy({ ...args, profile: NO_OUTLIERS });
    expect(withOutliers.rel_error / without.rel_error).toBeGreaterThanOrEqual(2);
    expect(withOutliers.kl_div / without.kl_div).toBeGreaterThanOrEqual(4);
    // outliers widen the key range only: V is unchanged, K SQNR drops
    expect(withOutliers.sqnr_v_db).toBeCloseTo(without.sqnr_v_db as number, 6);
    expect((without.sqnr_k_db as number) - (withOutliers.sqnr_k_db as number)).toBeGreaterThan(2);
  });

  it('int8 error is far below int4', () => {
    const i8 = accuracyProxy({ ...base, profile: P, quantPolicy: 8 });
    const i4 = accuracyProxy({ ...base, profile: P, quantPolicy: 4 });
    expect(i8.rel_error).toBeLessThan(i4.rel_error / 10);
    expect(i8.kl_div).toBeLessThan(i4.kl_div / 100);
    expect(i4.expected_score_change).toBeLessThan(i8.expected_score_change);
    expect(i4.rel_error_p10).toBeLessThan(i4.rel_error);
    expect(i4.rel_error_p90).toBeGreaterThan(i4.rel_error);
  });

  it('is deterministic for a seed (also after clearing the caches) and changes with it', () => {
    const a = accuracyProxy({ ...base, profile: P, quantPolicy: 4, seed: 3 });
    clearMeasurementCache();
    const b = accuracyProxy({ ...base, profile: P, quantPolicy: 4, seed: 3 });
    const c = accuracyProxy({ ...base, profile: P, quantPolicy: 4, seed: 4 });
    expect(b).toEqual(a);
    expect(c.rel_error).not.toBe(a.rel_error);
    expect(Math.abs(c.rel_error / a.rel_error - 1)).toBeLessThan(0.3); // another seed: same figure within sampling noise
  });

  it('gives the same figures whether a head is generated at this context or cut from a longer one', () => {
    clearMeasurementCache();
    const fresh = accuracyProxy({ ...base, profile: P, quantPolicy: 8 });
    accuracyProxy({ ...base, contextLen: 4096, profile: P, quantPolicy: 8 }); // caches 4096-token heads
    clearMeasurementCache({ keepHeads: true });
    expect(accuracyProxy({ ...base, profile: P, quantPolicy: 8 })).toEqual(fresh);
  });

  it('averages the planned number of samples', () => {
    const plan = samplingPlan(1024);
    expect(accuracyProxy({ ...base, profile: P, quantPolicy: 8 }).samples).toBe(plan.heads * plan.queriesPerHead);
    expect(plan.heads * plan.queriesPerHead).toBe(64);
    expect(samplingPlan(32768)).toEqual({ heads: 1, queriesPerHead: 16 });
  });
});

describe('accuracyReport and contextGrid', () => {
  it('reports fp16, int8, int4 in that order, equal to the single-policy proxies', () => {
    clearMeasurementCache();
    const r = accuracyReport({ profile: P, headDim: 128, contextLen: 1024 });
    clearMeasurementCache();
    expect(r.map((x) => [x.quant_policy, x.label, x.context])).toEqual([
      [0, 'fp16', 1024],
      [8, 'int8', 1024],
      [4, 'int4', 1024],
    ]);
    expect(r[2]).toEqual(accuracyProxy({ ...base, profile: P, quantPolicy: 4 }));
  });

  it('gives 256 * 2^k up to the maximum position', () => {
    expect(contextGrid(4096)).toEqual([256, 512, 1024, 2048, 4096]);
    expect(contextGrid(32768)).toEqual([256, 512, 1024, 2048, 4096, 8192, 16384, 32768]);
    expect(contextGrid(3000)).toEqual([256, 512, 1024, 2048]);
    expect(contextGrid(100)).toEqual([100]);
    expect(() => contextGrid(0)).toThrow(RangeError);
  });

  it('is finite and rises at most gently along the grid (int8 and int4 ordered at every context)', () => {
    let prev: number | undefined;
    for (const contextLen of contextGrid(4096)) {
      const [fp16, i8, i4] = accuracyReport({ profile: P, headDim: 128, contextLen });
      expect(fp16?.rel_error).toBe(0);
      expect(Number.isFinite(i4?.rel_error) && Number.isFinite(i4?.kl_div)).toBe(true);
      expect(i8!.rel_error).toBeGreaterThan(0);
      expect(i4!.rel_error).toBeGreaterThan(10 * i8!.rel_error);
      if (prev !== undefined) expect(i4!.rel_error).toBeGreaterThan(0.85 * prev);
      prev = i4!.rel_error;
    }
  });
});
