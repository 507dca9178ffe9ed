import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { simulateVariant, type Simulation } from '../../src/engine/run-variant.js';
import type { BlockAudit } from '../../src/engine/types.js';
import { planScenario } from '../../src/scenario/plan.js';
import { KvsimError } from '../../src/util/errors.js';

const DIR = mkdtempSync(join(tmpdir(), 'kvsim-prop-'));
let fileNo = 0;

const cudaDevices = ['a100-80g', 'h100-80g', 'h200', 'l40s', 'rtx4090', 'v100-32g'];
const otherDevices = ['ascend-910b', 'mlu370-x8', 'metax-c500'];
const models = ['llama2-7b', 'llama3-8b', 'internlm2-chat-7b', 'qwen2.5-7b-instruct', 'mistral-7b', 'qwen1.5-7b-chat'];
const tinyModel = { name: 'tiny', layers: 4, hidden_size: 512, heads: 8, kv_heads: 2, head_dim: 64, intermediate_size: 1024, vocab_size: 32000, max_positions: 2048 };

const arrival = fc.oneof(
  fc.record({ type: fc.constant('closed-loop'), concurrency: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ type: fc.constant('poisson'), rate: fc.double({ min: 0.2, max: 300, noNaN: true }) }),
  fc.record({ type: fc.constant('gamma'), rate: fc.double({ min: 0.2, max: 300, noNaN: true }), cv: fc.double({ min: 0.3, max: 4, noNaN: true }) }),
);
const lengths = fc.oneof(
  fc.record({ type: fc.constant('fixed'), prompt: fc.integer({ min: 1, max: 600 }), output: fc.integer({ min: 1, max: 300 }) }),
  fc.record({ type: fc.constant('uniform'), prompt: fc.tuple(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 50, max: 900 })), output: fc.tuple(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 20, max: 400 })) }),
  fc.record({ type: fc.constant('lognormal'), prompt: fc.record({ median: fc.integer({ min: 5, max: 400 }), sigma: fc.double({ min: 0, max: 1.5, noNaN: true }) }), output: fc.record({ median: fc.integer({ min: 2, max: 200 }), sigma: fc.double({ min: 0, max: 1.5, noNaN: true }) }) }),
  fc.constant({ type: 'sharegpt' }),
);

/** A random valid-looking scenario: small, with caches small enough to force preemption often. */
const scenario = fc
  .record({
    cuda: fc.boolean(),
    cudaDevice: fc.constantFrom(...cudaDevices),
    otherDevice: fc.constantFrom(...otherDevices),
    model: fc.oneof(fc.constantFrom(...models), fc.constant(tinyModel)),
    seed: fc.integer({ min: 0, max: 1000 }),
    pytorch: fc.boolean(),
    quant_policy: fc.constantFrom(0, 8, 4),
    cache_max_entry_count: fc.oneof({ weight: 3, arbitrary: fc.double({ min: 0.0002, max: 0.002, noNaN: true }) }, { weight: 1, arbitrary: fc.double({ min: 0.01, max: 0.9, noNaN: true }) }),
    block_size: fc.constantFrom(1, 7, 16, 64),
    max_batch_size: fc.integer({ min: 1, max: 48 }),
    budgetExtra: fc.integer({ min: 0, max: 3000 }),
    prefill_interval: fc.integer({ min: 2, max: 20 }),
    max_prefill_token_num: fc.integer({ min: 16, max: 4096 }),
    requests: fc.integer({ min: 1, max: 40 }),
    arrival,
    lengths,
  })
  .map((r) => {
    const device = r.cuda ? r.cudaDevice : r.otherDevice;
    const backend = r.cuda && !r.pytorch ? 'turbomind' : 'pytorch';
    const quant = device === 'mlu370-x8' || device === 'metax-c500' ? 0 : r.quant_policy;
    return {
      name: 'prop',
      seed: r.seed,
      model: r.model,
      device,
      engine: {
        backend,
        quant_policy: backend === 'turbomind' && typeof r.model !== 'string' ? 0 : quant,
        cache_max_entry_count: r.cache_max_entry_count,
        block_size: r.block_size,
        max_batch_size: r.max_batch_size,
        max_prefill_token_num: r.max_prefill_token_num,
        prefill_interval: r.prefill_interval,
        ...(backend === 'turbomind' ? { max_context_token_num: r.max_batch_size + r.budgetExtra } : {}),
      },
      workload: { requests: r.requests, arrival: r.arrival, lengths: r.lengths },
    };
  });

/** Plans a generated scenario; undefined when kvsim rightly refuses it (too big for the device, ...). */
function plan(s: object) {
  const file = join(DIR, `s${fileNo++}.yaml`);
  writeFileSync(file, stringify(s));
  try {
    return { file, config: planScenario(file).configs[0]! };
  } catch (e) {
    if (e instanceof KvsimError) return undefined;
    throw e;
  }
}

