import { describe, expect, it } from 'vitest';
import { inverseNormalCdf, fillNormal, nextNormal, normalFromUint32 } from '../../src/quant/normal.js';
import { createRng } from '../../src/quant/rng.js';

describe('createRng (seedrandom-seeded xoshiro128**)', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = createRng('s');
    const b = createRng('s');
    const c = createRng('t');
    const xs = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(xs);
    expect(xs.every((x) => Number.isInteger(x) && x >= 0 && x < 2 ** 32)).toBe(true);
  });

  it('fillUint32 continues the same stream as nextUint32', () => {
    const a = createRng('fill');
    const b = createRng('fill');
    const bulk = a.fillUint32(new Uint32Array(10), 7);
    expect([...bulk.subarray(0, 7)]).toEqual(Array.from({ length: 7 }, () => b.nextUint32()));
    expect(a.nextUint32()).toBe(b.nextUint32());
  });

  it('gives uniforms in (0, 1) with mean 1/2 and integers in range', () => {
    const r = createRng('u');
    let s = 0;
    let outside = 0;
    const n = 100000;
    for (let i = 0; i < n; i++) {
      const u = r.nextUniform();
      if (!(u > 0 && u < 1)) outside++;
      s += u;
    }
    expect(outside).toBe(0);
    expect(Math.abs(s / n - 0.5)).toBeLessThan(0.005);
    expect(Array.from({ length: 1000 }, () => r.nextInt(3)).every((k) => k === 0 || k === 1 || k === 2)).toBe(true);
  });
});

describe('normal variates', () => {
  it('inverseNormalCdf matches known quantiles', () => {
    expect(inverseNormalCdf(0.5)).toBeCloseTo(0, 12);
    expect(inverseNormalCdf(0.975)).toBeCloseTo(1.959963985, 8);
    expect(inverseNormalCdf(0.001)).toBeCloseTo(-3.090232306, 8);
    expect(inverseNormalCdf(1e-9)).toBeCloseTo(-5.997807015, 6);
    expect(inverseNormalCdf(0.2)).toBeCloseTo(-inverseNormalCdf(0.8), 12);
    expect(inverseNormalCdf(0)).toBe(-Infinity);
    expect(inverseNormalCdf(1.5)).toBeNaN();
  });

  it('the table sampler maps uniforms monotonically onto the quantiles', () => {
    expect(normalFromUint32(2 ** 31)).toBeCloseTo(0, 3);
    expect(normalFromUint32(0)).toBeLessThan(-6);
    expect(normalFromUint32(2 ** 32 - 1)).toBeGreaterThan(6);
    let prev = -Infinity;
    for (let u = 0; u < 2 ** 32; u += 2 ** 22 + 12345) {
      const z = normalFromUint32(u);
      expect(z).toBeGreaterThan(prev);
      prev = z;
    }
  });

  it('has the moments and tails of N(0, 1)', () => {
    const rng = createRng('moments');
    const n = 400000;
    const z = fillNormal(rng, new Float64Array(n));
    let m1 = 0;
    let m2 = 0;
    let m4 = 0;
    let beyond196 = 0;
    let beyond3 = 0;
    for (const x of z) {
      m1 += x;
      m2 += x * x;
      m4 += x ** 4;
      if (Math.abs(x) > 1.959964) beyond196++;
      if (x > 3) beyond3++;
    }
    expect(Math.abs(m1 / n)).toBeLessThan(0.006);
    expect(Math.abs(m2 / n - 1)).toBeLessThan(0.01);
    expect(Math.abs(m4 / n - 3)).toBeLessThan(0.06);
    expect(Math.abs(beyond196 / n - 0.05)).toBeLessThan(0.002);
    expect(Math.abs(beyond3 / n - 0.0013499)).toBeLessThan(0.0003);
  });

  it('fillNormal is the same stream as repeated nextNormal', () => {
    const a = createRng('same');
    const b = createRng('same');
    expect([...fillNormal(a, new Float64Array(9))]).toEqual(Array.from({ length: 9 }, () => nextNormal(b)));
  });
});
