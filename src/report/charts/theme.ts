import type { Config } from 'vega-lite';

/** Every chart's font: the DejaVu Sans files resvg is given, so layout and drawing agree. */
export const FONT = 'DejaVu Sans, sans-serif';

/** quant_policy names in legend order. */
export const POLICY_ORDER = ['fp16', 'int8', 'int4'] as const;
export type PolicyName = (typeof POLICY_ORDER)[number];

/**
 * One colour per policy, the same in every chart: Okabe-Ito blue, orange and bluish green,
 * which stay distinct under the common colour-vision deficiencies.
 */
export const POLICY_COLORS: Record<PolicyName, string> = { fp16: '#0072B2', int8: '#E69F00', int4: '#009E73' };

/** Colours for things that are not policies (cost components), from the rest of Okabe-Ito. */
export const OTHER_COLORS = ['#56B4E9', '#D55E00', '#CC79A7', '#999999', '#F0E442', '#000000'] as const;

/** Width of one chart panel in px. */
export const PANEL_WIDTH = 560;

/** Stroke dashes for a second nominal dimension (source, percentile, sweep group). */
export const DASHES: number[][] = [[1, 0], [6, 3], [2, 2], [8, 3, 2, 3], [1, 3], [12, 4]];

/** The colour encoding of quant_policy, restricted to the policies present so the legend lists only those. */
export function policyColor(present: readonly string[], legend: Record<string, unknown> | null = {}) {
  const domain = POLICY_ORDER.filter((p) => present.includes(p));
  return {
    field: 'policy',
    type: 'nominal' as const,
    title: 'quant_policy',
    sort: domain,
    scale: { domain, range: domain.map((p) => POLICY_COLORS[p]) },
    legend: legend === null ? null : { symbolOpacity: 1, ...legend },
  };
}

/** Vega-Lite config shared by all charts: font, sizes, white background, quiet grid. */
export const CONFIG: Config = {
  font: FONT,
  background: 'white',
  padding: 12,
  view: { stroke: '#bbbbbb' },
  title: { fontSize: 16, subtitleFontSize: 12, subtitleColor: '#444444', anchor: 'start', offset: 10, subtitlePadding: 4 },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', titleColor: '#222222', labelColor: '#333333', gridColor: '#e6e6e6', domainColor: '#888888', tickColor: '#888888' },
  legend: { labelFontSize: 12, titleFontSize: 12, titleFontWeight: 'bold', symbolSize: 120, orient: 'right', labelLimit: 280 },
  header: { labelFontSize: 12, titleFontSize: 12, labelFontWeight: 'bold' },
  text: { fontSize: 11 },
  concat: { spacing: 24 },
  facet: { spacing: 16 },
};
