import { allDevices, allModels } from '../../catalog/index.js';
import { paramCount } from '../../catalog/model-math.js';
import { textTable } from '../../report/table.js';

/** `kvsim catalog`: the models and devices kvsim knows, with their sources and constants. */
export function catalogCommand(a: { json: boolean }): void {
  const models = allModels().map((m) => ({
    name: m.name, layers: m.layers, hidden_size: m.hiddenSize, heads: m.heads, kv_heads: m.kvHeads, head_dim: m.headDim,
    intermediate_size: m.intermediateSize, vocab_size: m.vocabSize, max_positions: m.maxPositions,
    params: paramCount(m), params_published: m.paramsPublished, tokenizer_factor: m.tokenizerFactor,
    tokenizer_factor_source: m.tokenizerFactorSource, source: m.source,
  }));
  const devices = allDevices().map((d) => ({
    name: d.name, device_type: d.deviceType, family: d.family, mem_bytes: d.memBytes, mem_bw_bytes_per_s: d.memBwBytesPerS,
    tensor_flops: d.tensorFlops, vector_fp32_flops: d.vectorFp32Flops, vector_fp16_flops: d.vectorFp16Flops,
    sm_count: d.smCount, boost_clock_hz: d.boostClockHz, interconnect_bytes_per_s: d.interconnectBytesPerS,
    source: d.source, assumptions: d.assumptions,
    efficiency: {
      bw_eff: d.efficiency.bwEff, decode_bw_eff: d.efficiency.decodeBwEff, gemm_eff: d.efficiency.gemmEff, attn_eff: d.efficiency.attnEff,
      gemm_latency_s: d.efficiency.gemmLatencyS, attn_latency_s: d.efficiency.attnLatencyS, kv_write_latency_s: d.efficiency.kvWriteLatencyS,
      iter_overhead_s: d.efficiency.iterOverheadS, seq_overhead_s: d.efficiency.seqOverheadS,
      origin: d.efficiency.origin, note: d.efficiency.note,
    },
  }));
  if (a.json) {
    process.stdout.write(`${JSON.stringify({ models, devices }, null, 2)}\n`);
    return;
  }
  const mRows = models.map((m) => [m.name, String(m.layers), String(m.hidden_size), `${m.heads}/${m.kv_heads}`, String(m.head_dim), String(m.max_positions), `${(m.params / 1e9).toFixed(2)}B`, String(m.tokenizer_factor)]);
  const dRows = devices.map((d) => [
    d.name, d.device_type, `${(d.mem_bytes / 2 ** 30).toFixed(0)} GiB`, `${(d.mem_bw_bytes_per_s / 1e9).toFixed(0)}`, `${(d.tensor_flops / 1e12).toFixed(0)}`,
    `${(d.vector_fp32_flops / 1e12).toFixed(1)}`, `${d.efficiency.bw_eff.toFixed(2)}/${d.efficiency.gemm_eff.toFixed(2)}/${d.efficiency.attn_eff.toFixed(2)}`,
    d.efficiency.decode_bw_eff.simt.toFixed(2), d.efficiency.origin.bwEff + (d.efficiency.origin.decodeBwEff === 'fitted' ? ' + fit' : ''), d.assumptions.length ? 'yes' : '',
  ]);
  process.stdout.write(
    `Models\n${textTable(['name', 'layers', 'hidden', 'heads/kv', 'head_dim', 'max pos', 'params', 'tok factor'], mRows)}\n\n` +
      `Devices\n${textTable(['name', 'type', 'memory', 'GB/s', 'TFLOPS', 'fp32 TF', 'bw/gemm/attn eff', 'simt bw', 'constants', 'assumed'], dRows)}\n\n` +
      'Sources and assumptions: kvsim catalog --json\n',
  );
}
