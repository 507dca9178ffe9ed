import { readFileSync } from 'node:fs';
import { packagePath } from '../util/package-root.js';
import type { ConstantOrigin } from './types.js';

/** Achieved fractions measured on one device (the output of `kvsim calibrate`). */
export interface MeasuredFractions {
  bwEff: number;
  gemmEff: number;
  attnEff: number;
  vectorEff: number;
  origin: ConstantOrigin | 'prior';
}

/** Work per element of the attention kernels, in CUDA-core instructions; carried to every device. */
export interface KernelConstants {
  /** fp16 SIMT decode attention (MHA): instructions per KV element per query head. */
  simtAttnInstrPerElem: number;
  /** Dequantization (convert, scale, add zero) per KV element, by bits. */
  dequantInstrPerElem: Record<'8' | '4', number>;
  /** Min/max, scale and pack per written K or V element, by bits (16 = plain copy). */
  quantWriteInstrPerElem: Record<'16' | '8' | '4', number>;
  /** Rows of the tensor-core tile the MMA decode kernel pads a GQA group to. */
  mmaTileRows: number;
  origin: ConstantOrigin | 'prior';
}

/** Engine host costs; they belong to the serving engine and CPU, so one fit serves every device. */
export interface HostConstants {
  iterOverheadS: number;
  seqOverheadS: number;
  origin: ConstantOrigin | 'prior';
  fit: unknown;
}

export interface CalibrationConstants {
  schema: 'kvsim-constants/1';
  note: string;
  reference_device: string;
  measured: Record<string, MeasuredFractions>;
  kernel: KernelConstants;
  host: HostConstants;
}

let loaded: CalibrationConstants | undefined;

/** The committed constants (calibration/constants.json), read once. */
export function calibrationConstants(): CalibrationConstants {
  loaded ??= JSON.parse(readFileSync(packagePath('calibration', 'constants.json'), 'utf8')) as CalibrationConstants;
  return loaded;
}
