import type { VariantResult } from '../../engine/run-variant.js';
import { fp16Baseline, type Summary } from '../summary.js';
import { POLICY_ORDER, type PolicyName } from './theme.js';

/** One variant of one summary, with what every chart needs to place it. */
export interface Row {
  /** Which summary it came from (scenario name, made unique); '' when there is only one summary. */
  source: string;
  summary: Summary;
  v: VariantResult;
  label: string;
  policy: PolicyName;
  /** The variant's label without its policy ("c=64"); '' when only the policy varies. */
  group: string;
  /** Position in the input, for stable sorting. */
  order: number;
}

export function policyName(p: number): PolicyName {
  return p === 0 ? 'fp16' : p === 8 ? 'int8' : 'int4';
}

/** Names that tell summaries apart: the scenario name, suffixed " (2)", " (3)" when two are equal. */
export function sourceNames(summaries: readonly Summary[]): string[] {
  const seen = new Map<string, number>();
  return summaries.map((s) => {
    const n = (seen.get(s.scenario) ?? 0) + 1;
    seen.set(s.scenario, n);
    return n === 1 ? s.scenario : `${s.scenario} (${n})`;
  });
}

/** Every variant of every summary, in input order. */
export function variantRows(summaries: readonly Summary[]): Row[] {
  const names = sourceNames(summaries);
  const multi = summaries.length > 1;
  const rows: Row[] = [];
  summaries.forEach((s, i) => {
    for (const v of s.variants) {
      const policy = policyName(v.params.quant_policy);
      const words = v.label.split(' ');
      const group = words[0] === policy ? words.slice(1).join(' ') : v.label === policy ? '' : v.label;
      rows.push({ source: multi ? names[i]! : '', summary: s, v, label: v.label, policy, group, order: rows.length });
    }
  });
  return rows;
}

/** Policies present, in legend order. */
export function policiesOf(rows: readonly Row[]): PolicyName[] {
  return POLICY_ORDER.filter((p) => rows.some((r) => r.policy === p));
}

/** Distinct values in first-seen order. */
export function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

export function baselineOf(r: Row): VariantResult | undefined {
  return fp16Baseline(r.summary, r.v);
}

/** Throughput gain of a variant over its fp16 twin (same other params), e.g. 0.42; undefined without a twin. */
export function rpsGain(r: Row): number | undefined {
  const base = baselineOf(r);
  return base && base.metrics.rps > 0 ? r.v.metrics.rps / base.metrics.rps - 1 : undefined;
}

export function outputGain(r: Row): number | undefined {
  const base = baselineOf(r);
  return base && base.metrics.output_tok_s > 0 ? r.v.metrics.output_tok_s / base.metrics.output_tok_s - 1 : undefined;
}

/** Keeps the rows of the first `max` groups (source + group), and says so when it drops any. */
export function capGroups(rows: Row[], max: number, notes: string[]): Row[] {
  const groups = unique(rows.map((r) => `${r.source}\u0000${r.group}`));
  if (groups.length <= max) return rows;
  const keep = new Set(groups.slice(0, max));
  notes.push(`showing the first ${max} of ${groups.length} settings`);
  return rows.filter((r) => keep.has(`${r.source}\u0000${r.group}`));
}

/** "+27%", "−3%", "±0%". */
export function gainText(g: number): string {
  const pct = Math.round(g * 100);
  return pct === 0 ? '±0%' : pct > 0 ? `+${pct}%` : `−${-pct}%`;
}

export type LoadKey = 'concurrency' | 'rate';

/** The load a variant ran at, if its arrival process has one. */
export function loadOf(v: VariantResult, key: LoadKey): number | undefined {
  const a = v.params.arrival as Record<string, unknown> | null | undefined;
  const x = a && typeof a === 'object' ? a[key] : undefined;
  return typeof x === 'number' && Number.isFinite(x) ? x : undefined;
}

/** Which load a set of summaries sweeps: closed-loop concurrency or arrival rate, if any summary varies it. */
export function sweptLoad(summaries: readonly Summary[]): LoadKey | undefined {
  for (const key of ['concurrency', 'rate'] as const) {
    for (const s of summaries) {
      const values = s.variants.map((v) => loadOf(v, key));
      if (values.every((x) => x !== undefined) && new Set(values).size > 1) return key;
    }
  }
  return undefined;
}

