import type { DecodeKernelKind, KernelConstants, MeasuredDevice } from '../catalog/constants.js';
import { findDeviceDatasheet, findModel } from '../catalog/index.js';
import type { DeviceEfficiency, DeviceSpec, ModelSpec } from '../catalog/types.js';
import { CostModel, issueRate } from '../engine/cost.js';
import type { QuantPolicy } from '../engine/capacity.js';
import type { CalibrationRun } from './measurements.js';
import { nelderMead } from './nelder-mead.js';

/** The models whose shapes the calibration script measures. */
const SHAPE_MODEL: Record<string, string> = { mha: 'llama2-7b', gqa: 'llama3-8b', 'llama2-7b': 'llama2-7b', 'llama3-8b': 'llama3-8b' };
const POLICY: Record<string, QuantPolicy> = { fp16: 0, int8: 8, int4: 4 };

export interface FittedConstant {
  name: string;
  value: number;
  unit: string;
  /** What determined it. */
  from: string;
  points: number;
  /** Median and maximum |predicted/measured − 1| of the family it was fitted on. */
  medianErr: number;
  maxErr: number;
}

export interface Calibration {
  device: string;
  measured: MeasuredDevice;
  kernel: KernelConstants;
  constants: FittedConstant[];
  /** Instructions per KV element of dequantization alone (int8, int4): the MMA kernel's count minus the fp16 MMA count. */
  dequantInstrPerElem: { int8: number; int4: number };
  ceilings: { streamReadBytesPerS: number; copyBytesPerS: number; sustainedGemmFlopsPerS: number; sustainedGemmFraction: number };
}

function modelOf(key: string): ModelSpec {
  const m = findModel(SHAPE_MODEL[key] ?? key);
  if (!m) throw new Error(`calibration: unknown shape ${key}`);
  return m;
}

/** A device spec with trial constants, so the fit predicts with the very code `kvsim cost` runs. */
export function trialDevice(base: Omit<DeviceSpec, 'efficiency'>, m: MeasuredDevice): DeviceSpec {
  const efficiency: DeviceEfficiency = {
    bwEff: m.bwEff, decodeBwEff: { ...m.decodeBwEff }, gemmEff: m.gemmEff, attnEff: m.attnEff, gemmLatencyS: m.gemmLatencyS, attnLatencyS: m.attnLatencyS,
    kvWriteLatencyS: m.kvWriteLatencyS, iterOverheadS: 0, seqOverheadS: 0,
    origin: { bwEff: 'measured', decodeBwEff: 'measured', gemmEff: 'measured', attnEff: 'measured', gemmLatencyS: 'measured', attnLatencyS: 'measured', kvWriteLatencyS: 'measured', iterOverheadS: 'measured', seqOverheadS: 'measured' },
    note: 'calibration trial',
  };
  return { ...base, efficiency };
}

export function costFor(device: DeviceSpec, kernel: KernelConstants, modelKey: string, format: string): CostModel {
  return new CostModel({ model: modelOf(modelKey), device, policy: POLICY[format] ?? 0, tp: 1, backend: 'turbomind', kernel });
}

function errStats(pairs: [number, number][]): { medianErr: number; maxErr: number; msle: number } {
  const errs = pairs.map(([p, m]) => Math.abs(p / m - 1)).sort((a, b) => a - b);
  const msle = pairs.reduce((s, [p, m]) => s + Math.log(p / m) ** 2, 0) / Math.max(1, pairs.length);
  return { medianErr: errs[Math.floor((errs.length - 1) / 2)] ?? 0, maxErr: errs[errs.length - 1] ?? 0, msle };
}

/**
 * Fits one device's constants from a calibration run, family by family:
 * - bwEff: the streaming-read ceiling over the datasheet bandwidth;
 * - decode instructions per KV element: the datasheet issue rate over the elements per second
 *   each attention kernel reaches with its KV resident in L2 (bound by instructions, not memory);
 * - gemmEff and gemmLatencyS: least squares (in log time) over the dense GEMMs at 1–8192 tokens;
 * - attnLatencyS: over the decode-attention points, with the two above fixed;
 * - attnEff: over the prefill (flash) attention points;
 * - kvWriteLatencyS: over the quantize-and-write points.
 */
