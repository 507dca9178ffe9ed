import { quantiles, weightedMean } from './select.js';

/** The percentiles every latency metric reports. */
export const PERCENTILES = [0.5, 0.9, 0.95, 0.99] as const;

export interface LatencyStats {
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
}

const P101 = Array.from({ length: 101 }, (_, i) => i / 100);

/**
 * Mean, the four percentiles and 101 quantiles (p0..p100, for CDF charts) of a sample, with
 * simple-statistics' linear interpolation (type 7) computed exactly by selection. With
 * weights, a value of weight w counts as w observations (ITL: one gap per iteration, shared
 * by all its decode rows).
 */
export function describe(values: Float64Array, weights: Float64Array | null = null): { stats: LatencyStats; q101: number[] } {
  const empty = weights ? !weights.some((w) => w > 0) : values.length === 0;
  if (empty) return { stats: { mean: 0, p50: 0, p90: 0, p95: 0, p99: 0 }, q101: [] };
  const q = quantiles(values, weights, [...PERCENTILES, ...P101]);
  return {
    stats: { mean: weightedMean(values, weights), p50: q[0]!, p90: q[1]!, p95: q[2]!, p99: q[3]! },
    q101: q.slice(PERCENTILES.length),
  };
}
