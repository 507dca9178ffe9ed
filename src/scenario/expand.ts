import { KvsimError, nearest } from '../util/errors.js';
import type { LoadedScenario } from './load.js';
import { zodToKvsimError } from './load.js';
import { scenarioSchema, type ScenarioInput } from './schema.js';
import { sweepablePaths } from './schema-keys.js';

/** Sweeps larger than this are refused unless the user passes --allow-large. */
export const MAX_VARIANTS = 10_000;

export interface VariantInput {
  index: number;
  /** The swept keys and the values this variant takes, in sweep order. */
  overrides: [string, unknown][];
  input: ScenarioInput;
}

function setIn(obj: Record<string, unknown>, path: string[], value: unknown): void {
  let cur = obj;
  for (const seg of path.slice(0, -1)) {
    const next = cur[seg];
    if (next === undefined || next === null || typeof next !== 'object') cur[seg] = {};
    cur = cur[seg] as Record<string, unknown>;
  }
  cur[path[path.length - 1]!] = value;
}

/** Expands `sweep` into one validated scenario per combination (the first key varies slowest). */
export function expandSweep(loaded: LoadedScenario, opts: { allowLarge?: boolean } = {}): VariantInput[] {
  const { input, file } = loaded;
  const sweep = input.sweep ?? {};
  const keys = Object.keys(sweep);
  const valid = sweepablePaths();
  for (const key of keys) {
    if (!valid.includes(key)) {
      const guess = nearest(key, valid);
      throw new KvsimError(`cannot sweep "${key}": not a scenario key`, {
        file, keyPath: `sweep.${key}`, line: loaded.lineOf(['sweep', key]),
        hint: guess ? `did you mean "${guess}"?` : 'sweep keys are dotted paths such as engine.quant_policy or workload.arrival.concurrency',
      });
    }
  }
  const count = keys.reduce((c, k) => c * sweep[k]!.length, 1);
  if (count > MAX_VARIANTS && !opts.allowLarge) {
    throw new KvsimError(`the sweep makes ${count} variants, more than ${MAX_VARIANTS}`, {
      file, keyPath: 'sweep', line: loaded.lineOf(['sweep']), hint: 'shrink the grid, or pass --allow-large if you mean it',
    });
  }
  const { sweep: _omit, ...base } = input;
  const variants: VariantInput[] = [];
  const idx = new Array<number>(keys.length).fill(0);
  for (let v = 0; v < count; v++) {
    const obj = structuredClone(base) as Record<string, unknown>;
    const overrides: [string, unknown][] = [];
    keys.forEach((k, j) => {
      const value = sweep[k]![idx[j]!];
      setIn(obj, k.split('.'), value);
      overrides.push([k, value]);
    });
    const parsed = scenarioSchema.safeParse(obj);
    if (!parsed.success) {
      // Point at the sweep value that made the variant invalid.
      const issue = parsed.error.issues[0]!;
      const dotted = issue.path.join('.');
      const j = keys.findIndex((k) => dotted === k || dotted.startsWith(`${k}.`) || k.startsWith(`${dotted}.`));
      const err = zodToKvsimError(parsed.error, obj, file, () => undefined, () => undefined);
      throw new KvsimError(err.message, {
        file, keyPath: j >= 0 ? `sweep.${keys[j]}[${idx[j]}]` : err.keyPath,
        line: j >= 0 ? loaded.lineOf(['sweep', keys[j]!, idx[j]!]) : undefined, hint: err.hint,
      });
    }
    variants.push({ index: v, overrides, input: parsed.data });
    for (let j = keys.length - 1; j >= 0; j--) {
      idx[j]!++;
      if (idx[j]! < sweep[keys[j]!]!.length) break;
      idx[j] = 0;
    }
  }
  return variants;
}
