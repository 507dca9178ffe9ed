import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { roundHalfEven } from '../../src/quant/rounding.js';

describe('roundHalfEven', () => {
  it('breaks ties to the even integer (unlike Math.round)', () => {
    expect([0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5].map(roundHalfEven)).toEqual([0, 2, 2, 4, -0, -2, -2]);
    expect(Math.round(2.5)).toBe(3); // the behaviour we must not copy
  });

  it('rounds non-ties to the nearest integer', () => {
    expect([2.4999, 2.5001, -2.5001, 7, 0.2, -0.2].map(roundHalfEven)).toEqual([2, 3, -3, 7, 0, -0]);
  });

  it('handles the large-magnitude path and special values', () => {
    expect(roundHalfEven(2 ** 51 + 0.5)).toBe(2 ** 51);
    expect(roundHalfEven(2 ** 51 + 1.5)).toBe(2 ** 51 + 2);
    expect(roundHalfEven(-(2 ** 51) - 1.5)).toBe(-(2 ** 51) - 2);
    expect(roundHalfEven(2 ** 53 + 2)).toBe(2 ** 53 + 2);
    expect(roundHalfEven(Infinity)).toBe(Infinity);
    expect(roundHalfEven(Number.NaN)).toBeNaN();
  });

  it('is within 1/2 of its argument, and even when exactly 1/2 away', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), (v) => {
        const r = roundHalfEven(v);
        const gap = Math.abs(r - v);
        return Number.isInteger(r) && gap <= 0.5 && (gap < 0.5 || r % 2 === 0);
      }),
    );
    fc.assert(fc.property(fc.integer({ min: -1e6, max: 1e6 }), (n) => roundHalfEven(n + 0.5) === (n % 2 === 0 ? n : n + 1)));
  });
});
