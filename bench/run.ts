/**
 * `npm run bench`: how fast kvsim simulates, on fixed workloads. Each workload runs in its own
 * child process, so its peak RSS is its own; wall time is measured inside the process around
 * the simulation (requests, engine, metrics), without start-up or the accuracy proxy.
 *
 *   node dist/bench/run.js [--quick] [--out bench/results.json] [--only NAME]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simulateVariant } from '../src/engine/run-variant.js';
import { planScenario } from '../src/scenario/run-scenario.js';
import { textTable } from '../src/report/table.js';
import { writeFileAtomic } from '../src/util/atomic.js';
import { packagePath } from '../src/util/package-root.js';

interface Workload {
  name: string;
  /** Builds the scenario text; `quick` shrinks it so the bench itself can be tested. */
  scenario: (quick: boolean) => Promise<string> | string;
}

interface Result {
  name: string;
  requests: number;
  variants: number;
  wall_s: number;
  sim_requests_per_s: number;
  events_per_s: number;
  iterations_per_s: number;
  events: number;
  iterations: number;
  peak_rss_bytes: number;
}

const scale = (n: number, quick: boolean) => (quick ? Math.max(200, Math.round(n / 100)) : n);

/** The H100 ShareGPT setup of the open-loop workloads. */
function h100(policy: number, requests: number, arrival: string): string {
  return `name: bench\nmodel: llama2-7b\ndevice: h100-80g\nengine: { quant_policy: ${policy}, max_batch_size: 256, session_len: 4096 }\n` +
    `workload:\n  requests: ${requests}\n  arrival: ${arrival}\n  lengths: { type: sharegpt }\n`;
}

/** 0.9 × the closed-loop RPS at concurrency = max_batch_size, from a 10,000-request run (not timed). */
function poissonRate(policy: number, quick: boolean): number {
  const file = writeTemp(h100(policy, scale(10_000, quick), '{ type: closed-loop, concurrency: 256 }'));
  const plan = planScenario(file);
  const sim = simulateVariant(plan.configs[0]!, { baseDir: tmpdir(), scenarioFile: file });
  return 0.9 * sim.finalized.metrics.rps;
}

const POLICIES = [0, 8, 4] as const;
const LABEL = { 0: 'fp16', 8: 'int8', 4: 'int4' } as const;

const WORKLOADS: Workload[] = [
  { name: 'default scenario (10k x 3 policies)', scenario: (q) => defaultScenario(q) },
  ...POLICIES.flatMap((p) => [100_000, 1_000_000].map((n) => ({
    name: `poisson ${n >= 1e6 ? '1M' : '100k'} ${LABEL[p]} (h100, 0.9 x closed-loop RPS)`,
    scenario: (q: boolean) => h100(p, scale(n, q), `{ type: poisson, rate: ${poissonRate(p, q)} }`),
  }))),
  {
    name: 'long context (prompts 8k-32k, 10k requests)',
    scenario: (q) => `name: bench\nmodel: internlm2.5-7b-chat\ndevice: h100-80g\nengine: { max_batch_size: 128, session_len: 32768 }\n` +
      `workload:\n  requests: ${scale(10_000, q)}\n  arrival: { type: closed-loop, concurrency: 64 }\n  lengths: { type: uniform, prompt: [8192, 31744], output: [64, 1024] }\n`,
  },
  {
    name: 'concurrency sweep (8 points, 3k requests each)',
    scenario: (q) => `name: bench\nmodel: llama2-7b\ndevice: a100-80g\nengine: { max_batch_size: 512, session_len: 4096 }\n` +
      `workload:\n  requests: ${scale(3000, q)}\n  arrival: { type: closed-loop, concurrency: 1 }\n  lengths: { type: sharegpt }\n` +
      'sweep:\n  workload.arrival.concurrency: [1, 4, 16, 32, 64, 128, 256, 512]\n',
  },
];

function defaultScenario(quick: boolean): string {
  const text = spawnSync('cat', [packagePath('scenarios', 'lmdeploy-kv-quant-llama2-7b.yaml')], { encoding: 'utf8' }).stdout;
  return quick ? text.replace(/requests: 10000/, `requests: ${scale(10_000, true)}`) : text;
}

