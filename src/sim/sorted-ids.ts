/**
 * Request ids kept in ascending order (ids are priorities: lower = earlier arrival), in a
 * growable Int32Array. Lookups are binary searches; inserts and removals move the tail,
 * which for a batch of a few hundred sequences is a short memmove.
 */
export class SortedIds {
  private a: Int32Array;
  private n = 0;

  constructor(capacity = 256) {
    this.a = new Int32Array(Math.max(4, capacity));
  }

  get length(): number {
    return this.n;
  }

  at(i: number): number {
    return this.a[i]!;
  }

  /** Position of id, or -1. */
  indexOf(id: number): number {
    const i = this.lowerBound(id);
    return i < this.n && this.a[i] === id ? i : -1;
  }

  /** Number of ids smaller than id. */
  lowerBound(id: number): number {
    let lo = 0, hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.a[mid]! < id) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  insert(id: number): void {
    if (this.n === this.a.length) {
      const b = new Int32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    const i = this.n > 0 && this.a[this.n - 1]! < id ? this.n : this.lowerBound(id);
    if (i < this.n) this.a.copyWithin(i + 1, i, this.n);
    this.a[i] = id;
    this.n++;
  }

  removeAt(i: number): void {
    this.a.copyWithin(i, i + 1, this.n);
    this.n--;
  }

  /** Drops the k smallest ids. */
  removeFirst(k: number): void {
    this.a.copyWithin(0, k, this.n);
    this.n -= k;
  }

  remove(id: number): boolean {
    const i = this.indexOf(id);
    if (i < 0) return false;
    this.removeAt(i);
    return true;
  }
}
