import type { TopLevelSpec } from 'vega-lite';
import type { Summary } from '../summary.js';
import { accuracyCurve, EXACT_LABEL_EXPR, logAxis, round, TOKENS_LABEL_EXPR, unique, variantRows } from './data.js';
import { CONFIG, DASHES, policyColor } from './theme.js';

/**
 * Relative error of the attention output against context length for int8 and int4 (log-log),
 * from `series.accuracy_curve`. fp16 is the reference (error 0), so it has no line; a note
 * says so. Only when a summary carries the curve; several summaries that differ get dashes.
 */
export function accuracyChart(summaries: Summary[]): TopLevelSpec | undefined {
  const rows = variantRows(summaries);
  // One curve per source (the curve depends on the model, not on the variant's own policy).
  const curves: { source: string; model: string; curve: NonNullable<ReturnType<typeof accuracyCurve>> }[] = [];
  for (const r of rows) {
    const curve = accuracyCurve(r.v);
    if (!curve) continue;
    const tag = [r.source, summaries.length > 1 || unique(rows.map((x) => x.v.params.model)).length > 1 ? r.v.params.model : ''].filter(Boolean).join(' · ');
    if (curves.some((c) => c.source === tag)) continue;
    curves.push({ source: tag, model: r.v.params.model, curve });
  }
  if (curves.length === 0) return undefined;
  // Identical curves (same model, or models that share an activation profile) are drawn once,
  // under all their names.
  const keyOf = (c: (typeof curves)[number]) => JSON.stringify(c.curve);
  const distinct = unique(curves.map(keyOf)).map((k) => {
    const same = curves.filter((c) => keyOf(c) === k);
    return { source: same.map((c) => c.source).join(', '), model: unique(same.map((c) => c.model)).join(', '), curve: same[0]!.curve };
  });
  const values = distinct.flatMap((c) => (['int8', 'int4'] as const).flatMap((policy) => c.curve.context.map((context, i) => ({
    source: c.source, policy, context, err: round(c.curve[policy][i] ?? 0, 4), err_text: `${round((c.curve[policy][i] ?? 0) * 100, 3)}%`,
  })))).filter((v) => v.err > 0 && v.context > 0);
  if (values.length === 0) return undefined;
  const fp16Max = Math.max(...distinct.flatMap((c) => c.curve.fp16.map(Math.abs)));
  const sources = unique(values.map((v) => v.source));
  const contexts = unique(values.map((v) => v.context)).sort((a, b) => a - b);
  const errs = values.map((v) => v.err);
  const lo = Math.min(...errs), hi = Math.max(...errs);
  const dash = sources.length > 1
    ? { strokeDash: { field: 'source', type: 'nominal' as const, title: summaries.length > 1 ? 'scenario' : 'model', sort: sources, scale: { domain: sources, range: DASHES.slice(0, sources.length) } } }
    : {};
  const models = unique(distinct.map((c) => c.model));
  const logX = contexts[0]! > 0 && contexts[contexts.length - 1]! / contexts[0]! >= 4;
  const yAxis = hi / lo >= 10 ? logAxis(lo, hi * 1.15) : undefined; // room for the point labels
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'Attention output error from KV cache quantization',
      subtitle: [
        `${models.join(', ')}: relative error ‖o − o_fp16‖ / ‖o_fp16‖ of the attention output, by context length${distinct.length < curves.length && distinct.length === 1 ? ' (the same for all)' : ''}`,
        fp16Max === 0 ? 'fp16 is the reference: its error is exactly 0, so it has no line on this log scale' : `fp16 error at most ${fp16Max.toExponential(1)} (not drawn)`,
      ],
    },
    data: { values },
    width: 560,
    height: 300,
    encoding: {
      x: {
        field: 'context', type: 'quantitative' as const, title: 'context length (tokens)',
        scale: logX ? { type: 'log' as const, base: 2, nice: false, domain: [contexts[0]! / 1.15, contexts[contexts.length - 1]! * 1.15] } : { zero: false },
        axis: contexts.length <= 12 ? { values: contexts, labelExpr: TOKENS_LABEL_EXPR } : { labelExpr: EXACT_LABEL_EXPR },
      },
      y: {
        field: 'err', type: 'quantitative' as const, title: `relative error of the attention output${yAxis ? ', log scale' : ''}`,
        scale: yAxis ? { type: 'log' as const, domain: yAxis.domain, nice: false } : { zero: true },
        axis: yAxis ? { values: yAxis.values, format: '.2~%' } : { format: '.2~%', tickCount: 6 },
      },
      color: policyColor(['int8', 'int4']),
      detail: { field: 'source', type: 'nominal' as const },
    },
    layer: [
      {
        name: 'error_lines',
        mark: { type: 'line' as const, point: { filled: true, size: 45 } },
        encoding: {
          ...dash,
          tooltip: [{ field: 'policy', title: 'quant_policy' }, { field: 'context', title: 'context' }, { field: 'err', title: 'relative error', format: '.3~%' }],
        },
      },
      ...(distinct.length === 1 ? [{
        name: 'error_labels',
        mark: { type: 'text' as const, baseline: 'bottom' as const, dy: -7, fontSize: 11 },
        encoding: { text: { field: 'err_text' } },
      }] : []),
    ],
    config: CONFIG,
  };
  return spec as unknown as TopLevelSpec;
}
