import { describe, expect, it } from 'vitest';
import { findDevice, findModel } from '../../src/catalog/index.js';
import { capacity, kvBytesPerToken, kvBytesPerTokenLayerHead, maxSequences, type QuantPolicy } from '../../src/engine/capacity.js';

const llama2 = findModel('llama2-7b')!;
const a100 = findDevice('a100-80g')!;
const cap = (policy: QuantPolicy, over: Partial<Parameters<typeof capacity>[0]> = {}) =>
  capacity({ model: llama2, device: a100, policy, tp: 1, backend: 'turbomind', cacheMaxEntryCount: 0.8, blockSize: 64, maxPrefillTokenNum: 8192, ...over });

describe('KV capacity (shared/reference/lmdeploy.md §2.1, §3)', () => {
  it('gives the worked bytes per token for llama2-7b', () => {
    expect(kvBytesPerToken(llama2, 0, 1)).toBe(524288);
    expect(kvBytesPerToken(llama2, 8, 1)).toBe(270336);
    expect(kvBytesPerToken(llama2, 4, 1)).toBe(139264);
  });

  it('adds 4 bytes of fp16 scale and zero per token, head and K-or-V when quantized', () => {
    expect(kvBytesPerTokenLayerHead(128, 0)).toBe(512);
    expect(kvBytesPerTokenLayerHead(128, 8)).toBe(264);
    expect(kvBytesPerTokenLayerHead(128, 4)).toBe(136);
    expect(kvBytesPerTokenLayerHead(64, 4)).toBe(72);
  });

  it('gives about 1.94x and 3.76x the blocks, not 2x and 4x', () => {
    const f = cap(0).kv_blocks;
    expect(cap(8).kv_blocks / f).toBeCloseTo(1.94, 2);
    expect(cap(4).kv_blocks / f).toBeCloseTo(3.765, 2);
  });

  it('sizes blocks as floor(floor(free × ratio) / block bytes)', () => {
    const c = cap(0);
    expect(c.block_bytes).toBe(32 * 2 ** 20);
    expect(c.kv_blocks).toBe(Math.floor(Math.floor(c.free_bytes * 0.8) / c.block_bytes));
    expect(c.kv_tokens).toBe(c.kv_blocks * 64);
    expect(c.kv_blocks).toBe(1701);
  });

  it('splits weights and KV heads across tensor-parallel GPUs', () => {
    const tp2 = cap(0, { tp: 2 });
    expect(tp2.weight_bytes).toBe(cap(0).weight_bytes / 2);
    expect(tp2.bytes_per_token).toBe(524288 / 2);
    const l70 = findModel('llama2-70b')!;
    expect(kvBytesPerToken(l70, 0, 16)).toBe(80 * 1 * 512); // 8 KV heads over 16 GPUs: one replicated head each
  });

  it('reserves the PyTorch engine logits buffer before sizing the cache', () => {
    expect(cap(0, { backend: 'pytorch', maxPrefillTokenNum: 4096 }).reserve_bytes - cap(0).reserve_bytes).toBe(4096 * 32000 * 7);
  });

  it('counts the sequences of a context length that fit', () => {
    expect(maxSequences(cap(0), 2048)).toBe(Math.floor(1701 / 32));
  });
});
