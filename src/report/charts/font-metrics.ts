import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * Text widths from the DejaVu Sans font files themselves (cmap + hmtx), so that Vega lays
 * out labels, legends and titles for the font resvg will actually draw. Without a canvas
 * package Vega otherwise guesses 0.8 em per character, which is ~40% too wide for DejaVu.
 * Kerning is ignored (a fraction of a pixel per label).
 */
export interface FontMetrics {
  /** Width in px of `text` at `size` px. */
  width(text: string, size: number): number;
}

const require = createRequire(import.meta.url);

/** Paths of the bundled DejaVu Sans regular and bold TTFs (npm package dejavu-fonts-ttf). */
export function dejavuFontFiles(): { regular: string; bold: string } {
  return {
    regular: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'),
    bold: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf'),
  };
}

/** Parses the advance widths of a TrueType font (cmap format 4 or 12, hmtx). */
export function parseFontMetrics(buf: Buffer): FontMetrics {
  const u16 = (o: number) => buf.readUInt16BE(o);
  const u32 = (o: number) => buf.readUInt32BE(o);
  const tables = new Map<string, number>();
  const numTables = u16(4);
  for (let i = 0; i < numTables; i++) {
    const rec = 12 + 16 * i;
    tables.set(buf.toString('latin1', rec, rec + 4), u32(rec + 8));
  }
  const table = (tag: string) => {
    const off = tables.get(tag);
    if (off === undefined) throw new Error(`font has no ${tag} table`);
    return off;
  };
  const unitsPerEm = u16(table('head') + 18);
  const numHMetrics = u16(table('hhea') + 34);
  const hmtx = table('hmtx');
  const advance = (glyph: number) => u16(hmtx + 4 * Math.min(glyph, numHMetrics - 1));

  const cmap = table('cmap');
  let fmt4 = -1, fmt12 = -1;
  for (let i = 0; i < u16(cmap + 2); i++) {
    const rec = cmap + 4 + 8 * i;
    const platform = u16(rec), encoding = u16(rec + 2), sub = cmap + u32(rec + 4);
    const format = u16(sub);
    if (platform === 3 && encoding === 10 && format === 12) fmt12 = sub;
    if (platform === 3 && encoding === 1 && format === 4) fmt4 = sub;
  }
  const glyphOf = (cp: number): number => {
    if (fmt12 >= 0) {
      const groups = u32(fmt12 + 12);
      for (let g = 0; g < groups; g++) {
        const rec = fmt12 + 16 + 12 * g;
        const start = u32(rec), end = u32(rec + 4);
        if (cp >= start && cp <= end) return u32(rec + 8) + (cp - start);
      }
      return 0;
    }
    if (fmt4 < 0 || cp > 0xffff) return 0;
    const segX2 = u16(fmt4 + 6);
    const ends = fmt4 + 14, starts = ends + segX2 + 2, deltas = starts + segX2, ranges = deltas + segX2;
    for (let s = 0; s < segX2; s += 2) {
      if (cp > u16(ends + s)) continue;
      const start = u16(starts + s);
      if (cp < start) return 0;
      const delta = u16(deltas + s), range = u16(ranges + s);
      if (range === 0) return (cp + delta) & 0xffff;
      const g = u16(ranges + s + range + 2 * (cp - start));
      return g === 0 ? 0 : (g + delta) & 0xffff;
    }
    return 0;
  };
  const cache = new Map<number, number>();
  const em = (cp: number) => {
    let w = cache.get(cp);
    if (w === undefined) {
      w = advance(glyphOf(cp)) / unitsPerEm;
      cache.set(cp, w);
    }
    return w;
  };
  return {
    width(text: string, size: number): number {
      let w = 0;
      for (const ch of text) w += em(ch.codePointAt(0)!);
      return w * size;
    },
  };
}

let loaded: { regular: FontMetrics; bold: FontMetrics } | undefined;

/** DejaVu Sans regular and bold metrics, parsed once per process. */
export function dejavuMetrics(): { regular: FontMetrics; bold: FontMetrics } {
  if (!loaded) {
    const f = dejavuFontFiles();
    loaded = { regular: parseFontMetrics(readFileSync(f.regular)), bold: parseFontMetrics(readFileSync(f.bold)) };
  }
  return loaded;
}
