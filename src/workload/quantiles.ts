import type { Uniform } from '../sim/rng.js';

/** A length distribution given as points of its inverse CDF. */
export interface QuantileTable {
  /** Increasing probabilities from 0 to 1. */
  p: number[];
  /** Non-decreasing token counts at those probabilities. */
  tokens: number[];
}

/**
 * Presets from the processed traces shipped with the Vidur simulator, llama2 tokens
 * (shared/reference/workloads.md): min, median, p90, p99 and max of each trace.
 */
export const QUANTILE_PRESETS: Record<'conversation' | 'code' | 'summarization', { prompt: QuantileTable; output: QuantileTable; source: string }> = {
  conversation: {
    prompt: { p: [0, 0.5, 0.9, 0.99, 1], tokens: [2, 1020, 2734.5, 4142, 14050] },
    output: { p: [0, 0.5, 0.9, 0.99, 1], tokens: [7, 129, 424, 601, 1000] },
    source: 'splitwise_conv (Azure conversation trace), shared/reference/workloads.md',
  },
  code: {
    prompt: { p: [0, 0.5, 0.9, 0.99, 1], tokens: [3, 1469, 5187.6, 7436, 7437] },
    output: { p: [0, 0.5, 0.9, 0.99, 1], tokens: [6, 13, 55, 251.5, 1899] },
    source: 'splitwise_code (Azure code trace), shared/reference/workloads.md',
  },
  summarization: {
    prompt: { p: [0, 0.5, 0.9, 0.99, 1], tokens: [1, 2730, 3702, 3933.4, 4054] },
    output: { p: [0, 0.5, 0.9, 0.99, 1], tokens: [5, 167, 372, 3271.3, 4056] },
    source: 'arxiv_summarization (filtered), shared/reference/workloads.md',
  },
};

/** Reads a scenario's quantile mapping ({"0": 2, "0.5": 1020, ...}) into a table, or explains what is wrong. */
export function quantileTableFrom(map: Record<string, number>): QuantileTable | string {
  const entries = Object.entries(map).map(([k, v]) => [Number(k), v] as const);
  if (entries.some(([p]) => !Number.isFinite(p) || p < 0 || p > 1)) return 'quantile keys must be probabilities between 0 and 1, such as "0", "0.5", "0.99", "1"';
  entries.sort((a, b) => a[0] - b[0]);
  if (entries.length < 2 || entries[0]![0] !== 0 || entries[entries.length - 1]![0] !== 1) return 'a quantile table needs at least the points "0" (min) and "1" (max)';
  for (let i = 1; i < entries.length; i++) if (entries[i]![1] < entries[i - 1]![1]) return 'token counts must not decrease as the quantile grows';
  return { p: entries.map((e) => e[0]), tokens: entries.map((e) => e[1]) };
}

/**
 * Draws from a quantile table by inverse transform, interpolating linearly in log tokens
 * between points (lengths are multiplicative, so log space keeps the right skew).
 */
export function drawFromQuantiles(u: Uniform, t: QuantileTable): number {
  const x = u();
  let i = 1;
  while (i < t.p.length - 1 && t.p[i]! < x) i++;
  const p0 = t.p[i - 1]!, p1 = t.p[i]!;
  const l0 = Math.log(Math.max(1, t.tokens[i - 1]!)), l1 = Math.log(Math.max(1, t.tokens[i]!));
  const f = p1 > p0 ? (x - p0) / (p1 - p0) : 0;
  return Math.exp(l0 + f * (l1 - l0));
}
