import { DEFAULT_ACTIVATION_PROFILE } from '../quant/profile.js';
import type { ModelSpec } from './types.js';

const REF = 'shared/reference/models-devices.md (from the model\'s Hugging Face config.json)';
const NO_TOKENIZER_SOURCE = 'no published ratio to the llama2 tokenizer; 1.0 by the rule in shared/reference/workloads.md';

/** Shorthand for the common case: untied embeddings, no QKV bias. */
function model(m: Omit<ModelSpec, 'untiedEmbeddings' | 'qkvBias' | 'source' | 'tokenizerFactor' | 'tokenizerFactorSource' | 'activationProfile'> & Partial<ModelSpec>): ModelSpec {
  return {
    untiedEmbeddings: true,
    activationProfile: DEFAULT_ACTIVATION_PROFILE,
    qkvBias: false,
    tokenizerFactor: 1.0,
    tokenizerFactorSource: NO_TOKENIZER_SOURCE,
    source: `${REF}: ${m.name}`,
    ...m,
  };
}

const LLAMA2_TOKENIZER = 'llama2 tokenizer: the reference tokenizer of the workload presets (factor 1 by definition)';
const LLAMA3_TOKENIZER = 'Meta, "Introducing Meta Llama 3" (2024): the 128k-vocabulary tokenizer yields up to 15% fewer tokens than Llama 2\'s (shared/reference/workloads.md)';

export const MODELS: readonly ModelSpec[] = [
  model({ name: 'llama2-7b', layers: 32, hiddenSize: 4096, heads: 32, kvHeads: 32, headDim: 128, intermediateSize: 11008, vocabSize: 32000, maxPositions: 4096, paramsPublished: 6.74e9, tokenizerFactorSource: LLAMA2_TOKENIZER }),
  model({ name: 'llama2-13b', layers: 40, hiddenSize: 5120, heads: 40, kvHeads: 40, headDim: 128, intermediateSize: 13824, vocabSize: 32000, maxPositions: 4096, paramsPublished: 13.02e9, tokenizerFactorSource: LLAMA2_TOKENIZER }),
  model({ name: 'llama2-70b', layers: 80, hiddenSize: 8192, heads: 64, kvHeads: 8, headDim: 128, intermediateSize: 28672, vocabSize: 32000, maxPositions: 4096, paramsPublished: 68.98e9, tokenizerFactorSource: LLAMA2_TOKENIZER }),
  model({ name: 'internlm2-chat-7b', layers: 32, hiddenSize: 4096, heads: 32, kvHeads: 8, headDim: 128, intermediateSize: 14336, vocabSize: 92544, maxPositions: 32768, paramsPublished: 7.74e9 }),
  model({ name: 'internlm2.5-7b-chat', layers: 32, hiddenSize: 4096, heads: 32, kvHeads: 8, headDim: 128, intermediateSize: 14336, vocabSize: 92544, maxPositions: 32768, paramsPublished: 7.74e9 }),
  model({ name: 'qwen1.5-7b-chat', layers: 32, hiddenSize: 4096, heads: 32, kvHeads: 32, headDim: 128, intermediateSize: 11008, vocabSize: 151936, maxPositions: 32768, paramsPublished: 7.72e9, qkvBias: true }),
  model({ name: 'qwen2.5-7b-instruct', layers: 28, hiddenSize: 3584, heads: 28, kvHeads: 4, headDim: 128, intermediateSize: 18944, vocabSize: 152064, maxPositions: 32768, paramsPublished: 7.62e9, qkvBias: true }),
  model({ name: 'llama3-8b', layers: 32, hiddenSize: 4096, heads: 32, kvHeads: 8, headDim: 128, intermediateSize: 14336, vocabSize: 128256, maxPositions: 8192, paramsPublished: 8.03e9, tokenizerFactor: 0.85, tokenizerFactorSource: LLAMA3_TOKENIZER }),
  model({ name: 'llama3.1-70b', layers: 80, hiddenSize: 8192, heads: 64, kvHeads: 8, headDim: 128, intermediateSize: 28672, vocabSize: 128256, maxPositions: 131072, paramsPublished: 70.55e9, tokenizerFactor: 0.85, tokenizerFactorSource: LLAMA3_TOKENIZER }),
  model({ name: 'mistral-7b', layers: 32, hiddenSize: 4096, heads: 32, kvHeads: 8, headDim: 128, intermediateSize: 14336, vocabSize: 32000, maxPositions: 32768, paramsPublished: 7.24e9, source: `${REF}: mistral-7b (v0.1)` }),
];
