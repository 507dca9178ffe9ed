import { readFileSync } from 'node:fs';
import { KvsimError } from '../util/errors.js';

/** The parts of calibration/measure.py's JSON that kvsim uses (see calibration/README.md). */
export interface Timed {
  median_s: number;
  p10_s?: number;
  p90_s?: number;
  error?: string;
}

export interface DensePoint extends Timed { model: string; gemm: string; m: number; n: number; k: number }
export interface AttentionPoint extends Timed { shape: 'mha' | 'gqa'; format: 'fp16' | 'int8' | 'int4'; kernel: string; primary: boolean; batch: number; context: number; kv_bytes: number; kv_elements: number }
export interface DequantPoint extends Timed { kernel: string; format: 'fp16' | 'int8' | 'int4'; shape?: string; elements_per_s: number }
export interface KvWritePoint extends Timed { shape: 'mha' | 'gqa'; format: 'fp16' | 'int8' | 'int4'; batch: number }
export interface PrefillPoint extends Timed { model: string; tokens: number; attention_s: number; dense_s: number }
export interface StepPoint extends Timed { model: string; shape: string; format: 'fp16' | 'int8' | 'int4'; batch: number; context: number; layer_s: number }

export interface CalibrationRun {
  schema: string;
  machine: Record<string, unknown> & { gpu: string; sm_count: number; driver: string | null; torch: string; triton: string; date_utc: string };
  ceilings: {
    stream_read: Timed & { bytes_per_s: number };
    d2d_copy: Timed & { bytes_per_s: number };
    gemm_sustained: { flops_per_s: number; flops_per_s_first_0p5s: number; flops_per_s_last_2s: number; window_s: number };
  };
  dense: DensePoint[];
  attention: AttentionPoint[];
  dequant: DequantPoint[];
  kv_write: KvWritePoint[];
  prefill: PrefillPoint[];
  step: StepPoint[];
}

/** Reads a calibration run, keeping only points that have timings. */
export function readCalibration(file: string): CalibrationRun {
  let d: CalibrationRun;
  try {
    d = JSON.parse(readFileSync(file, 'utf8')) as CalibrationRun;
  } catch (e) {
    throw new KvsimError((e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not valid JSON: ${(e as Error).message}`, { file });
  }
  if (d?.schema !== 'kvsim-calibration/1') throw new KvsimError(`not a kvsim calibration run (schema ${JSON.stringify(d?.schema)})`, { file, hint: 'produce one with python3 calibration/measure.py --out FILE' });
  for (const fam of ['dense', 'attention', 'dequant', 'kv_write', 'prefill', 'step'] as const) {
    if (!Array.isArray(d[fam])) throw new KvsimError(`missing the "${fam}" family`, { file });
    (d as unknown as Record<string, Timed[]>)[fam] = d[fam].filter((p: Timed) => !p.error && Number.isFinite(p.median_s));
  }
  return d;
}
