/**
 * Rotary position embedding (RoPE), "rotate-half" pairing: channel p is
 * rotated together with channel p + D/2, by the angle position * theta_p,
 * theta_p = base^(-2p/D). This is the layout of the Hugging Face Llama /
 * InternLM2 checkpoints. (Interleaved pairs (2p, 2p+1) are the same rotation
 * up to a fixed permutation of channels; per-token min/max quantization is
 * permutation invariant, so the choice does not affect any figure here.)
 */

/** Rotation speed theta_p = base^(-2p / headDim) in radians per position, p = 0 .. headDim/2 - 1. */
export function ropeFrequencies(headDim: number, base: number): Float64Array {
  const half = headDim / 2;
  const out = new Float64Array(half);
  for (let p = 0; p < half; p++) out[p] = base ** ((-2 * p) / headDim);
  return out;
}

/** `vec` rotated to `position` (a new array): (x_p, x_{p+D/2}) -> R(position * theta_p) (x_p, x_{p+D/2}). */
export function applyRope(vec: Float64Array, position: number, frequencies: Float64Array): Float64Array {
  const half = frequencies.length;
  if (vec.length !== 2 * half) throw new RangeError(`applyRope: vector of ${vec.length} for ${half} pairs`);
  const out = new Float64Array(vec.length);
  for (let p = 0; p < half; p++) {
    const angle = position * (frequencies[p] as number);
    const c = Math.cos(angle);
    const s = Math.sin(angle);
    const x = vec[p] as number;
    const y = vec[p + half] as number;
    out[p] = x * c - y * s;
    out[p + half] = x * s + y * c;
  }
  return out;
}
