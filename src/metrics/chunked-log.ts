const CHUNK = 65536;

/**
 * An append-only log of (value, weight) pairs in fixed-size chunks: appends never copy what
 * is already stored (a doubling array copies and re-faults its whole buffer on every growth).
 */
export class ChunkedLog {
  private readonly chunks: { v: Float64Array; w: Float64Array }[] = [];
  private v = new Float64Array(0);
  private w = new Float64Array(0);
  private k = 0;
  private n = 0;

  get length(): number {
    return this.n;
  }

  push(value: number, weight: number): void {
    if (this.k === this.v.length) {
      this.v = new Float64Array(CHUNK);
      this.w = new Float64Array(CHUNK);
      this.chunks.push({ v: this.v, w: this.w });
      this.k = 0;
    }
    this.v[this.k] = value;
    this.w[this.k++] = weight;
    this.n++;
  }

  /** All pairs as two contiguous arrays. */
  toArrays(): { values: Float64Array; weights: Float64Array } {
    const values = new Float64Array(this.n), weights = new Float64Array(this.n);
    let at = 0;
    for (const c of this.chunks) {
      const len = Math.min(CHUNK, this.n - at);
      values.set(c.v.subarray(0, len), at);
      weights.set(c.w.subarray(0, len), at);
      at += len;
    }
    return { values, weights };
  }
}
