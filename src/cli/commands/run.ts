import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import type { PerRequest, VariantResult } from '../../engine/run-variant.js';
import { requestsCsv } from '../../report/requests-csv.js';
import { runTable } from '../../report/run-table.js';
import { summaryJson, type Summary } from '../../report/summary.js';
import { runVariantsInWorkers } from '../../scenario/parallel.js';
import { planScenario, runScenario, summaryOf, type ScenarioPlan } from '../../scenario/run-scenario.js';
import { replaceDirAtomic } from '../../util/atomic.js';
import { KvsimError } from '../../util/errors.js';
import { checkMemory } from '../../scenario/memory.js';
import { Progress } from '../progress.js';
import type { RunArgs } from '../run-options.js';

/** Parses --shard I/N. */
export function parseShard(s: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(s.trim());
  const index = m ? Number(m[1]) : NaN, count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) throw new KvsimError(`--shard must be I/N with 1 ≤ I ≤ N, such as 2/4 (got "${s}")`, { keyPath: '--shard' });
  return { index, count };
}

/** The variant indices of shard I of N: round-robin, so long and short variants spread evenly. */
export function shardIndices(total: number, shard: { index: number; count: number }): number[] {
  const out: number[] = [];
  for (let i = shard.index - 1; i < total; i += shard.count) out.push(i);
  return out;
}

export interface RunToOptions {
  out: string;
  seed?: number | undefined;
  allowLarge?: boolean;
  exact?: boolean;
  jobs?: number | undefined;
  shard?: { index: number; count: number } | undefined;
  charts?: boolean;
  requests?: boolean;
  quiet?: boolean;
  /** Called with each finished summary and the folder it went to. */
  onSummary?: (s: Summary, dir: string) => void;
}

/** Plans every scenario first (so a bad file fails before any work), then runs and writes each. */
export async function runScenariosTo(files: string[], o: RunToOptions): Promise<Summary[]> {
  const plans = files.map((f) => planScenario(f, { ...(o.seed !== undefined ? { seed: o.seed } : {}), allowLarge: o.allowLarge ?? false }));
  for (const p of plans) checkMemory(p, { exact: o.exact ?? false, requestsCsv: o.requests ?? false });
  const names = new Set<string>();
  for (const p of plans) {
    if (names.has(p.loaded.input.name)) throw new KvsimError(`two scenarios are both named "${p.loaded.input.name}"; their outputs would collide`, { file: p.loaded.file, keyPath: 'name' });
    names.add(p.loaded.input.name);
  }
  const summaries: Summary[] = [];
  for (const plan of plans) {
    if (!o.quiet) for (const c of plan.configs) for (const w of c.warnings) process.stderr.write(`kvsim: warning: ${plan.loaded.file}: ${c.label}: ${w}\n`);
    const indices = o.shard ? shardIndices(plan.configs.length, o.shard) : plan.configs.map((_, i) => i);
    const { variants, perRequest } = await runPlan(plan, indices, o);
    let summary = summaryOf(plan, variants);
    let dir = resolve(o.out, summary.scenario);
    if (o.shard) {
      summary = { ...summary, shard: { index: o.shard.index, count: o.shard.count, variant_indices: indices, total_variants: plan.configs.length } } as Summary;
      dir = resolve(o.out, `${summary.scenario}.shard-${o.shard.index}-of-${o.shard.count}`);
    }
    await writeRunFolder(dir, summary, { charts: (o.charts ?? true) && !o.shard, ...(perRequest ? { perRequest } : {}) });
    o.onSummary?.(summary, dir);
    summaries.push(summary);
  }
  return summaries;
}

async function runPlan(plan: ScenarioPlan, indices: number[], o: RunToOptions): Promise<{ variants: VariantResult[]; perRequest?: PerRequest[] }> {
  const jobs = Math.max(1, Math.floor(o.jobs ?? availableParallelism()));
  const progress = new Progress(Progress.enabledFor(o.quiet ?? false));
  try {
    if (jobs > 1 && indices.length > 1 && !o.requests) {
      const done = new Map<number, number>();
      const total = indices.reduce((a, i) => a + plan.configs[i]!.requests, 0);
      progress.variant(`${plan.loaded.input.name} (${indices.length} variants, ${Math.min(jobs, indices.length)} jobs)`);
      const variants = await runVariantsInWorkers(
        { file: plan.loaded.file, ...(o.seed !== undefined ? { seed: o.seed } : {}), allowLarge: o.allowLarge ?? false, exact: o.exact ?? false, curves: o.charts ?? true },
        indices, jobs,
        (i, f, t) => {
          done.set(i, f);
          progress.update([...done.values()].reduce((a, b) => a + b, 0), total, t);
        },
      );
      return { variants };
    }
    const r = runScenario(plan, {
      exact: o.exact ?? false,
      curves: o.charts ?? true,
      only: indices,
      keepRequests: o.requests ?? false,
      onVariant: (c) => progress.variant(c.label),
      onProgress: (f, total, t) => progress.update(f, total, t),
    });
    return { variants: r.summary.variants, ...(o.requests ? { perRequest: r.perRequest } : {}) };
  } finally {
    progress.done();
  }
}

/** `kvsim run`. */
export async function runCommand(a: RunArgs): Promise<void> {
  if (a.seed !== undefined && (!Number.isInteger(a.seed) || a.seed < 0)) throw new KvsimError(`--seed must be a whole number ≥ 0 (got ${a.seed})`, { keyPath: '--seed' });
  if (a.jobs !== undefined && (!Number.isInteger(a.jobs) || a.jobs < 1)) throw new KvsimError(`--jobs must be a whole number ≥ 1 (got ${a.jobs})`, { keyPath: '--jobs' });
  const shard = a.shard !== undefined ? parseShard(a.shard) : undefined;
  const jsonOut: unknown[] = [];
  await runScenariosTo(a.scenario, {
    out: a.out, seed: a.seed, allowLarge: a['allow-large'], exact: a['exact-steps'], jobs: a.jobs, shard,
    charts: a.charts, requests: a.requests, quiet: a.quiet,
    onSummary: (summary, dir) => {
      const shown = join(a.out, dir.slice(resolve(a.out).length + 1));
      if (a.json) jsonOut.push({ out: shown, ...withoutSeries(summary) });
      else if (!a.quiet) process.stdout.write(`${runTable(summary)}\n\nwrote ${shown}/summary.json\n\n`);
    },
  });
  if (a.json) process.stdout.write(`${JSON.stringify(jsonOut.length === 1 ? jsonOut[0] : jsonOut, null, 2)}\n`);
}

function withoutSeries(s: Summary): Record<string, unknown> {
  return { ...s, variants: s.variants.map(({ series: _s, ...v }) => v) };
}

/** Writes summary.json, charts and report.md into a fresh folder that is swapped in atomically. */
export async function writeRunFolder(dir: string, summary: Summary, opts: { charts?: boolean; perRequest?: PerRequest[] } = {}): Promise<void> {
  await replaceDirAtomic(dir, async (tmp) => {
    writeFileSync(join(tmp, 'summary.json'), summaryJson(summary));
    if (opts.perRequest) writeFileSync(join(tmp, 'requests.csv'), requestsCsv(summary, opts.perRequest));
    if (!opts.charts) return;
    // Loaded only when drawing: vega, vega-lite and resvg cost half a second to import.
    const { writeCharts } = await import('../../report/render.js');
    const { reportMarkdown } = await import('../../report/report-md.js');
    const charts = await writeCharts(tmp, [summary]);
    writeFileSync(join(tmp, 'report.md'), reportMarkdown([summary], charts));
  });
}
