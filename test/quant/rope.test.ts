import { describe, expect, it } from 'vitest';
import { applyRope, ropeFrequencies } from '../../src/quant/rope.js';

const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, x, i) => s + x * (b[i] as number), 0);
const D = 8;
const freqs = ropeFrequencies(D, 10000);
const q = Float64Array.from([0.3, -1.2, 0.8, 2.0, -0.5, 0.1, 1.7, -0.9]);
const k = Float64Array.from([1.1, 0.4, -0.6, 0.2, 0.9, -1.3, 0.05, 0.7]);

describe('RoPE (rotate-half pairing: channel p with p + D/2)', () => {
  it('frequencies are base^(-2p/D)', () => {
    expect([...freqs]).toEqual([1, 10000 ** -0.25, 10000 ** -0.5, 10000 ** -0.75]);
  });

  it('position 0 is the identity and rotation keeps the norm', () => {
    expect([...applyRope(q, 0, freqs)]).toEqual([...q]);
    expect(Math.sqrt(dot(applyRope(q, 777, freqs), applyRope(q, 777, freqs)))).toBeCloseTo(Math.sqrt(dot(q, q)), 12);
  });

  it('rotates pair (p, p + D/2) by position * theta_p', () => {
    const e0 = Float64Array.from([1, 0, 0, 0, 0, 0, 0, 0]);
    const r = applyRope(e0, 2, freqs);
    expect(r[0]).toBeCloseTo(Math.cos(2), 14);
    expect(r[4]).toBeCloseTo(Math.sin(2), 14);
    expect([r[1], r[2], r[3], r[5], r[6], r[7]]).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('scores depend on relative position only', () => {
    const a = dot(applyRope(q, 1000, freqs), applyRope(k, 993, freqs));
    const b = dot(applyRope(q, 7, freqs), k);
    expect(a).toBeCloseTo(b, 10);
  });

  it('rejects a vector of the wrong length', () => {
    expect(() => applyRope(new Float64Array(6), 1, freqs)).toThrow(RangeError);
  });
});
