import { emptyWork } from './cost.js';
import type { EngineRun, EngineStats } from './types.js';
import { stuckError, Watchdog } from './watchdog.js';

interface Seq {
  id: number;
  prompt: number;
  output: number;
  generated: number;
  blocks: number;
  lastTokenS: number;
  /** Finished during the current decode loop but still a row of its batch until the loop ends. */
  zombie: boolean;
}

/**
 * LMDeploy's PyTorch engine as of v0.6 (shared/reference/lmdeploy.md §5.3), step by step:
 * separate prefill and decode iterations; a prefill takes waiting sequences in arrival order
 * up to max_prefill_token_num and free batch slots; a decode schedule preallocates blocks for
 * the next `prefill_interval` tokens of each running sequence, preempting the newest when
 * blocks run out (recompute: its blocks are freed and it prefills again from the start), then
 * runs up to prefill_interval − 1 steps, stopping early when requests wait. The batch keeps
 * its rows for the whole loop, so a sequence that finishes mid-loop still costs compute.
 */
export function runPytorchExact(run: EngineRun): EngineStats {
  const { requests: rq, params: p, cost, recorder: rec } = run;
  const watchdog = new Watchdog(rq);
  const bs = p.blockSize;
  const closed = p.concurrency !== null;
  const waiting: Seq[] = [];
  let running: Seq[] = [];
  let free = p.kvBlocks;
  let t = 0, nextArrival = 0, iterations = 0;
  let kvShort = false;
  const work = emptyWork();

  const ctxOf = (s: Seq) => s.prompt + s.generated;
  const newSeq = (id: number): Seq => ({ id, prompt: rq.prompt[id]!, output: rq.output[id]!, generated: 0, blocks: 0, lastTokenS: NaN, zombie: false });
  const arrive = (id: number, at: number) => {
    rec.arrive(id, at);
    insertById(waiting, newSeq(id));
  };
  const admitArrivals = () => {
    if (closed) return;
    while (nextArrival < rq.n && rq.arrivalS![nextArrival]! <= t) arrive(nextArrival, rq.arrivalS![nextArrival++]!);
  };
  const preempt = (s: Seq) => {
    free += s.blocks;
    s.blocks = 0;
    rec.preempted(s.id);
    rec.recomputed(ctxOf(s) - 1);
    insertById(waiting, s);
    kvShort = true;
  };
  const finishSeq = (s: Seq) => {
    rec.finish(s.id, t, s.generated);
    if (closed && nextArrival < rq.n) arrive(nextArrival++, t);
  };
  if (closed) for (; nextArrival < Math.min(p.concurrency!, rq.n); nextArrival++) arrive(nextArrival, 0);
  const audit = (durS: number) => {
    if (!run.audit) return;
    const locked = running.reduce((a, s) => a + s.blocks, 0);
    const short = running.filter((s) => !s.zombie && s.blocks < Math.ceil((ctxOf(s) - 1) / bs)).length;
    const live = running.filter((s) => !s.zombie).length;
    run.audit({ timeS: t, durS, free, locked, cached: 0, total: p.kvBlocks, inSystem: live + waiting.length, held: running.length, shortActive: short });
  };

  while (rec.finishedCount < rq.n) {
    admitArrivals();
    if (waiting.length === 0 && running.length === 0) {
      t = rq.arrivalS![nextArrival]!;
      continue;
    }
    kvShort = false;
    // Prefill: waiting sequences in arrival order, whole prompts (plus any tokens to recompute).
    const admitted: Seq[] = [];
    let tokens = 0;
    for (const s of waiting) {
      if (running.length + admitted.length >= p.maxBatchSize) break;
      const ctx = ctxOf(s);
      if (admitted.length > 0 && tokens + ctx > p.maxPrefillTokenNum) break;
      const need = Math.ceil(ctx / bs);
      if (need > free) {
        kvShort = true;
        break;
      }
      free -= need;
      s.blocks = need;
      tokens += ctx;
      admitted.push(s);
    }
    if (admitted.length > 0) {
      waiting.splice(0, admitted.length);
      Object.assign(work, emptyWork());
      for (const s of admitted) {
        const ctx = ctxOf(s);
        work.prefillRows++;
        work.prefillTokens += ctx;
        work.prefillPairs += (ctx * (ctx + 1)) / 2;
        work.sampledRows++;
        rec.scheduled(s.id, t);
      }
      const start = t;
      t += cost.step(work, rec.breakdownSum);
      rec.iteration(start, admitted.length, p.kvBlocks - free, waiting.length, kvShort);
      iterations++;
      for (const s of admitted) {
        s.generated++;
        if (s.generated === 1) rec.firstToken(s.id, t);
        else rec.itl(t - s.lastTokenS, 1);
        s.lastTokenS = t;
        if (s.generated === s.output) {
          free += s.blocks;
          finishSeq(s);
        } else insertById(running, s);
      }
      audit(t - start);
      continue;
    }
    if (running.length === 0) throw stuckError(waiting[0]!.id, 'it needs more KV blocks than the cache has free and nothing runs to free them');

    // Decode schedule: preallocate blocks for the next prefill_interval tokens, oldest first.
    for (let i = 0; i < running.length; i++) {
      const s = running[i]!;
      const need = Math.ceil(Math.min(ctxOf(s) + p.prefillInterval, s.prompt + s.output) / bs) - s.blocks;
      while (need > free && running.length - 1 > i) preempt(running.pop()!);
      if (need > free) {
        preempt(running.pop()!); // s itself is the newest: it waits
        break;
      }
      if (need > 0) {
        free -= need;
        s.blocks += need;
      }
    }
    if (running.length === 0) continue;
    for (let step = 0; step < p.prefillInterval - 1; step++) {
      Object.assign(work, emptyWork());
      work.decodeRows = running.length;
      work.sampledRows = running.length;
      for (const s of running) work.decodeCtxSum += ctxOf(s);
      const start = t;
      t += cost.step(work, rec.breakdownSum);
      rec.iteration(start, running.length, p.kvBlocks - free, waiting.length, kvShort);
      iterations++;
      const ended: Seq[] = [];
      const auditAfter = t - start;
      for (const s of running) {
        s.generated++;
        if (s.zombie) continue;
        rec.itl(t - s.lastTokenS, 1);
        s.lastTokenS = t;
        if (s.generated === s.output) {
          s.zombie = true;
          ended.push(s);
        }
      }
      for (const s of ended) finishSeq(s);
      audit(auditAfter);
      admitArrivals();
      if (running.every((s) => s.zombie)) break;
      if (waiting.length > 0 && step >= (p.prefillInterval * running.length) / p.maxBatchSize) break;
    }
    const live: Seq[] = [];
    for (const s of running) {
      if (s.zombie) free += s.blocks;
      else live.push(s);
    }
    running = live;
    audit(0);
    watchdog.tick(rec.finishedCount, () => running[0]?.id ?? waiting[0]?.id ?? 0);
  }
  return { iterations, events: iterations };

  function insertById(list: Seq[], s: Seq): void {
    let i = list.length;
    while (i > 0 && list[i - 1]!.id > s.id) i--;
    list.splice(i, 0, s);
  }
}
