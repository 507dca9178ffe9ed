import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { compareSummaries, hasDifferences, type Comparison } from '../../compare/diff.js';
import { formatJson, formatMarkdown, formatTable } from '../../compare/format.js';
import { runAtGitRef } from '../../compare/git.js';
import { readSummaries } from '../../report/read-summary.js';
import type { Summary } from '../../report/summary.js';
import { KvsimError } from '../../util/errors.js';
import { EXIT } from '../exit.js';

export interface CompareArgs {
  paths: string[];
  git?: string | undefined;
  rtol: number;
  metrics?: string | undefined;
  format: 'table' | 'md' | 'json';
}

function summariesOf(path: string): Map<string, Summary> {
  return new Map([...readSummaries(path)].map(([k, v]) => [k, v.summary]));
}

export function printComparison(c: Comparison, format: CompareArgs['format']): void {
  process.stdout.write(format === 'json' ? formatJson(c) : format === 'md' ? formatMarkdown(c) : formatTable(c));
}

/** The scenario files of this checkout (scenarios/*.yaml|json). */
export function defaultScenarios(dir = 'scenarios'): string[] {
  if (!existsSync(dir)) throw new KvsimError(`no ${dir}/ folder here`, { hint: 'run from the repository root or name the scenario files' });
  return readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f)).sort().map((f) => join(dir, f));
}

/** `kvsim compare BASE HEAD` or `kvsim compare --git REF [SCENARIO...]`: exit 1 when anything moved. */
export async function compareCommand(a: CompareArgs): Promise<void> {
  if (!(a.rtol >= 0) || !Number.isFinite(a.rtol)) throw new KvsimError(`--rtol must be a number ≥ 0 (got ${a.rtol})`, { keyPath: '--rtol' });
  const metrics = a.metrics ? a.metrics.split(',').map((m) => m.trim()).filter(Boolean) : undefined;
  const opts = { rtol: a.rtol, ...(metrics ? { metrics } : {}) };
  let c: Comparison;
  if (a.git !== undefined) {
    const scenarios = a.paths.length ? a.paths : defaultScenarios();
    let result: Comparison | undefined;
    runAtGitRef(a.git, scenarios, ({ baseDir, headDir, newInHead }) => {
      mkdirSync(baseDir, { recursive: true });
      const base = existsSync(baseDir) && readdirSync(baseDir).length ? summariesOf(baseDir) : new Map<string, Summary>();
      result = compareSummaries(base, summariesOf(headDir), opts);
      if (newInHead.length) process.stderr.write(`kvsim: new in the working tree: ${newInHead.join(', ')}\n`);
    }, (s) => process.stderr.write(`${s}\n`));
    c = result!;
  } else {
    if (a.paths.length !== 2) throw new KvsimError(`compare takes BASE and HEAD (two summary files or results folders), got ${a.paths.length}`, { hint: 'or use --git REF to compare against another commit' });
    c = compareSummaries(summariesOf(a.paths[0]!), summariesOf(a.paths[1]!), opts);
  }
  printComparison(c, a.format);
  if (hasDifferences(c)) process.exitCode = EXIT.different;
}
