import { parentPort } from 'node:worker_threads';
import { dirname } from 'node:path';
import { runVariant } from '../engine/run-variant.js';
import { planScenario, type ScenarioPlan } from './run-scenario.js';

/** A worker thread that runs variants of one scenario on request; results go back by structured clone. */
export interface WorkerTask {
  file: string;
  seed?: number;
  allowLarge: boolean;
  exact: boolean;
  curves: boolean;
  index: number;
}

const plans = new Map<string, ScenarioPlan>();

parentPort?.on('message', (task: WorkerTask) => {
  try {
    const key = JSON.stringify([task.file, task.seed, task.allowLarge]);
    let plan = plans.get(key);
    if (!plan) {
      plan = planScenario(task.file, { ...(task.seed !== undefined ? { seed: task.seed } : {}), allowLarge: task.allowLarge });
      plans.set(key, plan);
    }
    const config = plan.configs[task.index]!;
    let last = 0;
    const { result } = runVariant(config, {
      exact: task.exact,
      curves: task.curves,
      baseDir: dirname(plan.loaded.file),
      scenarioFile: plan.loaded.file,
      onProgress: (finished, simTimeS) => {
        const now = Date.now();
        if (now - last > 200) {
          last = now;
          parentPort!.postMessage({ kind: 'progress', index: task.index, finished, simTimeS });
        }
      },
    });
    parentPort!.postMessage({ kind: 'done', index: task.index, result });
  } catch (e) {
    const err = e as Error & { file?: string; keyPath?: string; line?: number; hint?: string };
    parentPort!.postMessage({ kind: 'error', index: task.index, error: { name: err.name, message: err.message, stack: err.stack, file: err.file, keyPath: err.keyPath, line: err.line, hint: err.hint } });
  }
});
