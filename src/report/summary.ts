import type { VariantResult } from '../engine/run-variant.js';

/** summary.json: everything a run produced, with no wall-clock values, so identical runs give identical bytes. */
export interface Summary {
  kvsim: { version: string; schema: 'kvsim-summary/1' };
  scenario: string;
  description?: string;
  seed: number;
  variants: VariantResult[];
  /** Only in the partial summaries of `kvsim run --shard`; kvsim merge removes it. */
  shard?: { index: number; count: number; variant_indices: number[]; total_variants: number };
}

const baselines = new WeakMap<Summary, Map<string, VariantResult>>();
const twinKey = (v: VariantResult) => JSON.stringify({ ...v.params, quant_policy: 0 });

/**
 * The variant a gain is measured against: same everything, quant_policy 0. Looked up in an
 * index built once per summary, so tables and charts of large sweeps stay linear.
 */
export function fp16Baseline(summary: Summary, v: VariantResult): VariantResult | undefined {
  let index = baselines.get(summary);
  if (!index) {
    index = new Map();
    for (const x of summary.variants) if (x.params.quant_policy === 0 && !index.has(twinKey(x))) index.set(twinKey(x), x);
    baselines.set(summary, index);
  }
  return index.get(twinKey(v));
}

/** Stable JSON text of a summary (two-space indent, trailing newline). */
export function summaryJson(s: Summary): string {
  return `${JSON.stringify(s, null, 2)}\n`;
}
