import type { CostModel, IterationWork } from '../../src/engine/cost.js';
import { runPytorch } from '../../src/engine/pytorch.js';
import { runPytorchExact } from '../../src/engine/pytorch-exact.js';
import { runTurbomind } from '../../src/engine/turbomind.js';
import { runTurbomindExact } from '../../src/engine/turbomind-exact.js';
import type { BlockAudit, EngineRun, SchedulerParams } from '../../src/engine/types.js';
import { Recorder } from '../../src/metrics/recorder.js';
import type { RequestSet } from '../../src/workload/requests.js';

export const ENGINES = {
  turbomind: runTurbomind,
  'turbomind-exact': runTurbomindExact,
  pytorch: runPytorch,
  'pytorch-exact': runPytorchExact,
} as const;
export type EngineName = keyof typeof ENGINES;

/** A cost model where every iteration takes `stepS` seconds, so schedules can be checked by hand. */
export function unitCost(stepS = 1, log?: IterationWork[]): CostModel {
  return {
    step: (w: IterationWork) => {
      log?.push({ ...w });
      return stepS;
    },
  } as unknown as CostModel;
}

export function requests(prompt: number[], output: number[], arrivalS: number[] | null = null): RequestSet {
  return { n: prompt.length, prompt: Int32Array.from(prompt), output: Int32Array.from(output), arrivalS: arrivalS ? Float64Array.from(arrivalS) : null };
}

export function params(p: Partial<SchedulerParams>): SchedulerParams {
  return { blockSize: 4, kvBlocks: 1000, maxBatchSize: 8, tokenBudget: 1000, maxPrefillTokenNum: 1000, prefillInterval: 4, concurrency: null, ...p };
}

export interface EngineOutcome {
  recorder: Recorder;
  audits: BlockAudit[];
  work: IterationWork[];
}

/** Runs one engine on hand-made requests and collects the recorder, the block audits and each iteration's work. */
export function runEngine(name: EngineName, rq: RequestSet, p: SchedulerParams, cost?: CostModel): EngineOutcome {
  const recorder = new Recorder(rq.n, rq.prompt, rq.output, p.kvBlocks);
  const audits: BlockAudit[] = [];
  const work: IterationWork[] = [];
  const run: EngineRun = { requests: rq, params: p, cost: cost ?? unitCost(1, work), recorder, audit: (a) => audits.push(a) };
  ENGINES[name](run);
  return { recorder, audits, work };
}
