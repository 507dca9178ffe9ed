import { describe, expect, it } from 'vitest';
import { summaryJson } from '../../src/report/summary.js';
import { planScenario, runScenario } from '../../src/scenario/run-scenario.js';
import { buildRequests } from '../../src/workload/requests.js';
import { runText, scenarioFile, small } from '../helpers/scenario.js';

const SWEEP = small('engine:\n  max_batch_size: 32\n  cache_max_entry_count: 0.05\nsweep:\n  engine.quant_policy: [0, 8, 4]\n  workload.arrival.concurrency: [8, 32]\n',
  'requests: 400\n  arrival: { type: closed-loop, concurrency: 8 }\n  lengths: { type: sharegpt }');

describe('runs end to end', () => {
  it('is deterministic: the same scenario and seed give byte-identical summaries', () => {
    const a = summaryJson(runText(SWEEP));
    const b = summaryJson(runText(SWEEP));
    expect(a).toBe(b);
    expect(a).not.toMatch(/"(date|timestamp|generated_at|wall[a-z_]*)":/);
  });

  it('gives every variant of a sweep the same requests', () => {
    const plan = planScenario(scenarioFile(SWEEP));
    const sets = plan.configs.map((c) => buildRequests({ requests: c.requests, arrival: c.arrival, lengths: c.lengths, seed: c.seed, tokenizerFactor: c.model.tokenizerFactor, baseDir: '.', scenarioFile: 'x' }));
    for (const s of sets) {
      expect(s.prompt).toEqual(sets[0]!.prompt);
      expect(s.output).toEqual(sets[0]!.output);
    }
    // A different seed draws different requests.
    const other = buildRequests({ ...{ requests: 400, arrival: plan.configs[0]!.arrival, lengths: plan.configs[0]!.lengths }, seed: 2, tokenizerFactor: 1, baseDir: '.', scenarioFile: 'x' });
    expect(other.prompt).not.toEqual(sets[0]!.prompt);
  });

  it('event-driven and exact engines agree on every metric (1e-9 relative), with heavy preemption', () => {
    const fast = runScenario(planScenario(scenarioFile(SWEEP))).summary;
    const exact = runScenario(planScenario(scenarioFile(SWEEP)), { exact: true }).summary;
    expect(fast.variants.some((v) => v.metrics.preemptions > 20)).toBe(true);
    fast.variants.forEach((v, i) => expectClose(v.metrics, exact.variants[i]!.metrics, v.label));
  });

  it('obeys Little\'s law on an open-loop run', () => {
    // Mean number in the system (time average) = arrival rate × mean time in the system.
    const s = runText(small('', 'requests: 3000\n  arrival: { type: poisson, rate: 8 }\n  lengths: { type: sharegpt }'));
    const m = s.variants[0]!.metrics;
    const tl = s.variants[0]!.series.timeline;
    expect(tl.t_s.length).toBeGreaterThan(100);
    const lambda = m.requests / m.duration_s;
    const l = lambda * m.e2e_s.mean;
    // The timeline samples the batch plus the queue at iteration starts.
    let area = 0;
    for (let i = 0; i + 1 < tl.t_s.length; i++) area += (tl.batch_size[i]! + tl.queue_len[i]!) * (tl.t_s[i + 1]! - tl.t_s[i]!);
    const lTimeline = area / (tl.t_s[tl.t_s.length - 1]! - tl.t_s[0]!);
    expect(lTimeline / l).toBeGreaterThan(0.85);
    expect(lTimeline / l).toBeLessThan(1.15);
  });

  it('reports consistent latency metrics', () => {
    const m = runText(SWEEP).variants[0]!.metrics;
    expect(m.ttft_s.p50).toBeLessThanOrEqual(m.e2e_s.p50);
    expect(m.ttft_s.p99).toBeLessThanOrEqual(m.e2e_s.p99 + 1e-12);
    expect(m.rps * m.duration_s).toBeCloseTo(400, 6);
    for (const k of ['ttft_s', 'tpot_s', 'itl_s', 'e2e_s', 'queue_s'] as const) {
      const x = m[k];
      expect(x.p50).toBeLessThanOrEqual(x.p90);
      expect(x.p90).toBeLessThanOrEqual(x.p95);
      expect(x.p95).toBeLessThanOrEqual(x.p99);
    }
  });
});

function expectClose(a: unknown, b: unknown, path: string): void {
  if (typeof a === 'number') {
    const rel = Math.abs(a - (b as number)) / Math.max(Math.abs(a), Math.abs(b as number), 1e-300);
    expect(rel, path).toBeLessThanOrEqual(1e-9);
    return;
  }
  for (const k of Object.keys(a as object)) expectClose((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
}
