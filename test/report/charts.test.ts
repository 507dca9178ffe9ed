import { describe, expect, it } from 'vitest';
import type { TopLevelSpec } from 'vega-lite';
import { buildCharts, CHARTS } from '../../src/report/charts/index.js';
import { logAxis, sourceNames, sweptLoad, variantRows } from '../../src/report/charts/data.js';
import { POLICY_COLORS } from '../../src/report/charts/theme.js';
import { compileSpec, renderChart } from '../../src/report/render.js';
import type { Summary } from '../../src/report/summary.js';
import { defaultSummary, rateSweepSummary, sweepSummary, withAccuracy, withoutAccuracy } from './fixtures.js';
import { markCount, markGroups, parseXml, texts, visibleMarkCount, walk, type XmlElement } from './svg.js';

const T = 60_000;

async function svgOf(spec: TopLevelSpec): Promise<{ root: XmlElement; svg: string; text: string[] }> {
  const { svg, warnings } = await renderChart(spec);
  expect(warnings).toEqual([]);
  const root = parseXml(svg);
  expect(root.name).toBe('svg');
  return { root, svg, text: texts(root) };
}

function chart(summaries: Summary[], name: string): TopLevelSpec {
  const c = buildCharts(summaries).find((x) => x.def.name === name);
  if (!c) throw new Error(`no ${name} chart`);
  return c.spec;
}

/** The legend entries of the quant_policy legend, in drawing order. */
function policyLegend(root: XmlElement): string[] {
  const legend = [...walk(root)].find((e) => e.name === 'g' && (e.attrs.class ?? '').includes('role-legend') && texts(e).includes('quant_policy'));
  if (!legend) return [];
  return texts(legend).filter((t) => t !== 'quant_policy');
}

describe('which charts apply', () => {
  it('draws the five basic charts for one load, and no load curves or accuracy charts without accuracy fields', () => {
    expect(buildCharts([withoutAccuracy(defaultSummary())]).map((c) => c.def.name)).toEqual(['throughput', 'latency-cdf', 'kv-capacity', 'timeline', 'breakdown']);
  }, T);

  it('adds load curves for a concurrency or rate sweep, and the accuracy charts when the fields exist', () => {
    expect(buildCharts([sweepSummary()]).map((c) => c.def.name)).toContain('load-curves');
    expect(sweptLoad([rateSweepSummary()])).toBe('rate');
    expect(buildCharts([withAccuracy(defaultSummary())]).map((c) => c.def.name)).toEqual(
      ['throughput', 'latency-cdf', 'kv-capacity', 'timeline', 'breakdown', 'accuracy', 'tradeoff']);
  }, T);

  it('skips charts whose series are missing instead of failing (e.g. a summary printed by --json)', () => {
    const s = withoutAccuracy(defaultSummary());
    for (const v of s.variants) delete (v as Partial<typeof v>).series;
    expect(buildCharts([s]).map((c) => c.def.name)).toEqual(['throughput', 'breakdown']);
  }, T);

  it('every registered chart has a title and a caption', () => {
    for (const c of CHARTS) expect(c.title.length * c.caption.length).toBeGreaterThan(0);
  });
});

describe('specs', () => {
  const cases: [string, () => Summary[]][] = [
    ['default', () => [withAccuracy(defaultSummary())]],
    ['concurrency sweep', () => [withAccuracy(sweepSummary())]],
    ['rate sweep', () => [rateSweepSummary()]],
    ['two summaries', () => [defaultSummary('a'), defaultSummary('b')]],
    ['two sweeps', () => [sweepSummary('a'), sweepSummary('b')]],
  ];
  for (const [name, make] of cases) {
    it(`compile with vega-lite without warnings, and inline their data (${name})`, async () => {
      const charts = buildCharts(make());
      expect(charts.length).toBeGreaterThanOrEqual(5);
      for (const { def, spec } of charts) {
        const { vega, warnings } = await compileSpec(spec);
        expect(vega, def.name).toBeTruthy();
        expect(warnings, def.name).toEqual([]);
        const text = JSON.stringify(spec);
        expect(text, def.name).not.toMatch(/"url"\s*:/);
        expect(text, def.name).toContain('"values"');
      }
    }, T);
  }

  it('are plain JSON: the same summaries give the same spec', () => {
    const a = JSON.stringify(buildCharts([sweepSummary()]).map((c) => c.spec));
    const b = JSON.stringify(buildCharts([sweepSummary()]).map((c) => c.spec));
    expect(a).toBe(b);
  }, T);
});

