import { describe, expect, it } from 'vitest';
import { sqnrDb, summarize } from '../../src/quant/stats.js';
import { studentT3Cdf, studentT3Quantile } from '../../src/quant/tdist.js';

describe('summarize', () => {
  it('mean, sample std and linear-interpolation percentiles', () => {
    const s = summarize([3, 1, 4, 1, 5, 9, 2, 6, 5, 3]);
    expect(s.mean).toBeCloseTo(3.9, 12);
    expect(s.std).toBeCloseTo(Math.sqrt(54.9 / 9), 12);
    expect(s.p90).toBeCloseTo(6.3, 12);
    expect(s.p10).toBeCloseTo(1, 12);
    expect(summarize([2])).toEqual({ mean: 2, std: 0, p10: 2, p90: 2 });
    expect(() => summarize([])).toThrow(RangeError);
  });
});

describe('sqnrDb', () => {
  it('is 10 log10(signal / noise), null for no noise', () => {
    expect(sqnrDb(100, 1)).toBeCloseTo(20, 12);
    expect(sqnrDb(1, 1)).toBe(0);
    expect(sqnrDb(5, 0)).toBeNull();
  });
});

describe('Student t, 3 degrees of freedom', () => {
  it('CDF and quantiles match the t table', () => {
    expect(studentT3Cdf(0)).toBe(0.5);
    expect(studentT3Cdf(-1.5) + studentT3Cdf(1.5)).toBeCloseTo(1, 14);
    expect(studentT3Quantile(0.95)).toBeCloseTo(2.353363, 5);
    expect(studentT3Quantile(0.975)).toBeCloseTo(3.182446, 5);
    expect(studentT3Quantile(0.9)).toBeCloseTo(1.637744, 5);
    expect(() => studentT3Quantile(1)).toThrow(RangeError);
  });
});
