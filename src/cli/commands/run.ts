import { join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { planScenario, runScenario } from '../../scenario/run-scenario.js';
import { runTable } from '../../report/run-table.js';
import { summaryJson, type Summary } from '../../report/summary.js';
import { replaceDirAtomic } from '../../util/atomic.js';
import { writeFileSync } from 'node:fs';
import { Progress } from '../progress.js';
import type { PerRequest } from '../../engine/run-variant.js';
import { requestsCsv } from '../../report/requests-csv.js';

export interface RunArgs {
  scenario: string[];
  out: string;
  seed?: number | undefined;
  json: boolean;
  requests: boolean;
  quiet: boolean;
  'exact-steps': boolean;
  'allow-large': boolean;
}

export function runOptions(y: Argv): Argv<RunArgs> {
  return y
    .positional('scenario', { type: 'string', array: true, demandOption: true, describe: 'scenario files (YAML or JSON)' })
    .option('out', { type: 'string', default: 'out', describe: 'output folder; each scenario writes OUT/<name>/' })
    .option('seed', { type: 'number', describe: 'override the scenario seed' })
    .option('json', { type: 'boolean', default: false, describe: 'print the summaries as JSON (without chart series) instead of tables' })
    .option('requests', { type: 'boolean', default: false, describe: 'also write requests.csv with one row per request' })
    .option('quiet', { type: 'boolean', default: false, describe: 'print nothing but errors (and --json output)' })
    .option('exact-steps', { type: 'boolean', default: false, describe: 'use the step-by-step reference engine (slow; for checking the fast path)' })
    .option('allow-large', { type: 'boolean', default: false, describe: 'allow sweeps of more than 10,000 variants' }) as unknown as Argv<RunArgs>;
}

/** `kvsim run`: plan every scenario first (so a bad file fails before any work), then run and write each. */
export async function runCommand(a: RunArgs): Promise<void> {
  if (a.seed !== undefined && (!Number.isInteger(a.seed) || a.seed < 0)) {
    const { KvsimError } = await import('../../util/errors.js');
    throw new KvsimError(`--seed must be a whole number ≥ 0 (got ${a.seed})`);
  }
  const plans = a.scenario.map((f) => planScenario(f, { ...(a.seed !== undefined ? { seed: a.seed } : {}), allowLarge: a['allow-large'] }));
  const names = new Set<string>();
  for (const p of plans) {
    const { KvsimError } = await import('../../util/errors.js');
    if (names.has(p.loaded.input.name)) throw new KvsimError(`two scenarios are both named "${p.loaded.input.name}"; their outputs would collide`, { file: p.loaded.file, keyPath: 'name' });
    names.add(p.loaded.input.name);
  }
  const jsonOut: unknown[] = [];
  for (const plan of plans) {
    for (const c of plan.configs) for (const w of c.warnings) if (!a.quiet) process.stderr.write(`kvsim: warning: ${plan.loaded.file}: ${c.label}: ${w}\n`);
    const progress = new Progress(Progress.enabledFor(a.quiet));
    const { summary, perRequest } = runScenario(plan, {
      exact: a['exact-steps'],
      keepRequests: a.requests,
      onVariant: (c) => progress.variant(c.label),
      onProgress: (f, total, t) => progress.update(f, total, t),
    });
    progress.done();
    const dir = resolve(a.out, summary.scenario);
    await writeRunFolder(dir, summary, a.requests ? { perRequest } : {});
    if (a.json) jsonOut.push({ out: join(a.out, summary.scenario), ...withoutSeries(summary) });
    else if (!a.quiet) process.stdout.write(`${runTable(summary)}\n\nwrote ${join(a.out, summary.scenario)}/summary.json\n\n`);
  }
  if (a.json) process.stdout.write(`${JSON.stringify(jsonOut.length === 1 ? jsonOut[0] : jsonOut, null, 2)}\n`);
}

function withoutSeries(s: Summary): Record<string, unknown> {
  return { ...s, variants: s.variants.map(({ series: _s, ...v }) => v) };
}

/** Writes summary.json (and, later, charts and report.md) into a fresh folder, swapped in atomically. */
export async function writeRunFolder(dir: string, summary: Summary, opts: { perRequest?: PerRequest[] } = {}): Promise<void> {
  replaceDirAtomic(dir, (tmp) => {
    writeFileSync(join(tmp, 'summary.json'), summaryJson(summary));
    if (opts.perRequest) writeFileSync(join(tmp, 'requests.csv'), requestsCsv(summary, opts.perRequest));
  });
}