describe('rendered SVG', () => {
  it('throughput: one bar per variant and metric, gain labels on the quantized bars, policies in legend order', async () => {
    const { root, text } = await svgOf(chart([defaultSummary()], 'throughput'));
    expect(text).toContain('Throughput by KV cache precision');
    expect(text).toContain('throughput (requests/s)');
    expect(text).toContain('throughput (output tokens/s)');
    expect(markCount(root, 'rps_bars')).toBe(3);
    expect(markCount(root, 'tok_bars')).toBe(3);
    expect(markCount(root, 'rps_gains')).toBe(2);
    expect(markCount(root, 'rps_values')).toBe(3);
    const gains = markGroups(root, 'rps_gains').flatMap((g) => texts(g));
    for (const g of gains) expect(g).toMatch(/^[+−]\d+%$/);
    expect(policyLegend(root)).toEqual(['fp16', 'int8', 'int4']);
    const fills = [...walk(root)].filter((e) => e.attrs['aria-roledescription'] === 'bar').map((e) => e.attrs.fill);
    expect(new Set(fills)).toEqual(new Set(Object.values(POLICY_COLORS)));
  }, T);

  it('throughput of a sweep: bars grouped by the swept value', async () => {
    const { root, text } = await svgOf(chart([sweepSummary()], 'throughput'));
    expect(markCount(root, 'rps_bars')).toBe(9);
    expect(markCount(root, 'rps_gains')).toBe(6);
    for (const c of ['c=8', 'c=32', 'c=64']) expect(text).toContain(c);
  }, T);

  it('load curves: a line per policy in each of the six panels, a point per variant', async () => {
    const { root, text } = await svgOf(chart([sweepSummary()], 'load-curves'));
    expect(text).toContain('Throughput and latency against concurrency');
    expect(text).toContain('concurrency (closed-loop clients)');
    for (const t of ['requests/s', 'output tokens/s', 'time per output token (ms)']) expect(text).toContain(t);
    expect(text.some((t) => t.startsWith('time to first token (ms)'))).toBe(true);
    for (const p of ['rps', 'tok', 'ttft_p50', 'ttft_p99', 'tpot_p50', 'tpot_p99']) {
      expect(markCount(root, `${p}_lines`), p).toBe(3);
      expect(markCount(root, `${p}_points`), p).toBe(9);
    }
    for (const x of ['8', '32', '64']) expect(text).toContain(x);
    const { text: rateText } = await svgOf(chart([rateSweepSummary()], 'load-curves'));
    expect(rateText).toContain('arrival rate (requests/s)');
    expect(rateText).toContain('2.5');
  }, T);

  it('latency CDF: one line per policy in both panels; a sweep shows its highest load', async () => {
    const { root, text } = await svgOf(chart([defaultSummary()], 'latency-cdf'));
    expect(text).toContain('Latency distribution by KV cache precision');
    expect(text.some((t) => t.startsWith('TTFT (ms)'))).toBe(true);
    expect(text.some((t) => t.startsWith('TPOT (ms)'))).toBe(true);
    expect(text).toContain('fraction of requests');
    expect(markCount(root, 'ttft_s_lines')).toBe(3);
    expect(markCount(root, 'tpot_s_lines')).toBe(3);
    const sweep = await svgOf(chart([sweepSummary()], 'latency-cdf'));
    expect(markCount(sweep.root, 'ttft_s_lines')).toBe(3);
    expect(sweep.text.join('\n')).toMatch(/highest concurrency swept: 64/);
  }, T);

  it('KV capacity: a line and a label per point per policy, weights and device in the subtitle', async () => {
    const s = defaultSummary();
    const curve = s.variants[0]!.series.capacity_curve;
    const { root, text } = await svgOf(chart([s], 'kv-capacity'));
    expect(text).toContain('KV cache capacity: llama2-7b on a100-80g');
    expect(text).toContain('context length (tokens per sequence)');
    expect(text).toContain('sequences that fit in the KV cache');
    const gib = (curve.weight_bytes / 2 ** 30).toFixed(1);
    expect(text.join('\n')).toMatch(new RegExp(`weights ${gib.replace('.', '\\.')}\\d* GiB per GPU \\(a100-80g`));
    expect(markCount(root, 'capacity_lines')).toBe(3);
    expect(markCount(root, 'capacity_labels')).toBe(3 * curve.context.length);
    expect(text).toContain(String(curve.int4[0]!.toLocaleString('en-US')));
    expect(markCount(root, 'batch_rule')).toBe(1);
    // The x ticks are the grid's context lengths, in k.
    for (const t of ['256', '512', '1k', '2k', '4k']) expect(text).toContain(t);
  }, T);

  it('timeline: three rows of one line per variant', async () => {
    const { root, text } = await svgOf(chart([defaultSummary()], 'timeline'));
    expect(text).toContain('Engine state over simulated time');
    for (const t of ['batch (sequences)', 'KV cache in use', 'queue (requests)', 'simulated time (s)']) expect(text).toContain(t);
    for (const m of ['batch_size', 'kv_util', 'queue_len']) expect(markCount(root, m), m).toBe(3);
  }, T);

  it('timeline: at most six columns', async () => {
    const many = [defaultSummary('a'), defaultSummary('b'), defaultSummary('c')];
    const { root, text } = await svgOf(chart(many, 'timeline'));
    expect(markCount(root, 'batch_size')).toBe(6);
    expect(text.join('\n')).toContain('first 6 of 9 variants');
  }, T);

  it('breakdown: four segments and a total per variant, totals in ms', async () => {
    const s = defaultSummary();
    const { root, text } = await svgOf(chart([s], 'breakdown'));
    expect(text).toContain('Where the time of an iteration goes');
    expect(text).toContain('share of the mean iteration time');
    expect(markCount(root, 'parts')).toBe(4 * 3);
    expect(markCount(root, 'totals')).toBe(3);
    for (const v of s.variants) expect(text).toContain(`${(v.explain.iteration_s.total_s * 1000).toFixed(1)} ms`);
  }, T);

  it('accuracy: int8 and int4 lines on log axes, fp16 explained in the subtitle', async () => {
    const { root, text } = await svgOf(chart([withAccuracy(defaultSummary())], 'accuracy'));
    expect(text).toContain('Attention output error from KV cache quantization');
    expect(text.some((t) => t.startsWith('relative error of the attention output'))).toBe(true);
    expect(text).toContain('context length (tokens)');
    expect(text.join('\n')).toMatch(/fp16 is the reference/);
    expect(markCount(root, 'error_lines')).toBe(2);
    expect(policyLegend(root)).toEqual(['int8', 'int4']);
  }, T);

  it('tradeoff: one point per variant with its RPS gain', async () => {
    const { root, text } = await svgOf(chart([withAccuracy(defaultSummary())], 'tradeoff'));
    expect(text).toContain('Speed against accuracy');
    expect(text).toContain('RPS gain over fp16');
    expect(text).toContain('expected change of the mean benchmark score vs fp16 (points)');
    expect(markCount(root, 'variants')).toBe(3);
    expect(visibleMarkCount(root, 'variant_labels')).toBe(3);
  }, T);

  it('several summaries: told apart by scenario name, colours still by policy', async () => {
    const two = [sweepSummary('a100'), sweepSummary('a100')];
    expect(sourceNames(two)).toEqual(['a100', 'a100 (2)']);
    expect(new Set(variantRows(two).map((r) => r.source))).toEqual(new Set(['a100', 'a100 (2)']));
    const { root, text } = await svgOf(chart(two, 'load-curves'));
    expect(markCount(root, 'rps_lines')).toBe(6);
    expect(text).toContain('scenario');
    expect(text).toContain('a100 (2)');
    expect(policyLegend(root).slice(0, 3)).toEqual(['fp16', 'int8', 'int4']);
    const tp = await svgOf(chart([defaultSummary('x'), defaultSummary('y')], 'throughput'));
    expect(markCount(tp.root, 'rps_bars')).toBe(6);
    expect(tp.text).toContain('x');
    expect(tp.text).toContain('y');
  }, T);

  it('no tick labels are hidden for overlap on the axes we set explicitly', async () => {
    const { root } = await svgOf(chart([sweepSummary()], 'load-curves'));
    const hidden = [...walk(root)].filter((e) => e.name === 'text' && e.attrs.opacity === '0');
    expect(hidden).toEqual([]);
  }, T);
});

