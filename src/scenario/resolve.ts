import { DEVICE_NAMES, findDevice, findModel, MODEL_NAMES } from '../catalog/index.js';
import { paramCount } from '../catalog/model-math.js';
import type { DeviceSpec, ModelSpec } from '../catalog/types.js';
import { capacity, policyLabel, type Backend, type Capacity, type QuantPolicy } from '../engine/capacity.js';
import { DEFAULT_ACTIVATION_PROFILE, resolveActivationProfile } from '../quant/profile.js';
import { KvsimError, nearest } from '../util/errors.js';
import type { VariantInput } from './expand.js';
import type { LoadedScenario } from './load.js';
import type { ArrivalSpec, InlineModelInput, LengthsSpec } from './schema.js';

/** LMDeploy v0.4.0 defaults (shared/reference/lmdeploy.md §4.1, §5.1) unless a key says otherwise. */
export const DEFAULTS = {
  seed: 1,
  tp: 1,
  quantPolicy: 0 as QuantPolicy,
  cacheMaxEntryCount: 0.8,
  blockSize: 64,
  maxBatchSize: 128,
  maxPrefillTokenNum: { turbomind: 8192, pytorch: 4096 },
  prefillInterval: 16,
} as const;

/** Everything one variant runs with: nothing implicit is left. */
export interface VariantConfig {
  index: number;
  label: string;
  overrides: [string, unknown][];
  seed: number;
  model: ModelSpec;
  device: DeviceSpec;
  tp: number;
  backend: Backend;
  quantPolicy: QuantPolicy;
  cacheMaxEntryCount: number;
  blockSize: number;
  maxBatchSize: number;
  maxPrefillTokenNum: number;
  sessionLen: number;
  /** TurboMind's per-iteration token budget (v0.4.0 max_context_token_num). */
  maxContextTokenNum: number;
  prefillInterval: number;
  requests: number;
  arrival: ArrivalSpec;
  lengths: LengthsSpec;
  capacity: Capacity;
  warnings: string[];
}

function inlineModel(m: InlineModelInput): ModelSpec {
  const spec: ModelSpec = {
    name: m.name ?? 'custom',
    layers: m.layers,
    hiddenSize: m.hidden_size,
    heads: m.heads,
    kvHeads: m.kv_heads,
    headDim: m.head_dim,
    intermediateSize: m.intermediate_size,
    vocabSize: m.vocab_size,
    maxPositions: m.max_positions,
    paramsPublished: 0,
    untiedEmbeddings: true,
    qkvBias: m.qkv_bias ?? false,
    tokenizerFactor: m.tokenizer_factor ?? 1,
    tokenizerFactorSource: m.tokenizer_factor ? 'given in the scenario' : 'default 1.0 (no tokenizer ratio given)',
    activationProfile: DEFAULT_ACTIVATION_PROFILE,
    source: 'inline architecture in the scenario file',
  };
  spec.paramsPublished = m.params ?? paramCount(spec);
  return spec;
}

/** Short, readable text for one swept value in a label. */
function labelPart(key: string, value: unknown): string | undefined {
  if (key === 'engine.quant_policy') return undefined;
  const leaf = key.split('.').pop()!;
  const v = typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (key === 'model' || key === 'device') return typeof value === 'string' ? value : (value as { name?: string }).name ?? key;
  const short: Record<string, string> = { concurrency: 'c', rate: 'rate', max_batch_size: 'bs', cache_max_entry_count: 'ratio', block_size: 'block', session_len: 'session', tp: 'tp', backend: '' };
  const name = short[leaf] ?? leaf;
  return name ? `${name}=${v}` : v;
}

export function variantLabel(policy: QuantPolicy, overrides: [string, unknown][]): string {
  return [policyLabel(policy), ...overrides.map(([k, v]) => labelPart(k, v)).filter((x): x is string => !!x)].join(' ');
}

/**
 * Applies defaults and LMDeploy's own validation rules (§4) to one variant: the backend and
 * device type, KV quantization support, camb's block size, memory for the weights, and the
 * session length the cache can hold.
 */
