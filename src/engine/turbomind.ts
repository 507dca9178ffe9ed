import { EventHeap } from '../sim/heap.js';
import { SortedIds } from '../sim/sorted-ids.js';
import { emptyWork } from './cost.js';
import { requiredBlocks, type EngineRun, type EngineStats } from './types.js';
import { stuckError, Watchdog } from './watchdog.js';

// Sequence states.
const NOT_HELD = 0;
const INACTIVE = 1; // held, no locked blocks (its cached blocks are evictable)
const CHUNK = 2; // active, not in step with the decode group: prefill, recompute or a stalled decode
const DECODE = 3; // active and in the decode group: one token per iteration, context = base + iteration

/**
 * TurboMind v0.4.0's persistent batch, event-driven (same semantics as turbomind-exact.ts).
 *
 * Decoding sequences advance in lockstep, so a sequence in the decode group stores only
 * base = context − iteration, and the group's total context is Σbase + size × iteration.
 * Each one's next block-boundary crossing and its finish are events in heaps keyed by
 * (iteration, id). Per iteration the work is proportional to events, chunks and admissions,
 * never to the number of decoding sequences; a full walk happens only on the rare iterations
 * where the token budget cuts the batch.
 */
export function runTurbomind(run: EngineRun): EngineStats {
  const { requests: rq, params: p, cost, recorder: rec } = run;
  const watchdog = new Watchdog(rq);
  const n = rq.n;
  const bs = p.blockSize;
  const closed = p.concurrency !== null;

  const state = new Uint8Array(n);
  const ctxOrBase = new Int32Array(n); // DECODE: base; otherwise: context (prompt + generated)
  const cachedTok = new Int32Array(n); // leading tokens with K/V in cache (not DECODE)
  const blocks = new Int32Array(n);
  const kept = new Int32Array(n);
  const stamp = new Float64Array(n);
  const lastTokS = new Float64Array(n);

  const held = new SortedIds(p.maxBatchSize);
  let nActive = 0; // active sequences are the first nActive of held
  const chunks = new SortedIds(64); // active CHUNK sequences
  const crossing = new EventHeap(p.maxBatchSize * 2);
  const finishing = new EventHeap(p.maxBatchSize * 2);
  const lru = new EventHeap(256); // (stamp, id) of inactive sequences with cached blocks
  const queue = new Int32Array(n);
  let qHead = 0, qTail = 0;

  let nDecode = 0, sumBase = 0;
  let free = p.kvBlocks, keptPool = 0, stampCounter = 0;
  let t = 0, iter = 0, nextArrival = 0, events = 0;
  const work = emptyWork();
  // Scratch lists reused every iteration: the chunks that run (id, tokens), finishes, joins.
  const rowId = new Int32Array(p.maxBatchSize);
  const rowTok = new Int32Array(p.maxBatchSize);
  let nRows = 0;
  const done = new Int32Array(p.maxBatchSize);
  let nDone = 0;
  const joining = new Int32Array(p.maxBatchSize);
  let nJoining = 0;
  const addRow = (id: number, k: number) => {
    rowId[nRows] = id;
    rowTok[nRows++] = k;
  };

  const arrive = (id: number, at: number) => {
    rec.arrive(id, at);
    queue[qTail++] = id;
    events++;
  };
  if (closed) for (; nextArrival < Math.min(p.concurrency!, n); nextArrival++) arrive(nextArrival, 0);

  const ctxOf = (id: number) => (state[id] === DECODE ? ctxOrBase[id]! + iter : ctxOrBase[id]!);

  const joinDecode = (id: number) => {
    const base = ctxOrBase[id]! - iter;
    state[id] = DECODE;
    ctxOrBase[id] = base;
    nDecode++;
    sumBase += base;
    crossing.push(blocks[id]! * bs - base, id, id);
    finishing.push(rq.prompt[id]! + rq.output[id]! - 1 - base, id, id);
  };
  /** Leaves the decode group (stall or preemption) with its context made explicit. */
  const leaveDecode = (id: number) => {
    const base = ctxOrBase[id]!;
    nDecode--;
    sumBase -= base;
    ctxOrBase[id] = base + iter;
    cachedTok[id] = base + iter - 1;
    lastTokS[id] = t;
    state[id] = CHUNK;
  };
  const deactivate = (id: number) => {
    if (state[id] === DECODE) leaveDecode(id);
    chunks.remove(id);
    state[id] = INACTIVE;
    kept[id] = blocks[id]!;
    keptPool += blocks[id]!;
    blocks[id] = 0;
    stamp[id] = ++stampCounter;
    if (kept[id]! > 0) lru.push(stamp[id]!, 0, id);
    nActive--;
    rec.preempted(id);
  };
  /** Takes `need` blocks for `id`: free first, then cached blocks (least recently deactivated first), then preempts the newest active. */
  const take = (id: number, need: number) => {
    const fromFree = Math.min(free, need);
    free -= fromFree;
    need -= fromFree;
    blocks[id]! += fromFree;
    while (need > 0) {
      if (keptPool > 0) {
        const v = lru.peekPayload();
        if (state[v] !== INACTIVE || kept[v] === 0 || stamp[v] !== lru.peekTime()) {
          lru.pop();
          continue;
        }
        const x = Math.min(kept[v]!, need);
        kept[v]! -= x;
        keptPool -= x;
        need -= x;
        blocks[id]! += x;
        if (kept[v] === 0) lru.pop();
        continue;
      }
      deactivate(held.at(nActive - 1));
      events++;
    }
  };

  while (rec.finishedCount < n) {
    if (!closed) {
      while (nextArrival < n && rq.arrivalS![nextArrival]! <= t) arrive(nextArrival, rq.arrivalS![nextArrival++]!);
    }
    while (held.length < p.maxBatchSize && qHead < qTail) {
      const id = queue[qHead++]!;
      held.insert(id);
      state[id] = INACTIVE;
      ctxOrBase[id] = rq.prompt[id]!;
    }
    if (held.length === 0) {
      t = rq.arrivalS![nextArrival]!;
      continue;
    }

    // Materialize, part 1: decode sequences crossing a block boundary, in priority order.
    let walkStopped = false;
    while (crossing.size > 0 && crossing.peekTime() <= iter) {
      const at = crossing.peekTime();
      const id = crossing.pop();
      if (state[id] !== DECODE || blocks[id]! * bs - ctxOrBase[id]! !== at) continue;
      const need = requiredBlocks(ctxOf(id), bs) - blocks[id]!;
      if (need <= 0) continue;
      events++;
      if (free + keptPool < need && held.indexOf(id) === nActive - 1) {
        deactivate(id); // the newest cannot preempt anyone older: it waits
        walkStopped = true;
        break;
      }
      take(id, need);
      crossing.push(blocks[id]! * bs - ctxOrBase[id]!, id, id);
    }
    // Part 2: inactive sequences, oldest first, until one does not fit.
    while (!walkStopped && nActive < held.length) {
      const id = held.at(nActive);
      const need = requiredBlocks(ctxOf(id), bs) - kept[id]!;
      if (free + keptPool - kept[id]! < need) break;
      keptPool -= kept[id]!;
      blocks[id] = kept[id]!;
      kept[id] = 0;
      const valid = Math.min(cachedTok[id]!, blocks[id]! * bs);
      if (valid < cachedTok[id]!) rec.recomputed(cachedTok[id]! - valid);
      cachedTok[id] = valid;
      state[id] = CHUNK;
      chunks.insert(id);
      nActive++;
      if (need > 0) take(id, need);
      events++;
    }

    // Token budget: decode rows and chunks in priority order.
    nRows = 0;
    let demand = nDecode;
    for (let i = 0; i < chunks.length; i++) demand += ctxOrBase[chunks.at(i)]! - cachedTok[chunks.at(i)]!;
    if (demand <= p.tokenBudget) {
      for (let i = 0; i < chunks.length; i++) {
        const id = chunks.at(i);
        addRow(id, ctxOrBase[id]! - cachedTok[id]!);
      }
    } else {
      cutByBudget();
    }
    if (nDecode + nRows === 0) throw stuckError(held.at(0), 'no sequence could run');

    work.decodeRows = nDecode;
    work.decodeCtxSum = sumBase + nDecode * iter;
    work.sampledRows = nDecode;
    work.prefillRows = work.prefillTokens = work.prefillPairs = work.prefillCachedTokens = 0;
    for (let r = 0; r < nRows; r++) {
      const id = rowId[r]!, k = rowTok[r]!;
      const input = ctxOrBase[id]! - cachedTok[id]!;
      const c = cachedTok[id]!;
      if (input === 1) {
        work.decodeRows++;
        work.decodeCtxSum += c + 1;
      } else {
        work.prefillRows++;
        work.prefillTokens += k;
        work.prefillPairs += k * c + (k * (k + 1)) / 2;
        work.prefillCachedTokens += c;
      }
      if (k === input) work.sampledRows++;
      rec.scheduled(id, t);
    }
    const start = t;
    const dur = cost.step(work, rec.breakdownSum);
    t += dur;
    rec.iteration(start, nDecode + nRows, p.kvBlocks - free, qTail - qHead + held.length - nActive, held.length > nActive);

    // Results. The decode group all sampled a token one iteration after the last.
    rec.itl(dur, nDecode);
    nDone = 0;
    nJoining = 0;
    while (finishing.size > 0 && finishing.peekTime() <= iter) {
      const at = finishing.peekTime();
      const id = finishing.pop();
      // Identical duplicate events (a sequence that rejoined with the same base) pop together.
      if (state[id] === DECODE && rq.prompt[id]! + rq.output[id]! - 1 - ctxOrBase[id]! === at && (nDone === 0 || done[nDone - 1] !== id)) done[nDone++] = id;
    }
    for (let r = 0; r < nRows; r++) {
      const id = rowId[r]!, k = rowTok[r]!;
      const input = ctxOrBase[id]! - cachedTok[id]!;
      cachedTok[id]! += k;
      if (k < input) continue;
      ctxOrBase[id]!++;
      const generated = ctxOrBase[id]! - rq.prompt[id]!;
      if (generated === 1) rec.firstToken(id, t);
      else rec.itl(t - lastTokS[id]!, 1);
      lastTokS[id] = t;
      if (generated === rq.output[id]) done[nDone++] = id;
      else joining[nJoining++] = id;
    }
    iter++; // the decode group's contexts advance by one
    for (let j = 0; j < nJoining; j++) {
      chunks.remove(joining[j]!);
      joinDecode(joining[j]!);
    }
    if (nDone > 1) done.subarray(0, nDone).sort();
    for (let j = 0; j < nDone; j++) {
      const id = done[j]!;
      const ctxNow = state[id] === DECODE ? ctxOrBase[id]! + iter : ctxOrBase[id]!;
      if (state[id] === DECODE) {
        nDecode--;
        sumBase -= ctxOrBase[id]!;
      } else chunks.remove(id);
      state[id] = NOT_HELD;
      free += blocks[id]!;
      blocks[id] = 0;
      held.remove(id);
      nActive--;
      rec.finish(id, t, ctxNow - rq.prompt[id]!);
      events++;
      if (closed && nextArrival < n) arrive(nextArrival++, t);
    }
    if ((iter & 4095) === 0) run.onProgress?.(rec.finishedCount, t);
    watchdog.tick(rec.finishedCount, () => held.length ? held.at(0) : qHead < qTail ? queue[qHead]! : 0);
    if (run.audit) {
      let locked = 0, cachedSum = 0, short = 0;
      for (let i = 0; i < held.length; i++) {
        const id = held.at(i);
        locked += blocks[id]!;
        cachedSum += kept[id]!;
        if (i < nActive && blocks[id]! < Math.ceil(ctxOf(id) / bs)) short++;
      }
      if (cachedSum !== keptPool) throw new Error(`audit: cached blocks ${cachedSum} != pool ${keptPool}`);
      run.audit({ timeS: t, durS: dur, free, locked, cached: cachedSum, total: p.kvBlocks, inSystem: held.length + qTail - qHead, held: held.length, shortActive: short });
    }
  }
  return { iterations: iter, events };

  /** The budget binds: walk the active sequences in priority order; those past the cut stall. */
  function cutByBudget(): void {
    let used = 0;
    const stalled: number[] = [];
    for (let i = 0; i < nActive; i++) {
      const id = held.at(i);
      if (state[id] === DECODE) {
        if (used < p.tokenBudget) used++;
        else stalled.push(id);
      } else if (used < p.tokenBudget) {
        const k = Math.min(ctxOrBase[id]! - cachedTok[id]!, p.tokenBudget - used);
        used += k;
        addRow(id, k);
      }
    }
    for (const id of stalled) {
      leaveDecode(id);
      chunks.insert(id);
    }
  }
}
