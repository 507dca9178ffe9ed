import { quantileSorted } from 'simple-statistics';

/** The percentiles every latency metric reports. */
export const PERCENTILES = [0.5, 0.9, 0.95, 0.99] as const;

export interface LatencyStats {
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
}

/** Mean and percentiles of a sample (sorted in place), with simple-statistics' linear interpolation. */
export function latencyStats(sortedValues: Float64Array): LatencyStats {
  if (sortedValues.length === 0) return { mean: 0, p50: 0, p90: 0, p95: 0, p99: 0 };
  const xs = sortedValues as unknown as number[];
  let sum = 0;
  for (let i = 0; i < sortedValues.length; i++) sum += sortedValues[i]!;
  return {
    mean: sum / sortedValues.length,
    p50: quantileSorted(xs, 0.5),
    p90: quantileSorted(xs, 0.9),
    p95: quantileSorted(xs, 0.95),
    p99: quantileSorted(xs, 0.99),
  };
}

/** 101 quantiles (p0..p100) of a sorted sample, for CDF charts. */
export function quantiles101(sortedValues: Float64Array): number[] {
  if (sortedValues.length === 0) return [];
  const xs = sortedValues as unknown as number[];
  return Array.from({ length: 101 }, (_, i) => quantileSorted(xs, i / 100));
}

/**
 * A sample given as values with integer weights (a value of weight w stands for w equal
 * observations), sorted by value. Its quantiles equal simple-statistics' quantileSorted on
 * the expanded sample, computed without expanding it.
 */
export class WeightedSample {
  constructor(
    readonly values: Float64Array,
    readonly weights: Float64Array,
    readonly cumWeights: Float64Array,
  ) {}

  /** Sorts (value, weight) pairs by value and builds cumulative weights; zero weights are dropped. */
  static of(values: Float64Array, weights: Float64Array): WeightedSample {
    const idx = new Uint32Array(values.length);
    let m = 0;
    for (let i = 0; i < values.length; i++) if (weights[i]! > 0) idx[m++] = i;
    const order = idx.subarray(0, m).sort((a, b) => values[a]! - values[b]! || a - b);
    const v = new Float64Array(m), w = new Float64Array(m), c = new Float64Array(m);
    let cum = 0;
    for (let j = 0; j < m; j++) {
      const i = order[j]!;
      v[j] = values[i]!;
      w[j] = weights[i]!;
      cum += weights[i]!;
      c[j] = cum;
    }
    return new WeightedSample(v, w, c);
  }

  get totalWeight(): number {
    return this.cumWeights.length ? this.cumWeights[this.cumWeights.length - 1]! : 0;
  }

  /** Value at 0-based rank r of the expanded sample. */
  private atRank(r: number): number {
    let lo = 0, hi = this.cumWeights.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumWeights[mid]! > r) hi = mid;
      else lo = mid + 1;
    }
    return this.values[lo]!;
  }

  /** Linear-interpolation quantile (type 7), as quantileSorted on the expanded sample. */
  quantile(p: number): number {
    const n = this.totalWeight;
    if (n === 0) return 0;
    if (p >= 1) return this.atRank(n - 1);
    if (p <= 0) return this.atRank(0);
    const idx = (n - 1) * p;
    const lo = Math.floor(idx);
    const frac = idx - lo;
    const a = this.atRank(lo);
    return frac === 0 ? a : a + frac * (this.atRank(lo + 1) - a);
  }

  mean(): number {
    const n = this.totalWeight;
    if (n === 0) return 0;
    let s = 0;
    for (let i = 0; i < this.values.length; i++) s += this.values[i]! * this.weights[i]!;
    return s / n;
  }

  stats(): LatencyStats {
    return { mean: this.mean(), p50: this.quantile(0.5), p90: this.quantile(0.9), p95: this.quantile(0.95), p99: this.quantile(0.99) };
  }

  quantiles101(): number[] {
    if (this.totalWeight === 0) return [];
    return Array.from({ length: 101 }, (_, i) => this.quantile(i / 100));
  }
}
