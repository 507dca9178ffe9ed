/**
 * Exact order statistics without sorting everything. A weighted sample (value v with integer
 * weight w stands for w equal observations) of millions of values would take seconds to sort;
 * quantiles need only a few hundred ranks. Each level buckets the values into a histogram,
 * finds the buckets that hold the wanted ranks and recurses into those alone, so the work is
 * a few linear passes. Small buckets are finished with a plain sort.
 */

const BINS = 8192;
const SMALL = 512;

/**
 * The values at the given 0-based ranks of the expanded sample, in the order of `ranks`.
 * Ranks must lie in [0, total weight). Zero or negative weights are ignored.
 */
export function valuesAtRanks(values: Float64Array, weights: Float64Array | null, ranks: readonly number[]): number[] {
  const order = ranks.map((r, i) => [r, i] as const).sort((a, b) => a[0] - b[0]);
  const sorted = order.map(([r]) => r);
  const found = new Array<number>(sorted.length);
  select(values, weights, sorted, 0, found, 0);
  const out = new Array<number>(ranks.length);
  order.forEach(([, i], j) => (out[i] = found[j]!));
  return out;
}

function select(values: Float64Array, weights: Float64Array | null, ranks: number[], base: number, out: number[], outAt: number): void {
  const n = values.length;
  if (n <= SMALL) return finishSmall(values, weights, ranks, base, out, outAt);
  let min = Infinity, max = -Infinity;
  for (let i = 0; i < n; i++) {
    if (weights && !(weights[i]! > 0)) continue;
    const x = values[i]!;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  if (min === max) {
    for (let j = 0; j < ranks.length; j++) out[outAt + j] = min;
    return;
  }
  const scale = BINS / (max - min);
  const last = BINS - 1;
  // Each value's bin, computed once (the same expression in both passes would be as exact, but slower).
  const bins = new Int16Array(n);
  const mass = new Float64Array(BINS), count = new Int32Array(BINS);
  for (let i = 0; i < n; i++) {
    const w = weights ? weights[i]! : 1;
    if (!(w > 0)) {
      bins[i] = -1;
      continue;
    }
    let b = Math.floor((values[i]! - min) * scale);
    if (b > last) b = last;
    bins[i] = b;
    mass[b]! += w;
    count[b]!++;
  }
  // Which bin holds each rank, and how much weight lies below it.
  const binOfRank = new Int32Array(ranks.length);
  const below = new Float64Array(BINS + 1);
  for (let b = 0; b < BINS; b++) below[b + 1] = below[b]! + mass[b]!;
  let b = 0;
  for (let j = 0; j < ranks.length; j++) {
    const r = ranks[j]! - base;
    while (b < BINS - 1 && below[b + 1]! <= r) b++;
    binOfRank[j] = b;
  }
  // Gather the values of the needed bins only, then recurse into each.
  const slot = new Int32Array(BINS).fill(-1);
  const needed: number[] = [];
  for (let j = 0; j < ranks.length; j++) {
    const bin = binOfRank[j]!;
    if (slot[bin] === -1) {
      slot[bin] = needed.length;
      needed.push(bin);
    }
  }
  const subV = needed.map((bin) => new Float64Array(count[bin]!));
  const subW = weights ? needed.map((bin) => new Float64Array(count[bin]!)) : null;
  const fill = new Int32Array(needed.length);
  for (let i = 0; i < n; i++) {
    const bin = bins[i]!;
    if (bin < 0) continue;
    const s = slot[bin]!;
    if (s < 0) continue;
    const k = fill[s]!++;
    subV[s]![k] = values[i]!;
    if (subW) subW[s]![k] = weights![i]!;
  }
  let j = 0;
  while (j < ranks.length) {
    const bin = binOfRank[j]!;
    let k = j;
    while (k < ranks.length && binOfRank[k] === bin) k++;
    const s = slot[bin]!;
    select(subV[s]!, subW ? subW[s]! : null, ranks.slice(j, k), base + below[bin]!, out, outAt + j);
    j = k;
  }
}

function finishSmall(values: Float64Array, weights: Float64Array | null, ranks: number[], base: number, out: number[], outAt: number): void {
  const idx = Array.from({ length: values.length }, (_, i) => i).filter((i) => !weights || weights[i]! > 0);
  idx.sort((a, b) => values[a]! - values[b]!);
  let cum = 0, k = 0;
  for (let j = 0; j < ranks.length; j++) {
    const r = ranks[j]! - base;
    while (k < idx.length && cum + (weights ? weights[idx[k]!]! : 1) <= r) {
      cum += weights ? weights[idx[k]!]! : 1;
      k++;
    }
    out[outAt + j] = values[idx[Math.min(k, idx.length - 1)]!]!;
  }
}

/**
 * Linear-interpolation quantiles (type 7, as simple-statistics' quantileSorted) of the
 * expanded weighted sample, for several p at once.
 */
export function quantiles(values: Float64Array, weights: Float64Array | null, ps: readonly number[]): number[] {
  let total = 0;
  if (weights) for (let i = 0; i < weights.length; i++) total += weights[i]! > 0 ? weights[i]! : 0;
  else total = values.length;
  if (total === 0) return ps.map(() => 0);
  const need = new Set<number>();
  const plan = ps.map((p) => {
    const idx = (total - 1) * Math.min(1, Math.max(0, p));
    const lo = Math.floor(idx);
    const hi = Math.min(total - 1, lo + 1);
    need.add(lo);
    if (idx !== lo) need.add(hi);
    return { lo, hi, frac: idx - lo };
  });
  const ranks = [...need];
  const at = new Map(valuesAtRanks(values, weights, ranks).map((v, i) => [ranks[i]!, v]));
  return plan.map(({ lo, hi, frac }) => {
    const a = at.get(lo)!;
    return frac === 0 ? a : a + frac * (at.get(hi)! - a);
  });
}

/** Weighted mean. */
export function weightedMean(values: Float64Array, weights: Float64Array | null): number {
  let s = 0, w = 0;
  for (let i = 0; i < values.length; i++) {
    const wi = weights ? weights[i]! : 1;
    if (!(wi > 0)) continue;
    s += values[i]! * wi;
    w += wi;
  }
  return w > 0 ? s / w : 0;
}
