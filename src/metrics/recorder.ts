import { BREAKDOWN_KEYS } from '../engine/cost.js';
import { ChunkedLog } from './chunked-log.js';
import { describe, type LatencyStats } from './quantile.js';

/** Keeps at most this many timeline points: enough for a chart, small enough for summary.json. */
const TIMELINE_MAX = 500;

export interface Metrics {
  requests: number;
  duration_s: number;
  rps: number;
  input_tok_s: number;
  output_tok_s: number;
  ttft_s: LatencyStats;
  tpot_s: LatencyStats;
  itl_s: LatencyStats;
  e2e_s: LatencyStats;
  queue_s: LatencyStats;
  preemptions: number;
  recomputed_tokens: number;
  batch_size_mean: number;
  batch_size_max: number;
  kv_util_mean: number;
  kv_util_max: number;
  kv_starved_iter_frac: number;
}

export interface Explain {
  iterations: number;
  batch_size_mean: number;
  kv_starved_iter_frac: number;
  preemptions: number;
  recomputed_tokens: number;
  /** Mean iteration time and its four parts, from the cost model. */
  iteration_s: { dense_s: number; attention_s: number; kv_write_s: number; overhead_s: number; total_s: number };
}

export interface Timeline {
  t_s: number[];
  batch_size: number[];
  kv_util: number[];
  queue_len: number[];
}

export interface Series {
  quantiles: { ttft_s: number[]; tpot_s: number[]; itl_s: number[]; e2e_s: number[]; queue_s: number[] };
  timeline: Timeline;
}

/**
 * Collects what a run produces, compactly: typed arrays per request, one growable pair of
 * arrays for inter-token gaps (a gap shared by a whole iteration is stored once, with a
 * weight), running sums per iteration and a timeline thinned by stride doubling.
 */
export class Recorder {
  readonly arrivalS: Float64Array;
  readonly scheduledS: Float64Array;
  readonly firstTokenS: Float64Array;
  readonly finishS: Float64Array;
  readonly preemptionsPerRequest: Int32Array;
  /** Tokens each request had generated when it finished, as the engine counted them (a conservation check). */
  readonly generatedTokens: Int32Array;
  private readonly itlLog = new ChunkedLog();
  private iterations = 0;
  private rowsSum = 0;
  private rowsMax = 0;
  private utilSum = 0;
  private utilMax = 0;
  private starvedIters = 0;
  private preemptions = 0;
  private recomputedTokens = 0;
  private finished = 0;
  readonly breakdownSum = new Float64Array(4);
  private timeline: Timeline = { t_s: [], batch_size: [], kv_util: [], queue_len: [] };
  private stride = 1;

  constructor(
    readonly n: number,
    private readonly prompt: Int32Array,
    private readonly output: Int32Array,
    private readonly kvBlocks: number,
  ) {
    this.arrivalS = new Float64Array(n).fill(NaN);
    this.scheduledS = new Float64Array(n).fill(NaN);
    this.firstTokenS = new Float64Array(n).fill(NaN);
    this.finishS = new Float64Array(n).fill(NaN);
    this.preemptionsPerRequest = new Int32Array(n);
    this.generatedTokens = new Int32Array(n);
  }

  get finishedCount(): number {
    return this.finished;
  }

  get iterationCount(): number {
    return this.iterations;
  }

  arrive(id: number, t: number): void {
    this.arrivalS[id] = t;
  }

  /** The first time a request's prefill is scheduled: the end of its queueing. */
  scheduled(id: number, t: number): void {
    if (Number.isNaN(this.scheduledS[id]!)) this.scheduledS[id] = t;
  }

  firstToken(id: number, t: number): void {
    this.firstTokenS[id] = t;
  }

  finish(id: number, t: number, generated: number): void {
    if (!Number.isNaN(this.finishS[id]!)) throw new Error(`engine bug: request ${id} finished twice`);
    this.finishS[id] = t;
    this.generatedTokens[id] = generated;
    this.finished++;
  }

  preempted(id: number): void {
    this.preemptions++;
    this.preemptionsPerRequest[id]!++;
  }

  recomputed(tokens: number): void {
    this.recomputedTokens += tokens;
  }

  /** `count` tokens whose gap since their previous token was `gapS`. */
  itl(gapS: number, count: number): void {
    if (count > 0) this.itlLog.push(gapS, count);
  }

