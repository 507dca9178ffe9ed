import { readFileSync } from 'node:fs';
import { packagePath } from '../util/package-root.js';
import type { ConstantOrigin, DeviceConstants } from './types.js';

/** Constants measured on one device (the output of `kvsim calibrate`). */
export interface MeasuredDevice extends DeviceConstants {
  origin: ConstantOrigin | 'prior';
  source: string;
}

/** Decode-attention kernel kinds: TurboMind's SIMT kernel (fp16, group ≤ 2) and its MMA kernel per KV format. */
export type DecodeKernelKind = 'simt_fp16' | 'mma_fp16' | 'mma_int8' | 'mma_int4';

/**
 * Work per KV element of the decode-attention kernels, in CUDA-core lane-instructions at the
 * device's datasheet issue rate (SMs × lanes × clock): measured where the kernel is bound by
 * instructions, not memory, so it carries to other devices through their issue rates. The
 * MMA counts include the dequantization (convert, scale, add zero) of int8 and int4 codes.
 */
export interface KernelConstants {
  decodeInstrPerElem: Record<DecodeKernelKind, number>;
  /** Rows of the tensor-core tile the MMA decode kernel pads a KV head's query group to. */
  mmaTileRows: number;
  origin: ConstantOrigin | 'prior';
}

/** Engine host costs; they belong to the serving engine and its CPU, so one fit serves every device. */
export interface HostConstants {
  iterOverheadS: number;
  seqOverheadS: number;
  origin: ConstantOrigin | 'prior';
  fit: unknown;
}

/**
 * A device whose constants were fitted to a published result rather than measured: it starts
 * from the reference device's measured constants and overrides the fitted ones.
 */
export interface FittedDevice {
  /** Overrides, by constant name (only decodeBwEff.simt is fitted today). */
  overrides: { 'decodeBwEff.simt'?: number };
  /** What it was fitted on, and what the model predicted before. */
  fit: unknown;
}

export interface CalibrationConstants {
  schema: 'kvsim-constants/2';
  note: string;
  reference_device: string;
  measured: Record<string, MeasuredDevice>;
  fitted: Record<string, FittedDevice>;
  kernel: KernelConstants;
  host: HostConstants;
}

let loaded: CalibrationConstants | undefined;

/** The committed constants (calibration/constants.json), read once. */
export function calibrationConstants(): CalibrationConstants {
  loaded ??= JSON.parse(readFileSync(packagePath('calibration', 'constants.json'), 'utf8')) as CalibrationConstants;
  return loaded;
}

/** Replaces the constants in memory (calibration fits and tests). */
export function setCalibrationConstants(c: CalibrationConstants | undefined): void {
  loaded = c;
}
