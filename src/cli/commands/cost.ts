import { CostModel, decodeWork, prefillWork, BREAKDOWN_KEYS } from '../../engine/cost.js';
import { policyLabel, type Backend } from '../../engine/capacity.js';
import { textTable } from '../../report/table.js';
import { KvsimError } from '../../util/errors.js';
import { deviceOrFail, modelOrFail, policyOrFail, positiveIntOrFail } from '../lookup.js';

export interface CostArgs {
  model: string;
  device: string;
  'quant-policy': number;
  batch?: number | undefined;
  context?: number | undefined;
  prefill?: number | undefined;
  tp: number;
  backend?: string | undefined;
  json: boolean;
}

/** `kvsim cost`: the cost model's step time for one decode or prefill iteration, with its four parts. */
export function costCommand(a: CostArgs): void {
  const model = modelOrFail(a.model);
  const device = deviceOrFail(a.device);
  const policy = policyOrFail(a['quant-policy']);
  const tp = positiveIntOrFail(a.tp, '--tp');
  const backend = (a.backend ?? (device.deviceType === 'cuda' ? 'turbomind' : 'pytorch')) as Backend;
  let work;
  let what: string;
  if (a.prefill !== undefined) {
    const n = positiveIntOrFail(a.prefill, '--prefill');
    work = prefillWork(n);
    what = `prefill of ${n} tokens`;
  } else {
    if (a.batch === undefined || a.context === undefined) throw new KvsimError('give --batch and --context for a decode step, or --prefill N for a prefill', { hint: 'for example: kvsim cost --model llama2-7b --device a100-80g --batch 64 --context 1024' });
    const b = positiveIntOrFail(a.batch, '--batch');
    const l = positiveIntOrFail(a.context, '--context');
    work = decodeWork(b, l);
    what = `decode of ${b} sequences at context ${l}`;
  }
  const cost = new CostModel({ model, device, policy, tp, backend });
  const acc = new Float64Array(4);
  const step = cost.step(work, acc);
  const breakdown = Object.fromEntries(BREAKDOWN_KEYS.map((k, i) => [k, acc[i]!])) as Record<(typeof BREAKDOWN_KEYS)[number], number>;
  if (a.json) {
    process.stdout.write(`${JSON.stringify({ model: model.name, device: device.name, quant_policy: policy, tp, backend, work, decode_kernel: cost.kernel, step_time_s: step, breakdown }, null, 2)}\n`);
    return;
  }
  const rows = BREAKDOWN_KEYS.map((k) => [k, (breakdown[k] * 1e3).toFixed(3), `${((breakdown[k] / step) * 100).toFixed(1)}%`]);
  rows.push(['step_time_s', (step * 1e3).toFixed(3), '100.0%']);
  process.stdout.write(`${model.name} on ${device.name}, ${policyLabel(policy)} KV (${cost.kernel} decode kernel), tp ${tp}: ${what}\n\n${textTable(['part', 'ms', 'share'], rows)}\n`);
}
