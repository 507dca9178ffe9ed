import { describe, expect, it } from 'vitest';
import {
  attentionLogits,
  attentionOutput,
  inverseTemperatureForEntropy,
  klDivergence,
  relativeL2Error,
  softmaxInto,
} from '../../src/quant/attention.js';
import { storeCache } from '../../src/quant/kvcache.js';
import { toFp16 } from '../../src/quant/fp16.js';
import { dequantizeVector, quantizeVector } from '../../src/quant/quantizer.js';

const D = 6; // not a multiple of 4: exercises the loop tails
const T = 5;
const keys = Float32Array.from({ length: T * D }, (_, i) => toFp16(Math.sin(i * 1.7) * 2));
const values = Float32Array.from({ length: T * D }, (_, i) => toFp16(Math.cos(i * 0.9)));
const q = Float64Array.from([0.5, -1, 0.25, 2, -0.75, 1]);

/** Reference logits: plain double dot products with dequantized rows. */
function naiveLogits(rows: Float64Array[]): number[] {
  return rows.map((r) => r.reduce((s, x, c) => s + x * (q[c] as number), 0) / Math.sqrt(D));
}
const rowsOf = (data: Float32Array) => Array.from({ length: T }, (_, t) => Float64Array.from(data.subarray(t * D, (t + 1) * D)));

describe('attention over dense and quantized caches', () => {
  it('dense logits are q . k / sqrt(D)', () => {
    const out = attentionLogits(q, { kind: 'dense', data: keys }, new Float64Array(T));
    naiveLogits(rowsOf(keys)).forEach((l, t) => expect(out[t]).toBeCloseTo(l, 12));
  });

  it('code logits and outputs equal attention over the dequantized rows', () => {
    const kc = storeCache(keys, T, D, 4);
    const vc = storeCache(values, T, D, 8);
    const kRows = rowsOf(keys).map((r) => dequantizeVector(quantizeVector(r, 4)));
    const vRows = rowsOf(values).map((r) => dequantizeVector(quantizeVector(r, 8)));
    const logits = attentionLogits(q, kc.view, new Float64Array(T));
    naiveLogits(kRows).forEach((l, t) => expect(logits[t]).toBeCloseTo(l, 12));
    const w = new Float64Array(T);
    softmaxInto(logits, w);
    const out = attentionOutput(w, vc.view, new Float64Array(D));
    for (let c = 0; c < D; c++) {
      expect(out[c]).toBeCloseTo(vRows.reduce((s, r, t) => s + (w[t] as number) * (r[c] as number), 0), 12);
    }
  });

  it('softmax sums to 1 and returns the log-sum-exp', () => {
    const logits = Float64Array.from([1000, 999, 998.5]);
    const w = new Float64Array(3);
    const lse = softmaxInto(logits, w);
    expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
    expect(lse).toBeCloseTo(1000 + Math.log(1 + Math.exp(-1) + Math.exp(-1.5)), 10);
    expect(w[0]).toBeCloseTo(1 / (1 + Math.exp(-1) + Math.exp(-1.5)), 14);
  });

  it('KL is exactly 0 for identical logits and matches sum p log(p/q) otherwise', () => {
    const a = Float64Array.from([0.3, -1, 2, 0.5]);
    const b = Float64Array.from([0.1, -0.8, 2.4, 0.5]);
    const pa = new Float64Array(4);
    const pb = new Float64Array(4);
    const la = softmaxInto(a, pa);
    const lb = softmaxInto(b, pb);
    expect(klDivergence(pa, a, la, a, la)).toBe(0);
    const naive = pa.reduce((s, p, i) => s + p * Math.log(p / (pb[i] as number)), 0);
    expect(klDivergence(pa, a, la, b, lb)).toBeCloseTo(naive, 14);
    expect(naive).toBeGreaterThan(0);
  });

  it('relative L2 error', () => {
    expect(relativeL2Error(Float64Array.from([3, 4]), Float64Array.from([3, 4]))).toBe(0);
    expect(relativeL2Error(Float64Array.from([3, 5]), Float64Array.from([3, 4]))).toBeCloseTo(1 / 5, 15);
    expect(relativeL2Error(Float64Array.from([1, 0]), Float64Array.from([0, 0]))).toBe(Infinity);
  });

  it('finds the inverse temperature that gives a target entropy', () => {
    const raw = Float64Array.from({ length: 1000 }, (_, i) => Math.sin(i * 12.9898) * 3 + (i === 17 ? 10 : 0));
    for (const target of [0.5, 2, 5, 6.5]) {
      const lambda = inverseTemperatureForEntropy(raw, target);
      const w = new Float64Array(raw.length);
      softmaxInto(raw.map((x) => lambda * x), w);
      const h = -w.reduce((s, p) => s + (p > 0 ? p * Math.log(p) : 0), 0);
      expect(h).toBeCloseTo(target, 5);
      // the guess only changes the bracketing, not the answer
      expect(inverseTemperatureForEntropy(raw, target, lambda * 3.7) / lambda).toBeCloseTo(1, 6);
    }
    expect(() => inverseTemperatureForEntropy(raw, Math.log(1000))).toThrow(RangeError);
    expect(() => inverseTemperatureForEntropy(new Float64Array(10).fill(2), 1)).toThrow(RangeError);
  });
});