export function loadTitle(key: LoadKey): string {
  return key === 'concurrency' ? 'concurrency (closed-loop clients)' : 'arrival rate (requests/s)';
}

/** The params that differ between a summary's variants, besides quant_policy (and `except`). */
export function varyingParams(s: Summary, except: readonly string[] = []): string[] {
  const first = s.variants[0];
  if (!first) return [];
  const keys = Object.keys(first.params).filter((k) => k !== 'quant_policy' && !except.includes(k));
  return keys.filter((k) => s.variants.some((v) => JSON.stringify((v.params as unknown as Record<string, unknown>)[k]) !== JSON.stringify((first.params as unknown as Record<string, unknown>)[k])));
}

/** A short text of a variant's values for some params ("max_batch_size=64 llama3-8b"). */
export function paramsText(v: VariantResult, keys: readonly string[]): string {
  const p = v.params as unknown as Record<string, unknown>;
  return keys.map((k) => {
    const x = p[k];
    if (k === 'model' || k === 'device' || k === 'backend') return String(x);
    return `${k}=${typeof x === 'object' ? JSON.stringify(x) : String(x)}`;
  }).join(' ');
}

/** "llama2-7b on a100-80g (tp 1, turbomind)". */
export function setupText(v: VariantResult): string {
  const p = v.params;
  return `${p.model} on ${p.device} (tp ${p.tp}, ${p.backend})`;
}

/** "10000 requests, ShareGPT lengths, 256 closed-loop clients". */
export function workloadText(v: VariantResult): string {
  const p = v.params;
  const a = (p.arrival ?? {}) as Record<string, unknown>;
  const l = (p.lengths ?? {}) as Record<string, unknown>;
  const arrival = a.type === 'closed-loop' ? `${String(a.concurrency)} closed-loop clients`
    : a.type === 'poisson' ? `Poisson arrivals at ${String(a.rate)} req/s`
    : a.type === 'gamma' ? `gamma arrivals at ${String(a.rate)} req/s (cv ${String(a.cv)})`
    : a.type === 'trace' ? 'arrivals from a trace' : 'arrivals';
  const lengths = l.type === 'sharegpt' ? 'ShareGPT lengths' : typeof l.type === 'string' ? `${l.type} lengths` : 'lengths';
  return `${p.requests} requests, ${lengths}, ${arrival}`;
}

/** The subtitle line naming a summary's setup, with the swept params left out. */
export function subtitleFor(summaries: readonly Summary[]): string[] {
  const lines: string[] = [];
  for (const s of summaries.slice(0, 3)) {
    const v = s.variants[0];
    if (!v) continue;
    const varying = varyingParams(s);
    const setup = varying.some((k) => ['model', 'device', 'tp', 'backend'].includes(k)) ? '' : setupText(v);
    const workload = varying.some((k) => ['requests', 'arrival', 'lengths'].includes(k)) ? '' : workloadText(v);
    const prefix = summaries.length > 1 ? `${s.scenario}: ` : '';
    const text = [setup, workload].filter(Boolean).join(' · ');
    if (text) lines.push(prefix + text);
  }
  if (summaries.length > 3) lines.push(`… and ${summaries.length - 3} more`);
  return lines;
}

/** The accuracy proxy of a variant (added by the accuracy model), if present and well-formed. */
export interface AccuracyProxy {
  context: number;
  rel_error: number;
  sqnr_db: number | null;
  kl_div: number;
  expected_score_change: number;
  expected_score_change_band: [number, number];
}

export function accuracyProxy(v: VariantResult): AccuracyProxy | undefined {
  const a = (v as unknown as { accuracy_proxy?: unknown }).accuracy_proxy as Partial<AccuracyProxy> | null | undefined;
  if (!a || typeof a !== 'object') return undefined;
  if (typeof a.rel_error !== 'number' || typeof a.expected_score_change !== 'number') return undefined;
  const band = Array.isArray(a.expected_score_change_band) && a.expected_score_change_band.length === 2 && a.expected_score_change_band.every((x) => typeof x === 'number')
    ? a.expected_score_change_band : [a.expected_score_change, a.expected_score_change] as [number, number];
  return {
    context: typeof a.context === 'number' ? a.context : NaN,
    rel_error: a.rel_error,
    sqnr_db: typeof a.sqnr_db === 'number' ? a.sqnr_db : null,
    kl_div: typeof a.kl_div === 'number' ? a.kl_div : NaN,
    expected_score_change: a.expected_score_change,
    expected_score_change_band: band,
  };
}

