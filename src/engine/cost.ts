import { calibrationConstants, type DecodeKernelKind, type KernelConstants } from '../catalog/constants.js';
import { layerGemms, lmHeadGemm, FP16_BYTES, gqaGroupSize } from '../catalog/model-math.js';
import type { DeviceSpec, ModelSpec } from '../catalog/types.js';
import { kvBits, kvBytesPerTokenLayerHead, localKvHeads, type Backend, type QuantPolicy } from './capacity.js';

/**
 * The work of one engine iteration, as integer aggregates over its rows. Both engine modes
 * build the same aggregates, so their step times are bit-identical.
 */
export interface IterationWork {
  /** Rows feeding one token each (decode). */
  decodeRows: number;
  /** Σ over decode rows of the context each attends to, in tokens. */
  decodeCtxSum: number;
  /** Rows with a prefill (or recompute) chunk. */
  prefillRows: number;
  /** Σ new tokens over prefill chunks. */
  prefillTokens: number;
  /** Σ over chunks of causal query-key pairs: n·c + n(n+1)/2 for n new tokens after c cached. */
  prefillPairs: number;
  /** Σ over chunks of cached tokens read back from the KV cache (c). */
  prefillCachedTokens: number;
  /** Rows that sample a token, i.e. the M of the LM head. */
  sampledRows: number;
}

export function emptyWork(): IterationWork {
  return { decodeRows: 0, decodeCtxSum: 0, prefillRows: 0, prefillTokens: 0, prefillPairs: 0, prefillCachedTokens: 0, sampledRows: 0 };
}

/** Indices of the breakdown array; the names are the summary.json contract. */
export const BREAKDOWN_KEYS = ['dense_s', 'attention_s', 'kv_write_s', 'overhead_s'] as const;
export type BreakdownKey = (typeof BREAKDOWN_KEYS)[number];

/** Which decode-attention kernel TurboMind v0.4.0 dispatches (shared/reference/lmdeploy.md §2.1b). */
export type DecodeKernel = 'simt' | 'mma';

export function decodeKernel(m: ModelSpec, policy: QuantPolicy): DecodeKernel {
  return policy === 0 && gqaGroupSize(m) <= 2 ? 'simt' : 'mma';
}

/** The kernel kind whose measured instruction count prices one KV element. */
export function decodeKernelKind(m: ModelSpec, policy: QuantPolicy): DecodeKernelKind {
  if (decodeKernel(m, policy) === 'simt') return 'simt_fp16';
  return policy === 0 ? 'mma_fp16' : policy === 8 ? 'mma_int8' : 'mma_int4';
}

/** CUDA-core lane-instructions a device issues per second: SMs × lanes per SM-clock × clock. */
export function issueRate(d: DeviceSpec): number {
  return d.smCount * d.issueLanesPerSmClock * d.boostClockHz;
}

export interface CostModelInput {
  model: ModelSpec;
  device: DeviceSpec;
  policy: QuantPolicy;
  tp: number;
  backend: Backend;
  kernel?: KernelConstants;
}

/** A roofline term: the slower of moving the bytes and doing the work. */
function roofline(bytes: number, bytesPerS: number, work: number, workPerS: number): number {
  const a = bytes / bytesPerS;
  const b = work / workPerS;
  return a > b ? a : b;
}

/**
 * Step time of one iteration from bytes moved and work done, over rates the device reaches
 * (datasheet rate × the device's achieved fraction for that kernel kind), plus each kernel's
 * fixed latency. Pure: built once per variant, then `step` is called once per iteration with
 * no allocation.
 */
export class CostModel {
  readonly kernel: DecodeKernel;
  readonly kernelKind: DecodeKernelKind;
  private readonly layers: number;
  private readonly gemmK: Float64Array;
  private readonly gemmN: Float64Array;
  private readonly headK: number;
  private readonly headN: number;
  private readonly bwRate: number;
  private readonly decodeBwRate: number;
  private readonly gemmRate: number;
  private readonly attnRate: number;
  private readonly instrRate: number;
  private readonly kvBytesPerTokenLayer: number;
  private readonly kvElemsPerTokenLayer: number;
  private readonly fp16KvBytesPerTokenLayer: number;
  private readonly qHeadsLocal: number;
  private readonly headDim: number;
  /** Instructions per KV element of the decode kernel, including the GQA group for SIMT. */
  private readonly decodeInstr: number;
  /** Dequantization instructions per cached element read back by a prefill (recompute) chunk. */
  private readonly dequantInstr: number;
  private readonly mmaRows: number;
  private readonly tp: number;
  private readonly allReduceBytesPerToken: number;
  private readonly linkRate: number;
  private readonly gemmLatencyS: number;
  private readonly attnLatencyS: number;
  private readonly kvWriteLatencyS: number;
  private readonly iterOverheadS: number;
  private readonly seqOverheadS: number;
  private readonly gemmMemo = new Float64Array(16384).fill(-1);

