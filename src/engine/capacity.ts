import { weightBytesPerGpu, FP16_BYTES } from '../catalog/model-math.js';
import { kvBits, type QuantPolicy } from '../quant/formats.js';
import type { DeviceSpec, ModelSpec } from '../catalog/types.js';

export type { QuantPolicy } from '../quant/formats.js';
export { kvBits, policyLabel } from '../quant/formats.js';
export type Backend = 'turbomind' | 'pytorch';

const GiB = 2 ** 30;

/**
 * Memory the runtime holds before the KV cache is sized: CUDA context, cuBLAS workspace and
 * the driver's reserve. shared/reference/lmdeploy.md §3.3 assumes about 1 GiB; nothing in
 * LMDeploy measures it, so kvsim takes that figure as a documented assumption.
 */
export const RUNTIME_CONTEXT_BYTES = 1 * GiB;

/**
 * Bytes of K and V for one token, one layer and one KV head, as TurboMind lays a block out
 * (§2.1): head_dim codes of `bits` each for K and for V, plus, when quantized, an fp16 scale
 * and an fp16 zero per token, per head, for K and for V (4 bytes each).
 */
export function kvBytesPerTokenLayerHead(headDim: number, policy: QuantPolicy): number {
  const bits = kvBits(policy);
  const params = bits < 16 ? 2 * FP16_BYTES : 0;
  return 2 * ((headDim * bits) / 8 + params);
}

/** KV heads held by one GPU: heads split across tp ranks, replicated when there are fewer than tp. */
export function localKvHeads(m: ModelSpec, tp: number): number {
  return Math.max(1, Math.ceil(m.kvHeads / tp));
}

/** KV bytes per token on one GPU, all layers. */
export function kvBytesPerToken(m: ModelSpec, policy: QuantPolicy, tp: number): number {
  return m.layers * localKvHeads(m, tp) * kvBytesPerTokenLayerHead(m.headDim, policy);
}

/**
 * Memory reserved outside weights and KV, per backend. TurboMind sizes its cache right after
 * loading weights, so only the runtime context is taken (§3.1). The PyTorch engine first sets
 * aside `max_prefill_token_num × vocab × 7` bytes for logits and misc (§3.2, v0.4.0 formula).
 */
export function runtimeReserveBytes(m: ModelSpec, backend: Backend, maxPrefillTokenNum: number): number {
  const logits = backend === 'pytorch' ? maxPrefillTokenNum * m.vocabSize * 7 : 0;
  return RUNTIME_CONTEXT_BYTES + logits;
}

export interface CapacityInput {
  model: ModelSpec;
  device: DeviceSpec;
  policy: QuantPolicy;
  tp: number;
  backend: Backend;
  cacheMaxEntryCount: number;
  blockSize: number;
  maxPrefillTokenNum: number;
}

/** The KV cache as the engine sizes it; snake_case keys are the summary.json contract. */
export interface Capacity {
  weight_bytes: number;
  reserve_bytes: number;
  free_bytes: number;
  cache_bytes: number;
  bytes_per_token: number;
  block_size: number;
  block_bytes: number;
  kv_blocks: number;
  kv_tokens: number;
}

/**
 * LMDeploy's block arithmetic (§3.1, §10): blocks = floor(floor(free × ratio) / block_bytes),
 * with free = device memory − weights − runtime reserve, per GPU.
 */
export function capacity(c: CapacityInput): Capacity {
  const weight = weightBytesPerGpu(c.model, c.tp);
  const reserve = runtimeReserveBytes(c.model, c.backend, c.maxPrefillTokenNum);
  const free = Math.max(0, c.device.memBytes - weight - reserve);
  const cache = Math.floor(free * c.cacheMaxEntryCount);
  const perToken = kvBytesPerToken(c.model, c.policy, c.tp);
  const blockBytes = perToken * c.blockSize;
  const blocks = Math.floor(cache / blockBytes);
  return {
    weight_bytes: weight,
    reserve_bytes: reserve,
    free_bytes: free,
    cache_bytes: cache,
    bytes_per_token: perToken,
    block_size: c.blockSize,
    block_bytes: blockBytes,
    kv_blocks: blocks,
    kv_tokens: blocks * c.blockSize,
  };
}

/** Blocks one sequence of `contextLen` tokens occupies. */
export function blocksForTokens(contextLen: number, blockSize: number): number {
  return Math.ceil(contextLen / blockSize);
}

/** How many sequences of `contextLen` tokens fit in the cache at once. */
export function maxSequences(cap: Capacity, contextLen: number): number {
  return Math.floor(cap.kv_blocks / blocksForTokens(contextLen, cap.block_size));
}
