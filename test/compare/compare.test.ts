import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareSummaries } from '../../src/compare/diff.js';
import { mergeSummaries } from '../../src/cli/commands/merge.js';
import { summaryJson, type Summary } from '../../src/report/summary.js';
import { kvsim } from '../helpers/cli.js';
import { scenarioFile, small } from '../helpers/scenario.js';

const SWEEP = small('sweep:\n  engine.quant_policy: [0, 8, 4]\n  workload.arrival.concurrency: [2, 8]\n').replace('name: t', 'name: cmp');

function runTo(out: string, extra: string[] = []): string {
  const file = scenarioFile(SWEEP);
  const r = kvsim(['run', file, '--out', out, '--no-charts', '--quiet', ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return file;
}

describe('kvsim compare', () => {
  const base = mkdtempSync(join(tmpdir(), 'kvsim-cmp-'));
  runTo(base);
  const baseFile = join(base, 'cmp', 'summary.json');

  it('exits 0 on identical summaries', () => {
    const r = kvsim(['compare', baseFile, baseFile]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/no change beyond rtol 0\.005/);
  });

  it('finds a planted change with the right delta and exits 1', () => {
    const s = JSON.parse(readFileSync(baseFile, 'utf8')) as Summary;
    const v = s.variants[3]!;
    const before = v.metrics.ttft_s.p99;
    v.metrics.ttft_s.p99 = before * 1.1;
    const headDir = mkdtempSync(join(tmpdir(), 'kvsim-cmp-'));
    writeFileSync(join(headDir, 'summary.json'), summaryJson(s));
    const r = kvsim(['compare', baseFile, join(headDir, 'summary.json'), '--format', 'json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j.changes).toHaveLength(1);
    expect(j.changes[0]).toMatchObject({ scenario: 'cmp', variant: v.label, metric: 'ttft_s.p99', base: before });
    expect(j.changes[0].abs_delta).toBeCloseTo(before * 0.1, 12);
    expect(j.changes[0].rel_delta).toBeCloseTo(0.1, 12);
    // Within tolerance, or filtered out by --metrics: no difference.
    expect(kvsim(['compare', baseFile, join(headDir, 'summary.json'), '--rtol', '0.2']).code).toBe(0);
    expect(kvsim(['compare', baseFile, join(headDir, 'summary.json'), '--metrics', 'rps,tpot_s']).code).toBe(0);
    const md = kvsim(['compare', baseFile, join(headDir, 'summary.json'), '--format', 'md']);
    expect(md.stdout).toMatch(/^### kvsim results: 1 metric moved/);
    expect(md.stdout).toMatch(/\| cmp \| .* \| `ttft_s\.p99` \| .* \| \+10\.00% \|/);
  });

  it('reports missing and new variants and scenarios', () => {
    const s = JSON.parse(readFileSync(baseFile, 'utf8')) as Summary;
    const head = { ...s, variants: s.variants.slice(1) };
    const c = compareSummaries(new Map([['cmp', s]]), new Map([['cmp', head], ['other', head]]));
    expect(c.missing_variants).toEqual([{ scenario: 'cmp', variant: s.variants[0]!.label }]);
    expect(c.new_scenarios).toEqual(['other']);
  });

  it('exits 2 with a clear message on malformed input', () => {
    const bad = join(mkdtempSync(join(tmpdir(), 'kvsim-cmp-')), 'bad.json');
    writeFileSync(bad, '{"scenario": 3}');
    const r = kvsim(['compare', baseFile, bad]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/bad\.json: not a kvsim summary/);
    expect(kvsim(['compare', baseFile]).code).toBe(2);
  });
});

describe('sharded sweeps and worker threads', () => {
  it('merges shards into exactly the unsharded summary, byte for byte', () => {
    const out = mkdtempSync(join(tmpdir(), 'kvsim-shard-'));
    const file = runTo(join(out, 'full'), ['--jobs', '1']);
    for (const i of [1, 2, 3, 4]) expect(kvsim(['run', file, '--out', join(out, 'parts'), '--shard', `${i}/4`, '--quiet', '--no-charts']).code).toBe(0);
    const parts = [1, 2, 3, 4].map((i) => join(out, 'parts', `cmp.shard-${i}-of-4`));
    expect(kvsim(['merge', ...parts, '--out', join(out, 'merged'), '--no-charts', '--quiet']).code).toBe(0);
    expect(readFileSync(join(out, 'merged', 'cmp', 'summary.json'), 'utf8')).toBe(readFileSync(join(out, 'full', 'cmp', 'summary.json'), 'utf8'));
    // A missing shard is an error, not a silently smaller summary.
    const partial = parts.slice(0, 3).map((p) => ({ file: p, summary: JSON.parse(readFileSync(join(p, 'summary.json'), 'utf8')) as Summary }));
    expect(() => mergeSummaries(partial)).toThrow(/shards 4 of 4 not given/);
  });

  it('gives identical results for --jobs 1 and --jobs 2', () => {
    const out = mkdtempSync(join(tmpdir(), 'kvsim-jobs-'));
    const file = runTo(join(out, 'j1'), ['--jobs', '1']);
    expect(kvsim(['run', file, '--out', join(out, 'j2'), '--no-charts', '--quiet', '--jobs', '2']).code).toBe(0);
    expect(readFileSync(join(out, 'j2', 'cmp', 'summary.json'), 'utf8')).toBe(readFileSync(join(out, 'j1', 'cmp', 'summary.json'), 'utf8'));
  });
});

describe('kvsim compare --git', () => {
  it('reports no change against HEAD on a clean tree, and cleans up its worktree', () => {
    // A throwaway clone of this repository at HEAD, so the test needs no particular state of the checkout.
    const repo = mkdtempSync(join(tmpdir(), 'kvsim-git-'));
    const root = join(import.meta.dirname, '..', '..');
    execFileSync('git', ['clone', '-q', '--no-hardlinks', root, repo]);
    cpSync(join(root, 'dist'), join(repo, 'dist'), { recursive: true });
    symlinkSync(join(root, 'node_modules'), join(repo, 'node_modules'), 'dir');
    const scenario = join(repo, 'scenarios', 'small.yaml');
    writeFileSync(scenario, SWEEP.replace('requests: 50', 'requests: 30'));
    execFileSync('git', ['-C', repo, 'add', 'scenarios/small.yaml']);
    execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'small scenario']);
    const r = kvsim(['compare', '--git', 'HEAD', 'scenarios/small.yaml'], { cwd: repo });
    expect(r.stderr).toMatch(/building HEAD in a temporary worktree/);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/no change beyond rtol/);
    expect(execFileSync('git', ['-C', repo, 'worktree', 'list'], { encoding: 'utf8' }).trim().split('\n')).toHaveLength(1);
  }, 120_000);
});
