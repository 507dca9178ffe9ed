import type { TopLevelSpec } from 'vega-lite';
import type { Summary } from '../summary.js';
import { EXACT_LABEL_EXPR, logAxis, loadOf, policiesOf, policyStrokeWidth, round, subtitleFor, sweptLoad, toMs, unique, variantRows, type Row } from './data.js';
import { CONFIG, DASHES, policyColor } from './theme.js';

const MAX_GROUPS = 4;

const PANELS = [
  { key: 'ttft_s', title: 'Time to first token', axis: 'TTFT (ms)' },
  { key: 'tpot_s', title: 'Time per output token', axis: 'TPOT (ms)' },
] as const;

/**
 * CDFs of TTFT and TPOT per quant_policy, from the 101 stored quantiles. In a load sweep only
 * the variants at the highest load are drawn (where the policies differ most); other sweeps
 * and several summaries get one stroke dash per group (at most four groups).
 */
export function latencyCdfChart(summaries: Summary[]): TopLevelSpec | undefined {
  let rows = variantRows(summaries).filter((r) => (r.v.series?.quantiles?.ttft_s?.length ?? 0) > 1);
  if (rows.length === 0) return undefined;
  const notes: string[] = [];
  const key = sweptLoad(summaries);
  if (key) {
    // Per summary, keep the variants at its highest load.
    rows = rows.filter((r) => {
      const peak = Math.max(...r.summary.variants.map((v) => loadOf(v, key) ?? -Infinity));
      return loadOf(r.v, key) === peak;
    });
    const peaks = unique(rows.map((r) => loadOf(r.v, key)));
    notes.push(`at the highest ${key === 'concurrency' ? 'concurrency' : 'arrival rate'} swept: ${peaks.join(', ')}${key === 'rate' ? ' req/s' : ' clients'}`);
  }
  const groupOf = (r: Row) => {
    const g = key ? r.group.split(' ').filter((w) => !/^(c|rate)=/.test(w)).join(' ') : r.group;
    return [r.source, g].filter(Boolean).join(' · ');
  };
  let groups = unique(rows.map(groupOf));
  if (groups.length > MAX_GROUPS) {
    notes.push(`showing the first ${MAX_GROUPS} of ${groups.length} groups`);
    groups = groups.slice(0, MAX_GROUPS);
    rows = rows.filter((r) => groups.includes(groupOf(r)));
  }
  const policies = policiesOf(rows);
  // One row per quantile, a column per metric (ms).
  const values = rows.flatMap((r) => Array.from({ length: 101 }, (_, i) => ({
    policy: r.policy, group: groupOf(r), label: r.label, q: i / 100,
    ttft_s: toMs(r.v.series.quantiles.ttft_s[i] ?? NaN), tpot_s: toMs(r.v.series.quantiles.tpot_s?.[i] ?? NaN),
  })).filter((v) => Number.isFinite(v.ttft_s) || Number.isFinite(v.tpot_s)));
  const dash = groups.length > 1
    ? { strokeDash: { field: 'group', type: 'nominal' as const, title: summaries.length > 1 ? 'scenario' : 'variant', sort: groups, scale: { domain: groups, range: DASHES.slice(0, groups.length) } } }
    : {};
  const panel = (p: (typeof PANELS)[number]) => {
    const mine = values.filter((v) => v[p.key] > 0);
    const xs = mine.map((v) => v[p.key]);
    const log = xs.length > 0 && Math.max(...xs) / Math.min(...xs) >= 20;
    // A long tail past p99 squeezes the body of the curves: cut the axis at 1.25 × the largest p99.
    const p99 = Math.max(...mine.filter((v) => v.q === 0.99).map((v) => v[p.key]));
    const cut = !log && Math.max(...xs) > 1.6 * p99 ? round(p99 * 1.25, 3) : undefined;
    const axis = log ? logAxis(Math.min(...xs), Math.max(...xs)) : undefined;
    const scale = axis ? { type: 'log' as const, domain: axis.domain, nice: false } : cut !== undefined ? { zero: true, domain: [0, cut], nice: false } : { zero: true };
    const title = `${p.axis}${log ? ', log scale' : ''}${cut !== undefined ? ' (tail beyond p99 cut off)' : ''}`;
    return {
      name: p.key,
      width: 400,
      height: 260,
      title: { text: p.title, fontSize: 13, frame: 'group' as const },
      layer: [
        {
          name: `${p.key}_refs`,
          data: { values: [{ q: 0.5, text: 'p50' }, { q: 0.99, text: 'p99' }] },
          mark: { type: 'rule' as const, color: '#999999', strokeDash: [3, 3], strokeWidth: 1 },
          encoding: { y: { field: 'q', type: 'quantitative' as const } },
        },
        {
          name: `${p.key}_reflabels`,
          data: { values: [{ q: 0.5, text: 'p50' }, { q: 0.99, text: 'p99' }] },
          mark: { type: 'text' as const, color: '#777777', align: 'left' as const, baseline: 'bottom' as const, dx: 3, dy: -1, fontSize: 10, x: 0 },
          encoding: { y: { field: 'q', type: 'quantitative' as const }, text: { field: 'text' } },
        },
        {
          name: `${p.key}_lines`,
          transform: [{ filter: `isValid(datum.${p.key}) && isFinite(datum.${p.key})${log ? ` && datum.${p.key} > 0` : ''}` }],
          mark: { type: 'line' as const, interpolate: 'linear' as const, clip: true },
          encoding: {
            x: { field: p.key, type: 'quantitative' as const, title, scale, axis: axis ? { values: axis.values, labelExpr: EXACT_LABEL_EXPR } : { labelExpr: EXACT_LABEL_EXPR, tickCount: 8 } },
            y: { field: 'q', type: 'quantitative' as const, title: 'fraction of requests', scale: { domain: [0, 1] }, axis: { format: '.0%', values: [0, 0.25, 0.5, 0.75, 0.9, 1] } },
            order: { field: 'q', type: 'quantitative' as const },
            color: policyColor(policies),
            strokeWidth: policyStrokeWidth(policies),
            detail: { field: 'group', type: 'nominal' as const },
            ...dash,
            tooltip: [{ field: 'label', title: 'variant' }, { field: 'q', title: 'quantile', format: '.0%' }, { field: p.key, title: p.axis }],
          },
        },
      ],
    };
  };
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Latency distribution by KV cache precision', subtitle: [...subtitleFor(summaries), ...notes] },
    data: { values },
    hconcat: PANELS.map(panel),
    resolve: { scale: { color: 'shared' as const, strokeDash: 'shared' as const, y: 'shared' as const } },
    config: CONFIG,
  };
  return spec as unknown as TopLevelSpec;
}
