import { capacity, maxSequences, policyLabel, type Backend } from '../../engine/capacity.js';
import { DEFAULTS } from '../../scenario/resolve.js';
import { bytes, textTable } from '../../report/table.js';
import { KvsimError } from '../../util/errors.js';
import { deviceOrFail, modelOrFail, policyOrFail, positiveIntOrFail } from '../lookup.js';

export interface CapacityArgs {
  model: string;
  device: string;
  'quant-policy'?: number[] | undefined;
  'cache-max-entry-count': number;
  'block-size': number;
  tp: number;
  backend?: string | undefined;
  context?: number | undefined;
  json: boolean;
}

/** `kvsim capacity`: LMDeploy's block arithmetic for one model and device, per policy. */
export function capacityCommand(a: CapacityArgs): void {
  const model = modelOrFail(a.model);
  const device = deviceOrFail(a.device);
  // The table compares all three policies by default; JSON defaults to LMDeploy's default policy,
  // one object with the summary's capacity keys (an array when several policies are asked for).
  const policies = (a['quant-policy']?.length ? a['quant-policy'] : a.json ? [0] : [0, 8, 4]).map(policyOrFail);
  const ratio = a['cache-max-entry-count'];
  if (!(ratio > 0 && ratio < 1)) throw new KvsimError(`--cache-max-entry-count must lie in (0, 1), got ${ratio}`);
  const blockSize = positiveIntOrFail(a['block-size'], '--block-size');
  const tp = positiveIntOrFail(a.tp, '--tp');
  const backend = (a.backend ?? (device.deviceType === 'cuda' ? 'turbomind' : 'pytorch')) as Backend;
  const context = a.context === undefined ? undefined : positiveIntOrFail(a.context, '--context');
  const rows = policies.map((policy) => {
    const cap = capacity({ model, device, policy, tp, backend, cacheMaxEntryCount: ratio, blockSize, maxPrefillTokenNum: DEFAULTS.maxPrefillTokenNum[backend] });
    return {
      quant_policy: policy,
      label: policyLabel(policy),
      ...cap,
      ...(context !== undefined ? { context, max_sequences: maxSequences(cap, context) } : {}),
    };
  });
  if (a.json) {
    process.stdout.write(`${JSON.stringify(rows.length === 1 ? rows[0] : rows, null, 2)}\n`);
    return;
  }
  const base = rows.find((r) => r.quant_policy === 0);
  const header = ['policy', 'bytes/token', 'block bytes', 'blocks', 'vs fp16', 'KV tokens', ...(context !== undefined ? [`seqs of ${context}`] : [])];
  const body = rows.map((r) => [
    r.label, String(r.bytes_per_token), bytes(r.block_bytes), String(r.kv_blocks),
    base ? `${(r.kv_blocks / base.kv_blocks).toFixed(2)}x` : '-', String(r.kv_tokens),
    ...(r.max_sequences !== undefined ? [String(r.max_sequences)] : []),
  ]);
  const r0 = rows[0]!;
  process.stdout.write(
    `${model.name} on ${device.name}, tp ${tp}, ${backend}, cache_max_entry_count ${ratio}, block_size ${blockSize}\n` +
      `weights ${bytes(r0.weight_bytes)} per GPU, runtime reserve ${bytes(r0.reserve_bytes)}, free ${bytes(r0.free_bytes)}, KV cache ${bytes(r0.cache_bytes)}\n\n` +
      `${textTable(header, body)}\n`,
  );
}
