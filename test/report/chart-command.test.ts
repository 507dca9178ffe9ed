import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { chartCommand } from '../../src/cli/commands/chart.js';
import { buildCharts } from '../../src/report/charts/index.js';
import { renderSvg } from '../../src/report/render.js';
import { summaryJson, type Summary } from '../../src/report/summary.js';
import { KvsimError } from '../../src/util/errors.js';
import { defaultSummary, sweepSummary } from './fixtures.js';

const T = 60_000;

function runFolder(s: Summary, name = s.scenario): { dir: string; file: string } {
  const dir = join(mkdtempSync(join(tmpdir(), 'kvsim-chartcmd-')), name);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'summary.json');
  writeFileSync(file, summaryJson(s));
  return { dir, file };
}

/** Runs chartCommand and returns the lines it printed. */
async function chart(args: { summaries: string[]; out: string }): Promise<string[]> {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  });
  try {
    await chartCommand(args);
  } finally {
    spy.mockRestore();
  }
  return lines;
}

async function errorOf(args: { summaries: string[]; out: string }): Promise<string> {
  try {
    await chart(args);
  } catch (e) {
    if (e instanceof KvsimError) return e.oneLine();
    throw e;
  }
  throw new Error('expected a KvsimError');
}

afterEach(() => vi.restoreAllMocks());

describe('kvsim chart', () => {
  it('re-renders charts and report.md into the summary\'s folder, byte-identical to rendering the summary directly', async () => {
    const s = defaultSummary();
    const { dir, file } = runFolder(s);
    const printed = await chart({ summaries: [file], out: '' });
    const names = buildCharts([s]).map((c) => c.def.name);
    const expected = [...names.flatMap((n) => [`${n}.vl.json`, `${n}.svg`, `${n}.png`]), 'report.md'];
    expect(printed).toEqual(expected.map((f) => join(relative(process.cwd(), dir), f)));
    expect(readdirSync(dir).sort()).toEqual([...expected, 'summary.json'].sort());
    for (const c of buildCharts([s])) expect(readFileSync(join(dir, `${c.def.name}.svg`), 'utf8')).toBe(await renderSvg(c.spec));
    const md = readFileSync(join(dir, 'report.md'), 'utf8');
    for (const n of names) expect(md).toContain(`](${n}.svg)`);
    // No temporary folder is left behind.
    expect(readdirSync(dir).some((f) => f.startsWith('.'))).toBe(false);
  }, T);

  it('takes a folder, writes into --out, and removes chart files that no longer apply', async () => {
    const { dir } = runFolder(defaultSummary());
    const out = mkdtempSync(join(tmpdir(), 'kvsim-chartout-'));
    writeFileSync(join(out, 'load-curves.svg'), '<svg/>');
    writeFileSync(join(out, 'notes.txt'), 'mine');
    await chart({ summaries: [dir], out });
    expect(existsSync(join(out, 'throughput.png'))).toBe(true);
    expect(existsSync(join(out, 'load-curves.svg'))).toBe(false);
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('mine');
  }, T);

  it('overlays several summaries, telling apart equal scenario names by their folder', async () => {
    const a = runFolder(sweepSummary('same'), 'run-a');
    const b = runFolder(sweepSummary('same'), 'run-b');
    const out = mkdtempSync(join(tmpdir(), 'kvsim-chartout-'));
    const printed = await chart({ summaries: [a.file, b.file], out });
    expect(printed.some((l) => l.endsWith('load-curves.svg'))).toBe(true);
    const svg = readFileSync(join(out, 'load-curves.svg'), 'utf8');
    expect(svg).toContain('same (run-a)');
    expect(svg).toContain('same (run-b)');
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toContain('## same (run-a)');
    expect(md).toContain('## same (run-b)');
  }, T);

  it('gives one-line errors naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kvsim-chartbad-'));
    const write = (name: string, text: string) => {
      const f = join(dir, name);
      writeFileSync(f, text);
      return f;
    };
    const missing = join(dir, 'nope.json');
    expect(await errorOf({ summaries: [missing], out: '' })).toBe(`${missing}: no such file or folder (pass a summary.json written by kvsim run (or its folder))`);
    const bad = write('bad.json', '{ not json');
    expect(await errorOf({ summaries: [bad], out: '' })).toMatch(new RegExp(`^${bad}: not valid JSON`));
    const other = write('other.json', '{"name": "x"}');
    expect(await errorOf({ summaries: [other], out: '' })).toMatch(new RegExp(`^${other}: not a kvsim summary`));
    const s = JSON.parse(summaryJson(defaultSummary())) as { variants: { params: { quant_policy: number } }[] };
    s.variants[1]!.params.quant_policy = 16;
    const policy = write('policy.json', JSON.stringify(s));
    expect(await errorOf({ summaries: [policy], out: '' })).toMatch(new RegExp(`^${policy}: variants\\[1\\]\\.params\\.quant_policy: quant_policy must be 0, 8 or 4`));
    const empty = mkdtempSync(join(tmpdir(), 'kvsim-chartempty-'));
    expect(await errorOf({ summaries: [empty], out: '' })).toMatch(/no summary\.json in this folder/);
    for (const e of [await errorOf({ summaries: [bad], out: '' })]) expect(e).not.toContain('\n');
  }, T);
});
