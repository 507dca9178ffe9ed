import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { CHARTS } from '../../report/charts/index.js';
import { readSummary, summaryFiles } from '../../report/read-summary.js';
import { KvsimError } from '../../util/errors.js';

export interface ChartArgs {
  /** summary.json files, folders holding one, or results folders of <name>/summary.json. */
  summaries: string[];
  /** Output folder; '' or undefined for the default. */
  out?: string | undefined;
}

/** Where a summary came from, for telling apart two with the same scenario name. */
function fileTag(file: string): string {
  return basename(file) === 'summary.json' ? basename(dirname(resolve(file))) : basename(file).replace(/\.json$/, '');
}

/**
 * `kvsim chart SUMMARY.json... [--out DIR]`: re-renders the charts and report.md from
 * summaries alone (nothing is re-run). The default folder is the summary's own when there is
 * one, else out/charts. Files are written beside the target and renamed in, so a reader never
 * sees half a chart; chart files that no longer apply are removed.
 */
export async function chartCommand(a: ChartArgs): Promise<void> {
  if (a.summaries.length === 0) throw new KvsimError('give at least one summary.json (or a folder holding one)');
  const files = a.summaries.flatMap(summaryFiles);
  const summaries = files.map(readSummary);
  // Summaries with the same scenario name are told apart by their file (folder) name.
  const count = new Map<string, number>();
  for (const s of summaries) count.set(s.scenario, (count.get(s.scenario) ?? 0) + 1);
  const named = summaries.map((s, i) => (count.get(s.scenario)! > 1 ? { ...s, scenario: `${s.scenario} (${fileTag(files[i]!)})` } : s));

  const outArg = a.out ? a.out : files.length === 1 ? dirname(files[0]!) : join('out', 'charts');
  const out = resolve(outArg);
  mkdirSync(out, { recursive: true });
  const { writeCharts } = await import('../../report/render.js');
  const { reportMarkdown } = await import('../../report/report-md.js');
  const tmp = mkdtempSync(join(out, '.charts.tmp-'));
  const written: string[] = [];
  try {
    const charts = await writeCharts(tmp, named);
    writeFileSync(join(tmp, 'report.md'), reportMarkdown(named, charts));
    const made = [...charts.flatMap((n) => [`${n}.vl.json`, `${n}.svg`, `${n}.png`]), 'report.md'];
    for (const f of made) {
      renameSync(join(tmp, f), join(out, f));
      written.push(f);
    }
    for (const def of CHARTS) {
      if (charts.includes(def.name)) continue;
      for (const ext of ['.vl.json', '.svg', '.png']) rmSync(join(out, `${def.name}${ext}`), { force: true });
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const shown = relative(process.cwd(), out) || '.';
  for (const f of written) process.stdout.write(`${join(shown, f)}\n`);
}
