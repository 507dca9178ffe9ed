/**
 * Seeded uniform random numbers for the synthetic activations.
 *
 * seedrandom (ARC4, string seeds) derives the 128-bit state, and xoshiro128**
 * (Blackman & Vigna 2018) produces the bulk stream: one proxy evaluation at a
 * 32k context draws ~10^7 variates, and an inlined integer generator is several
 * times faster than calling a seedrandom PRNG object per variate.
 * Same seed string -> same stream, on every platform (integer arithmetic only).
 */
import seedrandom from 'seedrandom';

/** Rotate a 32-bit integer left by k bits. */
function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** xoshiro128** generator; construct it with `createRng(seed)`. */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(s0: number, s1: number, s2: number, s3: number) {
    // The all-zero state is the one fixed point of xoshiro; avoid it.
    if ((s0 | s1 | s2 | s3) === 0) s0 = 0x9e3779b9 | 0;
    this.s0 = s0 | 0;
    this.s1 = s1 | 0;
    this.s2 = s2 | 0;
    this.s3 = s3 | 0;
  }

  /** Next uniform 32-bit unsigned integer in [0, 2^32). */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9);
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result >>> 0;
  }

  /**
   * Write the next `count` values of nextUint32() to out[0 .. count), keeping
   * the state in locals: the bulk path for synthetic activations (same stream).
   */
  fillUint32(out: Uint32Array, count: number = out.length): Uint32Array {
    let s0 = this.s0;
    let s1 = this.s1;
    let s2 = this.s2;
    let s3 = this.s3;
    for (let i = 0; i < count; i++) {
      out[i] = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = rotl(s3, 11);
    }
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    this.s3 = s3;
    return out;
  }

  /** Next uniform double in the open interval (0, 1), 32-bit resolution. */
  nextUniform(): number {
    return (this.nextUint32() + 0.5) * 2.3283064365386963e-10; // 2^-32
  }

  /** Uniform integer in [0, n) (n < 2^32; modulo bias below 2^-20 for n < 4096). */
  nextInt(n: number): number {
    return Math.floor(this.nextUniform() * n);
  }
}

/** A generator whose state is derived from `seed` by seedrandom's ARC4. */
export function createRng(seed: string): Rng {
  const init = seedrandom(seed);
  return new Rng(init.int32(), init.int32(), init.int32(), init.int32());
}
