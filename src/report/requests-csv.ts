import type { PerRequest } from '../engine/run-variant.js';
import type { Summary } from './summary.js';

/** One row per request and variant: lengths, timings (seconds) and preemptions. */
export function requestsCsv(s: Summary, per: readonly PerRequest[]): string {
  const lines = ['variant,request,prompt_tokens,output_tokens,arrival_s,scheduled_s,first_token_s,finish_s,ttft_s,e2e_s,preemptions'];
  s.variants.forEach((v, vi) => {
    const r = per[vi]!;
    const label = /[",]/.test(v.label) ? `"${v.label.replace(/"/g, '""')}"` : v.label;
    for (let i = 0; i < r.prompt.length; i++) {
      const a = r.arrivalS[i]!, f = r.finishS[i]!, ft = r.firstTokenS[i]!;
      lines.push(`${label},${i},${r.prompt[i]},${r.output[i]},${a},${r.scheduledS[i]},${ft},${f},${ft - a},${f - a},${r.preemptions[i]}`);
    }
  });
  return `${lines.join('\n')}\n`;
}
