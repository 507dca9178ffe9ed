import type { TopLevelSpec } from 'vega-lite';
import type { Summary } from '../summary.js';
import { capGroups, round, subtitleFor, unique, variantRows } from './data.js';
import { CONFIG, OTHER_COLORS } from './theme.js';

/** At most this many sweep points (three bars each). */
const MAX_GROUPS = 12;

const PARTS = [
  { key: 'dense_s', name: 'dense layers (GEMMs)' },
  { key: 'attention_s', name: 'attention' },
  { key: 'kv_write_s', name: 'KV writes' },
  { key: 'overhead_s', name: 'overhead' },
] as const;

/**
 * Where the mean iteration's time goes, per variant: a 100% stacked bar of dense, attention,
 * KV write and overhead time (from the cost model), labelled with the mean iteration in ms.
 */
export function breakdownChart(summaries: Summary[]): TopLevelSpec | undefined {
  const notes: string[] = [];
  const all = capGroups(variantRows(summaries).filter((r) => (r.v.explain?.iteration_s?.total_s ?? 0) > 0), MAX_GROUPS, notes);
  if (all.length === 0) return undefined;
  // Bars of one sweep point (same source and group) sit together, fp16 → int8 → int4.
  const groups = unique(all.map((r) => `${r.source}\u0000${r.group}`));
  const rank = { fp16: 0, int8: 1, int4: 2 } as const;
  const rows = [...all].sort((a, b) => groups.indexOf(`${a.source}\u0000${a.group}`) - groups.indexOf(`${b.source}\u0000${b.group}`) || rank[a.policy] - rank[b.policy] || a.order - b.order);
  const barOf = (r: (typeof rows)[number]) => [r.source, r.label].filter(Boolean).join(' · ');
  const bars = unique(rows.map(barOf));
  const parts = rows.flatMap((r) => {
    const it = r.v.explain.iteration_s;
    const total = it.total_s;
    return PARTS.map((p, i) => ({
      kind: 'part', bar: barOf(r), policy: r.policy, part: p.name, part_order: i,
      ms: round(it[p.key] * 1000, 4), share: round(it[p.key] / total, 5), total_ms: round(total * 1000, 4),
      text: it[p.key] / total >= 0.16 ? `${Math.round((100 * it[p.key]) / total)}% · ${(it[p.key] * 1000).toFixed(1)} ms` : `${Math.round((100 * it[p.key]) / total)}%`,
    }));
  });
  const totals = rows.map((r) => ({ kind: 'total', bar: barOf(r), policy: r.policy, total_ms: round(r.v.explain.iteration_s.total_s * 1000, 4), text: `${(r.v.explain.iteration_s.total_s * 1000).toFixed(1)} ms` }));
  const y = { field: 'bar', type: 'nominal' as const, sort: bars, title: null, axis: { labelFontSize: 12, labelLimit: 240 } };
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'Where the time of an iteration goes',
      subtitle: [...subtitleFor(summaries), `share of the mean iteration (cost model); right: mean iteration time${notes.length ? `; ${notes.join('; ')}` : ''}`],
    },
    data: { values: [...parts, ...totals] },
    width: 560,
    height: { step: bars.length > 8 ? 22 : 30 },
    encoding: { y },
    layer: [
      {
        name: 'parts',
        transform: [{ filter: "datum.kind === 'part'" }],
        mark: { type: 'bar' as const, stroke: 'white', strokeWidth: 0.5 },
        encoding: {
          x: { field: 'share', type: 'quantitative' as const, stack: 'normalize' as const, title: 'share of the mean iteration time', axis: { format: '.0%', values: [0, 0.2, 0.4, 0.6, 0.8, 1] }, scale: { domain: [0, 1] } },
          color: {
            field: 'part', type: 'nominal' as const, title: 'component', sort: PARTS.map((p) => p.name),
            scale: { domain: PARTS.map((p) => p.name), range: OTHER_COLORS.slice(0, PARTS.length) },
            legend: { orient: 'bottom' as const, direction: 'horizontal' as const, columns: 4, labelLimit: 220 },
          },
          order: { field: 'part_order', type: 'quantitative' as const },
          tooltip: [
            { field: 'bar', title: 'variant' }, { field: 'part', title: 'component' },
            { field: 'ms', title: 'ms per iteration', format: '.2f' }, { field: 'share', title: 'share', format: '.1%' },
            { field: 'total_ms', title: 'mean iteration (ms)', format: '.2f' },
          ],
        },
      },
      {
        name: 'shares',
        transform: [
          { filter: "datum.kind === 'part'" },
          { stack: 'share', groupby: ['bar'], sort: [{ field: 'part_order', order: 'ascending' as const }], as: ['x0', 'x1'], offset: 'normalize' as const },
          { calculate: '(datum.x0 + datum.x1) / 2', as: 'mid' },
          { filter: 'datum.share >= 0.07' },
        ],
        mark: { type: 'text' as const, fontSize: bars.length > 8 ? 10 : 11, color: '#111111' },
        encoding: { x: { field: 'mid', type: 'quantitative' as const }, text: { field: 'text' } },
      },
      {
        name: 'totals',
        transform: [{ filter: "datum.kind === 'total'" }],
        mark: { type: 'text' as const, align: 'left' as const, dx: 6, fontSize: 12, color: '#222222' },
        encoding: { x: { datum: 1, type: 'quantitative' as const }, text: { field: 'text' } },
      },
    ],
    config: CONFIG,
  };
  return spec as unknown as TopLevelSpec;
}
