import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kvsim } from '../helpers/cli.js';
import { scenarioFile, small } from '../helpers/scenario.js';

describe('kvsim CLI (built dist/)', () => {
  it('runs a scenario, prints a table and writes summary.json', () => {
    const out = mkdtempSync(join(tmpdir(), 'kvsim-out-'));
    const file = scenarioFile(small('sweep:\n  engine.quant_policy: [0, 8]\n').replace('name: t', 'name: smoke'));
    const r = kvsim(['run', file, '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/fp16\s+[\d.]+\s+1\.00x/);
    const s = JSON.parse(readFileSync(join(out, 'smoke', 'summary.json'), 'utf8'));
    expect(s.scenario).toBe('smoke');
    expect(s.variants.map((v: { label: string }) => v.label)).toEqual(['fp16', 'int8']);
    expect(Object.keys(s.variants[1].capacity)).toEqual(expect.arrayContaining(['kv_blocks', 'block_size', 'block_bytes', 'bytes_per_token', 'kv_tokens']));
    expect(s.variants[1].params.quant_policy).toBe(8);
    expect(Object.keys(s.variants[0].metrics)).toEqual(['requests', 'duration_s', 'rps', 'input_tok_s', 'output_tok_s', 'ttft_s', 'tpot_s', 'itl_s', 'e2e_s', 'queue_s', 'preemptions', 'recomputed_tokens', 'batch_size_mean', 'batch_size_max', 'kv_util_mean', 'kv_util_max', 'kv_starved_iter_frac']);
  });

  it('prints capacity with the summary key names', () => {
    const r = kvsim(['capacity', '--model', 'llama2-7b', '--device', 'a100-80g', '--quant-policy', '8', '--context', '2048', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.bytes_per_token).toBe(270336);
    expect(j).toHaveProperty('kv_blocks');
    expect(j).toHaveProperty('max_sequences');
  });

  it('prints a step cost with exactly the four breakdown parts', () => {
    const r = kvsim(['cost', '--model', 'llama2-7b', '--device', 'a100-80g', '--batch', '64', '--context', '1024', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j.breakdown)).toEqual(['dense_s', 'attention_s', 'kv_write_s', 'overhead_s']);
    expect(j.step_time_s).toBeCloseTo(Object.values(j.breakdown as Record<string, number>).reduce((a, b) => a + b, 0), 12);
    expect(kvsim(['cost', '--model', 'llama2-7b', '--device', 'a100-80g', '--prefill', '1024', '--json']).code).toBe(0);
  });

  it('lists the catalogue as JSON with device types', () => {
    const j = JSON.parse(kvsim(['catalog', '--json']).stdout);
    expect(j.models.map((m: { name: string }) => m.name)).toContain('llama2-7b');
    expect(j.devices.find((d: { name: string }) => d.name === 'ascend-910b').device_type).toBe('ascend');
  });

  it('exits 2 with one line and no stack trace on bad input and bad usage', () => {
    const bad = kvsim(['run', scenarioFile(small('engine:\n  quant_polcy: 8\n'))]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/did you mean "quant_policy"/);
    expect(bad.stderr).not.toMatch(/at .*\.js:\d+/);
    expect(kvsim(['run', 'no-such-file.yaml']).code).toBe(2);
    const flag = kvsim(['capacity', '--model', 'llama2-7b', '--device', 'a100-80g', '--bogus', '1']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/Unknown argument: bogus/);
    expect(kvsim([]).code).toBe(2);
    expect(kvsim(['validate', scenarioFile(small())]).code).toBe(0);
  });

  it('teaches with --help', () => {
    const r = kvsim(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/run <scenario\.\.>/);
    expect(r.stdout).toMatch(/Examples:/);
    expect(existsSync(join(import.meta.dirname, '..', '..', 'dist', 'src', 'cli', 'main.js'))).toBe(true);
  });
});
