import seedrandom from 'seedrandom';

/** A uniform random stream on [0, 1). */
export type Uniform = () => number;

/**
 * An independent, named random stream for one purpose (arrivals, lengths, ...). Separate
 * streams keep every variant of a sweep on the same requests: changing the arrival rate
 * draws different arrival times but never shifts the length draws.
 */
export function stream(seed: number, name: string): Uniform {
  return seedrandom.alea(`kvsim:${seed}:${name}`);
}

/** A standard normal draw (Box-Muller; one of the pair is discarded to keep draws per call fixed). */
export function normal(u: Uniform): number {
  let u1 = u();
  while (u1 === 0) u1 = u();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u());
}

/** An exponential draw with the given mean. */
export function exponential(u: Uniform, mean: number): number {
  return -Math.log(1 - u()) * mean;
}

/**
 * A gamma draw with shape k and scale theta (Marsaglia and Tsang, 2000), with the
 * k < 1 boost u^(1/k).
 */
export function gamma(u: Uniform, k: number, theta: number): number {
  if (k < 1) return gamma(u, k + 1, theta) * Math.pow(u() || Number.MIN_VALUE, 1 / k);
  const d = k - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number, v: number;
    do {
      x = normal(u);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const w = u();
    if (w < 1 - 0.0331 * x * x * x * x) return d * v * theta;
    if (Math.log(w) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v * theta;
  }
}
