import type { Summary } from './summary.js';
import { fp16Baseline } from './summary.js';
import { fx, ms, textTable } from './table.js';

/** The table `kvsim run` prints: throughput, latency, and where the gain comes from. */
export function runTable(s: Summary): string {
  const header = ['variant', 'RPS', 'vs fp16', 'out tok/s', 'TTFT p50 ms', 'TTFT p99 ms', 'TPOT p50 ms', 'TPOT p99 ms', 'batch', 'KV-short', 'preempt', 'blocks'];
  const rows = s.variants.map((v) => {
    const base = fp16Baseline(s, v);
    const m = v.metrics;
    return [
      v.label,
      fx(m.rps, 2),
      base ? `${fx(m.rps / base.metrics.rps, 2)}x` : '-',
      fx(m.output_tok_s, 0),
      ms(m.ttft_s.p50),
      ms(m.ttft_s.p99),
      ms(m.tpot_s.p50),
      ms(m.tpot_s.p99),
      fx(m.batch_size_mean, 1),
      `${fx(m.kv_starved_iter_frac * 100, 0)}%`,
      String(m.preemptions),
      String(v.capacity.kv_blocks),
    ];
  });
  const why = ['variant', 'iter ms', 'dense', 'attention', 'kv write', 'overhead', 'recomputed tok', 'KV util'];
  const whyRows = s.variants.map((v) => {
    const it = v.explain.iteration_s;
    return [v.label, ms(it.total_s, 2), ms(it.dense_s, 2), ms(it.attention_s, 2), ms(it.kv_write_s, 2), ms(it.overhead_s, 2), String(v.metrics.recomputed_tokens), `${fx(v.metrics.kv_util_mean * 100, 0)}%`];
  });
  return `${s.scenario}\n\n${textTable(header, rows)}\n\nWhere the time goes (mean per iteration, ms):\n${textTable(why, whyRows)}`;
}
