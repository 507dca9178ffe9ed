/**
 * LMDeploy's KV formats: quant_policy 0 is an fp16 cache, 8 is int8 and 4 is int4.
 * The policy is literally the bit width of a stored element (reference §2.1).
 */
export type QuantPolicy = 0 | 4 | 8;

/** Bits of one stored K or V element (0 -> 16, the fp16 cache). */
export function kvBits(policy: QuantPolicy): 16 | 8 | 4 {
  return policy === 0 ? 16 : policy;
}

/** Human name of a policy, as tables and charts show it. */
export function policyLabel(policy: QuantPolicy): 'fp16' | 'int8' | 'int4' {
  return policy === 0 ? 'fp16' : policy === 8 ? 'int8' : 'int4';
}
