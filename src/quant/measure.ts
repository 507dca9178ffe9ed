/**
 * The measurement behind the accuracy proxy: attention with the exact
 * (fp16) K/V versus the K/V read back from a quantized cache, over several
 * synthetic heads and queries.
 *
 * Cost: generating a head (2 * L * head_dim Gaussians rounded to fp16) and
 * quantizing it dominate, so each head is generated once and evaluated for
 * all requested policies, and generated heads are kept in a small cache:
 * heads are prefix-consistent (synth.ts), so a head generated at context L
 * serves every context <= L. Results are cached per (profile, head_dim,
 * policy, context, seed).
 */
import { attentionLogits, attentionOutput, klDivergence, relativeL2Error, softmaxInto } from './attention.js';
import { storeCache, type CacheView, type CodeBuffers } from './kvcache.js';
import { assertValidProfile, profileKey, type ActivationProfile } from './profile.js';
import { kvBits as bitsOf, type QuantPolicy } from './formats.js';
import { synthesizeHead, synthesizeQueries, type SynthHead } from './synth.js';

export type { QuantPolicy } from './formats.js';

/** Heads and queries per head evaluated at a context length. */
export interface SamplingPlan {
  heads: number;
  queriesPerHead: number;
}

/** Samples (head x query) at short contexts. */
const MAX_SAMPLES = 64;
/** Floor on the samples at long contexts (cost grows ~linearly with context beyond 16384). */
const MIN_SAMPLES = 16;
/** Most heads generated per measurement. */
const MAX_HEADS = 4;
/** Queries per head when there are samples to spare. */
const QUERIES_PER_HEAD = 16;
/** samples x context held constant between the two bounds. */
const SAMPLE_TOKEN_BUDGET = 64 * 4096;

/**
 * How many heads and queries to average at a context. Heads come out alike
 * (stratified channel scales: the between-head spread of the error is
 * negligible), while single queries scatter widely (coefficient of variation
 * 0.5-0.7: each output is dominated by a few tokens), so samples go to
 * queries. 64 samples (4 heads x 16) up to 4096 tokens, then the work
 * samples x tokens is held at 64 x 4096 down to a floor of 16 samples
 * (1 head x 16 from 16384 tokens on); the standard error of the mean
 * rel_error is then about 8% of it at <= 4096 tokens and 15% at >= 16384.
 */
export function samplingPlan(contextLen: number): SamplingPlan {
  const samples = Math.max(MIN_SAMPLES, Math.min(MAX_SAMPLES, Math.floor(SAMPLE_TOKEN_BUDGET / contextLen)));
  const heads = Math.max(1, Math.min(MAX_HEADS, Math.round(samples / QUERIES_PER_HEAD)));
  return { heads, queriesPerHead: Math.round(samples / heads) };
}

/** Options of one measurement. */
export interface MeasureOptions {
  profile: ActivationProfile;
  headDim: number;
  contextLen: number;
  seed: number;
}

/** Raw measurement of one policy: per-sample errors and summed energies. */
export interface Measurement {
  quantPolicy: QuantPolicy;
  contextLen: number;
  /** ||o_q - o|| / ||o|| per (head, query) sample. */
  relErrors: number[];
  /** KL(p_exact || p_quant) per sample, nats. */
  klDivs: number[];
  keySignal: number;
  keyNoise: number;
  valueSignal: number;
  valueNoise: number;
  plan: SamplingPlan;
}

/** Generated heads by (profile, head_dim, seed, head), most recently used last. */
const heads = new Map<string, SynthHead>();
/** Cap on the K+V elements held by the head cache (2^24 floats = 64 MiB: two 32k-token heads of 128). */
const HEAD_CACHE_ELEMENTS = 2 ** 24;

/** Head `head` at `contextLen`: a prefix view of a cached head of at least that length, or a new one. */
function cachedHead(opts: MeasureOptions, head: number): SynthHead {
  const { profile, headDim, contextLen, seed } = opts;
  const key = `${profileKey(profile)}|${headDim}|${seed}|${head}`;
  let full = heads.get(key);
  if (!full || full.contextLen < contextLen) {
    full = synthesizeHead({ profile, headDim, contextLen, seed, head });
  }
  heads.delete(key);
  heads.set(key, full);
  let held = 0;
  for (const h of heads.values()) held += h.keys.length + h.values.length;
  for (const [k, h] of heads) {
    if (held <= HEAD_CACHE_ELEMENTS || h === full) break;
    heads.delete(k);
    held -= h.keys.length + h.values.length;
  }
  const n = contextLen * headDim;
  return { ...full, contextLen, keys: full.keys.subarray(0, n), values: full.values.subarray(0, n) };
}

/** Grow-only scratch for the quantized caches (single-threaded, synchronous use). */
let scratch: { tokens: number; elements: number; keys: CodeBuffers; values: CodeBuffers } | undefined;

/** Code buffers for `tokens` rows of `headDim`, reused across calls (large fresh arrays are slow to fault in). */
function codeScratch(tokens: number, headDim: number): { keys: CodeBuffers; values: CodeBuffers } {
  const elements = tokens * headDim;
  if (!scratch || scratch.tokens < tokens || scratch.elements < elements) {
    const t = Math.max(tokens, scratch?.tokens ?? 0);
    const e = Math.max(elements, scratch?.elements ?? 0);
    const make = (): CodeBuffers => ({ codes: new Uint8Array(e), scale: new Float64Array(t), zero: new Float64Array(t) });
    scratch = { tokens: t, elements: e, keys: make(), values: make() };
  }
  return scratch;
}

