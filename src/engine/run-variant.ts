import { Recorder, type Explain, type Metrics, type Series } from '../metrics/recorder.js';
import { accuracyProxy, accuracyReport, contextGrid, type AccuracyProxy } from '../quant/index.js';
import type { VariantConfig } from '../scenario/resolve.js';
import { KvsimError } from '../util/errors.js';
import { buildRequests, type RequestSet } from '../workload/requests.js';
import { capacity, maxSequences, type Capacity, type QuantPolicy } from './capacity.js';
import { CostModel } from './cost.js';
import { runPytorch } from './pytorch.js';
import { runPytorchExact } from './pytorch-exact.js';
import { runTurbomind } from './turbomind.js';
import { runTurbomindExact } from './turbomind-exact.js';
import type { BlockAudit, EngineStats, SchedulerParams } from './types.js';

export interface RunOptions {
  /** The step-by-step reference mode instead of the event-driven one. */
  exact?: boolean;
  baseDir: string;
  scenarioFile: string;
  onProgress?: (finished: number, simTimeS: number) => void;
  /** Compute the accuracy curve for charts (default true). */
  curves?: boolean;
  /** Test hook: the engine's block accounting after every iteration. */
  audit?: (a: BlockAudit) => void;
}

/** The effective values a variant ran with (summary.json `params`). */
export interface VariantParams {
  model: string;
  device: string;
  device_type: string;
  tp: number;
  backend: string;
  quant_policy: QuantPolicy;
  cache_max_entry_count: number;
  block_size: number;
  max_batch_size: number;
  max_prefill_token_num: number;
  session_len: number;
  max_context_token_num: number;
  prefill_interval: number;
  requests: number;
  arrival: unknown;
  lengths: unknown;
}

export interface VariantResult {
  label: string;
  params: VariantParams;
  capacity: Capacity;
  metrics: Metrics;
  explain: Explain;
  /** What the policy costs in quality at the workload's typical context (docs/accuracy.md). */
  accuracy_proxy: AccuracyProxy;
  warnings: string[];
  /** accuracy_curve is computed only when charts are drawn: it costs about a second per model. */
  series: Series & { capacity_curve: CapacityCurve; accuracy_curve?: AccuracyCurve };
}

/** Relative error of the attention output against context length, per policy. */
export interface AccuracyCurve {
  context: number[];
  fp16: number[];
  int8: number[];
  int4: number[];
}

export interface CapacityCurve {
  context: number[];
  fp16: number[];
  int8: number[];
  int4: number[];
  weight_bytes: number;
}

export function variantParams(c: VariantConfig): VariantParams {
  return {
    model: c.model.name,
    device: c.device.name,
    device_type: c.device.deviceType,
    tp: c.tp,
    backend: c.backend,
    quant_policy: c.quantPolicy,
    cache_max_entry_count: c.cacheMaxEntryCount,
    block_size: c.blockSize,
    max_batch_size: c.maxBatchSize,
    max_prefill_token_num: c.maxPrefillTokenNum,
    session_len: c.sessionLen,
    max_context_token_num: c.maxContextTokenNum,
    prefill_interval: c.prefillInterval,
    requests: c.requests,
    arrival: c.arrival,
    lengths: c.lengths,
  };
}

const requestCache = new Map<string, RequestSet>();

/** Requests for a variant; variants with the same workload, seed and tokenizer share one set. */
function requestsFor(c: VariantConfig, o: RunOptions): RequestSet {
  const key = JSON.stringify([c.requests, c.arrival, c.lengths, c.seed, c.model.tokenizerFactor, o.baseDir]);
  let rq = requestCache.get(key);
  if (!rq) {
    rq = buildRequests({ requests: c.requests, arrival: c.arrival, lengths: c.lengths, seed: c.seed, tokenizerFactor: c.model.tokenizerFactor, baseDir: o.baseDir, scenarioFile: o.scenarioFile });
    if (requestCache.size > 8) requestCache.clear();
    requestCache.set(key, rq);
  }
  return rq;
}

/**
 * Makes every request fit the session: a stated prompt that does not fit is an error; drawn
 * lengths are clipped (prompt to session_len − 1, output to what is left), as the engine
 * stops generating at session_len, and the number clipped is reported.
 */
function fitToSession(rq: RequestSet, c: VariantConfig, o: RunOptions): { rq: RequestSet; warning?: string } {
  const s = c.sessionLen;
  let bad = -1;
  for (let i = 0; i < rq.n; i++) if (rq.prompt[i]! + rq.output[i]! > s) { bad = i; break; }
  if (bad < 0) return { rq };
  const stated = c.lengths.type === 'fixed' || c.lengths.type === 'trace';
  if (stated && rq.prompt[bad]! >= s) {
    throw new KvsimError(`request ${bad + 1} has a ${rq.prompt[bad]}-token prompt, but session_len is ${s}`, {
      file: o.scenarioFile, keyPath: c.lengths.type === 'trace' ? `workload.lengths.file (row ${bad + 1})` : 'workload.lengths.prompt',
      hint: 'shorten the prompt or raise engine.session_len (and check the cache can hold it)',
    });
  }
  const prompt = rq.prompt.slice(), output = rq.output.slice();
  let clipped = 0;
  for (let i = 0; i < rq.n; i++) {
    if (prompt[i]! + output[i]! <= s) continue;
    clipped++;
    prompt[i] = Math.min(prompt[i]!, s - 1);
    output[i] = s - prompt[i]!;
  }
  return { rq: { ...rq, prompt, output }, warning: `${clipped} of ${rq.n} requests exceeded session_len ${s} and were clipped to it` };
}

