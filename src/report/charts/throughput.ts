import type { TopLevelSpec } from 'vega-lite';
import type { Summary } from '../summary.js';
import { capGroups, EXACT_LABEL_EXPR, gainText, outputGain, policiesOf, round, rpsGain, subtitleFor, unique, variantRows, type Row } from './data.js';
import { CONFIG, PANEL_WIDTH, policyColor } from './theme.js';

/** More sweep points than this would make bars too thin to read. */
const MAX_GROUPS = 12;

const METRICS = [
  { key: 'rps', title: 'Requests per second', axis: 'throughput (requests/s)', value: (r: Row) => r.v.metrics.rps, gain: rpsGain, digits: 2 },
  { key: 'tok', title: 'Output tokens per second', axis: 'throughput (output tokens/s)', value: (r: Row) => r.v.metrics.output_tok_s, gain: outputGain, digits: 0 },
] as const;

/**
 * Throughput per quant_policy: requests/s and output tokens/s, each bar labelled with its gain
 * over the fp16 variant that has the same other params. Sweeps group the bars by the rest of
 * the label (x = "c=64", bars side by side per policy); several summaries group by source.
 */
export function throughputChart(summaries: Summary[]): TopLevelSpec | undefined {
  const notes: string[] = [];
  const rows = capGroups(variantRows(summaries), MAX_GROUPS, notes);
  if (rows.length === 0) return undefined;
  const groups = unique(rows.map((r) => r.group));
  const sources = unique(rows.map((r) => r.source));
  const swept = groups.length > 1;
  // x: the sweep group, else the source (several summaries), else the policy itself.
  const xField = swept ? 'group' : sources.length > 1 ? 'source' : 'policy';
  const facetBySource = swept && sources.length > 1;
  const policies = policiesOf(rows);
  const values = METRICS.flatMap((m) => rows.map((r) => {
    const g = m.gain(r);
    const value = m.value(r);
    return {
      metric: m.key, source: r.source, group: r.group || r.label, policy: r.policy, label: r.label,
      value: round(value, 5),
      value_text: grouped(value.toFixed(m.digits)),
      gain: g === undefined ? null : round(g, 4),
      gain_text: g === undefined || r.policy === 'fp16' ? '' : gainText(g),
    };
  }));
  // About 48 px per bar in sweeps, so that neighbouring gain labels do not touch.
  const barsPerPanel = values.length / METRICS.length / (facetBySource ? sources.length : 1);
  const width = swept ? Math.max(facetBySource ? 360 : PANEL_WIDTH, Math.min(1100, barsPerPanel * 48)) : Math.max(260, Math.min(1100, barsPerPanel * 70));
  const xSort = xField === 'group' ? unique(values.map((v) => v.group)) : xField === 'source' ? sources : policies;
  // Narrow bars get vertical gain labels; long category names get slanted tick labels.
  const vertical = swept && width / barsPerPanel < 40;
  const slant = Math.max(...xSort.map((x) => x.length)) * 7 > width / xSort.length;
  const offset = xField === 'policy' ? {} : { xOffset: { field: 'policy', type: 'nominal' as const, sort: policies, scale: { paddingInner: 0.06 } } };
  const panel = (m: (typeof METRICS)[number]) => {
    const max = Math.max(...values.filter((v) => v.metric === m.key).map((v) => v.value));
    const unit = {
      name: m.key,
      width,
      height: 240,
      title: { text: m.title, fontSize: 13, frame: 'group' as const },
      encoding: {
        x: {
          field: xField, type: 'nominal' as const, sort: xSort, title: xField === 'group' ? null : xField === 'source' ? 'scenario' : 'quant_policy',
          axis: slant ? { labelAngle: -35, labelAlign: 'right' as const, labelFontSize: 11, labelLimit: 220 } : { labelAngle: 0, labelFontSize: 12, labelLimit: 220 },
        },
        y: { field: 'value', type: 'quantitative' as const, title: m.axis, scale: { domain: [0, max * (vertical ? 1.22 : swept ? 1.12 : 1.22)], nice: false }, axis: { labelExpr: EXACT_LABEL_EXPR, tickCount: 6 } },
        ...offset,
      },
      layer: [
        {
          name: `${m.key}_bars`,
          mark: { type: 'bar' as const, width: swept || sources.length > 1 ? { band: 1 } : { band: 0.7 } },
          encoding: {
            color: policyColor(policies),
            tooltip: [
              { field: 'label', title: 'variant' },
              ...(sources.length > 1 ? [{ field: 'source', title: 'scenario' }] : []),
              { field: 'value', title: m.axis, format: m.digits ? '.2f' : ',.0f' },
              { field: 'gain', title: 'gain vs fp16', format: '+.0%' },
            ],
          },
        },
        ...(swept ? [] : [{
          name: `${m.key}_values`,
          mark: { type: 'text' as const, baseline: 'bottom' as const, dy: -4, fontSize: 11, color: '#333333' },
          encoding: { text: { field: 'value_text' } },
        }]),
        {
          name: `${m.key}_gains`,
          transform: [{ filter: "datum.gain_text !== ''" }],
          mark: vertical
            ? { type: 'text' as const, angle: 270, align: 'left' as const, baseline: 'middle' as const, dx: 3, fontSize: 10, fontWeight: 'bold' as const, color: '#111111' }
            : { type: 'text' as const, baseline: 'bottom' as const, dy: swept ? -3 : -19, fontSize: swept ? 10 : 12, fontWeight: 'bold' as const, color: '#111111' },
          encoding: { text: { field: 'gain_text' } },
        },
      ],
    };
    const data = { transform: [{ filter: { field: 'metric', equal: m.key } }] };
    if (!facetBySource) return { ...data, ...unit };
    const { name: _n, width: w, height, title, ...inner } = unit;
    return { ...data, title, facet: { column: { field: 'source', type: 'nominal' as const, sort: sources, title: null } }, spec: { width: w, height, ...inner } };
  };
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'Throughput by KV cache precision',
      subtitle: [...subtitleFor(summaries), `labels: gain over the fp16 run with the same settings${notes.length ? `; ${notes.join('; ')}` : ''}`],
    },
    data: { values },
    [swept ? 'vconcat' : 'hconcat']: METRICS.map(panel),
    resolve: { scale: { color: 'shared' as const } },
    config: CONFIG,
  };
  return spec as unknown as TopLevelSpec;
}

/** "4469.3" → "4,469.3": thousands separators, as on the axis. */
function grouped(text: string): string {
  const [int, frac] = text.split('.');
  const g = (int ?? '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return frac === undefined ? g : `${g}.${frac}`;
}
