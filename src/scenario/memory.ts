import { totalmem } from 'node:os';
import { KvsimError } from '../util/errors.js';
import type { ScenarioPlan } from './run-scenario.js';

/**
 * Bytes one request costs while a variant runs, measured with the bench (about 250 MB peak
 * for a million requests, of which ~60 MB is Node itself): typed arrays for lengths,
 * timings, engine state and the gap log, plus the metrics' scratch. The exact-steps engine
 * holds an object per sequence; requests.csv holds every row as text.
 */
export const BYTES_PER_REQUEST = { fast: 200, exact: 600, csvRow: 160 } as const;

/** Refuses a run whose estimated memory exceeds what the machine has, with the estimate and what to do. */
export function checkMemory(plan: ScenarioPlan, opts: { exact?: boolean; requestsCsv?: boolean; available?: number }): void {
  const available = opts.available ?? totalmem();
  const perRequest = opts.exact ? BYTES_PER_REQUEST.exact : BYTES_PER_REQUEST.fast;
  const biggest = Math.max(...plan.configs.map((c) => c.requests));
  const csv = opts.requestsCsv ? plan.configs.reduce((s, c) => s + c.requests, 0) * BYTES_PER_REQUEST.csvRow : 0;
  const estimate = biggest * perRequest + csv + 100 * 2 ** 20;
  if (estimate <= 0.8 * available) return;
  const gib = (b: number) => `${(b / 2 ** 30).toFixed(1)} GiB`;
  throw new KvsimError(`${biggest.toLocaleString('en-US')} requests need about ${gib(estimate)} of memory, more than this machine's ${gib(available)} allows`, {
    file: plan.loaded.file, keyPath: 'workload.requests', line: plan.loaded.lineOf(['workload', 'requests']),
    hint: `lower workload.requests (about ${Math.floor((0.8 * available - csv) / perRequest).toLocaleString('en-US')} fit)${opts.requestsCsv ? ', drop --requests' : ''}, or split the trace into several runs`,
  });
}