/** Context lengths for the capacity curve: 256, 512, ... and the model's maximum positions. */
export function capacityContexts(maxPositions: number): number[] {
  const grid = contextGrid(maxPositions);
  return grid[grid.length - 1] === maxPositions ? grid : [...grid, maxPositions];
}

/** The context the accuracy proxy is quoted at: the grid point nearest (in log) to the mean request length. */
export function representativeContext(rq: RequestSet, sessionLen: number): number {
  let sum = 0;
  for (let i = 0; i < rq.n; i++) sum += rq.prompt[i]! + rq.output[i]!;
  const mean = sum / rq.n;
  const grid = contextGrid(Math.max(256, sessionLen));
  let best = grid[0]!;
  for (const l of grid) if (Math.abs(Math.log(l / mean)) < Math.abs(Math.log(best / mean))) best = l;
  return best;
}

function accuracyCurve(c: VariantConfig): AccuracyCurve {
  const context = contextGrid(Math.max(256, c.sessionLen));
  const reports = context.map((l) => accuracyReport({ profile: c.model.activationProfile, headDim: c.model.headDim, contextLen: l }));
  const at = (p: 0 | 8 | 4) => reports.map((r) => r.find((x) => x.quant_policy === p)!.rel_error);
  return { context, fp16: at(0), int8: at(8), int4: at(4) };
}

function capacityCurve(c: VariantConfig): CapacityCurve {
  const context = capacityContexts(c.model.maxPositions);
  const per = (policy: QuantPolicy) => {
    const cap = capacity({ model: c.model, device: c.device, policy, tp: c.tp, backend: c.backend, cacheMaxEntryCount: c.cacheMaxEntryCount, blockSize: c.blockSize, maxPrefillTokenNum: c.maxPrefillTokenNum });
    return context.map((l) => maxSequences(cap, l));
  };
  return { context, fp16: per(0), int8: per(8), int4: per(4), weight_bytes: c.capacity.weight_bytes };
}

/** Per-request timings of a run, for requests.csv. */
export interface PerRequest {
  prompt: Int32Array;
  output: Int32Array;
  arrivalS: Float64Array;
  scheduledS: Float64Array;
  firstTokenS: Float64Array;
  finishS: Float64Array;
  preemptions: Int32Array;
}

/** What simulating a variant produces, before the accuracy proxy and chart curves are added. */
export interface Simulation {
  rq: RequestSet;
  recorder: Recorder;
  stats: EngineStats;
  warnings: string[];
  finalized: ReturnType<Recorder['finalize']>;
}

/** The simulation proper: requests, the engine, metrics. This is what `npm run bench` times. */
export function simulateVariant(c: VariantConfig, o: RunOptions): Simulation {
  const fitted = fitToSession(requestsFor(c, o), c, o);
  const rq = fitted.rq;
  const params: SchedulerParams = {
    blockSize: c.blockSize,
    kvBlocks: c.capacity.kv_blocks,
    maxBatchSize: c.maxBatchSize,
    tokenBudget: c.maxContextTokenNum,
    maxPrefillTokenNum: c.maxPrefillTokenNum,
    prefillInterval: c.prefillInterval,
    concurrency: c.arrival.type === 'closed-loop' ? c.arrival.concurrency : null,
  };
  const cost = new CostModel({ model: c.model, device: c.device, policy: c.quantPolicy, tp: c.tp, backend: c.backend });
  const recorder = new Recorder(rq.n, rq.prompt, rq.output, c.capacity.kv_blocks);
  const engine = c.backend === 'turbomind' ? (o.exact ? runTurbomindExact : runTurbomind) : o.exact ? runPytorchExact : runPytorch;
  const stats = engine({ requests: rq, params, cost, recorder, ...(o.onProgress ? { onProgress: o.onProgress } : {}), ...(o.audit ? { audit: o.audit } : {}) });
  return { rq, recorder, stats, warnings: [...c.warnings, ...(fitted.warning ? [fitted.warning] : [])], finalized: recorder.finalize() };
}

/** Runs one variant end to end: the simulation, then the accuracy proxy and the chart curves. */
export function runVariant(c: VariantConfig, o: RunOptions): { result: VariantResult; stats: EngineStats; perRequest: PerRequest } {
  const { rq, recorder, stats, warnings, finalized } = simulateVariant(c, o);
  const { metrics, explain, series } = finalized;
  return {
    result: {
      label: c.label,
      params: variantParams(c),
      capacity: c.capacity,
      metrics,
      explain,
      accuracy_proxy: accuracyProxy({ profile: c.model.activationProfile, headDim: c.model.headDim, quantPolicy: c.quantPolicy, contextLen: representativeContext(rq, c.sessionLen) }),
      warnings,
      series: { ...series, capacity_curve: capacityCurve(c), ...(o.curves === false ? {} : { accuracy_curve: accuracyCurve(c) }) },
    },
    stats,
    perRequest: {
      prompt: rq.prompt, output: rq.output, arrivalS: recorder.arrivalS, scheduledS: recorder.scheduledS,
      firstTokenS: recorder.firstTokenS, finishS: recorder.finishS, preemptions: recorder.preemptionsPerRequest,
    },
  };
}