  constructor(c: CostModelInput) {
    const { model: m, device: d, policy, tp } = c;
    const k = c.kernel ?? calibrationConstants().kernel;
    const e = d.efficiency;
    this.kernel = decodeKernel(m, policy);
    this.kernelKind = decodeKernelKind(m, policy);
    this.layers = m.layers;
    this.tp = tp;
    // Column-parallel GEMMs (qkv, gate_up) split n; row-parallel ones (o, down) split k.
    const gemms = layerGemms(m);
    this.gemmK = Float64Array.from(gemms, (g) => (g.name === 'o' || g.name === 'down' ? g.k / tp : g.k));
    this.gemmN = Float64Array.from(gemms, (g) => (g.name === 'o' || g.name === 'down' ? g.n : g.n / tp));
    const head = lmHeadGemm(m);
    this.headK = head.k;
    this.headN = head.n / tp;
    this.bwRate = d.memBwBytesPerS * e.bwEff;
    this.decodeBwRate = d.memBwBytesPerS * e.decodeBwEff[this.kernel];
    this.gemmRate = d.tensorFlops * e.gemmEff;
    this.attnRate = d.tensorFlops * e.attnEff;
    this.instrRate = issueRate(d);
    const kvHeads = localKvHeads(m, tp);
    this.qHeadsLocal = m.heads / tp;
    this.headDim = m.headDim;
    const group = gqaGroupSize(m);
    this.kvBytesPerTokenLayer = kvHeads * kvBytesPerTokenLayerHead(m.headDim, policy);
    this.kvElemsPerTokenLayer = kvHeads * m.headDim * 2;
    this.fp16KvBytesPerTokenLayer = this.kvElemsPerTokenLayer * FP16_BYTES;
    const perElem = k.decodeInstrPerElem[this.kernelKind];
    this.mmaRows = Math.max(group, k.mmaTileRows);
    // SIMT: each KV element is used once per query head of its group; MMA: once per padded tile.
    this.decodeInstr = this.kernel === 'simt' ? perElem * group : perElem * Math.ceil(group / k.mmaTileRows);
    this.dequantInstr = kvBits(policy) === 16 ? 0 : k.decodeInstrPerElem[this.kernelKind] - k.decodeInstrPerElem.mma_fp16;
    this.allReduceBytesPerToken = m.hiddenSize * FP16_BYTES;
    this.linkRate = d.interconnectBytesPerS;
    this.gemmLatencyS = e.gemmLatencyS;
    this.attnLatencyS = e.attnLatencyS;
    this.kvWriteLatencyS = e.kvWriteLatencyS;
    this.iterOverheadS = e.iterOverheadS;
    this.seqOverheadS = e.seqOverheadS;
  }

  /** One GEMM of M tokens: its latency plus the roofline of weights and activations against FLOPs. */
  gemmS(tokens: number, k: number, n: number): number {
    return this.gemmLatencyS + roofline((k * n + tokens * (k + n)) * FP16_BYTES, this.bwRate, 2 * tokens * k * n, this.gemmRate);
  }

  /** The four GEMMs of one layer (memoized by token count: iterations repeat the same M often). */
  layerGemmsS(tokens: number): number {
    if (tokens < this.gemmMemo.length) {
      const hit = this.gemmMemo[tokens]!;
      if (hit >= 0) return hit;
    }
    let t = 0;
    for (let g = 0; g < this.gemmK.length; g++) t += this.gemmS(tokens, this.gemmK[g]!, this.gemmN[g]!);
    if (tokens < this.gemmMemo.length) this.gemmMemo[tokens] = t;
    return t;
  }

