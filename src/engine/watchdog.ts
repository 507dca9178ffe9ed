import { KvsimError } from '../util/errors.js';
import type { RequestSet } from '../workload/requests.js';

/** The error for a run that cannot make progress, naming the request that is stuck. */
export function stuckError(requestId: number, why: string): KvsimError {
  return new KvsimError(`the simulation cannot make progress: request ${requestId} is stuck (${why})`, {
    hint: 'check that every request fits in the KV cache and the per-iteration token budget',
  });
}

/**
 * Fails a run in which no request finishes for too many iterations. The oldest held request
 * always runs (nothing may preempt it), so it finishes within about its own length in
 * iterations; the bound is several times the longest request, so it only trips on a bug or
 * a scenario that cannot make progress.
 */
export class Watchdog {
  private readonly limit: number;
  private lastFinished = 0;
  private since = 0;

  constructor(rq: RequestSet) {
    let longest = 0;
    for (let i = 0; i < rq.n; i++) longest = Math.max(longest, rq.prompt[i]! + rq.output[i]!);
    this.limit = 8 * longest + 10_000;
  }

  /** Called once per iteration; `oldest` names the request to blame. */
  tick(finished: number, oldest: () => number): void {
    if (finished !== this.lastFinished) {
      this.lastFinished = finished;
      this.since = 0;
      return;
    }
    if (++this.since > this.limit) throw stuckError(oldest(), `no request finished in ${this.limit} iterations`);
  }
}
