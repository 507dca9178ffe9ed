import type { TopLevelSpec } from 'vega-lite';
import type { Summary } from '../summary.js';
import { EXACT_LABEL_EXPR, loadOf, policiesOf, round, subtitleFor, sweptLoad, unique, variantRows } from './data.js';
import { CONFIG, policyColor } from './theme.js';

/** At most this many variant columns. */
export const TIMELINE_MAX_PANELS = 6;

const METRICS = [
  { key: 'batch_size', title: 'batch (sequences)', format: '' },
  { key: 'kv_util', title: 'KV cache in use', format: '.0%' },
  { key: 'queue_len', title: 'queue (requests)', format: '' },
] as const;

/**
 * The engine's state over simulated time: batch size, KV cache use and queue length, one
 * column per variant (a grid of rows × columns, the same time axis throughout). A load sweep
 * shows the variants at the highest load; at most six columns.
 */
export function timelineChart(summaries: Summary[]): TopLevelSpec | undefined {
  let rows = variantRows(summaries).filter((r) => (r.v.series?.timeline?.t_s?.length ?? 0) > 1);
  if (rows.length === 0) return undefined;
  const notes: string[] = [];
  const key = sweptLoad(summaries);
  if (key) {
    rows = rows.filter((r) => loadOf(r.v, key) === Math.max(...r.summary.variants.map((v) => loadOf(v, key) ?? -Infinity)));
    notes.push(`at the highest ${key === "concurrency" ? "concurrency" : "arrival rate"} swept (${unique(rows.map((r) => loadOf(r.v, key))).join(", ")}${key === "rate" ? " req/s" : " clients"})`);
  }
  // Columns of one sweep point sit together (fp16, int8, int4), so a cut keeps whole groups.
  const groups = unique(rows.map((r) => `${r.source}\u0000${r.group}`));
  const rank = { fp16: 0, int8: 1, int4: 2 } as const;
  rows = [...rows].sort((a, b) => groups.indexOf(`${a.source}\u0000${a.group}`) - groups.indexOf(`${b.source}\u0000${b.group}`) || rank[a.policy] - rank[b.policy] || a.order - b.order);
  const total = rows.length;
  rows = rows.slice(0, TIMELINE_MAX_PANELS);
  if (total > rows.length) notes.push(`first ${rows.length} of ${total} variants`);
  const panelOf = (r: (typeof rows)[number]) => [r.source, r.label].filter(Boolean).join(' · ');
  const panels = unique(rows.map(panelOf));
  const sources = unique(rows.map((r) => r.source));
  const policies = policiesOf(rows);
  // One row per timeline point, a column per metric: each panel row plots one column.
  const values = rows.flatMap((r) => {
    const tl = r.v.series.timeline;
    return tl.t_s.map((t, i) => ({
      panel: panelOf(r), policy: r.policy, t: round(t, 5),
      batch_size: tl.batch_size[i] ?? 0, kv_util: round(tl.kv_util[i] ?? 0, 4), queue_len: tl.queue_len[i] ?? 0,
    }));
  });
  const n = panels.length;
  const width = Math.max(150, Math.min(330, Math.floor(1000 / n)));
  const tMax = Math.max(...values.map((v) => v.t));
  const row = (m: (typeof METRICS)[number], i: number) => ({
    facet: {
      column: {
        field: 'panel', type: 'nominal' as const, sort: panels, title: null,
        // "source · variant" headers wrap onto two lines instead of being cut.
        header: i === 0 ? { labelFontSize: 12, labelFontWeight: 'bold' as const, labelLimit: width, labelExpr: "split(datum.value, ' · ')" } : { labels: false, title: null },
      },
    },
    spec: {
      name: m.key,
      width,
      height: 110,
      mark: { type: 'line' as const, strokeWidth: 1.5, interpolate: 'step-after' as const },
      encoding: {
        x: {
          field: 't', type: 'quantitative' as const, title: i === METRICS.length - 1 ? 'simulated time (s)' : null,
          scale: sources.length > 1 ? { zero: true, nice: false } : { domain: [0, tMax], nice: false }, axis: { labelExpr: EXACT_LABEL_EXPR, labels: i === METRICS.length - 1, ticks: i === METRICS.length - 1, tickCount: 5 },
        },
        y: {
          field: m.key, type: 'quantitative' as const, title: m.title,
          // 6% headroom, so a line pinned at the maximum (a full batch or cache) stays off the frame.
          scale: { domain: [0, m.key === 'kv_util' ? 1.06 : Math.max(1, ...values.map((v) => v[m.key])) * 1.06], nice: false },
          axis: { ...(m.format ? { format: m.format, values: [0, 0.25, 0.5, 0.75, 1] } : { labelExpr: EXACT_LABEL_EXPR, tickCount: 4 }), titleFontSize: 11 },
        },
        color: policyColor(policies),
      },
    },
    // One summary: a shared time axis shows which variant finishes first. Several summaries
    // (different request counts, devices) each get their own.
    resolve: { scale: { y: 'shared' as const, x: sources.length > 1 ? 'independent' as const : 'shared' as const } },
  });
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Engine state over simulated time', subtitle: [...subtitleFor(summaries), ...notes].filter(Boolean) },
    data: { values },
    vconcat: METRICS.map(row),
    spacing: 10,
    resolve: { scale: { color: 'shared' as const, x: sources.length > 1 ? 'independent' as const : 'shared' as const } },
    config: CONFIG,
  };
  return spec as unknown as TopLevelSpec;
}
