import type { Summary } from '../../src/report/summary.js';
import { runText } from '../helpers/scenario.js';

const BASE = `name: NAME
seed: 3
model: llama2-7b
device: a100-80g
engine:
  backend: turbomind
  cache_max_entry_count: 0.8
  block_size: 64
  max_batch_size: 64
  session_len: 4096
workload:
  requests: 300
  arrival: { type: closed-loop, concurrency: 64 }
  lengths: { type: sharegpt }
sweep:
  engine.quant_policy: [0, 8, 4]
`;

const cache = new Map<string, Summary>();
function memo(key: string, make: () => Summary): Summary {
  let s = cache.get(key);
  if (!s) {
    s = make();
    cache.set(key, s);
  }
  return structuredClone(s);
}

/** fp16, int8 and int4 at one load: like the default scenario, but 300 requests. */
export function defaultSummary(name = 'charts-default'): Summary {
  return memo(`default:${name}`, () => runText(BASE.replace('NAME', name)));
}

/** The same swept over closed-loop concurrency 8, 32, 64: nine variants. */
export function sweepSummary(name = 'charts-sweep'): Summary {
  return memo(`sweep:${name}`, () => runText(`${BASE.replace('NAME', name)}  workload.arrival.concurrency: [8, 32, 64]\n`));
}

/** A Poisson-rate sweep, for the rate axis. */
export function rateSweepSummary(): Summary {
  return memo('rate', () => runText(BASE.replace('NAME', 'charts-rate').replace('arrival: { type: closed-loop, concurrency: 64 }', 'arrival: { type: poisson, rate: 2 }') + '  workload.arrival.rate: [1, 2.5, 5]\n'));
}

/** Adds the accuracy fields the accuracy model will write (accuracy_proxy, series.accuracy_curve). */
export function withAccuracy(s: Summary): Summary {
  const out = structuredClone(s);
  const context = [256, 512, 1024, 2048, 4096];
  const curve = { context, fp16: context.map(() => 0), int8: [0.0041, 0.0046, 0.005, 0.0055, 0.0061], int4: [0.066, 0.074, 0.081, 0.089, 0.097] };
  const proxy = {
    0: { rel_error: 0, score: 0, band: [0, 0], sqnr: null },
    8: { rel_error: 0.0052, score: -0.04, band: [-0.1, 0], sqnr: 48 },
    4: { rel_error: 0.083, score: -0.55, band: [-1.1, -0.2], sqnr: 24 },
  } as const;
  for (const v of out.variants) {
    const p = proxy[v.params.quant_policy];
    Object.assign(v, {
      accuracy_proxy: {
        context: 2048, rel_error: p.rel_error, sqnr_db: p.sqnr, sqnr_k_db: p.sqnr, sqnr_v_db: p.sqnr,
        kl_div: p.rel_error ** 2, expected_score_change: p.score, expected_score_change_band: [...p.band],
      },
    });
    Object.assign(v.series, { accuracy_curve: curve });
  }
  return out;
}

/** Removes the accuracy fields, as in summaries written before the accuracy model existed. */
export function withoutAccuracy(s: Summary): Summary {
  const out = structuredClone(s);
  for (const v of out.variants) {
    delete (v as { accuracy_proxy?: unknown }).accuracy_proxy;
    delete (v.series as { accuracy_curve?: unknown }).accuracy_curve;
  }
  return out;
}
