import { dirname } from 'node:path';
import { runVariant, type PerRequest } from '../engine/run-variant.js';
import { VERSION } from '../util/version.js';
import type { Summary } from '../report/summary.js';
import type { VariantConfig } from './resolve.js';
import type { ScenarioPlan } from './plan.js';

export { planScenario, type ScenarioPlan } from './plan.js';

export interface RunScenarioOptions {
  exact?: boolean;
  /** Indices of the variants to run (all by default); used by --shard. */
  only?: readonly number[];
  onVariant?: (c: VariantConfig, i: number, of: number) => void;
  /** Compute the chart-only accuracy curve (default true). */
  curves?: boolean;
  /** Keep per-request timings (for requests.csv). */
  keepRequests?: boolean;
  onProgress?: (finished: number, total: number, simTimeS: number) => void;
}

/** Runs the planned variants in order and assembles the summary (and, if asked, per-request timings). */
export function runScenario(plan: ScenarioPlan, opts: RunScenarioOptions = {}): { summary: Summary; perRequest: PerRequest[] } {
  const configs = opts.only ? opts.only.map((i) => plan.configs[i]!) : plan.configs;
  const baseDir = dirname(plan.loaded.file);
  const perRequest: PerRequest[] = [];
  const variants = configs.map((c, i) => {
    opts.onVariant?.(c, i, configs.length);
    const onProgress = opts.onProgress;
    const r = runVariant(c, {
      exact: opts.exact ?? false,
      curves: opts.curves ?? true,
      baseDir,
      scenarioFile: plan.loaded.file,
      ...(onProgress ? { onProgress: (f: number, t: number) => onProgress(f, c.requests, t) } : {}),
    });
    if (opts.keepRequests) perRequest.push(r.perRequest);
    return r.result;
  });
  return { summary: summaryOf(plan, variants), perRequest };
}

/** The summary object for a plan and the results of its variants. */
export function summaryOf(plan: ScenarioPlan, variants: Summary['variants']): Summary {
  const input = plan.loaded.input;
  return {
    kvsim: { version: VERSION, schema: 'kvsim-summary/1' },
    scenario: input.name,
    ...(input.description ? { description: input.description } : {}),
    seed: plan.configs[0]?.seed ?? 1,
    variants,
  };
}