export function resolveVariant(loaded: LoadedScenario, v: VariantInput, opts: { seed?: number } = {}): VariantConfig {
  const { file } = loaded;
  const inp = v.input;
  const swept = new Map(v.overrides.map(([k], j) => [k, j]));
  const where = (path: string[]) => {
    const key = path.join('.');
    const j = swept.get(key);
    return j !== undefined
      ? { file, keyPath: `sweep.${key}`, line: loaded.lineOf(['sweep', key]) }
      : { file, keyPath: key, line: loaded.lineOf(path) ?? loaded.lineOf(path.slice(0, -1)) };
  };
  const fail = (path: string[], msg: string, hint?: string): never => {
    throw new KvsimError(msg, { ...where(path), hint });
  };

  let model: ModelSpec;
  if (typeof inp.model === 'string') {
    const found = findModel(inp.model);
    if (!found) {
      const guess = nearest(inp.model, MODEL_NAMES);
      return fail(['model'], `unknown model "${inp.model}"`, `${guess ? `did you mean "${guess}"? ` : ''}valid models: ${MODEL_NAMES.join(', ')}; or give an inline architecture`);
    }
    model = found;
  } else {
    model = inlineModel(inp.model);
    if (model.heads % model.kvHeads !== 0) fail(['model', 'kv_heads'], `heads (${model.heads}) must be a multiple of kv_heads (${model.kvHeads})`);
    try {
      model.activationProfile = resolveActivationProfile(inp.model.activation_profile, model.headDim);
    } catch (e) {
      fail(['model', 'activation_profile'], (e as Error).message.replace(/^activation_profile: /, ''), 'see docs/accuracy.md for the profile parameters');
    }
  }
  const device = findDevice(inp.device);
  if (!device) {
    const guess = nearest(inp.device, DEVICE_NAMES);
    return fail(['device'], `unknown device "${inp.device}"`, `${guess ? `did you mean "${guess}"? ` : ''}valid devices: ${DEVICE_NAMES.join(', ')}`);
  }
  const warnings: string[] = [];
  const e = inp.engine ?? {};
  const tp = inp.tp ?? DEFAULTS.tp;
  if (model.heads % tp !== 0) fail(['tp'], `tp ${tp} does not divide the model's ${model.heads} attention heads`, 'use a tp that divides the head count');

  const backend: Backend = e.backend ?? (device.deviceType === 'cuda' ? 'turbomind' : 'pytorch');
  if (backend === 'turbomind' && device.deviceType !== 'cuda') {
    fail(['engine', 'backend'], `the turbomind backend is cuda-only, and ${device.name} is a device of type ${device.deviceType}`, 'use backend: pytorch');
  }
  const quantPolicy = e.quant_policy ?? DEFAULTS.quantPolicy;
  if (quantPolicy > 0 && device.deviceType !== 'cuda' && device.deviceType !== 'ascend') {
    fail(['engine', 'quant_policy'], 'kv cache quantization only works for CUDA and ASCEND.', `${device.name} is a device of type ${device.deviceType}; use quant_policy: 0`);
  }
  if (quantPolicy > 0 && backend === 'turbomind' && model.headDim !== 128) {
    fail(['engine', 'quant_policy'], `TurboMind KV quantization needs head_dim 128, and ${model.name} has ${model.headDim}`, 'use quant_policy: 0 or the pytorch backend');
  }
  let blockSize = e.block_size ?? DEFAULTS.blockSize;
  if (device.deviceType === 'camb' && blockSize !== 16) {
    warnings.push(`camb devices require block_size 16: block_size ${blockSize} was set to 16 (as LMDeploy does)`);
    blockSize = 16;
  }
  const cacheMaxEntryCount = e.cache_max_entry_count ?? DEFAULTS.cacheMaxEntryCount;
  const maxBatchSize = e.max_batch_size ?? DEFAULTS.maxBatchSize;
  const maxPrefillTokenNum = e.max_prefill_token_num ?? DEFAULTS.maxPrefillTokenNum[backend];
  const cap = capacity({ model, device, policy: quantPolicy, tp, backend, cacheMaxEntryCount, blockSize, maxPrefillTokenNum });
  const GiB = 2 ** 30;
  if (cap.free_bytes <= 0) {
    // The smallest tp that divides the heads and leaves room for the weights and the reserve.
    let suggest = tp;
    while (suggest < 64 && (model.heads % suggest !== 0 || (cap.weight_bytes * tp) / suggest + cap.reserve_bytes >= device.memBytes)) suggest++;
    fail(typeof inp.model === 'string' ? ['model'] : ['model', 'layers'],
      `${model.name} does not fit: ${(cap.weight_bytes / GiB).toFixed(1)} GiB of weights per GPU plus ${(cap.reserve_bytes / GiB).toFixed(1)} GiB of runtime reserve exceed ${device.name}'s ${(device.memBytes / GiB).toFixed(0)} GiB`,
      suggest < 64 ? `set tp: ${suggest} or more, or pick a device with more memory` : 'pick a device with more memory');
  }
  if (cap.kv_blocks < 1) {
    fail(['engine', 'cache_max_entry_count'], `not enough memory for one KV block of ${(cap.block_bytes / 2 ** 20).toFixed(1)} MiB (cache gets ${(cap.cache_bytes / 2 ** 20).toFixed(0)} MiB)`,
      'raise cache_max_entry_count or tp, lower block_size, or use a larger device');
  }
  let sessionLen = e.session_len ?? model.maxPositions;
  const maxSession = cap.kv_blocks * blockSize;
  if (sessionLen > maxSession) {
    warnings.push(`No enough blocks for session_len (${sessionLen}), session_len truncated to ${maxSession}.`);
    sessionLen = maxSession;
  }
  const maxContextTokenNum = e.max_context_token_num ?? sessionLen;
  if (backend === 'turbomind' && maxContextTokenNum < maxBatchSize) {
    fail(['engine', 'max_context_token_num'], `the per-iteration token budget (${maxContextTokenNum}) is smaller than max_batch_size (${maxBatchSize}), so a full decode batch could never run in one iteration`,
      'raise max_context_token_num (TurboMind defaults it to session_len) or lower max_batch_size');
  }
  if (inp.workload.arrival.type === 'trace' && inp.workload.lengths.type !== 'trace' && !inp.workload.arrival.file) {
    fail(['workload', 'arrival'], 'a trace arrival needs a file', 'set workload.arrival.file, or use lengths: { type: trace, file: ... }');
  }
  return {
    index: v.index,
    label: variantLabel(quantPolicy, v.overrides),
    overrides: v.overrides,
    seed: opts.seed ?? inp.seed ?? DEFAULTS.seed,
    model,
    device,
    tp,
    backend,
    quantPolicy,
    cacheMaxEntryCount,
    blockSize,
    maxBatchSize,
    maxPrefillTokenNum,
    sessionLen,
    maxContextTokenNum,
    prefillInterval: e.prefill_interval ?? DEFAULTS.prefillInterval,
    requests: inp.workload.requests,
    arrival: inp.workload.arrival,
    lengths: inp.workload.lengths,
    capacity: cap,
    warnings,
  };
}
