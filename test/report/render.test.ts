import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCharts } from '../../src/report/charts/index.js';
import { dejavuMetrics } from '../../src/report/charts/font-metrics.js';
import { normalizeSvgIds, rasterize, renderPng, renderSvg, writeCharts } from '../../src/report/render.js';
import { defaultSummary, sweepSummary } from './fixtures.js';
import { parseXml } from './svg.js';

const T = 60_000;
const ROOT = join(import.meta.dirname, '..', '..');

/** Dark pixels (all channels below 100) in a rectangle of an RGBA image. */
function darkPixels(img: { width: number; height: number; pixels: Buffer }, x0: number, y0: number, x1: number, y1: number): number {
  const px = img.pixels; // a getter that copies the whole image: read it once
  let n = 0;
  for (let y = y0; y < Math.min(y1, img.height); y++) {
    for (let x = x0; x < Math.min(x1, img.width); x++) {
      const i = 4 * (y * img.width + x);
      if (px[i]! < 100 && px[i + 1]! < 100 && px[i + 2]! < 100) n++;
    }
  }
  return n;
}

describe('SVG', () => {
  it('is byte-identical for the same spec, whatever was drawn before it in the process', async () => {
    const charts = buildCharts([sweepSummary()]);
    const first = await Promise.all(charts.map((c) => renderSvg(c.spec)));
    const again: string[] = [];
    for (const c of [...charts].reverse()) again.unshift(await renderSvg(c.spec));
    expect(again).toEqual(first);
    for (const svg of first) {
      expect(() => parseXml(svg)).not.toThrow();
      expect(svg).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:/);
    }
    // Clip paths are numbered from 1 in each file.
    const withClip = first.find((s) => s.includes('clipPath'));
    expect(withClip).toMatch(/id="clip1"/);
  }, T);

  it('is byte-identical in another process', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kvsim-chart-'));
    const spec = buildCharts([defaultSummary()]).find((c) => c.def.name === 'latency-cdf')!.spec;
    writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
    const script = join(dir, 'render.mts');
    writeFileSync(script, `import { readFileSync, writeFileSync } from 'node:fs';
import { renderSvg } from ${JSON.stringify(join(ROOT, 'src', 'report', 'render.ts'))};
const spec = JSON.parse(readFileSync(${JSON.stringify(join(dir, 'spec.json'))}, 'utf8'));
writeFileSync(${JSON.stringify(join(dir, 'child.svg'))}, await renderSvg(spec));
`);
    const r = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readFileSync(join(dir, 'child.svg'), 'utf8')).toBe(await renderSvg(spec));
  }, T);

  it('renumbers clip-path and gradient ids in order of appearance', () => {
    const svg = '<svg><defs><clipPath id="clip7"/><linearGradient id="gradient_3"/></defs><g clip-path="url(#clip7)" fill="url(#gradient_3)"/><g clip-path="url(#clip9)"/><clipPath id="clip9"/></svg>';
    expect(normalizeSvgIds(svg)).toBe('<svg><defs><clipPath id="clip1"/><linearGradient id="gradient_2"/></defs><g clip-path="url(#clip1)" fill="url(#gradient_2)"/><g clip-path="url(#clip3)"/><clipPath id="clip3"/></svg>');
  });
});

describe('PNG', () => {
  it('draws text with the bundled DejaVu font even with system fonts off, and none without a font', async () => {
    const spec = buildCharts([defaultSummary()]).find((c) => c.def.name === 'throughput')!.spec;
    const svg = await renderSvg(spec);
    const withFont = await rasterize(svg, { zoom: 1 });
    const noFont = await rasterize(svg, { zoom: 1, fontFiles: [] });
    expect(withFont.width).toBe(noFont.width);
    // The title sits in the top band; only glyphs are dark there.
    const titleWith = darkPixels(withFont, 0, 0, 500, 30);
    const titleWithout = darkPixels(noFont, 0, 0, 500, 30);
    expect(titleWithout).toBe(0);
    expect(titleWith).toBeGreaterThan(300);
    const png = await renderPng(svg);
    expect((await renderPng(svg)).equals(png)).toBe(true);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.readUInt32BE(16)).toBe(2 * withFont.width);
  }, T);
});

describe('font metrics', () => {
  it('measures DejaVu Sans advance widths (bold wider), used by Vega to lay out text', () => {
    const m = dejavuMetrics();
    // DejaVu Sans: "x" advances 1212/2048 em.
    expect(m.regular.width('x', 2048)).toBeCloseTo(1212, 6);
    expect(m.bold.width('Throughput', 16)).toBeGreaterThan(m.regular.width('Throughput', 16));
    expect(m.regular.width('Throughput', 16)).toBeLessThan(0.8 * 'Throughput'.length * 16);
    expect(m.regular.width('', 12)).toBe(0);
  });
});

describe('writeCharts', () => {
  it('writes .vl.json, .svg and .png per chart and returns the names in report order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kvsim-charts-'));
    const t0 = performance.now();
    const names = await writeCharts(dir, [defaultSummary()]);
    const ms = performance.now() - t0;
    expect(names).toEqual(buildCharts([defaultSummary()]).map((c) => c.def.name));
    expect(readdirSync(dir).sort()).toEqual(names.flatMap((n) => [`${n}.png`, `${n}.svg`, `${n}.vl.json`]).sort());
    for (const n of names) {
      const spec = JSON.parse(readFileSync(join(dir, `${n}.vl.json`), 'utf8')) as { $schema: string };
      expect(spec.$schema).toMatch(/vega-lite\/v6/);
      expect(readFileSync(join(dir, `${n}.svg`), 'utf8')).toBe(await renderSvg(spec as never));
    }
    expect(ms).toBeLessThan(20_000);
  }, T);
});
