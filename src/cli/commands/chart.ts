import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { CHARTS } from '../../report/charts/index.js';
import type { Summary } from '../../report/summary.js';
import { KvsimError } from '../../util/errors.js';

export interface ChartArgs {
  /** summary.json files, folders holding one, or results folders of <name>/summary.json. */
  summaries: string[];
  /** Output folder; '' or undefined for the default. */
  out?: string | undefined;
}

const HINT = 'pass a summary.json written by kvsim run (or its folder)';

/** The summary.json files a path stands for: itself, <path>/summary.json, or <path>/<name>/summary.json. */
export function summaryFiles(path: string): string[] {
  if (!existsSync(path)) throw new KvsimError('no such file or folder', { file: path, hint: HINT });
  if (statSync(path).isFile()) return [path];
  const direct = join(path, 'summary.json');
  if (existsSync(direct)) return [direct];
  const nested = readdirSync(path).sort().map((e) => join(path, e, 'summary.json')).filter((f) => existsSync(f));
  if (nested.length === 0) throw new KvsimError('no summary.json in this folder or its subfolders', { file: path, hint: HINT });
  return nested;
}

/** Reads a summary.json and checks it has what the charts read; errors name the file and key. */
export function readSummaryFile(file: string): Summary {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new KvsimError(code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder' : `not valid JSON (${(e as Error).message})`, { file, hint: HINT });
  }
  const fail = (msg: string, keyPath?: string): never => {
    throw new KvsimError(msg, { file, ...(keyPath ? { keyPath } : {}), hint: HINT });
  };
  const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  if (!isObj(data)) return fail('not a kvsim summary (expected a JSON object)');
  const meta = data.kvsim;
  if (!isObj(meta) || typeof meta.schema !== 'string') return fail('not a kvsim summary (no kvsim.schema)', 'kvsim');
  if (meta.schema !== 'kvsim-summary/1') return fail(`unsupported summary schema "${meta.schema}" (this kvsim reads kvsim-summary/1)`, 'kvsim.schema');
  if (typeof data.scenario !== 'string' || data.scenario === '') fail('missing the scenario name', 'scenario');
  if (!Array.isArray(data.variants) || data.variants.length === 0) return fail('has no variants', 'variants');
  data.variants.forEach((v: unknown, i: number) => {
    const at = `variants[${i}]`;
    if (!isObj(v)) return fail('is not an object', at);
    if (typeof v.label !== 'string') fail('has no label', `${at}.label`);
    if (!isObj(v.params) || ![0, 4, 8].includes(v.params.quant_policy as number)) fail('quant_policy must be 0, 8 or 4', `${at}.params.quant_policy`);
    if (!isObj(v.metrics) || typeof v.metrics.rps !== 'number') fail('has no metrics', `${at}.metrics`);
    if (!isObj(v.capacity) || typeof v.capacity.kv_blocks !== 'number') fail('has no capacity', `${at}.capacity`);
    if (!isObj(v.explain)) fail('has no explain', `${at}.explain`);
    if (!Array.isArray(v.warnings)) fail('has no warnings list', `${at}.warnings`);
    if (v.series !== undefined && !isObj(v.series)) fail('series must be an object', `${at}.series`);
    return undefined;
  });
  return data as unknown as Summary;
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
  const summaries = files.map(readSummaryFile);
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
