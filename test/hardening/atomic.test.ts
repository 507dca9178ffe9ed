import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kvsim, KVSIM } from '../helpers/cli.js';

/** A scenario that takes a few seconds, so a kill lands mid-run. */
const SLOW = `name: slow
model: llama2-7b
device: a100-80g
engine: { max_batch_size: 256 }
workload:
  requests: 60000
  arrival: { type: closed-loop, concurrency: 256 }
  lengths: { type: sharegpt }
sweep:
  engine.quant_policy: [0, 8, 4]
`;

function killAfter(args: string[], ms: number, signal: NodeJS.Signals): Promise<number | null> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [KVSIM, ...args], { stdio: 'ignore' });
    setTimeout(() => p.kill(signal), ms);
    p.on('close', (code) => resolve(code));
  });
}

describe('atomic writes', () => {
  it('a run killed mid-way leaves the previous results intact, never a torn file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kvsim-atomic-'));
    const file = join(dir, 'slow.yaml');
    writeFileSync(file, SLOW.replace('requests: 60000', 'requests: 300'));
    const out = join(dir, 'out');
    expect(kvsim(['run', file, '--out', out, '--no-charts', '--quiet']).code).toBe(0);
    const before = readFileSync(join(out, 'slow', 'summary.json'), 'utf8');
    writeFileSync(file, SLOW);
    for (const [ms, signal] of [[1500, 'SIGINT'], [2500, 'SIGKILL'], [3500, 'SIGTERM']] as const) {
      await killAfter(['run', file, '--out', out, '--no-charts', '--quiet', '--jobs', '1'], ms, signal);
      // Either the old summary, or (if the run won the race) a complete new one: always valid JSON.
      const now = readFileSync(join(out, 'slow', 'summary.json'), 'utf8');
      const parsed = JSON.parse(now);
      expect(parsed.variants).toHaveLength(3);
      if (now !== before) expect(parsed.variants[0].params.requests).toBe(60000);
      const stray = readdirSync(out).filter((e) => e !== 'slow');
      if (signal !== 'SIGKILL') expect(stray, 'temporary folders are removed on SIGINT/SIGTERM').toEqual([]);
    }
    // A later run clears what a SIGKILL left behind.
    writeFileSync(file, SLOW.replace('requests: 60000', 'requests: 200'));
    expect(kvsim(['run', file, '--out', out, '--no-charts', '--quiet']).code).toBe(0);
    expect(readdirSync(out)).toEqual(['slow']);
    expect(existsSync(join(out, 'slow', 'summary.json'))).toBe(true);
  }, 60_000);
});
