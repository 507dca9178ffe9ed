import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FP16_MAX, FP16_MIN_NORMAL, FP16_MIN_SUBNORMAL, toFp16 } from '../../src/quant/fp16.js';

/** Slow, independent reference: round |x| to a multiple of the fp16 spacing of its binade, ties to even. */
function referenceFp16(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  if (a === 0) return x;
  let e = Math.floor(Math.log2(a));
  while (2 ** e > a) e--;
  while (2 ** (e + 1) <= a) e++;
  const quantum = 2 ** (Math.max(e, -14) - 10);
  const m = a / quantum; // exact (power-of-two division)
  const lo = Math.floor(m);
  const frac = m - lo;
  const n = frac > 0.5 || (frac === 0.5 && lo % 2 === 1) ? lo + 1 : lo;
  const r = n * quantum;
  if (r > FP16_MAX) return x > 0 ? Infinity : -Infinity;
  return x < 0 ? -r : r;
}

describe('toFp16', () => {
  it('rounds known values', () => {
    expect(toFp16(1 / 3)).toBe(0.333251953125);
    expect(toFp16(0.1)).toBe(0.0999755859375);
    expect(toFp16(1)).toBe(1);
    expect(toFp16(-2.5)).toBe(-2.5);
    expect(toFp16(65504)).toBe(65504);
    expect(toFp16(65519.99)).toBe(65504);
  });

  it('overflows to Infinity from the midpoint 65520 up (tie goes to even 2^16)', () => {
    expect(toFp16(65520)).toBe(Infinity);
    expect(toFp16(-65520)).toBe(-Infinity);
    expect(toFp16(1e9)).toBe(Infinity);
    expect(toFp16(Infinity)).toBe(Infinity);
    expect(toFp16(-Infinity)).toBe(-Infinity);
  });

  it('keeps NaN and the sign of zero', () => {
    expect(toFp16(Number.NaN)).toBeNaN();
    expect(Object.is(toFp16(-0), -0)).toBe(true);
    expect(Object.is(toFp16(-1e-12), -0)).toBe(true);
    expect(Object.is(toFp16(0), 0)).toBe(true);
  });

  it('handles subnormals, with ties to even', () => {
    expect(FP16_MIN_SUBNORMAL).toBe(2 ** -24);
    expect(toFp16(2 ** -24)).toBe(2 ** -24);
    expect(toFp16(2 ** -25)).toBe(0); // tie between 0 and 2^-24: even is 0
    expect(toFp16(2 ** -25 + 2 ** -40)).toBe(2 ** -24);
    expect(toFp16(3 * 2 ** -25)).toBe(2 ** -23); // tie between 1 and 2 units: even is 2
    expect(toFp16(5e-8)).toBe(2 ** -24);
    expect(toFp16(FP16_MIN_NORMAL)).toBe(2 ** -14);
    expect(toFp16(2 ** -14 - 2 ** -25)).toBe(2 ** -14); // tie between 1023 and 1024 units
  });

  it('breaks ties to even in the normal range', () => {
    expect(toFp16(1 + 2 ** -11)).toBe(1);
    expect(toFp16(1 + 3 * 2 ** -11)).toBe(1 + 2 ** -9);
    expect(toFp16(2049)).toBe(2048);
    expect(toFp16(2051)).toBe(2052);
  });

  it('matches an independent reference on random doubles of every magnitude', () => {
    const magnitude = fc.tuple(fc.double({ min: 1, max: 2, noNaN: true }), fc.integer({ min: -30, max: 17 }), fc.boolean());
    fc.assert(
      fc.property(magnitude, ([m, e, neg]) => {
        const x = (neg ? -1 : 1) * m * 2 ** e;
        return Object.is(toFp16(x), referenceFp16(x));
      }),
      { numRuns: 20000 },
    );
  });

  it('is idempotent and monotone', () => {
    fc.assert(
      fc.property(fc.double({ min: -70000, max: 70000, noNaN: true }), fc.double({ min: -70000, max: 70000, noNaN: true }), (a, b) => {
        const fa = toFp16(a);
        return Object.is(toFp16(fa), fa) && (a <= b ? fa <= toFp16(b) : fa >= toFp16(b));
      }),
    );
  });
});
