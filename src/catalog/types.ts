/** Shapes and datasheet figures the simulator needs; every entry names its source. */

import type { ActivationProfile } from '../quant/profile.js';

/** A decoder-only transformer, as its Hugging Face config.json describes it. */
export interface ModelSpec {
  name: string;
  layers: number;
  hiddenSize: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  /** SwiGLU intermediate size: the MLP has gate, up and down projections. */
  intermediateSize: number;
  vocabSize: number;
  maxPositions: number;
  /** Published parameter count, checked against the count computed from the shapes. */
  paramsPublished: number;
  /** Untied input and output embeddings (true for every model here). */
  untiedEmbeddings: boolean;
  /** Q/K/V projections carry a bias (Qwen). */
  qkvBias: boolean;
  /** Tokens of this model's tokenizer per llama2 token, for presets stated in llama2 tokens. */
  tokenizerFactor: number;
  tokenizerFactorSource: string;
  /** Statistics of its keys, values and queries for the accuracy proxy (one documented default for all). */
  activationProfile: ActivationProfile;
  source: string;
}

/** Where a device's efficiency constants came from. */
export type ConstantOrigin = 'measured' | 'transferred' | 'fitted' | 'assumed';

/**
 * What a device can do, from its datasheet, plus the efficiencies kvsim uses.
 * Efficiencies are fractions of the datasheet rate that real kernels reach; they
 * belong to the device and a kernel kind and are shared by every model and scenario.
 */
export interface DeviceSpec {
  name: string;
  deviceType: 'cuda' | 'ascend' | 'camb' | 'maca';
  /** Architecture family, used by the transfer rule for unmeasured devices. */
  family: string;
  memBytes: number;
  memBwBytesPerS: number;
  /** Dense fp16/bf16 tensor-core (or matrix-unit) throughput, no sparsity. */
  tensorFlops: number;
  /** Vector (CUDA-core) fp32 throughput; an FMA counts as 2 FLOPs. */
  vectorFp32Flops: number;
  /** Vector fp16 (non-tensor) throughput. */
  vectorFp16Flops: number;
  /** Streaming multiprocessors (or the vendor's equivalent compute cores). */
  smCount: number;
  boostClockHz: number;
  /** Lane-instructions one SM issues per clock (4 schedulers × 32 lanes on Volta and later). */
  issueLanesPerSmClock: number;
  /** GPU-to-GPU bandwidth for tensor-parallel all-reduce, per direction. */
  interconnectBytesPerS: number;
  source: string;
  /** Figures that are assumptions rather than datasheet values, and why. */
  assumptions: string[];
  efficiency: DeviceEfficiency;
}

/**
 * The short, fixed list of per-device constants of the cost model (docs/calibration.md).
 * Fractions multiply the device's datasheet rates; latencies are the fixed cost of one kernel
 * of that kind. All are shared by every model and scenario.
 */
export interface DeviceConstants {
  /** Achieved fraction of memory bandwidth for streaming reads (weights, KV cache). */
  bwEff: number;
  /** Achieved fraction of memory bandwidth of the decode-attention kernels, per kernel kind. */
  decodeBwEff: { simt: number; mma: number };
  /** Achieved fraction of tensor throughput for GEMMs. */
  gemmEff: number;
  /** Achieved fraction of tensor throughput for prefill (flash) attention. */
  attnEff: number;
  /** Fixed time of one GEMM kernel (prologue, epilogue, tail wave). */
  gemmLatencyS: number;
  /** Fixed time of one attention kernel (including a split-K combine). */
  attnLatencyS: number;
  /** Fixed time of the kernel that writes (and quantizes) the new K and V. */
  kvWriteLatencyS: number;
}

/** A device's constants as the cost model uses them: its own (or transferred) plus the engine's host costs. */
export interface DeviceEfficiency extends DeviceConstants {
  /** Fixed host and launch cost of one engine iteration. */
  iterOverheadS: number;
  /** Host cost per sequence per iteration (sampling, stop checks, streaming output). */
  seqOverheadS: number;
  origin: Record<EfficiencyKey, ConstantOrigin>;
  note: string;
}

export type EfficiencyKey = 'bwEff' | 'decodeBwEff' | 'gemmEff' | 'attnEff' | 'gemmLatencyS' | 'attnLatencyS' | 'kvWriteLatencyS' | 'iterOverheadS' | 'seqOverheadS';