  /** Dense layers: the layer GEMMs, the LM head for sampled rows, and the TP all-reduces. */
  denseS(tokens: number, sampledRows: number): number {
    let t = this.layerGemmsS(tokens) * this.layers;
    if (sampledRows > 0) t += this.gemmS(sampledRows, this.headK, this.headN);
    if (this.tp > 1) {
      // Two ring all-reduces per layer (after attention and after the MLP).
      const bytes = (tokens * this.allReduceBytesPerToken * (2 * (this.tp - 1))) / this.tp;
      t += 2 * this.layers * (bytes / this.linkRate);
    }
    return t;
  }

  /**
   * Decode attention over `ctxSum` cached tokens, per layer: the KV bytes at the policy's width
   * (with scale and zero) against the kernel's instructions per element. The SIMT kernel
   * (fp16, group ≤ 2) does the dot products on CUDA cores; the MMA kernel (GQA or quantized)
   * does them on tensor cores, padding each KV head's query group to the tile, after
   * dequantizing on CUDA cores.
   */
  decodeAttentionLayerS(ctxSum: number): number {
    if (ctxSum === 0) return 0;
    const elems = ctxSum * this.kvElemsPerTokenLayer;
    const mem = (ctxSum * this.kvBytesPerTokenLayer) / this.decodeBwRate;
    const cuda = (elems * this.decodeInstr) / this.instrRate;
    const tensor = this.kernel === 'mma' ? (2 * elems * this.mmaRows) / this.attnRate : 0;
    return this.attnLatencyS + Math.max(mem, cuda, tensor);
  }

  /** Prefill attention per layer: causal FLOPs on tensor cores, plus reading back (and dequantizing) cached context. */
  prefillAttentionLayerS(pairs: number, newTokens: number, cachedTokens: number): number {
    if (newTokens === 0) return 0;
    const flops = 4 * this.qHeadsLocal * this.headDim * pairs;
    const bytes = cachedTokens * this.kvBytesPerTokenLayer + newTokens * (this.qHeadsLocal * this.headDim * 2 + this.kvElemsPerTokenLayer) * FP16_BYTES;
    const cuda = (cachedTokens * this.kvElemsPerTokenLayer * this.dequantInstr) / this.instrRate;
    return this.attnLatencyS + Math.max(flops / this.attnRate, bytes / this.bwRate, cuda);
  }

  /** Writing (and quantizing) the new tokens' K and V into the cache, per layer. */
  kvWriteLayerS(tokens: number): number {
    if (tokens === 0) return 0;
    return this.kvWriteLatencyS + (tokens * (this.kvBytesPerTokenLayer + this.fp16KvBytesPerTokenLayer)) / this.bwRate;
  }

  overheadS(rows: number): number {
    return this.iterOverheadS + this.seqOverheadS * rows;
  }

  /** Step time of one iteration; adds its four parts into `acc` (dense, attention, kv_write, overhead) when given. */
  step(w: IterationWork, acc?: Float64Array): number {
    const tokens = w.decodeRows + w.prefillTokens;
    const dense = this.denseS(tokens, w.sampledRows);
    const attention = (this.decodeAttentionLayerS(w.decodeCtxSum) + this.prefillAttentionLayerS(w.prefillPairs, w.prefillTokens, w.prefillCachedTokens)) * this.layers;
    const kvWrite = this.kvWriteLayerS(tokens) * this.layers;
    const overhead = this.overheadS(w.decodeRows + w.prefillRows);
    if (acc) {
      acc[0]! += dense;
      acc[1]! += attention;
      acc[2]! += kvWrite;
      acc[3]! += overhead;
    }
    return dense + attention + kvWrite + overhead;
  }

  /**
   * One decoder layer's GPU time for decode (4 GEMMs, KV write, decode attention): what the
   * calibration's step family measures, with no LM head and no host overhead.
   */
  decodeLayerS(batch: number, contextLen: number): number {
    return this.layerGemmsS(batch) + this.kvWriteLayerS(batch) + this.decodeAttentionLayerS(batch * contextLen);
  }

  get layerCount(): number {
    return this.layers;
  }
}

/** The work of a decode iteration of `batch` sequences at context `contextLen` (what `kvsim cost` prints). */
export function decodeWork(batch: number, contextLen: number): IterationWork {
  return { ...emptyWork(), decodeRows: batch, decodeCtxSum: batch * contextLen, sampledRows: batch };
}

/** The work of a prefill of one sequence of `tokens` new tokens with no prior context. */
export function prefillWork(tokens: number): IterationWork {
  return { ...emptyWork(), prefillRows: 1, prefillTokens: tokens, prefillPairs: (tokens * (tokens + 1)) / 2, sampledRows: 1 };
}
