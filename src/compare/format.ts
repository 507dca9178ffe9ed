import { markdownTable, textTable } from '../report/table.js';
import { hasDifferences, type Comparison } from './diff.js';

function num(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? x.toExponential(4) : Number(x.toPrecision(6)).toString();
}

function pct(x: number): string {
  return Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)}%` : x > 0 ? '+inf' : '-inf';
}

function rows(c: Comparison, limit: number): string[][] {
  return c.changes.slice(0, limit).map((d) => [d.scenario, d.variant, d.metric, num(d.base), num(d.head), num(d.abs_delta), pct(d.rel_delta)]);
}

const HEADER = ['scenario', 'variant', 'metric', 'base', 'head', 'delta', 'rel'];

function notes(c: Comparison): string[] {
  return [
    ...c.missing_scenarios.map((s) => `missing in head: scenario ${s}`),
    ...c.new_scenarios.map((s) => `new in head: scenario ${s}`),
    ...c.missing_variants.map((v) => `missing in head: ${v.scenario} / ${v.variant}`),
    ...c.new_variants.map((v) => `new in head: ${v.scenario} / ${v.variant}`),
  ];
}

/** Plain-text report for a terminal. */
export function formatTable(c: Comparison, limit = 200): string {
  if (!hasDifferences(c)) return `no change beyond rtol ${c.rtol} (${c.compared} numbers compared)\n`;
  const parts: string[] = [];
  if (c.changes.length) {
    parts.push(`${c.changes.length} number${c.changes.length === 1 ? '' : 's'} moved beyond rtol ${c.rtol} (of ${c.compared} compared), largest first:\n`);
    parts.push(textTable(HEADER, rows(c, limit)));
    if (c.changes.length > limit) parts.push(`... and ${c.changes.length - limit} more`);
  }
  const n = notes(c);
  if (n.length) parts.push(`\n${n.join('\n')}`);
  return `${parts.join('\n')}\n`;
}

/** Markdown for a pull-request summary. */
export function formatMarkdown(c: Comparison, limit = 100): string {
  if (!hasDifferences(c)) return `### kvsim results: no change\n\nNo metric moved beyond rtol ${c.rtol} (${c.compared} numbers compared).\n`;
  const parts = [`### kvsim results: ${c.changes.length} metric${c.changes.length === 1 ? '' : 's'} moved beyond rtol ${c.rtol}\n`];
  if (c.changes.length) {
    parts.push(markdownTable(HEADER, rows(c, limit).map((r) => r.map((x, i) => (i === 2 ? `\`${x}\`` : x)))));
    if (c.changes.length > limit) parts.push(`\n… and ${c.changes.length - limit} more.`);
  }
  const n = notes(c);
  if (n.length) parts.push(`\n${n.map((x) => `- ${x}`).join('\n')}`);
  return `${parts.join('\n')}\n`;
}

export function formatJson(c: Comparison): string {
  const safe = { ...c, changes: c.changes.map((d) => ({ ...d, rel_delta: Number.isFinite(d.rel_delta) ? d.rel_delta : String(d.rel_delta) })) };
  return `${JSON.stringify({ different: hasDifferences(c), ...safe }, null, 2)}\n`;
}
