import type { KernelConstants, MeasuredDevice } from '../catalog/constants.js';
import { findDeviceDatasheet } from '../catalog/index.js';
import { costFor, trialDevice } from './fit.js';
import type { CalibrationRun } from './measurements.js';

export interface ValidationPoint {
  family: 'dense' | 'decode attention' | 'prefill' | 'kv write' | 'decode step';
  what: string;
  measuredS: number;
  predictedS: number;
  /** predicted / measured − 1 */
  err: number;
}

export interface FamilySummary {
  family: string;
  points: number;
  medianAbsErr: number;
  maxAbsErr: number;
}

/**
 * `kvsim cost`'s predictions against every measured point, with the given constants: the
 * GEMMs, decode attention, prefill (dense + attention of one layer), the KV write, and whole
 * decode steps of one layer (4 GEMMs + KV write + attention, no LM head or host overhead).
 */
export function validate(run: CalibrationRun, m: MeasuredDevice, kernel: KernelConstants, deviceName = 'h200'): ValidationPoint[] {
  const dev = trialDevice(findDeviceDatasheet(deviceName)!, m);
  const out: ValidationPoint[] = [];
  const add = (family: ValidationPoint['family'], what: string, predictedS: number, measuredS: number) =>
    out.push({ family, what, measuredS, predictedS, err: predictedS / measuredS - 1 });
  for (const p of run.dense) add('dense', `${p.model} ${p.gemm} M=${p.m}`, costFor(dev, kernel, p.model, 'fp16').gemmS(p.m, p.k, p.n), p.median_s);
  for (const p of run.attention.filter((x) => x.primary)) {
    add('decode attention', `${p.shape} ${p.format} B=${p.batch} L=${p.context}`, costFor(dev, kernel, p.shape, p.format).decodeAttentionLayerS(p.batch * p.context), p.median_s);
  }
  for (const p of run.prefill) {
    const c = costFor(dev, kernel, p.model, 'fp16');
    add('prefill', `${p.model} N=${p.tokens}`, c.layerGemmsS(p.tokens) + c.prefillAttentionLayerS((p.tokens * (p.tokens + 1)) / 2, p.tokens, 0), p.attention_s + p.dense_s);
  }
  for (const p of run.kv_write) add('kv write', `${p.shape} ${p.format} B=${p.batch}`, costFor(dev, kernel, p.shape, p.format).kvWriteLayerS(p.batch), p.median_s);
  for (const p of run.step) add('decode step', `${p.model} ${p.format} B=${p.batch} L=${p.context}`, costFor(dev, kernel, p.model, p.format).decodeLayerS(p.batch, p.context), p.layer_s);
  return out;
}

function stats(family: string, pts: ValidationPoint[]): FamilySummary {
  const errs = pts.map((p) => Math.abs(p.err)).sort((a, b) => a - b);
  const mid = errs.length % 2 ? errs[(errs.length - 1) / 2]! : (errs[errs.length / 2 - 1]! + errs[errs.length / 2]!) / 2;
  return { family, points: pts.length, medianAbsErr: errs.length ? mid : 0, maxAbsErr: errs[errs.length - 1] ?? 0 };
}

/** Median and maximum error per family, and per (format, shape) for the decode steps. */
export function summarizeValidation(points: ValidationPoint[]): FamilySummary[] {
  const families = [...new Set(points.map((p) => p.family))];
  const out = families.map((f) => stats(f, points.filter((p) => p.family === f)));
  for (const model of ['llama2-7b', 'llama3-8b']) {
    for (const format of ['fp16', 'int8', 'int4']) {
      const pts = points.filter((p) => p.family === 'decode step' && p.what.startsWith(`${model} ${format} `));
      if (pts.length) out.push(stats(`decode step ${format} ${model === 'llama2-7b' ? 'MHA' : 'GQA'}`, pts));
    }
  }
  return out;
}
