import { chartDef } from './charts/index.js';
import { gainText, loadOf, sourceNames, sweptLoad, varyingParams, workloadText } from './charts/data.js';
import { fp16Baseline, type Summary } from './summary.js';
import { fx, ms } from './table.js';

/** Rows shown per summary; a sweep of thousands of variants lists the rest in summary.json. */
const MAX_ROWS = 200;

/** The summary table of one summary: one row per variant. */
function resultsTable(s: Summary): string {
  const header = ['variant', 'RPS', 'vs fp16', 'output tok/s', 'TTFT p50 ms', 'TTFT p99 ms', 'TPOT p50 ms', 'TPOT p99 ms', 'mean batch', 'KV-short iters', 'preemptions', 'KV blocks'];
  const rows = s.variants.slice(0, MAX_ROWS).map((v) => {
    const base = fp16Baseline(s, v);
    const m = v.metrics;
    const gain = !base ? '-' : base === v ? 'baseline' : base.metrics.rps > 0 ? gainText(m.rps / base.metrics.rps - 1) : '-';
    return [
      v.label, fx(m.rps, 2), gain, fx(m.output_tok_s, 0),
      ms(m.ttft_s.p50), ms(m.ttft_s.p99), ms(m.tpot_s.p50), ms(m.tpot_s.p99),
      fx(m.batch_size_mean, 1), `${fx(m.kv_starved_iter_frac * 100, 0)}%`, String(m.preemptions), String(v.capacity.kv_blocks),
    ];
  });
  const more = s.variants.length - rows.length;
  return `${table(header, rows)}${more > 0 ? `\n\n… and ${more} more variants in summary.json.` : ''}`;
}

/** A markdown table with the numeric columns right-aligned. */
function table(header: string[], rows: string[][]): string {
  const esc = (c: string) => c.replace(/\|/g, '\\|');
  const numeric = header.map((_, i) => i > 0 && rows.every((r) => /^[-+−±]?[\d.,]+%?$|^-$|^baseline$/.test(r[i] ?? '')));
  return [
    `| ${header.map(esc).join(' | ')} |`,
    `| ${numeric.map((n) => (n ? '---:' : '---')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

/** One line on what a summary ran: model, device, engine and workload, and what its sweep varied. */
function setupLine(s: Summary): string {
  const v = s.variants[0];
  if (!v) return '';
  const p = v.params;
  const varying = varyingParams(s);
  const fixed = (k: string) => !varying.includes(k);
  const parts: string[] = [];
  const who = [fixed('model') ? p.model : '', fixed('device') ? `on ${p.device}` : ''].filter(Boolean).join(' ');
  const how = [fixed('tp') ? `tp ${p.tp}` : '', fixed('backend') ? p.backend : ''].filter(Boolean).join(', ');
  if (who || how) parts.push(`${who}${how ? `${who ? ' ' : ''}(${how})` : ''}`);
  const engine = (['cache_max_entry_count', 'block_size', 'max_batch_size', 'session_len'] as const).filter(fixed).map((k) => `${k} ${p[k]}`);
  if (engine.length > 0) parts.push(engine.join(', '));
  if (['requests', 'arrival', 'lengths'].every(fixed)) parts.push(workloadText(v));
  const load = sweptLoad([s]);
  const swept = varying.map((k) => {
    const values = [...new Set(s.variants.map((x) => (k === 'arrival' && load ? loadOf(x, load) : (x.params as unknown as Record<string, unknown>)[k])))];
    const name = k === 'arrival' && load ? load : k;
    return `${name} ${values.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(', ')}`;
  });
  if (swept.length > 0) parts.push(`swept: ${swept.join('; ')}`);
  return `Setup: ${parts.join('; ')}; seed ${s.seed}.`;
}

/**
 * report.md for one or more summaries: a title, each summary's setup and results table, then
 * every chart as `![title](chart.svg)` with a one-line caption on what to look for. Contains
 * nothing that changes between identical runs.
 */
export function reportMarkdown(summaries: Summary[], charts: string[]): string {
  const names = sourceNames(summaries);
  const out: string[] = [];
  out.push(`# kvsim report: ${names.join(', ')}`, '');
  summaries.forEach((s, i) => {
    if (summaries.length > 1) out.push(`## ${names[i]}`, '');
    if (s.description) out.push(s.description, '');
    const setup = setupLine(s);
    if (setup) out.push(setup, '');
    out.push(resultsTable(s), '');
    const warnings = [...new Set(s.variants.flatMap((v) => v.warnings.map((w) => `${v.label}: ${w}`)))];
    if (warnings.length > 0) out.push('Warnings:', '', ...warnings.slice(0, 20).map((w) => `- ${w}`), ...(warnings.length > 20 ? [`- … and ${warnings.length - 20} more`] : []), '');
  });
  const version = summaries[0]?.kvsim.version;
  out.push(`quant_policy: fp16 = 0 (no KV quantization), int8 = 8, int4 = 4. "vs fp16" compares a variant with the fp16 run that has the same other settings. ` +
    `"KV-short iters" is the share of iterations in which a running sequence lacked KV blocks; "mean batch" is sequences per iteration. ` +
    `Simulated by kvsim${version ? ` ${version}` : ''}; every number here comes from summary.json.`, '');
  if (charts.length > 0) out.push('## Charts', '');
  for (const name of charts) {
    const def = chartDef(name);
    const title = def?.title ?? name;
    out.push(`### ${title}`, '', `![${title}](${name}.svg)`, '', def ? `*${def.caption}*` : '', '');
  }
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n')}\n`;
}