export function fitDevice(run: CalibrationRun, deviceName = 'h200'): Calibration {
  const sheet = findDeviceDatasheet(deviceName);
  if (!sheet) throw new Error(`calibration: unknown device ${deviceName}`);
  const rate = issueRate({ ...sheet } as DeviceSpec);
  const constants: FittedConstant[] = [];

  // Ceilings.
  const bwEff = run.ceilings.stream_read.bytes_per_s / sheet.memBwBytesPerS;
  constants.push({ name: 'bwEff', value: bwEff, unit: 'fraction of datasheet bandwidth', from: 'ceilings.stream_read', points: 1, medianErr: 0, maxErr: 0 });

  // Instruction counts from the L2-resident kernels.
  const rateOf = (kernel: string, format: string) => {
    const pts = run.dequant.filter((p) => p.kernel === kernel && p.format === format);
    if (!pts.length) throw new Error(`calibration: no dequant point for ${kernel} ${format}`);
    return pts.reduce((s, p) => s + p.elements_per_s, 0) / pts.length;
  };
  const instr: Record<DecodeKernelKind, number> = {
    simt_fp16: rate / rateOf('simt', 'fp16'),
    mma_fp16: rate / rateOf('mma', 'fp16'),
    mma_int8: rate / rateOf('mma', 'int8'),
    mma_int4: rate / rateOf('mma', 'int4'),
  };
  const kernel: KernelConstants = { decodeInstrPerElem: instr, mmaTileRows: 16, origin: 'measured' };
  for (const k of Object.keys(instr) as DecodeKernelKind[]) {
    constants.push({ name: `decodeInstrPerElem.${k}`, value: instr[k], unit: 'lane-instructions per KV element', from: 'dequant (L2-resident)', points: run.dequant.filter((p) => `${p.kernel}_${p.format}` === k.replace('simt_fp16', 'simt_fp16')).length || 1, medianErr: 0, maxErr: 0 });
  }

  let m: MeasuredDevice = { bwEff, decodeBwEff: { simt: bwEff, mma: bwEff }, gemmEff: 0.75, attnEff: 0.5, gemmLatencyS: 3e-6, attnLatencyS: 3e-6, kvWriteLatencyS: 2e-6, origin: 'measured', source: '' };
  const dev = () => trialDevice(sheet, m);

  // GEMMs: efficiency and latency together.
  const dense = run.dense;
  const densePred = () => dense.map((p) => [costFor(dev(), kernel, p.model, 'fp16').gemmS(p.m, p.k, p.n), p.median_s] as [number, number]);
  const gemmFit = nelderMead(([eff, latUs]) => {
    if (eff! <= 0.05 || eff! > 1.2 || latUs! < 0) return 1e9;
    m = { ...m, gemmEff: eff!, gemmLatencyS: latUs! * 1e-6 };
    return errStats(densePred()).msle;
  }, [0.75, 3], [0.05, 1]);
  m = { ...m, gemmEff: gemmFit.x[0]!, gemmLatencyS: gemmFit.x[1]! * 1e-6 };
  const dStats = errStats(densePred());
  constants.push({ name: 'gemmEff', value: m.gemmEff, unit: 'fraction of datasheet tensor FLOP/s', from: 'dense', points: dense.length, ...dStats });
  constants.push({ name: 'gemmLatencyS', value: m.gemmLatencyS, unit: 's per GEMM', from: 'dense', points: dense.length, ...dStats });

  // Decode attention: each kernel's achieved bandwidth and the kernel latency, together.
  const att = run.attention.filter((p) => p.primary);
  const attPred = () => att.map((p) => [costFor(dev(), kernel, p.shape, p.format).decodeAttentionLayerS(p.batch * p.context), p.median_s] as [number, number]);
  const attFit = nelderMead(([simt, mma, latUs]) => {
    if (latUs! < 0 || simt! <= 0.05 || mma! <= 0.05 || simt! > 1.2 || mma! > 1.2) return 1e9;
    m = { ...m, decodeBwEff: { simt: simt!, mma: mma! }, attnLatencyS: latUs! * 1e-6 };
    return errStats(attPred()).msle;
  }, [bwEff, bwEff, 3], [0.05, 0.05, 1]);
  m = { ...m, decodeBwEff: { simt: attFit.x[0]!, mma: attFit.x[1]! }, attnLatencyS: attFit.x[2]! * 1e-6 };
  const aStats = errStats(attPred());
  const simtPts = att.filter((p) => p.kernel === 'simt').length;
  constants.push({ name: 'decodeBwEff.simt', value: m.decodeBwEff.simt, unit: 'fraction of datasheet bandwidth', from: 'attention (decode)', points: simtPts, ...aStats });
  constants.push({ name: 'decodeBwEff.mma', value: m.decodeBwEff.mma, unit: 'fraction of datasheet bandwidth', from: 'attention (decode)', points: att.length - simtPts, ...aStats });
  constants.push({ name: 'attnLatencyS', value: m.attnLatencyS, unit: 's per attention kernel', from: 'attention (decode)', points: att.length, ...aStats });

  // Prefill (flash) attention efficiency.
  const pre = run.prefill;
  const prePred = () => pre.map((p) => [costFor(dev(), kernel, p.model, 'fp16').prefillAttentionLayerS((p.tokens * (p.tokens + 1)) / 2, p.tokens, 0), p.attention_s] as [number, number]);
  const preFit = nelderMead(([eff]) => {
    if (eff! <= 0.01 || eff! > 1.2) return 1e9;
    m = { ...m, attnEff: eff! };
    return errStats(prePred()).msle;
  }, [0.5], [0.1]);
  m = { ...m, attnEff: preFit.x[0]! };
  constants.push({ name: 'attnEff', value: m.attnEff, unit: 'fraction of datasheet tensor FLOP/s', from: 'prefill (attention)', points: pre.length, ...errStats(prePred()) });

  // KV write latency.
  const kvw = run.kv_write;
  const kvPred = () => kvw.map((p) => [costFor(dev(), kernel, p.shape, p.format).kvWriteLayerS(p.batch), p.median_s] as [number, number]);
  const kvFit = nelderMead(([latUs]) => {
    if (latUs! < 0) return 1e9;
    m = { ...m, kvWriteLatencyS: latUs! * 1e-6 };
    return errStats(kvPred()).msle;
  }, [2], [0.5]);
  m = { ...m, kvWriteLatencyS: kvFit.x[0]! * 1e-6 };
  constants.push({ name: 'kvWriteLatencyS', value: m.kvWriteLatencyS, unit: 's per write kernel', from: 'kv_write', points: kvw.length, ...errStats(kvPred()) });

  const rounded: MeasuredDevice = {
    bwEff: round(m.bwEff), decodeBwEff: { simt: round(m.decodeBwEff.simt), mma: round(m.decodeBwEff.mma) }, gemmEff: round(m.gemmEff), attnEff: round(m.attnEff),
    gemmLatencyS: round(m.gemmLatencyS), attnLatencyS: round(m.attnLatencyS), kvWriteLatencyS: round(m.kvWriteLatencyS),
    origin: 'measured', source: `calibration/${deviceName}.json (${run.machine.gpu}, driver ${run.machine.driver}, torch ${run.machine.torch}, triton ${run.machine.triton}, ${run.machine.date_utc.slice(0, 10)})`,
  };
  const roundedKernel: KernelConstants = {
    decodeInstrPerElem: Object.fromEntries(Object.entries(instr).map(([k, v]) => [k, round(v)])) as Record<DecodeKernelKind, number>,
    mmaTileRows: 16,
    origin: 'measured',
  };
  const sustained = run.ceilings.gemm_sustained.flops_per_s;
  return {
    device: deviceName,
    measured: rounded,
    kernel: roundedKernel,
    constants,
    dequantInstrPerElem: { int8: round(instr.mma_int8 - instr.mma_fp16), int4: round(instr.mma_int4 - instr.mma_fp16) },
    ceilings: { streamReadBytesPerS: run.ceilings.stream_read.bytes_per_s, copyBytesPerS: run.ceilings.d2d_copy.bytes_per_s, sustainedGemmFlopsPerS: sustained, sustainedGemmFraction: sustained / sheet.tensorFlops },
  };
}

/** Four significant digits: constants are stored as the fit reproduces them, not to float noise. */
export function round(x: number): number {
  return Number(x.toPrecision(4));
}
