import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScenariosTo } from '../../src/cli/commands/run.js';
import { KvsimError } from '../../src/util/errors.js';
import { KVSIM } from '../helpers/cli.js';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'bad');
const cases = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as Record<string, { category: string; expect: string }>;

function cli(file: string, out: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [KVSIM, 'run', file, '--out', out], { cwd: DIR, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '', stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('the bad-input corpus (test/fixtures/bad)', () => {
  it('has at least two cases in each of the 13 categories', () => {
    const counts = new Map<string, number>();
    for (const c of Object.values(cases)) counts.set(c.category, (counts.get(c.category) ?? 0) + 1);
    expect(counts.size).toBe(13);
    for (const [category, n] of counts) expect(n, category).toBeGreaterThanOrEqual(2);
    expect(existsSync(join(DIR, 'missing.yaml'))).toBe(false);
  });

  it.each(Object.entries(cases))('%s: one clear line with the file, the key or row, and how to fix it', async (name, c) => {
    const out = mkdtempSync(join(tmpdir(), 'kvsim-bad-'));
    const cwd = process.cwd();
    process.chdir(DIR);
    let err: unknown;
    try {
      await runScenariosTo([name], { out, charts: false, quiet: true });
    } catch (e) {
      err = e;
    } finally {
      process.chdir(cwd);
    }
    // A KvsimError is what the CLI prints as one line and exits 2 on; anything else would be an internal error.
    expect(err, name).toBeInstanceOf(KvsimError);
    const line = (err as KvsimError).oneLine();
    expect(line.split('\n')).toHaveLength(1);
    expect(`kvsim: ${line}`).toMatch(new RegExp(`^kvsim: .*${c.expect}`));
    expect(line).toContain(name.startsWith('trace-') ? 'traces/' : name.replace(/\.yaml$/, ''));
    expect(readdirSync(out), 'no partial output').toEqual([]);
  });

  it('exits 2 from the CLI with that line alone on stderr, nothing on stdout and no stack trace', async () => {
    const sample = ['yaml-syntax-unclosed.yaml', 'number-nan.yaml', 'unknown-device.yaml', 'rule-quant-on-maca.yaml', 'trace-bad-cell.yaml', 'binary.yaml', 'missing.yaml', 'hostile-alias-bomb.yaml', 'sweep-too-large.yaml', 'memory-too-many-requests.yaml'];
    const results = await Promise.all(sample.map(async (name) => {
      const out = mkdtempSync(join(tmpdir(), 'kvsim-bad-'));
      return { name, out, r: await cli(name, out) };
    }));
    for (const { name, out, r } of results) {
      expect(r.code, `${name}: ${r.stderr}`).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines, name).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(cases[name]!.expect));
      expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
      expect(r.stdout).toBe('');
      expect(readdirSync(out)).toEqual([]);
    }
  }, 60_000);

  it('prints the stack trace with --debug', async () => {
    const r = await new Promise<{ code: number; stderr: string }>((resolve) => {
      const p = spawn(process.execPath, [KVSIM, 'run', 'number-zero.yaml', '--debug'], { cwd: DIR });
      let stderr = '';
      p.stderr.on('data', (d) => (stderr += d));
      p.on('close', (code) => resolve({ code: code ?? -1, stderr }));
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\n\s+at .+:\d+:\d+/);
  });
});
