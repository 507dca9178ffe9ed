import type { ModelSpec } from './types.js';

/** Bytes of one fp16/bf16 element: weights and activations are 16-bit throughout. */
export const FP16_BYTES = 2;

/** One GEMM of a decoder layer: x[M, k] · w[k, n]. */
export interface GemmShape {
  name: 'qkv' | 'o' | 'gate_up' | 'down' | 'lm_head';
  k: number;
  n: number;
}

/** The four GEMMs of one decoder layer (SwiGLU MLP with fused gate and up projections). */
export function layerGemms(m: ModelSpec): GemmShape[] {
  const qDim = m.heads * m.headDim;
  const kvDim = m.kvHeads * m.headDim;
  return [
    { name: 'qkv', k: m.hiddenSize, n: qDim + 2 * kvDim },
    { name: 'o', k: qDim, n: m.hiddenSize },
    { name: 'gate_up', k: m.hiddenSize, n: 2 * m.intermediateSize },
    { name: 'down', k: m.intermediateSize, n: m.hiddenSize },
  ];
}

/** The output projection to the vocabulary, applied once per sampled token. */
export function lmHeadGemm(m: ModelSpec): GemmShape {
  return { name: 'lm_head', k: m.hiddenSize, n: m.vocabSize };
}

/** Parameters of one decoder layer: the GEMM weights, the QKV bias if any, and two RMSNorm gains. */
export function layerParams(m: ModelSpec): number {
  const gemm = layerGemms(m).reduce((s, g) => s + g.k * g.n, 0);
  const bias = m.qkvBias ? (m.heads + 2 * m.kvHeads) * m.headDim : 0;
  return gemm + bias + 2 * m.hiddenSize;
}

/** Total parameters computed from the shapes: embeddings, layers, final norm and LM head. */
export function paramCount(m: ModelSpec): number {
  const embed = m.vocabSize * m.hiddenSize;
  const head = m.untiedEmbeddings ? m.vocabSize * m.hiddenSize : 0;
  return embed + m.layers * layerParams(m) + m.hiddenSize + head;
}

/** Bytes of fp16 weights on one GPU when split tp ways (embeddings and head are split too). */
export function weightBytesPerGpu(m: ModelSpec, tp: number): number {
  return (paramCount(m) * FP16_BYTES) / tp;
}

/** Query heads that share one KV head (the GQA group size). */
export function gqaGroupSize(m: ModelSpec): number {
  return m.heads / m.kvHeads;
}
