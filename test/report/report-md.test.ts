import { describe, expect, it } from 'vitest';
import { buildCharts, chartDef } from '../../src/report/charts/index.js';
import { reportMarkdown } from '../../src/report/report-md.js';
import { defaultSummary, sweepSummary } from './fixtures.js';

describe('report.md', () => {
  it('has a title, a row per variant with its gain over fp16, and every chart with a caption', () => {
    const s = defaultSummary();
    const charts = buildCharts([s]).map((c) => c.def.name);
    const md = reportMarkdown([s], charts);
    expect(md.startsWith(`# kvsim report: ${s.scenario}\n`)).toBe(true);
    expect(md).toContain('| variant | RPS | vs fp16 | output tok/s | TTFT p50 ms | TTFT p99 ms | TPOT p50 ms | TPOT p99 ms | mean batch | KV-short iters | preemptions | KV blocks |');
    const rows = md.split('\n').filter((l) => /^\| (fp16|int8|int4) \|/.test(l));
    expect(rows).toHaveLength(3);
    expect(rows[0]).toContain('| baseline |');
    const gain = s.variants[1]!.metrics.rps / s.variants[0]!.metrics.rps - 1;
    expect(rows[1]).toContain(`| +${Math.round(gain * 100)}% |`);
    expect(rows[1]).toContain(`| ${s.variants[1]!.metrics.rps.toFixed(2)} |`);
    for (const n of charts) {
      const def = chartDef(n)!;
      expect(md).toContain(`![${def.title}](${n}.svg)\n\n*${def.caption}*`);
    }
    expect(md.endsWith('\n')).toBe(true);
    expect(md).not.toMatch(/\n\n\n/);
  });

  it('is the same for the same summary, with no dates in it, and lists several summaries', () => {
    const md = reportMarkdown([sweepSummary()], ['throughput']);
    expect(reportMarkdown([sweepSummary()], ['throughput'])).toBe(md);
    expect(md).not.toMatch(/\d{4}-\d\d-\d\d/);
    expect(md.split('\n').filter((l) => /^\| (fp16|int8|int4) c=/.test(l))).toHaveLength(9);
    const two = reportMarkdown([defaultSummary('a'), defaultSummary('b')], []);
    expect(two).toContain('# kvsim report: a, b');
    expect(two).toContain('## a\n');
    expect(two).toContain('## b\n');
    expect(two).not.toContain('## Charts');
  });
});
