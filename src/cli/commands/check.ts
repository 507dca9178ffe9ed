import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareSummaries, hasDifferences } from '../../compare/diff.js';
import { readSummaries } from '../../report/read-summary.js';
import type { Summary } from '../../report/summary.js';
import { EXIT } from '../exit.js';
import { defaultScenarios, printComparison } from './compare.js';
import { runScenariosTo } from './run.js';

/**
 * `kvsim check`: re-runs every scenario into a temporary folder and compares its numbers with
 * the committed baselines in results/, exactly (kvsim is deterministic). Never writes results/.
 */
export async function checkCommand(a: { scenarios: string[]; results: string; format: 'table' | 'md' | 'json'; jobs?: number | undefined }): Promise<void> {
  const files = a.scenarios.length ? a.scenarios : defaultScenarios();
  const tmp = mkdtempSync(join(tmpdir(), 'kvsim-check-'));
  try {
    const fresh = await runScenariosTo(files, { out: tmp, charts: false, quiet: true, jobs: a.jobs });
    const head = new Map(fresh.map((s) => [s.scenario, s]));
    const names = new Set(head.keys());
    const base = new Map<string, Summary>();
    for (const [name, v] of readSummaries(a.results)) if (names.has(name) || !a.scenarios.length) base.set(name, v.summary);
    const c = compareSummaries(base, head, { rtol: 0 });
    printComparison(c, a.format);
    if (hasDifferences(c)) {
      process.stderr.write('kvsim: results differ from the committed baselines; if the change is intended, run npm run results:update and say why in the commit message\n');
      process.exitCode = EXIT.different;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
