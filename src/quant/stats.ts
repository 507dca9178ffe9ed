/** Summary statistics for the proxy's per-(head, query) samples. */
import { mean, quantile, sampleStandardDeviation } from 'simple-statistics';

/** Mean, sample standard deviation, and 10th/90th percentiles (linear interpolation). */
export interface Summary {
  mean: number;
  std: number;
  p10: number;
  p90: number;
}

/** Summarize a non-empty list of samples (std is 0 for a single sample). */
export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new RangeError('summarize: no samples');
  const xs = [...samples];
  const [p10, p90] = quantile(xs, [0.1, 0.9]) as [number, number];
  return { mean: mean(xs), std: xs.length > 1 ? sampleStandardDeviation(xs) : 0, p10, p90 };
}

/**
 * Signal-to-quantization-noise ratio in dB, 10 log10(signal / noise), from
 * the summed squares of the reference values and of the reconstruction
 * errors. null stands for +Infinity (no error at all: the fp16 cache), so
 * that the figure survives JSON.
 */
export function sqnrDb(signalEnergy: number, noiseEnergy: number): number | null {
  if (noiseEnergy === 0) return null;
  return 10 * Math.log10(signalEnergy / noiseEnergy);
}
