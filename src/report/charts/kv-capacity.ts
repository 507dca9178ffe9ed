import type { TopLevelSpec } from 'vega-lite';
import type { Summary } from '../summary.js';
import { round, TOKENS_LABEL_EXPR, unique, variantRows, type Row } from './data.js';
import { CONFIG, POLICY_ORDER, policyColor } from './theme.js';

const MAX_PANELS = 4;
const GiB = 2 ** 30;

/**
 * How many sequences of each context length fit in the KV cache at once, per quant_policy,
 * for each (model, device) pair the summaries ran (log-log, at most four panels). The
 * subtitle gives the weight memory and the settings that size the cache.
 */
export function kvCapacityChart(summaries: Summary[]): TopLevelSpec | undefined {
  const rows = variantRows(summaries).filter((r) => (r.v.series?.capacity_curve?.context?.length ?? 0) > 0);
  if (rows.length === 0) return undefined;
  // One curve per (model, device); the first variant of each pair supplies it.
  const pairOf = (r: Row) => `${r.v.params.model} on ${r.v.params.device}`;
  const allPairs = unique(rows.map(pairOf));
  const pairs = allPairs.slice(0, MAX_PANELS);
  const firsts = pairs.map((p) => rows.find((r) => pairOf(r) === p)!);
  const values = firsts.flatMap((r) => {
    const c = r.v.series.capacity_curve;
    return POLICY_ORDER.flatMap((policy) => c.context.map((context, i) => ({
      // Long grids label every other point, so labels do not run into each other.
      kind: 'curve', pair: pairOf(r), policy, context, seqs: c[policy][i] ?? 0, labelled: c.context.length <= 6 || i % 2 === 0,
    })));
  }).filter((v) => v.seqs > 0);
  if (values.length === 0) return undefined;
  const setup = (r: Row) => {
    const p = r.v.params;
    return `weights ${round(r.v.series.capacity_curve.weight_bytes / GiB, 3)} GiB per GPU (${p.device}, tp ${p.tp}), KV cache ${round(r.v.capacity.cache_bytes / GiB, 3)} GiB ` +
      `(cache_max_entry_count ${p.cache_max_entry_count}, block_size ${p.block_size})`;
  };
  const subtitle = firsts.length === 1 ? [setup(firsts[0]!)] : firsts.map((r) => `${pairOf(r)}: ${setup(r).replace(/ \([^,]+, tp/, ' (tp')}`);
  subtitle.push('dashed: max_batch_size, the most sequences the engine batches whatever the cache holds');
  if (allPairs.length > pairs.length) subtitle.push(`showing the first ${pairs.length} of ${allPairs.length} model/device pairs`);
  const batch = firsts.map((r) => ({ kind: 'batch', pair: pairOf(r), seqs: r.v.params.max_batch_size, text: `max_batch_size ${r.v.params.max_batch_size}` }));
  const contexts = unique(values.map((v) => v.context)).sort((a, b) => a - b);
  const seqs = values.map((v) => v.seqs);
  const yMin = Math.min(...seqs, ...batch.map((b) => b.seqs));
  const yMax = Math.max(...seqs, ...batch.map((b) => b.seqs));
  const policies = POLICY_ORDER.filter((p) => values.some((v) => v.policy === p));
  const x = {
    field: 'context', type: 'quantitative' as const, title: 'context length (tokens per sequence)',
    // Padded on both sides so the point labels stay inside the plot.
    scale: { type: 'log' as const, base: 2, domain: [contexts[0]! / 1.15, contexts[contexts.length - 1]! * 1.35], nice: false },
    axis: { values: contexts, labelExpr: TOKENS_LABEL_EXPR },
  };
  const y = {
    field: 'seqs', type: 'quantitative' as const, title: 'sequences that fit in the KV cache',
    scale: { type: 'log' as const, domain: [Math.max(1, 2 ** Math.floor(Math.log2(yMin * 0.8))), 2 ** Math.ceil(Math.log2(yMax * 1.25))], nice: false },
    axis: { values: powersOfTwo(yMin * 0.8, yMax * 1.25), format: ',d' },
  };
  const layer = [
    {
      name: 'batch_rule',
      transform: [{ filter: "datum.kind === 'batch'" }],
      mark: { type: 'rule' as const, color: '#777777', strokeDash: [4, 4], strokeWidth: 1 },
      encoding: { y: { field: 'seqs', type: 'quantitative' as const } },
    },
    {
      name: 'batch_label',
      transform: [{ filter: "datum.kind === 'batch'" }],
      mark: { type: 'text' as const, color: '#555555', align: 'left' as const, baseline: 'top' as const, dy: 3, dx: 4, x: 0, fontSize: 11 },
      encoding: { y: { field: 'seqs', type: 'quantitative' as const }, text: { field: 'text' } },
    },
    {
      name: 'capacity_lines',
      transform: [{ filter: "datum.kind === 'curve'" }],
      mark: { type: 'line' as const, point: { filled: true, size: 50 } },
      encoding: {
        x, y, color: policyColor(policies),
        tooltip: [{ field: 'policy', title: 'quant_policy' }, { field: 'context', title: 'context (tokens)' }, { field: 'seqs', title: 'sequences', format: ',d' }],
      },
    },
    {
      name: 'capacity_labels',
      transform: [{ filter: "datum.kind === 'curve' && datum.labelled" }],
      mark: { type: 'text' as const, align: 'left' as const, baseline: 'middle' as const, dx: 7, dy: -9, fontSize: 11 },
      encoding: { x, y, text: { field: 'seqs', type: 'quantitative' as const, format: ',d' }, color: policyColor(policies) },
    },
  ];
  const unit = { width: 560, height: 320, layer };
  const base = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: firsts.length === 1 ? `KV cache capacity: ${pairs[0]}` : 'KV cache capacity', subtitle },
    config: CONFIG,
  };
  // Several pairs: one panel each, side by side, sharing the y axis.
  const spec = firsts.length === 1
    ? { ...base, data: { values: [...values, ...batch] }, ...unit }
    : {
        ...base,
        hconcat: pairs.map((pair, i) => ({
          ...unit,
          width: 360,
          title: { text: pair, fontSize: 13, frame: 'group' as const },
          data: { values: [...values, ...batch].filter((v) => v.pair === pair) },
          // Layer names must be unique across panels: Vega-Lite names marks and their data after them.
          layer: layer.map((l) => ({ ...l, name: `${l.name}_${i + 1}`, encoding: { ...l.encoding, ...(i > 0 && 'y' in l.encoding ? { y: { ...l.encoding.y, title: null } } : {}) } })),
        })),
        resolve: { scale: { y: 'shared' as const, color: 'shared' as const } },
      };
  return spec as unknown as TopLevelSpec;
}

/** 1, 2, 4, ... within [lo, hi], thinned to at most 8 ticks. */
function powersOfTwo(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let p = 2 ** Math.ceil(Math.log2(Math.max(1, lo))); p <= hi; p *= 2) out.push(p);
  const step = Math.ceil(out.length / 8);
  return out.filter((_, i) => i % step === 0);
}
