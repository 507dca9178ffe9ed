import { describe, expect, it } from 'vitest';
import { fitA100, PUBLISHED, predict } from '../../src/calibrate/fit-a100.js';
import { fitDevice } from '../../src/calibrate/fit.js';
import { readCalibration } from '../../src/calibrate/measurements.js';
import { summarizeValidation, validate } from '../../src/calibrate/validate.js';
import { calibrationConstants } from '../../src/catalog/constants.js';
import { findDevice } from '../../src/catalog/index.js';
import { packagePath } from '../../src/util/package-root.js';

const run = readCalibration(packagePath('calibration', 'h200.json'));
const committed = calibrationConstants();

describe('H200 calibration (calibration/h200.json)', () => {
  const cal = fitDevice(run, 'h200');

  it('reproduces the committed H200 constants from the measurements', () => {
    const { source: _s, ...fit } = cal.measured;
    const { source: _c, ...pinned } = committed.measured.h200!;
    expect(fit).toEqual(pinned);
    expect(cal.kernel).toEqual(committed.kernel);
  });

  it('pins the constants (update on purpose, with a reason, if the measurements or the fit change)', () => {
    expect(committed.measured.h200).toMatchObject({
      bwEff: 0.9434, decodeBwEff: { simt: 0.7683, mma: 0.8911 }, gemmEff: 0.7829, attnEff: 0.4862,
      gemmLatencyS: 0.000005931, attnLatencyS: 0.00000705, kvWriteLatencyS: 0.000002272,
    });
    expect(committed.kernel.decodeInstrPerElem).toEqual({ simt_fp16: 11.46, mma_fp16: 8.86, mma_int8: 15.79, mma_int4: 13.92 });
    expect(cal.dequantInstrPerElem).toEqual({ int8: 6.93, int4: 5.06 });
  });

  it('predicts the measured decode and prefill steps within 10% median error, per format and shape', () => {
    const families = summarizeValidation(validate(run, committed.measured.h200!, committed.kernel));
    const steps = families.filter((f) => f.family.startsWith('decode step '));
    expect(steps.map((f) => f.family)).toEqual(['decode step fp16 MHA', 'decode step int8 MHA', 'decode step int4 MHA', 'decode step fp16 GQA', 'decode step int8 GQA', 'decode step int4 GQA']);
    for (const f of steps) expect(f.medianAbsErr, f.family).toBeLessThan(0.1);
    expect(families.find((f) => f.family === 'prefill')!.medianAbsErr).toBeLessThan(0.1);
  });
});

describe('the transfer rule', () => {
  it('carries the H200 fractions to other devices and marks each constant\'s origin', () => {
    const h100 = findDevice('h100-80g')!;
    expect(h100.efficiency.gemmEff).toBe(committed.measured.h200!.gemmEff);
    expect(h100.efficiency.origin.gemmEff).toBe('transferred');
    expect(findDevice('h200')!.efficiency.origin.gemmEff).toBe('measured');
    const a100 = findDevice('a100-80g')!;
    expect(a100.efficiency.origin.decodeBwEff).toBe('fitted');
    // Latencies scale with the inverse clock: the A100 runs at 1410 MHz against the H200's 1980.
    expect(a100.efficiency.gemmLatencyS).toBeCloseTo(committed.measured.h200!.gemmLatencyS * (1.98 / 1.41), 12);
    // A family with no measured device takes the A100 fit.
    expect(findDevice('l40s')!.efficiency.decodeBwEff.simt).toBe(a100.efficiency.decodeBwEff.simt);
    expect(findDevice('l40s')!.efficiency.origin.decodeBwEff).toBe('transferred');
  });
});

describe('LMDeploy reproduction (scenarios/lmdeploy-kv-quant-llama2-7b.yaml)', () => {
  it('re-derives the one A100 constant from the fp16 row alone', () => {
    const r = fitA100(committed);
    expect(r.simt).toBe(committed.fitted['a100-80g']!.overrides['decodeBwEff.simt']);
    expect(r.simt).toBe(0.8074);
  });

  it('pins the RPS figures and meets the targets; int8 and int4 are predictions', () => {
    const p = predict(committed);
    expect(p.rps.fp16).toBeCloseTo(14.98, 2);
    expect(Math.abs(p.rps.fp16 / PUBLISHED.fp16 - 1)).toBeLessThan(0.1);
    // Pinned figures: a change to the model or its constants must update these on purpose.
    expect(p.rps.int8).toBeCloseTo(19.24, 2);
    expect(p.rps.int4).toBeCloseTo(20.34, 2);
    expect(Math.abs(p.ratio.int8 - 1.27)).toBeLessThanOrEqual(0.04);
    expect(Math.abs(p.ratio.int4 - 1.39)).toBeLessThanOrEqual(0.04);
  });
});