describe('large sweeps', () => {
  /** The concurrency sweep crossed with seven (made-up) block sizes: 21 settings, 63 variants. */
  function crossed(): Summary {
    const s = sweepSummary();
    const variants = [16, 32, 48, 64, 96, 128, 256].flatMap((b) => s.variants.map((v) => ({ ...structuredClone(v), label: `${v.label} block=${b}`, params: { ...v.params, block_size: b } })));
    return { ...s, variants };
  }

  it('bars and breakdown keep the first twelve settings and say so; load curves drop dashes past six lines', async () => {
    const s = crossed();
    const tp = await svgOf(chart([s], 'throughput'));
    expect(markCount(tp.root, 'rps_bars')).toBe(36);
    expect(tp.text.join('\n')).toContain('showing the first 12 of 21 settings');
    const bd = await svgOf(chart([s], 'breakdown'));
    expect(markCount(bd.root, 'totals')).toBe(36);
    const lc = await svgOf(chart([s], 'load-curves'));
    expect(markCount(lc.root, 'rps_lines')).toBe(21);
    expect(lc.text.join('\n')).toContain('one line per policy and setting of block_size (7 settings)');
    expect(lc.text).not.toContain('variant');
  }, T);
});

describe('log axis ticks', () => {
  it('pads the extent and keeps round 1-2-5 ticks inside it', () => {
    expect(logAxis(23, 5056)).toEqual({ domain: [21.3, 5460], values: [50, 100, 200, 500, 1000, 2000, 5000] });
    const wide = logAxis(0.5, 2e5);
    expect(wide.values).toEqual([1, 10, 100, 1000, 10000, 100000]);
  });
});
