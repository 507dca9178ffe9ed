import { emptyWork } from './cost.js';
import { requiredBlocks, type EngineRun, type EngineStats } from './types.js';
import { stuckError, Watchdog } from './watchdog.js';

/** One held sequence, walked every iteration: the reference mode keeps it simple on purpose. */
interface Seq {
  id: number;
  prompt: number;
  output: number;
  /** Tokens generated so far. */
  generated: number;
  /** Leading tokens whose K and V are in the cache. */
  cached: number;
  /** Blocks locked by this sequence while active. */
  blocks: number;
  /** Blocks left cached (evictable) while inactive; their data stays valid until evicted. */
  kept: number;
  active: boolean;
  /** When it last became inactive; cached blocks are evicted least recently deactivated first. */
  stamp: number;
  lastTokenS: number;
}

/**
 * TurboMind v0.4.0's persistent batch (shared/reference/lmdeploy.md §5.1), step by step:
 * every iteration walks every held sequence in priority (arrival) order, as LlamaBatch's
 * Materialize does. This is the `--exact-steps` reference that the event-driven engine must
 * match; it is O(held sequences) per iteration.
 */
export function runTurbomindExact(run: EngineRun): EngineStats {
  const { requests: rq, params: p, cost, recorder: rec } = run;
  const watchdog = new Watchdog(rq);
  const bs = p.blockSize;
  const held: Seq[] = [];
  const queue: number[] = [];
  let queueHead = 0;
  let free = p.kvBlocks;
  let stampCounter = 0;
  let t = 0;
  let nextArrival = 0; // next request index to arrive
  let iterations = 0;
  const work = emptyWork();
  const closed = p.concurrency !== null;

  if (closed) {
    for (; nextArrival < Math.min(p.concurrency!, rq.n); nextArrival++) {
      rec.arrive(nextArrival, 0);
      queue.push(nextArrival);
    }
  }

  const ctxOf = (s: Seq) => s.prompt + s.generated;
  const keptTotal = () => held.reduce((a, s) => a + (s.active ? 0 : s.kept), 0);
  const deactivate = (s: Seq, preempt: boolean) => {
    s.active = false;
    s.kept = s.blocks;
    s.blocks = 0;
    s.stamp = ++stampCounter;
    if (preempt) rec.preempted(s.id);
  };
  // Takes `need` blocks for held[i]: free first, then cached blocks of inactive sequences
  // (least recently deactivated first, from the tail of each), then preempts the newest actives.
  const take = (i: number, need: number) => {
    const s = held[i]!;
    const fromFree = Math.min(free, need);
    free -= fromFree;
    need -= fromFree;
    s.blocks += fromFree;
    while (need > 0) {
      let victim: Seq | undefined;
      for (const v of held) if (!v.active && v !== s && v.kept > 0 && (!victim || v.stamp < victim.stamp)) victim = v;
      if (victim) {
        const x = Math.min(victim.kept, need);
        victim.kept -= x;
        need -= x;
        s.blocks += x;
        continue;
      }
      let last = -1;
      for (let j = held.length - 1; j > i; j--) if (held[j]!.active) { last = j; break; }
      deactivate(held[last]!, true);
    }
  };

  while (rec.finishedCount < rq.n) {
    // Arrivals up to now join the queue; free batch slots take from its head.
    if (!closed) {
      while (nextArrival < rq.n && rq.arrivalS![nextArrival]! <= t) {
        rec.arrive(nextArrival, rq.arrivalS![nextArrival]!);
        queue.push(nextArrival++);
      }
    }
    while (held.length < p.maxBatchSize && queueHead < queue.length) {
      const id = queue[queueHead++]!;
      held.push({ id, prompt: rq.prompt[id]!, output: rq.output[id]!, generated: 0, cached: 0, blocks: 0, kept: 0, active: false, stamp: 0, lastTokenS: NaN });
    }
    if (held.length === 0) {
      t = rq.arrivalS![nextArrival]!; // idle until the next arrival
      continue;
    }

    // Materialize: in priority order, each sequence gets the blocks it needs or stops the walk.
    for (let i = 0; i < held.length; i++) {
      const s = held[i]!;
      const need = requiredBlocks(ctxOf(s), bs) - (s.active ? s.blocks : s.kept);
      if (need <= 0 && s.active) continue;
      let avail = free + keptTotal() - (s.active ? 0 : s.kept);
      for (let j = i + 1; j < held.length; j++) if (held[j]!.active) avail += held[j]!.blocks;
      if (avail < need) {
        for (let j = i; j < held.length; j++) if (held[j]!.active) deactivate(held[j]!, true);
        break;
      }
      if (!s.active) {
        // Resume: relock the still-valid leading blocks; the rest of the context is recomputed.
        s.active = true;
        s.blocks = s.kept;
        s.kept = 0;
        const valid = Math.min(s.cached, s.blocks * bs);
        if (valid < s.cached) rec.recomputed(s.cached - valid);
        s.cached = valid;
      }
      if (need > 0) take(i, need);
    }

    // Token budget, in priority order; the sequence that crosses it gets a partial prefill.
    let budget = p.tokenBudget;
    const rows: { s: Seq; n: number }[] = [];
    let starved = false;
    let waiting = queue.length - queueHead;
    for (const s of held) {
      if (!s.active) {
        starved = true;
        waiting++;
        continue;
      }
      if (budget === 0) continue;
      const input = ctxOf(s) - s.cached;
      const n = Math.min(input, budget);
      budget -= n;
      rows.push({ s, n });
    }
    if (rows.length === 0) throw stuckError(held[0]!.id, 'no sequence could run');

    work.decodeRows = work.decodeCtxSum = work.prefillRows = work.prefillTokens = 0;
    work.prefillPairs = work.prefillCachedTokens = work.sampledRows = 0;
    for (const { s, n } of rows) {
      const input = ctxOf(s) - s.cached;
      if (input === 1) {
        work.decodeRows++;
        work.decodeCtxSum += s.cached + 1;
      } else {
        work.prefillRows++;
        work.prefillTokens += n;
        work.prefillPairs += n * s.cached + (n * (n + 1)) / 2;
        work.prefillCachedTokens += s.cached;
      }
      rec.scheduled(s.id, t);
      if (n === input) work.sampledRows++;
    }
    const usedBlocks = p.kvBlocks - free;
    const start = t;
    const dur = cost.step(work, rec.breakdownSum);
    t += dur;
    rec.iteration(start, rows.length, usedBlocks, waiting, starved);
    iterations++;

    // Results: a row that consumed all its input samples one token.
    const finished: Seq[] = [];
    for (const { s, n } of rows) {
      const input = ctxOf(s) - s.cached;
      s.cached += n;
      if (n < input) continue;
      s.generated++;
      if (s.generated === 1) rec.firstToken(s.id, t);
      else rec.itl(t - s.lastTokenS, 1);
      s.lastTokenS = t;
      if (s.generated === s.output) finished.push(s);
    }
    for (const s of finished) {
      free += s.blocks;
      held.splice(held.indexOf(s), 1);
      rec.finish(s.id, t, s.generated);
      if (closed && nextArrival < rq.n) {
        rec.arrive(nextArrival, t);
        queue.push(nextArrival++);
      }
    }
    if (iterations % 4096 === 0) run.onProgress?.(rec.finishedCount, t);
    watchdog.tick(rec.finishedCount, () => held[0]?.id ?? 0);
    if (run.audit) {
      const locked = held.reduce((a, s) => a + s.blocks, 0);
      const short = held.filter((s) => s.active && s.blocks < Math.ceil(ctxOf(s) / bs)).length;
      run.audit({ timeS: t, durS: dur, free, locked, cached: keptTotal(), total: p.kvBlocks, inSystem: held.length + queue.length - queueHead, held: held.length, shortActive: short });
    }
  }
  return { iterations, events: iterations };
}
