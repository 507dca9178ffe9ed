import { accuracyReport, contextGrid, resolveActivationProfile, type AccuracyProxy } from '../../quant/index.js';
import { textTable } from '../../report/table.js';
import { KvsimError } from '../../util/errors.js';
import { modelOrFail, positiveIntOrFail } from '../lookup.js';

export interface AccuracyArgs {
  model: string;
  context?: number | undefined;
  grid: boolean;
  set?: string[] | undefined;
  json: boolean;
}

/** Parses --set key=value profile overrides. */
function overrides(set: string[] | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const kv of set ?? []) {
    const m = /^([a-z_]+)=(.+)$/.exec(kv);
    const v = m ? Number(m[2]) : NaN;
    if (!m || !Number.isFinite(v)) throw new KvsimError(`--set takes key=number, such as key_outlier_scale=20 (got "${kv}")`, { keyPath: '--set' });
    out[m[1]!] = v;
  }
  return out;
}

const fmt = (x: number | null, d = 4) => (x === null ? 'inf' : x.toFixed(d));

function rows(r: AccuracyProxy[]): string[][] {
  return r.map((x) => [
    x.label, String(x.context), fmt(x.rel_error), `${fmt(x.rel_error_p10)}-${fmt(x.rel_error_p90)}`, fmt(x.sqnr_k_db, 1), fmt(x.sqnr_v_db, 1), x.kl_div.toExponential(2),
    `${x.expected_score_change.toFixed(2)} [${x.expected_score_change_band[0].toFixed(2)}, ${x.expected_score_change_band[1].toFixed(2)}]`,
  ]);
}

/** `kvsim accuracy`: the accuracy proxy of fp16, int8 and int4 KV for a model, without a simulation. */
export function accuracyCommand(a: AccuracyArgs): void {
  const model = modelOrFail(a.model);
  let profile;
  try {
    profile = resolveActivationProfile({ ...model.activationProfile, ...overrides(a.set) }, model.headDim);
  } catch (e) {
    throw new KvsimError((e as Error).message, { keyPath: '--set', hint: 'see docs/accuracy.md for the profile parameters' });
  }
  const contexts = a.grid ? contextGrid(model.maxPositions) : [a.context !== undefined ? positiveIntOrFail(a.context, '--context') : Math.min(2048, model.maxPositions)];
  if (contexts.some((l) => l < 16)) throw new KvsimError('--context must be at least 16 tokens', { keyPath: '--context' });
  const reports = contexts.map((contextLen) => accuracyReport({ profile, headDim: model.headDim, contextLen }));
  if (a.json) {
    process.stdout.write(`${JSON.stringify(reports.length === 1 ? reports[0] : reports.flat(), null, 2)}\n`);
    return;
  }
  process.stdout.write(
    `Accuracy proxy for ${model.name} (head_dim ${model.headDim}): attention in float64 with TurboMind-quantized K and V\n\n` +
      `${textTable(['policy', 'context', 'rel error', 'p10-p90', 'SQNR K dB', 'SQNR V dB', 'KL nats', 'score change [90% band]'], reports.flatMap(rows))}\n\n` +
      'Score change: points of the mean of six OpenCompass benchmarks, from a one-parameter fit to LMDeploy\'s published table (docs/accuracy.md).\n',
  );
}