/** One query's attention: logits, log-sum-exp, weights, output. */
interface Attention {
  logits: Float64Array;
  lse: number;
  weights: Float64Array;
  output: Float64Array;
}

/** Attention of `q` over the given K and V caches, into fresh arrays or `into`. */
function attend(q: Float64Array, keys: CacheView, values: CacheView, tokens: number, into?: Attention): Attention {
  const a = into ?? { logits: new Float64Array(tokens), lse: 0, weights: new Float64Array(tokens), output: new Float64Array(q.length) };
  attentionLogits(q, keys, a.logits);
  a.lse = softmaxInto(a.logits, a.weights);
  attentionOutput(a.weights, values, a.output);
  return a;
}

/** Whether `view` is a dense cache over exactly the elements of `data`. */
function isSameDense(view: CacheView, data: Float32Array): boolean {
  return view.kind === 'dense' && view.data.buffer === data.buffer && view.data.byteOffset === data.byteOffset && view.data.length === data.length;
}

/**
 * Measure the given policies (no result caching): for each head of the
 * sampling plan, take K/V (generated once), build the queries and their
 * exact attention, then for each policy store the cache, rerun attention
 * and record the errors against the exact run.
 */
export function measurePolicies(opts: MeasureOptions, policies: readonly QuantPolicy[]): Measurement[] {
  const { profile, headDim, contextLen, seed } = opts;
  assertValidProfile(profile, headDim);
  if (!Number.isInteger(contextLen) || contextLen < 16) throw new RangeError(`contextLen must be an integer >= 16, got ${contextLen}`);
  const plan = samplingPlan(contextLen);
  const buffers = codeScratch(contextLen, headDim);
  const results: Measurement[] = policies.map((quantPolicy) => ({
    quantPolicy, contextLen, relErrors: [], klDivs: [], keySignal: 0, keyNoise: 0, valueSignal: 0, valueNoise: 0, plan,
  }));
  const work: Attention = { logits: new Float64Array(contextLen), lse: 0, weights: new Float64Array(contextLen), output: new Float64Array(headDim) };
  for (let h = 0; h < plan.heads; h++) {
    const head = cachedHead(opts, h);
    const queries = synthesizeQueries(head, profile, plan.queriesPerHead, seed, h, work.logits);
    const exactKeys: CacheView = { kind: 'dense', data: head.keys };
    const exactValues: CacheView = { kind: 'dense', data: head.values };
    const exact = queries.map((q) => attend(q, exactKeys, exactValues, contextLen));
    for (const result of results) {
      const bits = bitsOf(result.quantPolicy);
      const k = storeCache(head.keys, contextLen, headDim, bits, buffers.keys);
      const v = storeCache(head.values, contextLen, headDim, bits, buffers.values);
      result.keySignal += k.signalEnergy;
      result.keyNoise += k.noiseEnergy;
      result.valueSignal += v.signalEnergy;
      result.valueNoise += v.noiseEnergy;
      // An fp16 cache of fp16 data is the data itself (storeCache checks it), so
      // its attention is the exact run, bit for bit: reuse it instead of redoing it.
      const same = isSameDense(k.view, head.keys) && isSameDense(v.view, head.values);
      queries.forEach((q, i) => {
        const e = exact[i] as Attention;
        const a = same ? e : attend(q, k.view, v.view, contextLen, work);
        result.relErrors.push(relativeL2Error(a.output, e.output));
        result.klDivs.push(klDivergence(e.weights, e.logits, e.lse, a.logits, a.lse));
      });
    }
  }
  return results;
}

const results = new Map<string, Measurement>();
const RESULT_CACHE_LIMIT = 4096;

/** Cache key of one (profile, head_dim, policy, context, seed). */
function resultKey(opts: MeasureOptions, policy: QuantPolicy): string {
  return `${profileKey(opts.profile)}|${opts.headDim}|${policy}|${opts.contextLen}|${opts.seed}`;
}

/**
 * Cached measurements of `policies` (in that order): the missing ones are
 * measured together, sharing the generated heads.
 */
export function measureCached(opts: MeasureOptions, policies: readonly QuantPolicy[]): Measurement[] {
  const missing = [...new Set(policies)].filter((p) => !results.has(resultKey(opts, p)));
  if (missing.length > 0) {
    for (const m of measurePolicies(opts, missing)) results.set(resultKey(opts, m.quantPolicy), m);
    while (results.size > RESULT_CACHE_LIMIT) results.delete(results.keys().next().value as string);
  }
  return policies.map((p) => results.get(resultKey(opts, p)) as Measurement);
}

/**
 * Drop the cached results and, unless `keepHeads`, the cached heads and the
 * scratch memory (for timing, tests, and to release ~100 MB after 32k runs).
 */
export function clearMeasurementCache(options: { keepHeads?: boolean } = {}): void {
  results.clear();
  if (options.keepHeads) return;
  heads.clear();
  scratch = undefined;
}
