import type { VariantResult } from '../engine/run-variant.js';
import type { Summary } from '../report/summary.js';

/** One number that moved between two runs. */
export interface MetricChange {
  scenario: string;
  variant: string;
  metric: string;
  base: number;
  head: number;
  abs_delta: number;
  /** (head − base) / |base|; ±Infinity when base is 0. */
  rel_delta: number;
}

export interface Comparison {
  rtol: number;
  changes: MetricChange[];
  missing_scenarios: string[];
  new_scenarios: string[];
  missing_variants: { scenario: string; variant: string }[];
  new_variants: { scenario: string; variant: string }[];
  compared: number;
}

/** Which parts of a variant are compared: the series (chart data) never are. */
const SECTIONS = ['metrics', 'capacity', 'explain', 'accuracy_proxy'] as const;

/** Flattens nested numbers to dotted paths; `metrics.` is dropped so users write rps, ttft_s.p99. */
export function flattenNumbers(v: VariantResult): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (x: unknown, path: string) => {
    if (typeof x === 'number') out.set(path, x);
    else if (Array.isArray(x)) x.forEach((y, i) => walk(y, `${path}[${i}]`));
    else if (x && typeof x === 'object') for (const [k, y] of Object.entries(x)) walk(y, path ? `${path}.${k}` : k);
  };
  for (const section of SECTIONS) {
    const value = (v as unknown as Record<string, unknown>)[section];
    if (value !== undefined) walk(value, section === 'metrics' ? '' : section);
  }
  return out;
}

/** Variants match on their label and effective params. */
function variantKey(v: VariantResult): string {
  return JSON.stringify([v.label, v.params]);
}

/** True when a metric path is selected by a --metrics list (exact path or a prefix such as ttft_s). */
function selected(path: string, metrics: readonly string[] | undefined): boolean {
  return !metrics || metrics.some((m) => path === m || path.startsWith(`${m}.`));
}

function moved(base: number, head: number, rtol: number): boolean {
  if (Object.is(base, head)) return false;
  if (Number.isNaN(base) || Number.isNaN(head)) return true;
  return Math.abs(head - base) > rtol * Math.abs(base) || (base === 0 && head !== 0);
}

/** Compares two sets of summaries (by scenario name) metric by metric. */
export function compareSummaries(
  base: Map<string, Summary>,
  head: Map<string, Summary>,
  opts: { rtol?: number; metrics?: readonly string[] } = {},
): Comparison {
  const rtol = opts.rtol ?? 0.005;
  const c: Comparison = { rtol, changes: [], missing_scenarios: [], new_scenarios: [], missing_variants: [], new_variants: [], compared: 0 };
  for (const name of [...base.keys()].sort()) if (!head.has(name)) c.missing_scenarios.push(name);
  for (const name of [...head.keys()].sort()) if (!base.has(name)) c.new_scenarios.push(name);
  for (const [name, b] of [...base].sort((x, y) => x[0].localeCompare(y[0]))) {
    const h = head.get(name);
    if (!h) continue;
    const headByKey = new Map(h.variants.map((v) => [variantKey(v), v]));
    const baseKeys = new Set(b.variants.map(variantKey));
    for (const bv of b.variants) {
      const hv = headByKey.get(variantKey(bv));
      if (!hv) {
        c.missing_variants.push({ scenario: name, variant: bv.label });
        continue;
      }
      const hm = flattenNumbers(hv);
      for (const [path, bx] of flattenNumbers(bv)) {
        if (!selected(path, opts.metrics)) continue;
        const hx = hm.get(path);
        if (hx === undefined) continue;
        c.compared++;
        if (moved(bx, hx, rtol)) {
          c.changes.push({ scenario: name, variant: bv.label, metric: path, base: bx, head: hx, abs_delta: hx - bx, rel_delta: bx === 0 ? (hx > 0 ? Infinity : -Infinity) : (hx - bx) / Math.abs(bx) });
        }
      }
    }
    for (const hv of h.variants) if (!baseKeys.has(variantKey(hv))) c.new_variants.push({ scenario: name, variant: hv.label });
  }
  c.changes.sort((x, y) => Math.abs(y.rel_delta) - Math.abs(x.rel_delta) || x.scenario.localeCompare(y.scenario) || x.variant.localeCompare(y.variant) || x.metric.localeCompare(y.metric));
  return c;
}

/** True when the comparison found anything: a moved metric, or a scenario or variant on one side only. */
export function hasDifferences(c: Comparison): boolean {
  return c.changes.length + c.missing_scenarios.length + c.new_scenarios.length + c.missing_variants.length + c.new_variants.length > 0;
}