  /** One iteration: its start, the rows it ran, KV blocks in use, requests waiting and whether any held sequence lacked blocks. */
  iteration(startS: number, rows: number, usedBlocks: number, waiting: number, starved: boolean): void {
    const util = this.kvBlocks > 0 ? usedBlocks / this.kvBlocks : 0;
    if (this.iterations % this.stride === 0) {
      const tl = this.timeline;
      tl.t_s.push(startS);
      tl.batch_size.push(rows);
      tl.kv_util.push(util);
      tl.queue_len.push(waiting);
      if (tl.t_s.length >= TIMELINE_MAX) this.thinTimeline();
    }
    this.iterations++;
    this.rowsSum += rows;
    if (rows > this.rowsMax) this.rowsMax = rows;
    this.utilSum += util;
    if (util > this.utilMax) this.utilMax = util;
    if (starved) this.starvedIters++;
  }

  /** Keeps every other point and doubles the stride, so the timeline stays under TIMELINE_MAX points. */
  private thinTimeline(): void {
    const keep = <T>(a: T[]) => a.filter((_, i) => i % 2 === 0);
    const tl = this.timeline;
    this.timeline = { t_s: keep(tl.t_s), batch_size: keep(tl.batch_size), kv_util: keep(tl.kv_util), queue_len: keep(tl.queue_len) };
    this.stride *= 2;
  }

  /** Metrics, explanation and chart series of the finished run. */
  finalize(): { metrics: Metrics; explain: Explain; series: Series } {
    const n = this.n;
    let firstArrival = Infinity, lastFinish = -Infinity, promptSum = 0, outputSum = 0;
    const ttft = new Float64Array(n), e2e = new Float64Array(n), queue = new Float64Array(n);
    const tpot = new Float64Array(n);
    let nTpot = 0;
    for (let i = 0; i < n; i++) {
      const a = this.arrivalS[i]!, f = this.finishS[i]!, ft = this.firstTokenS[i]!;
      if (a < firstArrival) firstArrival = a;
      if (f > lastFinish) lastFinish = f;
      promptSum += this.prompt[i]!;
      outputSum += this.output[i]!;
      ttft[i] = ft - a;
      e2e[i] = f - a;
      queue[i] = this.scheduledS[i]! - a;
      const o = this.output[i]!;
      if (o > 1) tpot[nTpot++] = (f - ft) / (o - 1);
    }
    const duration = lastFinish - firstArrival;
    const ttftD = describe(ttft), tpotD = describe(tpot.subarray(0, nTpot)), e2eD = describe(e2e), queueD = describe(queue);
    const gaps = this.itlLog.toArrays();
    const itlD = describe(gaps.values, gaps.weights);
    const iters = Math.max(1, this.iterations);
    const metrics: Metrics = {
      requests: n,
      duration_s: duration,
      rps: n / duration,
      input_tok_s: promptSum / duration,
      output_tok_s: outputSum / duration,
      ttft_s: ttftD.stats,
      tpot_s: tpotD.stats,
      itl_s: itlD.stats,
      e2e_s: e2eD.stats,
      queue_s: queueD.stats,
      preemptions: this.preemptions,
      recomputed_tokens: this.recomputedTokens,
      batch_size_mean: this.rowsSum / iters,
      batch_size_max: this.rowsMax,
      kv_util_mean: this.utilSum / iters,
      kv_util_max: this.utilMax,
      kv_starved_iter_frac: this.starvedIters / iters,
    };
    const b = this.breakdownSum;
    const part = (i: number) => b[i]! / iters;
    const explain: Explain = {
      iterations: this.iterations,
      batch_size_mean: metrics.batch_size_mean,
      kv_starved_iter_frac: metrics.kv_starved_iter_frac,
      preemptions: this.preemptions,
      recomputed_tokens: this.recomputedTokens,
      iteration_s: {
        [BREAKDOWN_KEYS[0]]: part(0), [BREAKDOWN_KEYS[1]]: part(1), [BREAKDOWN_KEYS[2]]: part(2), [BREAKDOWN_KEYS[3]]: part(3),
        total_s: part(0) + part(1) + part(2) + part(3),
      } as Explain['iteration_s'],
    };
    const series: Series = {
      quantiles: {
        ttft_s: ttftD.q101,
        tpot_s: tpotD.q101,
        itl_s: itlD.q101,
        e2e_s: e2eD.q101,
        queue_s: queueD.q101,
      },
      timeline: this.timeline,
    };
    return { metrics, explain, series };
  }
}
