import { z } from 'zod';

/**
 * The scenario file format: a public contract, spelled as LMDeploy spells its options.
 * Every object is strict, so a misspelt key is an error with a suggestion, never ignored.
 */

const int = (min: number, max: number) => z.number().int().min(min).max(max);
const positive = (max: number) => z.number().positive().max(max);

/** A scenario name becomes a folder name, so it must not be able to escape the output folder. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export const quantPolicySchema = z.union([z.literal(0), z.literal(4), z.literal(8)], {
  error: 'quant_policy must be 0 (fp16), 8 (int8) or 4 (int4)',
});

export const activationProfileSchema = z.record(z.string(), z.number());

export const inlineModelSchema = z.strictObject({
  name: z.string().regex(NAME_PATTERN).optional(),
  layers: int(1, 1000),
  hidden_size: int(1, 1 << 20),
  heads: int(1, 4096),
  kv_heads: int(1, 4096),
  head_dim: int(1, 4096),
  intermediate_size: int(1, 1 << 22),
  vocab_size: int(1, 1 << 24),
  max_positions: int(1, 1 << 24),
  params: positive(1e14).optional(),
  tokenizer_factor: positive(10).optional(),
  qkv_bias: z.boolean().optional(),
  activation_profile: activationProfileSchema.optional(),
});

export const engineSchema = z.strictObject({
  backend: z.enum(['turbomind', 'pytorch']).optional(),
  quant_policy: quantPolicySchema.optional(),
  cache_max_entry_count: z.number().gt(0).lt(1, { error: 'cache_max_entry_count must lie in (0, 1): it is the fraction of free memory given to the KV cache' }).optional(),
  block_size: int(1, 4096).optional(),
  max_batch_size: int(1, 1 << 16).optional(),
  max_prefill_token_num: int(1, 1 << 24).optional(),
  session_len: int(2, 1 << 24).optional(),
  max_context_token_num: int(1, 1 << 24).optional(),
  prefill_interval: int(1, 4096).optional(),
});

const closedLoop = z.strictObject({ type: z.literal('closed-loop'), concurrency: int(1, 1 << 20) });
const poisson = z.strictObject({ type: z.literal('poisson'), rate: positive(1e7) });
const gamma = z.strictObject({ type: z.literal('gamma'), rate: positive(1e7), cv: positive(100) });
const traceArrival = z.strictObject({ type: z.literal('trace'), file: z.string().min(1).optional(), time_scale: positive(1e6).optional() });

export const arrivalSchema = z.discriminatedUnion('type', [closedLoop, poisson, gamma, traceArrival]);

const lengthRange = z.tuple([int(1, 1 << 24), int(1, 1 << 24)]);
const lognormalLen = z.strictObject({
  median: positive(1 << 24),
  sigma: z.number().min(0).max(10),
  min: int(1, 1 << 24).optional(),
  max: int(1, 1 << 24).optional(),
});
/** Empirical quantile table: quantile in [0, 1] as a string key ("0", "0.5", "0.9", "1") -> tokens. */
const quantileTable = z.record(z.string(), positive(1 << 24));

export const lengthsSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('fixed'), prompt: int(1, 1 << 24), output: int(1, 1 << 24) }),
  z.strictObject({ type: z.literal('uniform'), prompt: lengthRange, output: lengthRange }),
  z.strictObject({ type: z.literal('lognormal'), prompt: lognormalLen, output: lognormalLen }),
  z.strictObject({
    type: z.literal('quantiles'),
    preset: z.enum(['conversation', 'code', 'summarization']).optional(),
    prompt: quantileTable.optional(),
    output: quantileTable.optional(),
  }),
  z.strictObject({ type: z.literal('trace'), file: z.string().min(1) }),
  z.strictObject({
    type: z.literal('sharegpt'),
    prompt_sigma: z.number().positive().max(5).optional(),
    output_sigma: z.number().positive().max(5).optional(),
    spread_scale: z.number().positive().max(5).optional(),
  }),
]);

export const workloadSchema = z.strictObject({
  requests: int(1, 1_000_000_000),
  arrival: arrivalSchema,
  lengths: lengthsSchema,
});

export const sweepSchema = z.record(z.string(), z.array(z.unknown()).min(1));

export const scenarioSchema = z.strictObject({
  name: z.string().regex(NAME_PATTERN, { error: 'name must be letters, digits, ".", "_" or "-" (it names the output folder; no "/" or "..")' }),
  description: z.string().optional(),
  seed: int(0, 2 ** 31 - 1).optional(),
  model: z.union([z.string().min(1), inlineModelSchema]),
  device: z.string().min(1),
  tp: int(1, 64).optional(),
  engine: engineSchema.optional(),
  workload: workloadSchema,
  sweep: sweepSchema.optional(),
});

export type ScenarioInput = z.infer<typeof scenarioSchema>;
export type EngineInput = z.infer<typeof engineSchema>;
export type ArrivalSpec = z.infer<typeof arrivalSchema>;
export type LengthsSpec = z.infer<typeof lengthsSchema>;
export type WorkloadInput = z.infer<typeof workloadSchema>;
export type InlineModelInput = z.infer<typeof inlineModelSchema>;
