import { KvsimError } from '../util/errors.js';

/** The error for a run that cannot make progress, naming the request that is stuck. */
export function stuckError(requestId: number, why: string): KvsimError {
  return new KvsimError(`the simulation cannot make progress: request ${requestId} is stuck (${why})`, {
    hint: 'check that every request fits in the KV cache and the per-iteration token budget',
  });
}
