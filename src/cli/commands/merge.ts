import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readSummary } from '../../report/read-summary.js';
import type { Summary } from '../../report/summary.js';
import { KvsimError } from '../../util/errors.js';
import { writeRunFolder } from './run.js';

/** Joins the partial summaries of `kvsim run --shard I/N` into exactly the unsharded summary. */
export function mergeSummaries(parts: { file: string; summary: Summary }[]): Summary {
  if (parts.length === 0) throw new KvsimError('give the partial summaries to merge');
  const first = parts[0]!;
  const shard0 = first.summary.shard;
  if (!shard0) throw new KvsimError('not a partial summary (no "shard"); only kvsim run --shard output can be merged', { file: first.file });
  const byIndex = new Map<number, Summary['variants'][number]>();
  for (const { file, summary } of parts) {
    const sh = summary.shard;
    if (!sh) throw new KvsimError('not a partial summary (no "shard")', { file });
    if (summary.scenario !== first.summary.scenario) throw new KvsimError(`scenario "${summary.scenario}" differs from "${first.summary.scenario}"`, { file });
    if (sh.count !== shard0.count || sh.total_variants !== shard0.total_variants) throw new KvsimError(`shard ${sh.index}/${sh.count} of ${sh.total_variants} variants does not match ${shard0.index}/${shard0.count} of ${shard0.total_variants}`, { file });
    if (sh.variant_indices.length !== summary.variants.length) throw new KvsimError('variant_indices and variants differ in length', { file, keyPath: 'shard.variant_indices' });
    sh.variant_indices.forEach((idx, j) => {
      if (byIndex.has(idx)) throw new KvsimError(`variant ${idx} appears in two parts`, { file, hint: 'pass each shard once' });
      byIndex.set(idx, summary.variants[j]!);
    });
  }
  const missing = Array.from({ length: shard0.total_variants }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length) {
    const counts = new Set(parts.map((p) => p.summary.shard!.index));
    const absent = Array.from({ length: shard0.count }, (_, i) => i + 1).filter((i) => !counts.has(i));
    throw new KvsimError(`${missing.length} variants are missing (shards ${absent.join(', ')} of ${shard0.count} not given)`, { hint: 'pass every shard\'s summary' });
  }
  const { shard: _drop, ...top } = first.summary;
  return { ...top, variants: Array.from({ length: shard0.total_variants }, (_, i) => byIndex.get(i)!) };
}

function partFile(p: string): string {
  if (existsSync(p) && statSync(p).isDirectory()) return join(p, 'summary.json');
  return p;
}

/** `kvsim merge PARTS... --out DIR`. */
export async function mergeCommand(a: { parts: string[]; out: string; charts: boolean; quiet: boolean }): Promise<void> {
  const parts = a.parts.map((p) => ({ file: partFile(p), summary: readSummary(partFile(p)) }));
  const merged = mergeSummaries(parts);
  const dir = resolve(a.out, merged.scenario);
  await writeRunFolder(dir, merged, { charts: a.charts });
  if (!a.quiet) process.stdout.write(`merged ${parts.length} parts (${merged.variants.length} variants) into ${join(a.out, merged.scenario)}/summary.json\n`);
}
