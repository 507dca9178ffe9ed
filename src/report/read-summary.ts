import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { KvsimError } from '../util/errors.js';
import type { Summary } from './summary.js';

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
export function readSummary(file: string): Summary {
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
  if (!isObj(meta) || typeof meta.schema !== 'string') return fail('not a kvsim summary (no kvsim.schema)');
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

/** Summaries by scenario name from a summary.json, a folder holding one, or a results folder of <name>/summary.json. */
export function readSummaries(path: string): Map<string, { file: string; summary: Summary }> {
  const out = new Map<string, { file: string; summary: Summary }>();
  for (const file of summaryFiles(path)) {
    const summary = readSummary(file);
    if (out.has(summary.scenario)) throw new KvsimError(`two summaries for scenario "${summary.scenario}"`, { file });
    out.set(summary.scenario, { file, summary });
  }
  return out;
}
