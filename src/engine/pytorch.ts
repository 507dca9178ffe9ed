import { EventHeap } from '../sim/heap.js';
import { SortedIds } from '../sim/sorted-ids.js';
import { emptyWork } from './cost.js';
import type { EngineRun, EngineStats } from './types.js';
import { stuckError, Watchdog } from './watchdog.js';

const NOT_HELD = 0;
const WAITING = 1;
const RUNNING = 2;
const ZOMBIE = 3; // finished mid-loop, still a row until the decode loop ends

/**
 * The PyTorch engine of v0.6, event-driven (same semantics as pytorch-exact.ts). Running
 * sequences decode in lockstep (context = base + decode step); each one's next
 * preallocation need and its finish are heap events, so a decode step costs O(events).
 * Inter-token gaps are exact: sequences that joined since the last decode step are grouped
 * by the prefill that admitted them.
 */
export function runPytorch(run: EngineRun): EngineStats {
  const { requests: rq, params: p, cost, recorder: rec } = run;
  const watchdog = new Watchdog(rq);
  const n = rq.n;
  const bs = p.blockSize;
  const L = p.prefillInterval;
  const closed = p.concurrency !== null;

  const state = new Uint8Array(n);
  const ctxOrBase = new Int32Array(n); // RUNNING/ZOMBIE: base (context − step); WAITING: context
  const blocks = new Int32Array(n);
  const joinS = new Float64Array(n); // time of the last token before joining running (or before preemption, while waiting)
  const joinStep = new Float64Array(n); // decode step count when it joined running

  const waiting = new SortedIds(1024);
  const running = new SortedIds(p.maxBatchSize);
  const needing = new EventHeap(p.maxBatchSize * 2);
  const finishing = new EventHeap(p.maxBatchSize * 2);
  let nLive = 0, sumBase = 0;
  let free = p.kvBlocks;
  let t = 0, step = 0, iterations = 0, nextArrival = 0, events = 0;
  let kvShort = false;
  let lastDecodeEndS = NaN, lastDecodeStep = -1;
  let fresh: { timeS: number; count: number }[] = [];
  const zombies: number[] = [];
  const work = emptyWork();

  const arrive = (id: number, at: number) => {
    rec.arrive(id, at);
    state[id] = WAITING;
    ctxOrBase[id] = rq.prompt[id]!;
    waiting.insert(id);
    events++;
  };
  const admitArrivals = () => {
    if (closed) return;
    while (nextArrival < n && rq.arrivalS![nextArrival]! <= t) arrive(nextArrival, rq.arrivalS![nextArrival++]!);
  };
  const finishReq = (id: number, generated: number) => {
    rec.finish(id, t, generated);
    events++;
    if (closed && nextArrival < n) arrive(nextArrival++, t);
  };
  const isFresh = (id: number) => joinStep[id]! > lastDecodeStep;
  const dropFresh = (id: number) => {
    const g = fresh.find((f) => f.timeS === joinS[id]);
    if (g) g.count--;
  };
  /** First decode step at which a running sequence's preallocation falls short (Infinity if never). */
  const needStep = (id: number): number => {
    const cap = blocks[id]! * bs;
    if (rq.prompt[id]! + rq.output[id]! <= cap) return Infinity;
    return cap - L - ctxOrBase[id]! + 1;
  };
  const scheduleNeed = (id: number) => {
    const at = needStep(id);
    if (at !== Infinity) needing.push(at, id, id);
  };
  const requiredNow = (id: number) => Math.ceil(Math.min(ctxOrBase[id]! + step + L, rq.prompt[id]! + rq.output[id]!) / bs);
  /** Recompute preemption: blocks freed, back to waiting with its whole context to prefill again. */
  const preempt = (id: number) => {
    const ctx = ctxOrBase[id]! + step;
    if (isFresh(id)) dropFresh(id);
    else joinS[id] = lastDecodeEndS; // its last token came out of the last decode step
    running.remove(id);
    nLive--;
    sumBase -= ctxOrBase[id]!;
    free += blocks[id]!;
    blocks[id] = 0;
    state[id] = WAITING;
    ctxOrBase[id] = ctx;
    waiting.insert(id);
    rec.preempted(id);
    rec.recomputed(ctx - 1);
    kvShort = true;
    events++;
  };

  if (closed) for (; nextArrival < Math.min(p.concurrency!, n); nextArrival++) arrive(nextArrival, 0);
  const audit = (durS: number) => {
    if (!run.audit) return;
    let locked = 0, short = 0;
    for (let i = 0; i < running.length; i++) {
      const id = running.at(i);
      locked += blocks[id]!;
      if (state[id] === RUNNING && blocks[id]! < Math.ceil((ctxOrBase[id]! + step - 1) / bs)) short++;
    }
    run.audit({ timeS: t, durS, free, locked, cached: 0, total: p.kvBlocks, inSystem: running.length - zombies.length + waiting.length, held: running.length, shortActive: short });
  };

  while (rec.finishedCount < n) {
    admitArrivals();
    if (waiting.length === 0 && running.length === 0) {
      t = rq.arrivalS![nextArrival]!;
      continue;
    }
    kvShort = false;
    // Prefill: waiting sequences in arrival order.
    let k = 0, tokens = 0;
    for (; k < waiting.length; k++) {
      if (running.length + k >= p.maxBatchSize) break;
      const id = waiting.at(k);
      const ctx = ctxOrBase[id]!;
      if (k > 0 && tokens + ctx > p.maxPrefillTokenNum) break;
      const need = Math.ceil(ctx / bs);
      if (need > free) {
        kvShort = true;
        break;
      }
      free -= need;
      blocks[id] = need;
      tokens += ctx;
    }
    if (k > 0) {
      Object.assign(work, emptyWork());
      for (let i = 0; i < k; i++) {
        const ctx = ctxOrBase[waiting.at(i)]!;
        work.prefillRows++;
        work.prefillTokens += ctx;
        work.prefillPairs += (ctx * (ctx + 1)) / 2;
        work.sampledRows++;
        rec.scheduled(waiting.at(i), t);
      }
      const start = t;
      t += cost.step(work, rec.breakdownSum);
      const admitted = Array.from({ length: k }, (_, i) => waiting.at(i));
      waiting.removeFirst(k);
      rec.iteration(start, k, p.kvBlocks - free, waiting.length, kvShort);
      iterations++;
      let joined = 0;
      for (const id of admitted) {
        const ctx = ++ctxOrBase[id]!;
        const generated = ctx - rq.prompt[id]!;
        if (generated === 1) rec.firstToken(id, t);
        else rec.itl(t - joinS[id]!, 1);
        if (generated === rq.output[id]) {
          free += blocks[id]!;
          blocks[id] = 0;
          state[id] = NOT_HELD;
          finishReq(id, generated);
          continue;
        }
        state[id] = RUNNING;
        ctxOrBase[id] = ctx - step;
        sumBase += ctxOrBase[id]!;
        nLive++;
        running.insert(id);
        joinS[id] = t;
        joinStep[id] = step;
        joined++;
        scheduleNeed(id);
        finishing.push(rq.prompt[id]! + rq.output[id]! - 1 - ctxOrBase[id]!, id, id);
      }
      if (joined > 0) fresh.push({ timeS: t, count: joined });
      audit(t - start);
      continue;
    }
    if (running.length === 0) throw stuckError(waiting.at(0), 'it needs more KV blocks than the cache has free and nothing runs to free them');

    // Decode schedule: sequences whose preallocation falls short, oldest first.
    const due: number[] = [];
    while (needing.size > 0 && needing.peekTime() <= step) {
      const at = needing.peekTime();
      const id = needing.pop();
      if (state[id] === RUNNING && needStep(id) === at && !due.includes(id)) due.push(id);
    }
    due.sort((a, b) => a - b);
    for (const id of due) {
      if (state[id] !== RUNNING) continue; // preempted by an older one just now
      const need = requiredNow(id) - blocks[id]!;
      while (need > free && running.at(running.length - 1) !== id) preempt(running.at(running.length - 1));
      if (need > free) {
        preempt(id);
        break;
      }
      free -= need;
      blocks[id]! += need;
      scheduleNeed(id);
      events++;
    }
    if (running.length === 0) continue;

    for (let s = 0; s < L - 1; s++) {
      work.decodeRows = work.sampledRows = running.length;
      work.decodeCtxSum = sumBase + running.length * step;
      work.prefillRows = work.prefillTokens = work.prefillPairs = work.prefillCachedTokens = 0;
      const start = t;
      const dur = cost.step(work, rec.breakdownSum);
      t += dur;
      rec.iteration(start, running.length, p.kvBlocks - free, waiting.length, kvShort);
      iterations++;
      // Gaps: fresh sequences since their prefill, the rest since the previous decode step.
      let nFresh = 0;
      for (const g of fresh) {
        rec.itl(t - g.timeS, g.count);
        nFresh += g.count;
      }
      rec.itl(t - lastDecodeEndS, nLive - nFresh);
      fresh = [];
      lastDecodeEndS = t;
      lastDecodeStep = step;
      const ending: number[] = [];
      while (finishing.size > 0 && finishing.peekTime() <= step) {
        const at = finishing.peekTime();
        const id = finishing.pop();
        // A sequence that rejoined with the same base has two identical events: they pop together.
        if (state[id] === RUNNING && rq.prompt[id]! + rq.output[id]! - 1 - ctxOrBase[id]! === at && ending[ending.length - 1] !== id) ending.push(id);
      }
      step++;
      ending.sort((a, b) => a - b);
      for (const id of ending) {
        state[id] = ZOMBIE;
        nLive--;
        zombies.push(id);
        finishReq(id, ctxOrBase[id]! + step - rq.prompt[id]!);
      }
      audit(dur);
      admitArrivals();
      if (nLive === 0) break;
      if (waiting.length > 0 && s >= (L * running.length) / p.maxBatchSize) break;
    }
    for (const id of zombies) {
      running.remove(id);
      sumBase -= ctxOrBase[id]!;
      free += blocks[id]!;
      blocks[id] = 0;
      state[id] = NOT_HELD;
    }
    zombies.length = 0;
    audit(0);
    if ((iterations & 1023) === 0) run.onProgress?.(rec.finishedCount, t);
    watchdog.tick(rec.finishedCount, () => running.length ? running.at(0) : waiting.length ? waiting.at(0) : 0);
  }
  return { iterations, events };
}
