import type { TopLevelSpec } from 'vega-lite';
import type { Summary } from '../summary.js';
import { accuracyProxy, gainText, policiesOf, round, rpsGain, subtitleFor, unique, variantRows } from './data.js';
import { CONFIG, policyColor } from './theme.js';

/** Point labels are drawn only up to this many points; beyond, they would pile up. */
const MAX_LABELS = 24;

/**
 * Speed against accuracy: each variant's RPS gain over its fp16 twin (y) against the accuracy
 * proxy's expected score change, with its band as an error bar (x; the attention output's
 * relative error when the score change is missing). Only when variants carry accuracy_proxy.
 */
export function tradeoffChart(summaries: Summary[]): TopLevelSpec | undefined {
  const rows = variantRows(summaries).flatMap((r) => {
    const a = accuracyProxy(r.v);
    const g = rpsGain(r);
    return a && g !== undefined ? [{ r, a, g }] : [];
  });
  if (rows.length === 0) return undefined;
  const useScore = rows.some((x) => Number.isFinite(x.a.expected_score_change) && x.a.expected_score_change !== 0);
  const sources = unique(rows.map((x) => x.r.source));
  const values = rows.map(({ r, a, g }) => ({
    label: [r.source, r.label].filter(Boolean).join(' · '), source: r.source, policy: r.policy,
    // Short point labels: the sweep group ("c=64") once there are several per policy.
    short: rows.length > 6 && r.group ? r.group : [r.source, r.label].filter(Boolean).join(' · '),
    gain: round(g, 4), gain_text: gainText(g),
    x: round(useScore ? a.expected_score_change : a.rel_error, 4),
    lo: round(useScore ? Math.min(...a.expected_score_change_band) : a.rel_error, 4),
    hi: round(useScore ? Math.max(...a.expected_score_change_band) : a.rel_error, 4),
    rel_error: round(a.rel_error, 4),
    score: round(a.expected_score_change, 4),
    context: a.context,
  }));
  const policies = policiesOf(rows.map((x) => x.r));
  const xTitle = useScore ? 'expected change of the mean benchmark score vs fp16 (points)' : 'relative error of the attention output (accuracy proxy)';
  // Pad both axes so points and their labels stay inside the plot; keep 0 (fp16) in view.
  const pad = (lo: number, hi: number): [number, number] => {
    const span = hi - lo || Math.abs(hi) || 1;
    return [round(lo - 0.08 * span, 4), round(hi + 0.12 * span, 4)];
  };
  const xDomain = pad(Math.min(0, ...values.map((v) => v.lo)), Math.max(0, ...values.map((v) => v.hi)));
  const yDomain = pad(Math.min(0, ...values.map((v) => v.gain)), Math.max(0, ...values.map((v) => v.gain)));
  const signed = (f: string) => `datum.value > 0 ? '+' + format(datum.value, '${f}') : datum.value < 0 ? '−' + format(-datum.value, '${f}') : '0'`;
  const x = {
    field: 'x', type: 'quantitative' as const, title: xTitle,
    axis: { labelExpr: useScore ? signed('~r') : "format(datum.value, '.1~%')", tickCount: 8 },
    scale: { domain: xDomain, nice: false },
  };
  const y = { field: 'gain', type: 'quantitative' as const, title: 'RPS gain over fp16', axis: { labelExpr: signed('.0%') }, scale: { domain: yDomain, nice: false } };
  const shape = sources.length > 1
    ? { shape: { field: 'source', type: 'nominal' as const, title: 'scenario', sort: sources } }
    : {};
  const contexts = unique(values.map((v) => v.context).filter((c) => Number.isFinite(c)));
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'Speed against accuracy',
      subtitle: [
        ...subtitleFor(summaries),
        `accuracy proxy${contexts.length === 1 ? ` at ${contexts[0]} tokens of context` : ''}${useScore ? '; bars: the proxy\'s uncertainty band' : ''}`,
      ],
    },
    data: { values },
    width: 560,
    height: 320,
    layer: [
      {
        name: 'zero_gain',
        data: { values: [{}] },
        mark: { type: 'rule' as const, color: '#999999', strokeDash: [3, 3], strokeWidth: 1 },
        encoding: { y: { datum: 0, type: 'quantitative' as const } },
      },
      {
        name: 'zero_change',
        data: { values: [{}] },
        mark: { type: 'rule' as const, color: '#999999', strokeDash: [3, 3], strokeWidth: 1 },
        encoding: { x: { datum: 0, type: 'quantitative' as const } },
      },
      ...(useScore ? [{
        name: 'bands',
        mark: { type: 'rule' as const, strokeWidth: 2, opacity: 0.6 },
        encoding: { x: { ...x, field: 'lo' }, x2: { field: 'hi' }, y, color: policyColor(policies) },
      }] : []),
      {
        name: 'variants',
        mark: { type: 'point' as const, filled: true, size: 90, opacity: 1 },
        encoding: {
          x, y, color: policyColor(policies), ...shape,
          tooltip: [
            { field: 'label', title: 'variant' }, { field: 'gain', title: 'RPS gain', format: '+.1%' },
            { field: 'score', title: 'expected score change', format: '+.3~g' }, { field: 'rel_error', title: 'relative error', format: '.3~%' },
          ],
        },
      },
      ...(values.length <= MAX_LABELS ? [{
        name: 'variant_labels',
        mark: { type: 'text' as const, align: 'left' as const, dx: 8, dy: -8, fontSize: values.length > 6 ? 10 : 11, color: '#333333' },
        transform: values.length > 6 ? [{ filter: "datum.policy !== 'fp16'" }] : [],
        encoding: { x, y, text: { field: 'short' } },
      }] : []),
    ],
    config: CONFIG,
  };
  return spec as unknown as TopLevelSpec;
}
