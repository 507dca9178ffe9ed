import { isAbsolute, resolve } from 'node:path';
import type { ArrivalSpec, LengthsSpec } from '../scenario/schema.js';
import { exponential, gamma, stream } from '../sim/rng.js';
import { KvsimError } from '../util/errors.js';
import { lengthSampler } from './lengths.js';
import { readTrace, type TraceRows } from './trace.js';

/** The requests of one run, in arrival (= priority) order, as typed arrays. */
export interface RequestSet {
  n: number;
  prompt: Int32Array;
  output: Int32Array;
  /** Arrival times for open-loop and trace workloads; null in the closed loop, where finishes drive arrivals. */
  arrivalS: Float64Array | null;
}

export interface WorkloadSource {
  requests: number;
  arrival: ArrivalSpec;
  lengths: LengthsSpec;
  seed: number;
  tokenizerFactor: number;
  /** Folder that relative trace paths are resolved against (the scenario file's). */
  baseDir: string;
  scenarioFile: string;
}

function tracePath(s: WorkloadSource, file: string): string {
  return isAbsolute(file) ? file : resolve(s.baseDir, file);
}

const traceCache = new Map<string, TraceRows>();

function traceFor(s: WorkloadSource, file: string): TraceRows {
  const path = tracePath(s, file);
  const key = `${path}:${s.requests}`;
  let rows = traceCache.get(key);
  if (!rows) {
    rows = readTrace(path, s.requests);
    if (rows.prompt.length < s.requests) {
      throw new KvsimError(`the trace has ${rows.prompt.length} rows but workload.requests is ${s.requests}`, { file: path, hint: `set workload.requests to at most ${rows.prompt.length}` });
    }
    traceCache.set(key, rows);
  }
  return rows;
}

/**
 * Generates the requests. Lengths and arrival gaps come from separate named streams, so a
 * sweep over arrival rate or concurrency sees the same lengths in the same order.
 */
export function buildRequests(s: WorkloadSource): RequestSet {
  const n = s.requests;
  let prompt: Int32Array, output: Int32Array;
  const lengths = s.lengths;
  if (lengths.type === 'trace') {
    const rows = traceFor(s, lengths.file);
    prompt = rows.prompt.slice(0, n);
    output = rows.output.slice(0, n);
  } else {
    const sampler = lengthSampler(lengths, s.tokenizerFactor);
    if (typeof sampler === 'string') throw new KvsimError(sampler, { file: s.scenarioFile, keyPath: 'workload.lengths' });
    const u = stream(s.seed, 'lengths');
    prompt = new Int32Array(n);
    output = new Int32Array(n);
    const pair = new Int32Array(2);
    for (let i = 0; i < n; i++) {
      sampler(u, pair);
      prompt[i] = pair[0]!;
      output[i] = pair[1]!;
    }
  }
  return { n, prompt, output, arrivalS: arrivals(s, n) };
}

function arrivals(s: WorkloadSource, n: number): Float64Array | null {
  const a = s.arrival;
  switch (a.type) {
    case 'closed-loop':
      return null;
    case 'poisson': {
      const u = stream(s.seed, 'arrivals');
      const out = new Float64Array(n);
      let t = 0;
      for (let i = 0; i < n; i++) {
        out[i] = t;
        t += exponential(u, 1 / a.rate);
      }
      return out;
    }
    case 'gamma': {
      // Gaps with mean 1/rate and coefficient of variation cv: shape 1/cv², scale cv²/rate.
      const u = stream(s.seed, 'arrivals');
      const k = 1 / (a.cv * a.cv);
      const theta = 1 / (a.rate * k);
      const out = new Float64Array(n);
      let t = 0;
      for (let i = 0; i < n; i++) {
        out[i] = t;
        t += gamma(u, k, theta);
      }
      return out;
    }
    case 'trace': {
      const file = a.file ?? (s.lengths.type === 'trace' ? s.lengths.file : undefined);
      if (!file) throw new KvsimError('a trace arrival needs a file: set workload.arrival.file or use trace lengths', { file: s.scenarioFile, keyPath: 'workload.arrival' });
      const rows = traceFor(s, file);
      const scale = a.time_scale ?? 1;
      const t0 = rows.arrivalS[0] ?? 0;
      return Float64Array.from(rows.arrivalS.subarray(0, n), (t) => (t - t0) * scale);
    }
  }
}