function simulate(file: string, config: NonNullable<ReturnType<typeof plan>>['config'], exact: boolean, audits?: BlockAudit[]): Simulation {
  return simulateVariant(config, { exact, baseDir: dirname(file), scenarioFile: file, ...(audits ? { audit: (a: BlockAudit) => audits.push(a) } : {}) });
}

/** How many generated cases exercised what, so the test cannot pass vacuously. */
const stats = { cases: 0, preempting: 0, pytorch: 0 };

/** Checks every invariant of one generated scenario; returns a description of the first violation. */
function violations(s: object): string | undefined {
  const p = plan(s);
  fc.pre(p !== undefined);
  const { file, config } = p!;
  const audits: BlockAudit[] = [];
  let a: Simulation;
  try {
    a = simulate(file, config, false, audits);
  } catch (e) {
    // A stated prompt that cannot fit the session is refused with a clear error, rightly.
    fc.pre(!(e instanceof KvsimError));
    throw e;
  }
  const r = a.recorder, rq = a.rq;
  if (r.finishedCount !== rq.n) return `finished ${r.finishedCount} of ${rq.n}`;
  for (let i = 0; i < rq.n; i++) {
    if (Number.isNaN(r.finishS[i]!)) return `request ${i} never finished`;
    if (r.generatedTokens[i] !== rq.output[i]) return `request ${i} generated ${r.generatedTokens[i]} tokens, wanted ${rq.output[i]}`;
    if (!(r.firstTokenS[i]! - r.arrivalS[i]! <= r.finishS[i]! - r.arrivalS[i]!)) return `request ${i}: TTFT > E2E`;
    if (!(r.arrivalS[i]! <= r.scheduledS[i]! && r.scheduledS[i]! <= r.firstTokenS[i]!)) return `request ${i}: arrival, schedule and first token out of order`;
  }
  let lastT = -Infinity;
  for (const x of audits) {
    if (x.free < 0 || x.locked < 0 || x.cached < 0) return `negative block count ${JSON.stringify(x)}`;
    if (x.free + x.locked + x.cached !== x.total) return `blocks not conserved (double allocation?) ${JSON.stringify(x)}`;
    if (x.locked + x.cached > x.total) return `KV use above capacity ${JSON.stringify(x)}`;
    if (x.shortActive !== 0) return `an active sequence holds fewer blocks than its context ${JSON.stringify(x)}`;
    if (x.timeS < lastT) return `time went backwards: ${x.timeS} < ${lastT}`;
    lastT = x.timeS;
    if (config.arrival.type === 'closed-loop' && x.inSystem > config.arrival.concurrency) return `closed loop exceeded its concurrency: ${x.inSystem}`;
  }
  stats.cases++;
  if (a.finalized.metrics.preemptions > 0) stats.preempting++;
  if (config.backend === 'pytorch') stats.pytorch++;
  const end = audits[audits.length - 1];
  if (end && end.free !== end.total) return `blocks still held at the end: ${JSON.stringify(end)}`;
  const again = simulate(file, config, false);
  if (JSON.stringify(again.finalized.metrics) !== JSON.stringify(a.finalized.metrics)) return 'not deterministic';
  const exact = simulate(file, config, true);
  const diff = firstDifference(a.finalized.metrics, exact.finalized.metrics, 'metrics');
  if (diff) return `fast path differs from --exact-steps at ${diff}`;
  return undefined;
}

function firstDifference(x: unknown, y: unknown, path: string): string | undefined {
  if (typeof x === 'number') {
    const yy = y as number;
    const rel = Math.abs(x - yy) / Math.max(Math.abs(x), Math.abs(yy), 1e-300);
    return rel > 1e-9 ? `${path}: ${x} vs ${yy}` : undefined;
  }
  for (const k of Object.keys(x as object)) {
    const d = firstDifference((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k], `${path}.${k}`);
    if (d) return d;
  }
  return undefined;
}

describe('engine invariants on random scenarios (fast-check)', () => {
  it('holds conservation, capacity, ordering, determinism and fast = exact', () => {
    const result = fc.check(fc.property(scenario, (s) => {
      const v = violations(s);
      if (v) throw new Error(v);
    }), { numRuns: Number(process.env.KVSIM_PROPERTY_RUNS ?? 150), seed: Number(process.env.KVSIM_PROPERTY_SEED ?? 20261129) });
    if (result.failed) {
      // The shrunk scenario, ready to replay with `kvsim run`.
      const shrunk = result.counterexample?.[0];
      throw new Error(`${result.errorInstance instanceof Error ? result.errorInstance.message : String(result.errorInstance)}\n` +
        `seed ${result.seed}, path ${result.counterexamplePath}; replay with kvsim run on this scenario:\n---\n${stringify(shrunk)}`);
    }
    expect(result.numRuns).toBeGreaterThanOrEqual(100);
    // Both backends and heavy preemption must be among the cases checked.
    expect(stats.preempting / stats.cases).toBeGreaterThan(0.1);
    expect(stats.pytorch / stats.cases).toBeGreaterThan(0.2);
    expect(stats.pytorch / stats.cases).toBeLessThan(0.8);
  }, 120_000);
});
