import { describe, expect, it } from 'vitest';
import { planScenario } from '../../src/scenario/run-scenario.js';
import { planError, scenarioFile, small } from '../helpers/scenario.js';

describe('scenario validation: one line with file, key path and line', () => {
  it('suggests the nearest key for a misspelt one, with its line', () => {
    const e = planError(small('engine:\n  quant_polcy: 8\n'));
    expect(e).toMatch(/\.yaml:9: engine\.quant_polcy: unknown key "quant_polcy" \(did you mean "quant_policy"\?\)/);
  });

  it('rejects a quant_policy that LMDeploy does not have', () => {
    expect(planError(small('engine:\n  quant_policy: 16\n'))).toMatch(/:9: engine\.quant_policy: quant_policy must be 0 \(fp16\), 8 \(int8\) or 4 \(int4\) \(got 16\)/);
  });

  it('requires name, model, device and workload keys', () => {
    expect(planError('name: x\nmodel: llama2-7b\ndevice: a100-80g\n')).toMatch(/workload: is required/);
    expect(planError('model: llama2-7b\ndevice: a100-80g\nworkload: {requests: 1, arrival: {type: poisson, rate: 1}, lengths: {type: sharegpt}}\n')).toMatch(/name: is required/);
    expect(planError(small().replace('  requests: 50\n', ''))).toMatch(/workload\.requests: is required/);
  });

  it('refuses KV quantization outside CUDA and Ascend, in LMDeploy\'s words', () => {
    const e = planError(small('engine:\n  quant_policy: 8\n').replace('a100-80g', 'metax-c500'));
    expect(e).toMatch(/engine\.quant_policy: kv cache quantization only works for CUDA and ASCEND\./);
    expect(planError(small('engine:\n  quant_policy: 4\n').replace('a100-80g', 'ascend-910b'))).toBeUndefined();
  });

  it('forces block_size 16 on camb with a warning', () => {
    const plan = planScenario(scenarioFile(small('engine:\n  block_size: 64\n').replace('a100-80g', 'mlu370-x8')));
    expect(plan.configs[0]!.blockSize).toBe(16);
    expect(plan.configs[0]!.warnings.join()).toMatch(/block_size 16/);
  });

  it('keeps turbomind on cuda and defaults other devices to pytorch', () => {
    expect(planError(small('engine:\n  backend: turbomind\n').replace('a100-80g', 'ascend-910b'))).toMatch(/engine\.backend: the turbomind backend is cuda-only/);
    expect(planScenario(scenarioFile(small().replace('a100-80g', 'ascend-910b'))).configs[0]!.backend).toBe('pytorch');
  });

  it('requires cache_max_entry_count in (0, 1)', () => {
    expect(planError(small('engine:\n  cache_max_entry_count: 1\n'))).toMatch(/:9: engine\.cache_max_entry_count: cache_max_entry_count must lie in \(0, 1\)/);
    expect(planError(small('engine:\n  cache_max_entry_count: 0\n'))).toMatch(/cache_max_entry_count/);
  });

  it('requires head_dim 128 for TurboMind KV quantization', () => {
    const inline = 'model: { name: tiny, layers: 16, hidden_size: 2048, heads: 32, kv_heads: 8, head_dim: 64, intermediate_size: 8192, vocab_size: 128256, max_positions: 8192 }';
    const text = small('engine:\n  quant_policy: 4\n').replace('model: llama2-7b', inline);
    expect(planError(text)).toMatch(/TurboMind KV quantization needs head_dim 128/);
    expect(planError(text.replace('quant_policy: 4', 'quant_policy: 0'))).toBeUndefined();
  });

  it('refuses a model whose weights do not fit, and suggests tp', () => {
    expect(planError(small().replace('llama2-7b', 'llama2-70b'))).toMatch(/llama2-70b does not fit: .*set tp: 2 or more/);
    expect(planError(small('tp: 4\n').replace('llama2-7b', 'llama2-70b'))).toBeUndefined();
  });

  it('truncates session_len, with LMDeploy\'s warning, when the cache cannot hold one session', () => {
    const plan = planScenario(scenarioFile(small('engine:\n  cache_max_entry_count: 0.01\n').replace('llama2-7b', 'llama3.1-70b').replace('a100-80g', 'h200') + 'tp: 2\n'));
    const c = plan.configs[0]!;
    expect(c.sessionLen).toBe(c.capacity.kv_blocks * 64);
    expect(c.warnings.join()).toMatch(/session_len truncated to/);
  });

  it('lists the valid names for an unknown model or device', () => {
    expect(planError(small().replace('llama2-7b', 'llama2-7B'))).toMatch(/:2: model: unknown model "llama2-7B" \(did you mean "llama2-7b"\? valid models: llama2-7b, /);
    expect(planError(small().replace('a100-80g', 'a100'))).toMatch(/:3: device: unknown device "a100" .*valid devices: .*h200/);
  });

  it('points a bad sweep value at its line in the sweep', () => {
    const e = planError(small('sweep:\n  engine.quant_policy: [0, 3]\n'));
    expect(e).toMatch(/:9: sweep\.engine\.quant_policy\[1\]: quant_policy must be/);
    expect(planError(small('sweep:\n  engine.quant_polcy: [0]\n'))).toMatch(/cannot sweep "engine\.quant_polcy".*did you mean "engine\.quant_policy"/);
  });

  it('gives YAML syntax errors their line', () => {
    expect(planError('name: x\nmodel: [llama2-7b\ndevice: a100-80g\n')).toMatch(/\.yaml:\d+: YAML syntax error/);
  });

  it('reads JSON scenarios too', () => {
    const file = scenarioFile(JSON.stringify({ name: 'j', model: 'llama2-7b', device: 'a100-80g', workload: { requests: 5, arrival: { type: 'poisson', rate: 1 }, lengths: { type: 'fixed', prompt: 10, output: 5 } } }), 'json');
    expect(planScenario(file).configs).toHaveLength(1);
  });

  it('applies LMDeploy v0.4.0 defaults and records every effective value', () => {
    const c = planScenario(scenarioFile(small())).configs[0]!;
    expect([c.backend, c.quantPolicy, c.cacheMaxEntryCount, c.blockSize, c.maxBatchSize, c.sessionLen, c.maxContextTokenNum, c.seed, c.tp]).toEqual(['turbomind', 0, 0.8, 64, 128, 4096, 4096, 1, 1]);
  });

  it('expands a sweep into one variant per combination, first key slowest', () => {
    const plan = planScenario(scenarioFile(small('sweep:\n  engine.quant_policy: [0, 8, 4]\n  workload.arrival.concurrency: [4, 8]\n')));
    expect(plan.configs.map((c) => c.label)).toEqual(['fp16 c=4', 'fp16 c=8', 'int8 c=4', 'int8 c=8', 'int4 c=4', 'int4 c=8']);
  });
});
