import { expandSweep } from './expand.js';
import { loadScenario, type LoadedScenario } from './load.js';
import { resolveVariant, type VariantConfig } from './resolve.js';

export interface ScenarioPlan {
  loaded: LoadedScenario;
  configs: VariantConfig[];
}

/** Loads, expands and resolves a scenario: every error in it surfaces here, before anything runs. */
export function planScenario(file: string, opts: { seed?: number; allowLarge?: boolean } = {}): ScenarioPlan {
  const loaded = loadScenario(file);
  const variants = expandSweep(loaded, { allowLarge: opts.allowLarge ?? false });
  const configs = variants.map((v) => resolveVariant(loaded, v, opts.seed !== undefined ? { seed: opts.seed } : {}));
  return { loaded, configs };
}