/** Relative error of the attention output per context length and policy, if the run measured it. */
export interface AccuracyCurve {
  context: number[];
  fp16: number[];
  int8: number[];
  int4: number[];
}

export function accuracyCurve(v: VariantResult): AccuracyCurve | undefined {
  const c = (v.series as unknown as { accuracy_curve?: unknown } | undefined)?.accuracy_curve as Partial<AccuracyCurve> | null | undefined;
  if (!c || typeof c !== 'object' || !Array.isArray(c.context)) return undefined;
  const n = c.context.length;
  const ok = (xs: unknown): xs is number[] => Array.isArray(xs) && xs.length === n && xs.every((x) => typeof x === 'number');
  if (n === 0 || !ok(c.context) || !ok(c.fp16) || !ok(c.int8) || !ok(c.int4)) return undefined;
  return { context: c.context, fp16: c.fp16, int8: c.int8, int4: c.int4 };
}

/** Rounds for inlined chart data, so specs stay small and do not carry float noise. */
export function round(x: number, digits = 4): number {
  if (!Number.isFinite(x)) return x;
  if (x === 0) return 0;
  const mag = Math.floor(Math.log10(Math.abs(x)));
  const f = 10 ** Math.max(0, digits - 1 - mag);
  return Math.round(x * f) / f;
}

/** Milliseconds, rounded to 4 significant digits. */
export function toMs(seconds: number): number {
  return round(seconds * 1000, 4);
}

/** "1k", "2k", "512": tick labels for token counts. */
export const TOKENS_LABEL_EXPR = "datum.value >= 1024 && datum.value % 1024 === 0 ? (datum.value / 1024) + 'k' : format(datum.value, ',')";

/**
 * A log axis with round ticks: the data extent padded by 8% each way, with ticks at the
 * 1-2-5 steps inside it (only powers of ten when there would be more than `maxTicks`).
 */
export function logAxis(lo: number, hi: number, maxTicks = 9): { domain: [number, number]; values: number[] } {
  const domain: [number, number] = [round(lo / 1.08, 3), round(hi * 1.08, 3)];
  const cands: number[] = [];
  for (let e = Math.floor(Math.log10(lo)) - 1; e <= Math.ceil(Math.log10(hi)) + 1; e++) {
    for (const s of [1, 2, 5]) cands.push(Number((s * 10 ** e).toPrecision(12)));
  }
  let values = cands.filter((c) => c >= domain[0] && c <= domain[1]);
  if (values.length > maxTicks) values = values.filter((v) => Number(v.toPrecision(1)) === 10 ** Math.round(Math.log10(v)));
  return { domain, values };
}

/** Line widths that let overlapping policy lines show through: fp16 widest, int4 thinnest. */
export function policyStrokeWidth(present: readonly string[]) {
  const domain = ['fp16', 'int8', 'int4'].filter((p) => present.includes(p));
  const widths: Record<string, number> = { fp16: 3.4, int8: 2.4, int4: 1.6 };
  return { field: 'policy', type: 'ordinal' as const, sort: domain, scale: { domain, range: domain.map((p) => widths[p]!) } };
}

/** Tick labels of an axis with explicit values, formatted exactly (an axis format would round them to the tick step). */
export const EXACT_LABEL_EXPR = "format(datum.value, ',~r')";

/** Whether load values are spaced geometrically (8, 16, 32, ...), so a log axis spreads them evenly. */
export function geometric(sorted: readonly number[]): boolean {
  if (sorted.length < 3 || !(sorted[0]! > 0)) return false;
  if (sorted[sorted.length - 1]! / sorted[0]! < 8) return false;
  for (let i = 1; i < sorted.length; i++) if (sorted[i]! / sorted[i - 1]! < 1.5) return false;
  return true;
}
