import type { TopLevelSpec } from 'vega-lite';
import type { Summary } from '../summary.js';
import { EXACT_LABEL_EXPR, geometric, loadOf, loadTitle, logAxis, paramsText, policiesOf, policyStrokeWidth, round, subtitleFor, sweptLoad, toMs, unique, variantRows, varyingParams } from './data.js';
import { CONFIG, DASHES, policyColor } from './theme.js';

const PANELS = [
  { key: 'rps', title: 'Requests per second', axis: 'requests/s', log: false },
  { key: 'tok', title: 'Output tokens per second', axis: 'output tokens/s', log: false },
  { key: 'ttft_p50', title: 'TTFT p50', axis: 'time to first token (ms)', log: true },
  { key: 'ttft_p99', title: 'TTFT p99', axis: 'time to first token (ms)', log: true },
  { key: 'tpot_p50', title: 'TPOT p50', axis: 'time per output token (ms)', log: false },
  { key: 'tpot_p99', title: 'TPOT p99', axis: 'time per output token (ms)', log: false },
] as const;

/**
 * Throughput and latency against load, one line per quant_policy: only for scenarios that
 * sweep closed-loop concurrency or the arrival rate. Six panels: RPS, output tokens/s, TTFT
 * p50/p99 and TPOT p50/p99. Other swept params, or several summaries, get a stroke dash.
 */
export function loadCurvesChart(summaries: Summary[]): TopLevelSpec | undefined {
  const key = sweptLoad(summaries);
  if (!key) return undefined;
  const rows = variantRows(summaries).filter((r) => loadOf(r.v, key) !== undefined);
  const policies = policiesOf(rows);
  // Lines: policy × (source, other swept params).
  const restOf = new Map(summaries.map((s) => [s, varyingParams(s, ['arrival', 'requests'])]));
  const series = rows.map((r) => [r.source, paramsText(r.v, restOf.get(r.summary) ?? [])].filter(Boolean).join(' · '));
  const seriesNames = unique(series);
  const values = rows.flatMap((r, i) => {
    const m = r.v.metrics;
    const x = loadOf(r.v, key)!;
    const by: Record<(typeof PANELS)[number]['key'], number> = {
      rps: round(m.rps, 5), tok: round(m.output_tok_s, 5),
      ttft_p50: toMs(m.ttft_s.p50), ttft_p99: toMs(m.ttft_s.p99), tpot_p50: toMs(m.tpot_s.p50), tpot_p99: toMs(m.tpot_s.p99),
    };
    return PANELS.map((p) => ({ panel: p.key, load: x, policy: r.policy, series: series[i]!, label: r.label, value: by[p.key] }));
  });
  const loads = unique(values.map((v) => v.load)).sort((a, b) => a - b);
  const lo = loads[0]!, hi = loads[loads.length - 1]!;
  const logX = geometric(loads);
  const xAxis = {
    field: 'load', type: 'quantitative' as const, title: loadTitle(key),
    scale: logX ? { type: 'log' as const, base: 2, domain: [lo, hi], nice: false } : { zero: false, nice: false, domain: [lo, hi] },
    axis: loads.length <= 12 ? { values: loads, labelExpr: EXACT_LABEL_EXPR, labelFlush: true } : { labelExpr: EXACT_LABEL_EXPR, labelFlush: true },
  };
  // A dash per line only while dashes can be told apart; beyond that, plain lines and a note.
  const notes: string[] = [];
  if (seriesNames.length > DASHES.length) {
    const keys = unique(summaries.flatMap((s) => restOf.get(s) ?? []));
    notes.push(`one line per policy and setting of ${[...(summaries.length > 1 ? ['scenario'] : []), ...keys].join(', ')} (${seriesNames.length} settings)`);
  }
  const dash = seriesNames.length > 1 && seriesNames.length <= DASHES.length
    ? { strokeDash: { field: 'series', type: 'nominal' as const, title: summaries.length > 1 ? 'scenario' : 'variant', sort: seriesNames, scale: { domain: seriesNames, range: DASHES.slice(0, seriesNames.length) } } }
    : {};
  const panel = (p: (typeof PANELS)[number]) => {
    const ys = values.filter((v) => v.panel === p.key && v.value > 0).map((v) => v.value);
    const log = p.log && ys.length > 0 && Math.max(...ys) / Math.min(...ys) >= 30;
    const axis = log ? logAxis(Math.min(...ys), Math.max(...ys), 6) : undefined;
    return {
      name: p.key,
      width: 300,
      height: 170,
      title: { text: p.title, fontSize: 13, frame: 'group' as const },
      transform: [{ filter: { field: 'panel', equal: p.key } }, ...(log ? [{ filter: 'datum.value > 0' }] : [])],
      encoding: {
        x: xAxis,
        y: {
          field: 'value', type: 'quantitative' as const, title: `${p.axis}${log ? ', log' : ''}`,
          scale: axis ? { type: 'log' as const, domain: axis.domain, nice: false } : { zero: true },
          axis: axis ? { values: axis.values, labelExpr: EXACT_LABEL_EXPR } : { labelExpr: EXACT_LABEL_EXPR, tickCount: 5 },
        },
        color: policyColor(policies),
        detail: { field: 'series', type: 'nominal' as const },
      },
      layer: [
        { name: `${p.key}_lines`, mark: { type: 'line' as const }, encoding: { ...dash, strokeWidth: policyStrokeWidth(policies) } },
        {
          name: `${p.key}_points`,
          mark: { type: 'point' as const, filled: true, size: 36, opacity: 1 },
          encoding: { tooltip: [{ field: 'label', title: 'variant' }, { field: 'load', title: key }, { field: 'value', title: p.axis }] },
        },
      ],
    };
  };
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `Throughput and latency against ${key === 'concurrency' ? 'concurrency' : 'arrival rate'}`,
      subtitle: [...subtitleFor(summaries), ...notes],
    },
    data: { values },
    concat: PANELS.map(panel),
    columns: 2,
    resolve: { scale: { color: 'shared' as const, strokeDash: 'shared' as const } },
    config: CONFIG,
  };
  return spec as unknown as TopLevelSpec;
}
