import { describe, expect, it } from 'vitest';
import { toFp16 } from '../../src/quant/fp16.js';
import { storeCache, sumOfSquares } from '../../src/quant/kvcache.js';
import { quantizeVector, dequantizeVector } from '../../src/quant/quantizer.js';

const D = 8;
const T = 4;
const data = Float32Array.from({ length: T * D }, (_, i) => toFp16(Math.sin(i * 0.37) * 3 + (i % D === 2 ? 6 : 0)));

describe('storeCache', () => {
  it('an fp16 cache of fp16 data is the data itself, with zero noise', () => {
    const s = storeCache(data, T, D, 16);
    expect(s.view.kind).toBe('dense');
    if (s.view.kind === 'dense') expect(s.view.data.buffer).toBe(data.buffer);
    expect(s.noiseEnergy).toBe(0);
    expect(s.signalEnergy).toBeCloseTo(sumOfSquares(data, T * D), 12);
  });

  it('refuses data that is not fp16 for an fp16 cache', () => {
    expect(() => storeCache(Float32Array.from([0.1]), 1, 1, 16)).toThrow(/not an fp16 value/);
  });

  it('quantizes each token row like quantizeVector and sums the squared errors', () => {
    for (const bits of [8, 4] as const) {
      const s = storeCache(data, T, D, bits);
      if (s.view.kind !== 'codes') throw new Error('expected codes');
      let noise = 0;
      for (let t = 0; t < T; t++) {
        const row = Float64Array.from(data.subarray(t * D, (t + 1) * D));
        const q = quantizeVector(row, bits);
        expect([...s.view.codes.subarray(t * D, (t + 1) * D)]).toEqual([...q.codes]);
        expect([s.view.scale[t], s.view.zero[t]]).toEqual([q.scale, q.zero]);
        dequantizeVector(q).forEach((x, c) => (noise += (x - (row[c] as number)) ** 2));
      }
      expect(s.noiseEnergy).toBeCloseTo(noise, 12);
      expect(s.noiseEnergy).toBeGreaterThan(0);
    }
  });
});
