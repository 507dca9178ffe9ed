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

/** The variant a gain is measured against: same everything, quant_policy 0. */
export function fp16Baseline(variants: readonly VariantResult[], v: VariantResult): VariantResult | undefined {
  const key = (x: VariantResult) => JSON.stringify({ ...x.params, quant_policy: 0 });
  const k = key(v);
  return variants.find((x) => x.params.quant_policy === 0 && key(x) === k);
}

/** Stable JSON text of a summary (two-space indent, trailing newline). */
export function summaryJson(s: Summary): string {
  return `${JSON.stringify(s, null, 2)}\n`;
}
