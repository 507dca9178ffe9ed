import { describe, expect, it } from 'vitest';
import { attentionLogits, softmaxInto } from '../../src/quant/attention.js';
import { toFp16 } from '../../src/quant/fp16.js';
import { DEFAULT_ACTIVATION_PROFILE } from '../../src/quant/profile.js';
import { createRng } from '../../src/quant/rng.js';
import { applyRope } from '../../src/quant/rope.js';
import { addKeyOffset, headStructure, keyContent, pairScales, synthesizeHead, synthesizeQueries } from '../../src/quant/synth.js';

const P = DEFAULT_ACTIVATION_PROFILE;
const D = 128;
const spec = { profile: P, headDim: D, contextLen: 512, seed: 7, head: 3 };

describe('pairScales', () => {
  it('stratified log-normal magnitudes with mean square 1', () => {
    const s = pairScales(64, 0.5, createRng('x'));
    expect(s.reduce((a, x) => a + x * x, 0) / 64).toBeCloseTo(1, 12);
    const logs = [...s].map(Math.log);
    const mean = logs.reduce((a, b) => a + b, 0) / 64;
    const sd = Math.sqrt(logs.reduce((a, b) => a + (b - mean) ** 2, 0) / 64);
    expect(sd).toBeCloseTo(0.5 * 0.98, 1); // stratified quantiles: sd slightly under the spread
    expect([...pairScales(8, 0, createRng('y'))]).toEqual(new Array(8).fill(1));
  });
});

describe('headStructure', () => {
  const s = headStructure(P, D, 7, 3);
  it('pairs share a scale; outliers sit in the lowest-frequency pairs with alternating signs', () => {
    for (let c = 0; c < D / 2; c++) expect(s.channelScale[c]).toBe(s.channelScale[c + D / 2]);
    expect([...s.outlierPairs]).toEqual([63, 62, 61, 60]);
    expect([...s.outlierOffset]).toEqual([10, -10, 10, -10]);
  });

  it('addKeyOffset is RoPE applied to the pre-RoPE offset vector', () => {
    const offset = new Float64Array(D);
    s.outlierPairs.forEach((p, j) => (offset[p] = s.outlierOffset[j] as number));
    for (const t of [0, 100, 5000, 30000]) {
      const mine = addKeyOffset(s, t, new Float64Array(D));
      const ref = applyRope(offset, t, s.frequencies);
      ref.forEach((x, c) => expect(mine[c]).toBeCloseTo(x, 12));
    }
  });
});

describe('synthesizeHead', () => {
  const head = synthesizeHead(spec);

  it('is deterministic and prefix-consistent across context lengths', () => {
    expect(synthesizeHead(spec).keys).toEqual(head.keys);
    const short = synthesizeHead({ ...spec, contextLen: 200 });
    expect(short.keys).toEqual(head.keys.subarray(0, 200 * D));
    expect(short.values).toEqual(head.values.subarray(0, 200 * D));
    expect(synthesizeHead({ ...spec, seed: 8 }).keys).not.toEqual(head.keys);
  });

  it('stores fp16 values', () => {
    expect(head.keys.every((x) => toFp16(x) === x)).toBe(true);
    expect(head.values.every((x) => toFp16(x) === x)).toBe(true);
  });

  it('values are Gaussian with value_std', () => {
    const v = synthesizeHead({ ...spec, profile: { ...P, value_std: 2 } }).values;
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(sd).toBeCloseTo(2, 1);
  });

  it('keys carry the outlier offset on their channels, content elsewhere', () => {
    const channelMean = (c: number) => {
      let s = 0;
      for (let t = 0; t < 256; t++) s += head.keys[t * D + c] as number;
      return s / 256;
    };
    expect(channelMean(63)).toBeCloseTo(10, 0); // pre-RoPE offset +10, barely rotated over 256 positions
    expect(channelMean(62)).toBeCloseTo(-10, 0);
    expect(Math.abs(channelMean(5))).toBeLessThan(0.4);
    const content = keyContent(head, 300);
    const offset = addKeyOffset(head, 300, new Float64Array(D));
    content.forEach((x, c) => expect(x + (offset[c] as number)).toBeCloseTo(head.keys[300 * D + c] as number, 12));
  });
});

describe('synthesizeQueries', () => {
  const head = synthesizeHead(spec);
  const queries = synthesizeQueries(head, P, 4, 7, 3);

  it('are fp16, deterministic, and zero on the outlier planes', () => {
    expect(queries).toHaveLength(4);
    expect(synthesizeQueries(head, P, 4, 7, 3)).toEqual(queries);
    for (const q of queries) {
      expect(q.every((x) => toFp16(x) === x)).toBe(true);
      for (const p of head.outlierPairs) expect([q[p], q[p + D / 2]]).toEqual([0, 0]);
    }
  });

  it('give attention entropy = attention_entropy_fraction * ln(L)', () => {
    for (const q of queries) {
      const w = new Float64Array(spec.contextLen);
      softmaxInto(attentionLogits(q, { kind: 'dense', data: head.keys }, new Float64Array(spec.contextLen)), w);
      const h = -w.reduce((s, p) => s + (p > 0 ? p * Math.log(p) : 0), 0);
      expect(h).toBeCloseTo(0.5 * Math.log(spec.contextLen), 2);
    }
  });
});
