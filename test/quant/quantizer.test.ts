import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FP16_MIN_NORMAL, toFp16 } from '../../src/quant/fp16.js';
import {
  dequantizeValue,
  dequantizeVector,
  maxCode,
  quantizeDequantize,
  quantizeValue,
  quantizeVector,
  quantParams,
} from '../../src/quant/quantizer.js';

const vec = (xs: number[]) => Float64Array.from(xs);

describe('quantParams', () => {
  it('is (max - min) / (2^bits - 1) and min, both rounded to fp16', () => {
    expect(maxCode(8)).toBe(255);
    expect(maxCode(4)).toBe(15);
    expect(quantParams(0, 3, 8)).toEqual({ scale: 1542 / 131072, zero: 0 }); // 3/255 = 0.0117647.. -> 1542 * 2^-17
    expect(quantParams(0, 3, 4)).toEqual({ scale: 1638 / 8192, zero: 0 }); // 0.2 -> 0.199951171875
    expect(quantParams(0.7, 0.7, 8)).toEqual({ scale: 0, zero: toFp16(0.7) });
  });

  it('rejects non-finite or inverted ranges', () => {
    expect(() => quantParams(Number.NaN, 1, 8)).toThrow(RangeError);
    expect(() => quantParams(0, Infinity, 8)).toThrow(RangeError);
    expect(() => quantParams(2, 1, 4)).toThrow(RangeError);
    expect(() => quantParams(-70000, 0, 8)).toThrow(RangeError); // zero point overflows fp16
  });
});

describe('quantizeVector / dequantizeVector (TurboMind per-token, per-head)', () => {
  it('[0, 1, 2, 3] at 8 bits', () => {
    const q = quantizeVector(vec([0, 1, 2, 3]), 8);
    const scale = 1542 / 131072;
    expect(q).toMatchObject({ bits: 8, scale, zero: 0 });
    expect([...q.codes]).toEqual([0, 85, 170, 255]); // 1/scale = 85.0013, 3/scale = 255.0039
    expect([...dequantizeVector(q)]).toEqual([0, 85 * scale, 170 * scale, 255 * scale]);
  });

  it('[0, 1, 2, 3] at 4 bits', () => {
    const q = quantizeVector(vec([0, 1, 2, 3]), 4);
    expect(q.scale).toBe(0.199951171875);
    expect([...q.codes]).toEqual([0, 5, 10, 15]);
    expect([...dequantizeVector(q)]).toEqual([0, 0.999755859375, 1.99951171875, 2.999267578125]);
  });

  it('a vector with negatives: float zero point at the minimum', () => {
    const q = quantizeVector(vec([-1.5, -0.5, 0.25, 2]), 4);
    const scale = 1911 / 8192; // 3.5 / 15 = 0.23333.. rounded to fp16
    expect(q).toMatchObject({ scale, zero: -1.5 });
    expect([...q.codes]).toEqual([0, 4, 8, 15]); // 1/scale = 4.287, 1.75/scale = 7.5018, 3.5/scale = 15.0037
    expect([...dequantizeVector(q)]).toEqual([-1.5, 4 * scale - 1.5, 8 * scale - 1.5, 15 * scale - 1.5]);
  });

  it('rounds exact halves to the even code (cvt.rni)', () => {
    const q = quantizeVector(vec([0, 2.5, 3.5, 4.5, 15]), 4); // scale 1, zero 0
    expect(q.scale).toBe(1);
    expect([...q.codes]).toEqual([0, 2, 4, 4, 15]);
  });

  it('a constant vector decodes to exactly that constant, without NaN', () => {
    for (const bits of [8, 4] as const) {
      const q = quantizeVector(vec([0.75, 0.75, 0.75]), bits);
      expect(q).toMatchObject({ scale: 0, zero: 0.75 });
      expect([...q.codes]).toEqual([0, 0, 0]);
      expect([...dequantizeVector(q)]).toEqual([0.75, 0.75, 0.75]);
    }
    expect([...quantizeDequantize(vec([-3, -3]), 4)]).toEqual([-3, -3]);
  });

  it('one huge outlier swamps the small values', () => {
    const x = vec([0, 0.1, 0.2, 0.3, 1000]);
    const q = quantizeVector(x, 8);
    expect(q.scale).toBe(3.921875); // 1000/255 = 3.9216 -> fp16
    expect([...q.codes]).toEqual([0, 0, 0, 0, 255]);
    expect([...dequantizeVector(q)]).toEqual([0, 0, 0, 0, 255 * 3.921875]);
    const q4 = quantizeVector(x, 4);
    expect([...q4.codes]).toEqual([0, 0, 0, 0, 15]);
  });

  it('saturates at the top code when the fp16 scale rounds far down (subnormal scale)', () => {
    const q = quantizeVector(vec([0, 2 ** -20]), 4); // 2^-20/15 -> scale 2^-24, 2^-20/2^-24 = 16 > 15
    expect(q.scale).toBe(2 ** -24);
    expect([...q.codes]).toEqual([0, 15]);
  });

  it('a scale that underflows fp16 decodes everything to the zero point', () => {
    expect([...quantizeDequantize(vec([0, 2 ** -30]), 8)]).toEqual([0, 0]);
  });

  it('quantizeValue / dequantizeValue agree with the vector functions', () => {
    const params = quantParams(-1.5, 2, 4);
    expect(quantizeValue(0.25, params, 4)).toBe(8);
    expect(quantizeValue(-9, params, 4)).toBe(0);
    expect(quantizeValue(9, params, 4)).toBe(15);
    expect(dequantizeValue(8, params)).toBe(8 * params.scale + params.zero);
  });

  it('bits 16 is fp16 rounding only', () => {
    expect([...quantizeDequantize(vec([1 / 3, 65520, 0.5]), 16)]).toEqual([0.333251953125, Infinity, 0.5]);
  });

  it('rejects NaN and infinite inputs', () => {
    expect(() => quantizeVector(vec([0, Number.NaN]), 8)).toThrow(RangeError);
    expect(() => quantizeVector(vec([0, Infinity]), 4)).toThrow(RangeError);
    expect(() => quantizeVector(vec([]), 4)).toThrow(RangeError);
  });

  it('on fp16 data the error is at most half a step, and the step shrinks 17x from int4 to int8', () => {
    const fp16Vector = fc.array(fc.double({ min: -100, max: 100, noNaN: true }).map(toFp16), { minLength: 2, maxLength: 64 });
    fc.assert(
      fc.property(fp16Vector, fc.constantFrom(4 as const, 8 as const), (xs, bits) => {
        const x = vec(xs);
        const q = quantizeVector(x, bits);
        const back = dequantizeVector(q);
        // Subnormal fp16 scales are coarse (see the saturation test); a range too small for any
        // fp16 scale decodes to the zero point.
        fc.pre(q.scale === 0 || q.scale >= FP16_MIN_NORMAL);
        const bound = q.scale > 0 ? q.scale / 2 : Math.max(...xs) - Math.min(...xs);
        return x.every((v, i) => Math.abs((back[i] as number) - v) <= bound + 1e-12 * Math.abs(v)) && q.codes.every((c) => c <= maxCode(bits));
      }),
    );
    const x = vec([-1.25, 0.5, 3.75]);
    expect(quantizeVector(x, 4).scale / quantizeVector(x, 8).scale).toBeCloseTo(17, 2);
  });
});
