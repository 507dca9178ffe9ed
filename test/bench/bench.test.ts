import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

describe('npm run bench (reduced)', () => {
  it('runs every workload in a child process and reports the measures', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'kvsim-bench-')), 'bench.json');
    const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'bench', 'run.js'), '--quick', '--out', out], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/requests\/s\s+events\/s\s+iterations\/s\s+peak RSS MB/);
    const j = JSON.parse(readFileSync(out, 'utf8'));
    expect(j.machine.cpus).toBeGreaterThan(0);
    expect(j.results.map((x: { name: string }) => x.name)).toEqual(expect.arrayContaining([
      'default scenario (10k x 3 policies)', 'poisson 1M fp16 (h100, 0.9 x closed-loop RPS)', 'long context (prompts 8k-32k, 10k requests)', 'concurrency sweep (8 points, 3k requests each)',
    ]));
    for (const x of j.results) {
      expect(x.wall_s).toBeGreaterThan(0);
      expect(x.events).toBeGreaterThan(0);
      expect(x.peak_rss_bytes).toBeGreaterThan(1e7);
    }
    expect(typeof j.targets.met.linear).toBe('boolean');
  }, 120_000);
});
