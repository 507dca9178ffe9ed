import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoggerInterface } from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { buildCharts } from './charts/index.js';
import { dejavuFontFiles, dejavuMetrics } from './charts/font-metrics.js';
import type { Summary } from './summary.js';

/**
 * Renders Vega-Lite specs headlessly: vega-lite compiles, vega draws SVG with the 'none'
 * renderer (no canvas needed), resvg rasterizes to PNG with the bundled DejaVu Sans only,
 * so output does not depend on the machine's fonts. The three packages are imported on first
 * use, keeping ~0.5 s of import time out of commands that draw nothing.
 */
interface Libs {
  vl: typeof import('vega-lite');
  vega: typeof import('vega');
  renderAsync: typeof import('@resvg/resvg-js').renderAsync;
}

let libs: Promise<Libs> | undefined;

interface TextItem {
  fontSize?: number | string | null;
  fontWeight?: number | string | null;
  limit?: number;
}

function loadLibs(): Promise<Libs> {
  libs ??= (async () => {
    const [vl, vega, resvg] = await Promise.all([import('vega-lite'), import('vega'), import('@resvg/resvg-js')]);
    // Measure text with DejaVu's real advance widths (Vega supports a user-defined width
    // function; without a canvas it would guess 0.8 em per character).
    const metrics = dejavuMetrics();
    const tm = (vega as unknown as { textMetrics: { width: (item: TextItem, text: unknown) => number } }).textMetrics;
    tm.width = (item: TextItem, text: unknown) => {
      const size = item.fontSize != null ? +item.fontSize || 0 : 11;
      const t = text == null ? '' : String(text).trim();
      const w = item.fontWeight;
      const bold = w === 'bold' || w === 'bolder' || (typeof w === 'number' && w >= 600) || (typeof w === 'string' && +w >= 600);
      const width = (bold ? metrics.bold : metrics.regular).width(t, size);
      // A label with a width limit is drawn truncated, so it is at most that wide.
      return item.limit !== undefined && item.limit > 0 ? Math.min(width, item.limit) : width;
    };
    return { vl, vega, renderAsync: resvg.renderAsync };
  })();
  return libs;
}

/**
 * Renumbers the ids Vega gives clip paths, gradients and patterns (global counters) in order
 * of appearance, so the same chart gives the same bytes however many were drawn before.
 */
export function normalizeSvgIds(svg: string): string {
  const map = new Map<string, string>();
  for (const m of svg.matchAll(/\bid="((clip|gradient_|p_)[\w-]*)"/g)) {
    const id = m[1]!;
    if (!map.has(id)) map.set(id, `${m[2]}${map.size + 1}`);
  }
  if (map.size === 0) return svg;
  return svg.replace(/\b(id="|url\(#|href="#)((?:clip|gradient_|p_)[\w-]*)/g, (all, pre: string, id: string) => {
    const to = map.get(id);
    return to ? `${pre}${to}` : all;
  });
}

/** Collects Vega-Lite and Vega warnings instead of printing them to the console. */
class CollectingLogger implements LoggerInterface {
  private lvl = 2;
  constructor(readonly messages: string[]) {}
  level(_?: number): number | this {
    if (_ === undefined) return this.lvl;
    this.lvl = _;
    return this;
  }
  error(...args: unknown[]): this {
    this.messages.push(`error: ${args.map(String).join(' ')}`);
    return this;
  }
  warn(...args: unknown[]): this {
    this.messages.push(args.map(String).join(' '));
    return this;
  }
  info(): this {
    return this;
  }
  debug(): this {
    return this;
  }
}

/** A Vega-Lite spec as SVG text (deterministic for the same spec), with the warnings it raised. */
export async function renderChart(spec: TopLevelSpec): Promise<{ svg: string; warnings: string[] }> {
  const { vl, vega } = await loadLibs();
  const warnings: string[] = [];
  const logger = new CollectingLogger(warnings);
  vl.resetIdCounter();
  const compiled = vl.compile(spec, { logger }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logger });
  try {
    vega.resetSVGDefIds();
    const svg = await view.toSVG();
    return { svg: normalizeSvgIds(svg), warnings };
  } finally {
    view.finalize();
  }
}

/** A Vega-Lite spec as SVG text: deterministic for the same spec. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  return (await renderChart(spec)).svg;
}

export interface PngOptions {
  /** Scale factor (2 = twice the SVG's pixel size). */
  zoom?: number;
  /** Font files to use; the default is DejaVu Sans regular and bold. Pass [] to draw no text. */
  fontFiles?: string[];
}

/** Rasterizes SVG to PNG with resvg, using only the given font files (never system fonts). */
export async function renderPng(svg: string, opts: PngOptions = {}): Promise<Buffer> {
  return (await rasterize(svg, opts)).asPng();
}

/**
 * The rendered image (width, height, RGBA pixels, PNG encoder), for inspection in tests.
 * resvg renders on libuv's thread pool, so several charts rasterize in parallel.
 */
export async function rasterize(svg: string, opts: PngOptions = {}) {
  const { renderAsync } = await loadLibs();
  const f = dejavuFontFiles();
  const fontFiles = opts.fontFiles ?? [f.regular, f.bold];
  return renderAsync(svg, {
    fitTo: { mode: 'zoom', value: opts.zoom ?? 2 },
    background: 'white',
    font: { loadSystemFonts: false, fontFiles, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  });
}

/** Compiles a Vega-Lite spec to Vega (throws on an invalid one), with the warnings it raised. */
export async function compileSpec(spec: TopLevelSpec): Promise<{ vega: unknown; warnings: string[] }> {
  const { vl } = await loadLibs();
  const warnings: string[] = [];
  vl.resetIdCounter();
  const vega = vl.compile(spec, { logger: new CollectingLogger(warnings) }).spec;
  return { vega, warnings };
}

/** Pretty JSON of a spec, as written to <chart>.vl.json. */
export function specJson(spec: TopLevelSpec): string {
  return `${JSON.stringify(spec, null, 2)}\n`;
}

/**
 * Writes <chart>.vl.json, <chart>.svg and <chart>.png for every chart that applies to the
 * summaries into `dir` (which must exist), and returns the chart names in report order.
 */
export async function writeCharts(dir: string, summaries: Summary[]): Promise<string[]> {
  const charts = buildCharts(summaries);
  const pngs: Promise<void>[] = [];
  try {
    for (const { def, spec } of charts) {
      const svg = await renderSvg(spec);
      writeFileSync(join(dir, `${def.name}.vl.json`), specJson(spec));
      writeFileSync(join(dir, `${def.name}.svg`), svg);
      // Rasterize in the background while the next chart is laid out.
      pngs.push(renderPng(svg).then((png) => writeFileSync(join(dir, `${def.name}.png`), png)));
    }
  } finally {
    await Promise.allSettled(pngs);
  }
  await Promise.all(pngs);
  return charts.map((c) => c.def.name);
}
