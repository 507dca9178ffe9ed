import { describe, expect, it } from 'vitest';
import { params, requests, runEngine, type EngineName } from '../helpers/engine.js';

const TURBOMIND: EngineName[] = ['turbomind', 'turbomind-exact'];
const ALL: EngineName[] = ['turbomind', 'turbomind-exact', 'pytorch', 'pytorch-exact'];

describe.each(ALL)('%s scheduler on hand-checked cases', (engine) => {
  it('serves requests first come, first served when only one fits', () => {
    // One batch slot: each request runs to completion before the next starts.
    const { recorder: r } = runEngine(engine, requests([5, 5, 5], [3, 3, 3], [0, 0, 0]), params({ maxBatchSize: 1 }));
    expect(Array.from(r.firstTokenS)).toEqual([...r.firstTokenS].sort((a, b) => a - b));
    expect(r.finishS[0]).toBeLessThan(r.firstTokenS[1]!);
    expect(r.finishS[1]).toBeLessThan(r.firstTokenS[2]!);
  });

  it('frees every block at the end and never over-allocates', () => {
    const { audits } = runEngine(engine, requests([7, 13, 2, 30], [9, 4, 20, 6], [0, 0.5, 1, 1.5]), params({ kvBlocks: 12 }));
    for (const a of audits) {
      expect(a.free).toBeGreaterThanOrEqual(0);
      expect(a.free + a.locked + a.cached).toBe(a.total);
      expect(a.shortActive).toBe(0);
    }
    const last = audits[audits.length - 1]!;
    expect(last.free).toBe(last.total);
  });

  it('holds the closed loop at its concurrency', () => {
    const n = 20;
    const { audits, recorder } = runEngine(engine, requests(Array(n).fill(6), Array(n).fill(5)), params({ concurrency: 3 }));
    expect(Math.max(...audits.map((a) => a.inSystem))).toBe(3);
    // Until the last requests drain, exactly three are in the system after every iteration.
    const busy = audits.filter((a) => a.timeS < Math.max(...recorder.arrivalS));
    expect(busy.every((a) => a.inSystem === 3)).toBe(true);
  });
});

describe.each(TURBOMIND)('%s (TurboMind v0.4.0 rules)', (engine) => {
  it('preempts the newest sequence when blocks run out, and the oldest keeps running', () => {
    // 4 blocks of 4 tokens; two sequences of prompt 3 that each want 4 blocks by the end.
    const { recorder: r } = runEngine(engine, requests([3, 3], [12, 12], [0, 0]), params({ blockSize: 4, kvBlocks: 4 }));
    expect(r.preemptionsPerRequest[0]).toBe(0);
    expect(r.preemptionsPerRequest[1]).toBeGreaterThan(0);
    expect(r.finishS[0]).toBeLessThan(r.finishS[1]!);
  });

  it('admits a sequence only with blocks for its whole prompt plus one', () => {
    // Prompt 7 needs ceil(8/4) = 2 blocks; with 3 blocks the second request must wait for the first.
    const { recorder: r } = runEngine(engine, requests([7, 7], [2, 2], [0, 0]), params({ blockSize: 4, kvBlocks: 3 }));
    expect(r.scheduledS[1]).toBeGreaterThanOrEqual(r.finishS[0]!);
  });

  it('chunks a prefill to the token budget, one partial sequence per iteration', () => {
    // Budget 10: a 25-token prompt takes chunks of 10, 10 and 5; its first token comes after the third.
    const { recorder: r, work } = runEngine(engine, requests([25], [2], [0]), params({ tokenBudget: 10, blockSize: 8, maxBatchSize: 4 }));
    expect(work.slice(0, 3).map((w) => w.prefillTokens)).toEqual([10, 10, 5]);
    expect(work[0]!.prefillPairs).toBe(55); // 10 new tokens, causal: 10·11/2
    expect(work[1]!.prefillPairs).toBe(10 * 10 + 55); // 10 more after 10 cached
    expect(work[1]!.prefillCachedTokens).toBe(10);
    expect(r.firstTokenS[0]).toBe(3);
    expect(r.finishS[0]).toBe(4);
  });

  it('mixes decode rows and a prefill chunk in one iteration', () => {
    const { work } = runEngine(engine, requests([4, 30], [10, 2], [0, 1.5]), params({ tokenBudget: 16, blockSize: 8 }));
    const mixed = work.find((w) => w.decodeRows > 0 && w.prefillTokens > 0);
    expect(mixed).toBeDefined();
    expect(mixed!.decodeRows + mixed!.prefillTokens).toBeLessThanOrEqual(16);
  });

  it('recomputes only what was evicted when a preempted sequence resumes', () => {
    // Two sequences of prompt 3 and 12 outputs, blocks of 4, 5 blocks. At context 8 both want a
    // third block and one is free: the older takes it, the newer preempts itself, keeping its
    // 2 blocks (7 cached tokens) as cache. At context 12 the older needs a fourth block and
    // evicts the newer's tail block. The newer resumes with 1 valid block (4 tokens) and
    // recomputes 7 − 4 = 3 tokens, not its whole context.
    const r = runEngine(engine, requests([3, 3], [12, 12], [0, 0]), params({ blockSize: 4, kvBlocks: 5 })).recorder.finalize().metrics;
    expect(r.preemptions).toBe(1);
    expect(r.recomputed_tokens).toBe(3);
    // With 4 blocks the older evicts both of the newer's cached blocks: everything is recomputed.
    const all = runEngine(engine, requests([3, 3], [12, 12], [0, 0]), params({ blockSize: 4, kvBlocks: 4 })).recorder.finalize().metrics;
    expect(all.recomputed_tokens).toBe(7);
  });
});