let tmp: string | undefined;
function writeTemp(text: string): string {
  tmp ??= mkdtempSync(join(tmpdir(), 'kvsim-bench-'));
  const f = join(tmp, `w${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(f, text);
  return f;
}

/** Child: one workload, timed in-process. */
async function child(index: number, quick: boolean): Promise<void> {
  const w = WORKLOADS[index]!;
  const file = writeTemp(await w.scenario(quick));
  const plan = planScenario(file);
  let wall = 0, events = 0, iterations = 0, requests = 0;
  for (const c of plan.configs) {
    const t0 = performance.now();
    const sim = simulateVariant(c, { baseDir: tmpdir(), scenarioFile: file });
    wall += (performance.now() - t0) / 1000;
    events += sim.stats.events;
    iterations += sim.stats.iterations;
    requests += c.requests;
  }
  const r: Result = {
    name: w.name, requests, variants: plan.configs.length, wall_s: wall,
    sim_requests_per_s: requests / wall, events_per_s: events / wall, iterations_per_s: iterations / wall,
    events, iterations, peak_rss_bytes: process.resourceUsage().maxRSS * 1024,
  };
  process.stdout.write(`${JSON.stringify(r)}\n`);
}

function parent(quick: boolean, out: string, only: string | undefined): void {
  const self = fileURLToPath(import.meta.url);
  const results: Result[] = [];
  WORKLOADS.forEach((w, i) => {
    if (only && !w.name.includes(only)) return;
    process.stderr.write(`bench: ${w.name}...\n`);
    const r = spawnSync(process.execPath, [self, '--child', String(i), ...(quick ? ['--quick'] : [])], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (r.status !== 0) throw new Error(`bench workload "${w.name}" failed: ${r.stderr}`);
    results.push(JSON.parse(r.stdout.trim().split('\n').pop()!) as Result);
  });
  const byName = (s: string) => results.find((r) => r.name.startsWith(s));
  const m1 = byName('poisson 1M fp16'), k100 = byName('poisson 100k fp16'), def = byName('default scenario');
  const targets = {
    one_million_fp16_wall_s: m1?.wall_s ?? null,
    one_million_fp16_peak_rss_mb: m1 ? m1.peak_rss_bytes / 2 ** 20 : null,
    default_scenario_wall_s: def?.wall_s ?? null,
    events_per_s_ratio_1m_over_100k: m1 && k100 ? m1.events_per_s / k100.events_per_s : null,
    met: {
      one_million_under_5s_and_1gb: m1 ? m1.wall_s <= 5 && m1.peak_rss_bytes <= 2 ** 30 : null,
      default_under_1s: def ? def.wall_s <= 1 : null,
      linear: m1 && k100 ? m1.events_per_s / k100.events_per_s >= 0.85 : null,
    },
  };
  const machine = { cpus: availableParallelism(), cpu_model: cpus()[0]?.model ?? 'unknown', node: process.version, platform: `${process.platform}-${process.arch}` };
  const rows = results.map((r) => [
    r.name, String(r.requests), r.wall_s.toFixed(2), Math.round(r.sim_requests_per_s).toLocaleString('en-US'),
    Math.round(r.events_per_s).toLocaleString('en-US'), Math.round(r.iterations_per_s).toLocaleString('en-US'), (r.peak_rss_bytes / 2 ** 20).toFixed(0),
  ]);
  process.stdout.write(
    `kvsim bench${quick ? ' (quick)' : ''}: ${machine.cpus} cores (${machine.cpu_model}), Node ${machine.node}\n\n` +
      `${textTable(['workload', 'requests', 'wall s', 'requests/s', 'events/s', 'iterations/s', 'peak RSS MB'], rows)}\n\n` +
      `targets: 1M requests ${fmt(targets.one_million_fp16_wall_s)} s and ${fmt(targets.one_million_fp16_peak_rss_mb, 0)} MB (<= 5 s, <= 1024 MB): ${yes(targets.met.one_million_under_5s_and_1gb)}; ` +
      `default scenario ${fmt(targets.default_scenario_wall_s)} s (<= 1 s): ${yes(targets.met.default_under_1s)}; ` +
      `events/s at 1M / at 100k = ${fmt(targets.events_per_s_ratio_1m_over_100k)} (>= 0.85): ${yes(targets.met.linear)}\n`,
  );
  if (out) writeFileAtomic(out, `${JSON.stringify({ quick, machine, results, targets }, null, 2)}\n`);
}

const fmt = (x: number | null, d = 2) => (x === null ? '-' : x.toFixed(d));
const yes = (b: boolean | null) => (b === null ? 'not run' : b ? 'met' : 'MISSED');

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const childAt = args.indexOf('--child');
if (childAt >= 0) await child(Number(args[childAt + 1]), quick);
else {
  const outAt = args.indexOf('--out');
  const onlyAt = args.indexOf('--only');
  parent(quick, outAt >= 0 ? args[outAt + 1]! : quick ? '' : packagePath('bench', 'results.json'), onlyAt >= 0 ? args[onlyAt + 1] : undefined);
}
