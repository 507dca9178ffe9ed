import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Summary } from '../report/summary.js';
import { KvsimError } from '../util/errors.js';

/** Reads and sanity-checks one summary.json. */
export function readSummary(file: string): Summary {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    const msg = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not valid JSON (${(e as Error).message})`;
    throw new KvsimError(msg, { file, hint: 'pass a summary.json written by kvsim run, or a folder of them' });
  }
  const s = data as Partial<Summary>;
  if (!s || typeof s !== 'object' || typeof s.scenario !== 'string' || !Array.isArray(s.variants)) {
    throw new KvsimError('not a kvsim summary (needs "scenario" and "variants")', { file });
  }
  s.variants.forEach((v, i) => {
    if (!v || typeof v.label !== 'string' || typeof v.metrics !== 'object' || v.metrics === null) {
      throw new KvsimError(`variant ${i} has no label or metrics`, { file, keyPath: `variants[${i}]` });
    }
  });
  return s as Summary;
}

/**
 * Summaries by scenario name from a summary.json, a folder holding one, or a results folder
 * of <name>/summary.json.
 */
export function readSummaries(path: string): Map<string, { file: string; summary: Summary }> {
  const out = new Map<string, { file: string; summary: Summary }>();
  const add = (file: string) => {
    const summary = readSummary(file);
    if (out.has(summary.scenario)) throw new KvsimError(`two summaries for scenario "${summary.scenario}"`, { file });
    out.set(summary.scenario, { file, summary });
  };
  if (!existsSync(path)) throw new KvsimError('no such file or folder', { file: path });
  if (statSync(path).isFile()) {
    add(path);
    return out;
  }
  if (existsSync(join(path, 'summary.json'))) {
    add(join(path, 'summary.json'));
    return out;
  }
  for (const entry of readdirSync(path).sort()) {
    const f = join(path, entry, 'summary.json');
    if (existsSync(f)) add(f);
  }
  if (out.size === 0) throw new KvsimError('no summary.json here or in its subfolders', { file: path });
  return out;
}
