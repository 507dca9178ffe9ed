import { calibrationConstants, type KernelConstants } from '../catalog/constants.js';
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
 * (datasheet rate × the device's achieved fraction for that kernel kind). Pure: built once
 * per variant, then `step` is called once per iteration with no allocation.
 */
export class CostModel {
  readonly kernel: DecodeKernel;
  private readonly layers: number;
  private readonly gemmK: Float64Array;
  private readonly gemmN: Float64Array;
  private readonly headK: number;
  private readonly headN: number;
  private readonly bwRate: number;
  private readonly gemmRate: number;
  private readonly attnRate: number;
  private readonly instrRate: number;
  private readonly kvBytesPerTokenLayer: number;
  private readonly kvElemsPerTokenLayer: number;
  private readonly fp16KvBytesPerTokenLayer: number;
  private readonly qHeadsLocal: number;
  private readonly headDim: number;
  private readonly kvHeadsLocal: number;
  private readonly group: number;
  private readonly simtInstr: number;
  private readonly dequantInstr: number;
  private readonly quantWriteInstr: number;
  private readonly mmaRows: number;
  private readonly tp: number;
  private readonly allReduceBytesPerToken: number;
  private readonly linkRate: number;
  private readonly iterOverheadS: number;
  private readonly seqOverheadS: number;

  constructor(c: CostModelInput) {
    const { model: m, device: d, policy, tp } = c;
    const k = c.kernel ?? calibrationConstants().kernel;
    const e = d.efficiency;
    this.kernel = decodeKernel(m, policy);
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
    this.gemmRate = d.tensorFlops * e.gemmEff;
    this.attnRate = d.tensorFlops * e.attnEff;
    this.instrRate = d.smCount * d.issueLanesPerSmClock * d.boostClockHz * e.vectorEff;
    this.kvHeadsLocal = localKvHeads(m, tp);
    this.qHeadsLocal = m.heads / tp;
    this.headDim = m.headDim;
    this.group = gqaGroupSize(m);
    this.kvBytesPerTokenLayer = this.kvHeadsLocal * kvBytesPerTokenLayerHead(m.headDim, policy);
    this.kvElemsPerTokenLayer = this.kvHeadsLocal * m.headDim * 2;
    this.fp16KvBytesPerTokenLayer = this.kvElemsPerTokenLayer * FP16_BYTES;
    const bits = kvBits(policy);
    this.simtInstr = k.simtAttnInstrPerElem;
    this.dequantInstr = bits === 16 ? 0 : k.dequantInstrPerElem[String(bits) as '8' | '4'];
    this.quantWriteInstr = k.quantWriteInstrPerElem[String(bits) as '16' | '8' | '4'];
    this.mmaRows = Math.max(this.group, k.mmaTileRows);
    this.allReduceBytesPerToken = m.hiddenSize * FP16_BYTES;
    this.linkRate = d.interconnectBytesPerS;
    this.iterOverheadS = e.iterOverheadS;
    this.seqOverheadS = e.seqOverheadS;
  }

  /** Dense layers: each GEMM is its own roofline (weights plus activations vs FLOPs), plus the LM head and the TP all-reduces. */
  denseS(tokens: number, sampledRows: number): number {
    let perLayer = 0;
    for (let g = 0; g < this.gemmK.length; g++) {
      const k = this.gemmK[g]!, n = this.gemmN[g]!;
      perLayer += roofline((k * n + tokens * (k + n)) * FP16_BYTES, this.bwRate, 2 * tokens * k * n, this.gemmRate);
    }
    let t = perLayer * this.layers;
    if (sampledRows > 0) {
      t += roofline((this.headK * this.headN + sampledRows * (this.headK + this.headN)) * FP16_BYTES, this.bwRate, 2 * sampledRows * this.headK * this.headN, this.gemmRate);
    }
    if (this.tp > 1) {
      // Two ring all-reduces per layer (after attention and after the MLP).
      const bytes = tokens * this.allReduceBytesPerToken * (2 * (this.tp - 1)) / this.tp;
      t += 2 * this.layers * (bytes / this.linkRate);
    }
    return t;
  }

  /**
   * Decode attention over `ctxSum` cached tokens. The SIMT kernel (fp16, group ≤ 2) does the
   * dot products on CUDA cores; the MMA kernel (GQA or quantized) does them on tensor cores,
   * padding each KV head's query group to the tile, after dequantizing on CUDA cores.
   */
  decodeAttentionS(ctxSum: number): number {
    if (ctxSum === 0) return 0;
    const bytes = ctxSum * this.kvBytesPerTokenLayer;
    const elems = ctxSum * this.kvElemsPerTokenLayer;
    let t: number;
    if (this.kernel === 'simt') {
      t = roofline(bytes, this.bwRate, elems * this.group * this.simtInstr, this.instrRate);
    } else {
      const mem = bytes / this.bwRate;
      const cuda = (elems * this.dequantInstr) / this.instrRate;
      const tensor = (2 * elems * this.mmaRows) / this.attnRate;
      t = Math.max(mem, cuda, tensor);
    }
    return t * this.layers;
  }

  /** Prefill attention: causal FLOPs on tensor cores, plus reading back (and dequantizing) cached context. */
  prefillAttentionS(pairs: number, newTokens: number, cachedTokens: number): number {
    if (newTokens === 0) return 0;
    const flops = 4 * this.qHeadsLocal * this.headDim * pairs;
    const bytes = cachedTokens * this.kvBytesPerTokenLayer + newTokens * (this.qHeadsLocal * this.headDim * 2 + this.kvElemsPerTokenLayer) * FP16_BYTES;
    const cuda = (cachedTokens * this.kvElemsPerTokenLayer * this.dequantInstr) / this.instrRate;
    return Math.max(flops / this.attnRate, bytes / this.bwRate, cuda) * this.layers;
  }

  /** Writing (and quantizing) the new tokens' K and V into the cache. */
  kvWriteS(tokens: number): number {
    if (tokens === 0) return 0;
    const bytes = tokens * (this.kvBytesPerTokenLayer + this.fp16KvBytesPerTokenLayer);
    return roofline(bytes, this.bwRate, tokens * this.kvElemsPerTokenLayer * this.quantWriteInstr, this.instrRate) * this.layers;
  }

  overheadS(rows: number): number {
    return this.iterOverheadS + this.seqOverheadS * rows;
  }

  /** Step time of one iteration; adds its four parts into `acc` (dense, attention, kv_write, overhead) when given. */
  step(w: IterationWork, acc?: Float64Array): number {
    const tokens = w.decodeRows + w.prefillTokens;
    const dense = this.denseS(tokens, w.sampledRows);
    const attention = this.decodeAttentionS(w.decodeCtxSum) + this.prefillAttentionS(w.prefillPairs, w.prefillTokens, w.prefillCachedTokens);
    const kvWrite = this.kvWriteS(tokens);
    const overhead = this.overheadS(w.decodeRows + w.prefillRows);
    if (acc) {
      acc[0]! += dense;
      acc[1]! += attention;
      acc[2]! += kvWrite;
      acc[3]! += overhead;
    }
    return dense + attention + kvWrite + overhead;
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
