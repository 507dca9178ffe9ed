import type { Recorder } from '../metrics/recorder.js';
import type { RequestSet } from '../workload/requests.js';
import type { CostModel } from './cost.js';

/** The engine settings the schedulers act on (effective values, after defaults and LMDeploy's rules). */
export interface SchedulerParams {
  blockSize: number;
  kvBlocks: number;
  maxBatchSize: number;
  /** TurboMind: tokens (decode + prefill) one iteration may process (v0.4.0 max_context_token_num). */
  tokenBudget: number;
  /** PyTorch engine: prompt tokens one prefill iteration may take. */
  maxPrefillTokenNum: number;
  /** PyTorch engine: decode steps per schedule plus one, and tokens preallocated per sequence. */
  prefillInterval: number;
  /** Closed-loop clients, or null for open-loop and trace arrivals. */
  concurrency: number | null;
}

export interface EngineRun {
  requests: RequestSet;
  params: SchedulerParams;
  cost: CostModel;
  recorder: Recorder;
  /** Called now and then with requests finished and simulated time, for progress bars. */
  onProgress?: (finished: number, simTimeS: number) => void;
  /** Test hook: called after every iteration with the block accounting (costs O(held) when set). */
  audit?: (a: BlockAudit) => void;
}

/** The engine's books after an iteration: every block is free, locked by an active sequence, or cached by an inactive one. */
export interface BlockAudit {
  timeS: number;
  durS: number;
  free: number;
  locked: number;
  cached: number;
  total: number;
  /** Requests arrived and not finished: held by the engine or queued. */
  inSystem: number;
  /** Sequences the engine holds (batch slots in use). */
  held: number;
  /** Active sequences whose locked blocks are fewer than their context needs. */
  shortActive: number;
}

export interface EngineStats {
  iterations: number;
  events: number;
}

/** Blocks a sequence must hold before an iteration that may feed `ctx` known tokens (TurboMind reserves one ahead). */
export function requiredBlocks(ctx: number, blockSize: number): number {
  return Math.ceil((ctx + 1) / blockSize);
}
