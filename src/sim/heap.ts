/**
 * A binary min-heap of events ordered by (time, priority, sequence), SimPy style: ties in
 * time go to the lower priority value, and remaining ties to the earlier insertion, so the
 * order of events is fully deterministic. Events carry one integer payload. Storage is in
 * growable typed arrays so that millions of events cost no garbage.
 */
export class EventHeap {
  private time: Float64Array;
  private prio: Float64Array;
  private seq: Float64Array;
  private payload: Int32Array;
  private n = 0;
  private nextSeq = 0;

  constructor(capacity = 1024) {
    this.time = new Float64Array(capacity);
    this.prio = new Float64Array(capacity);
    this.seq = new Float64Array(capacity);
    this.payload = new Int32Array(capacity);
  }

  get size(): number {
    return this.n;
  }

  /** Adds an event. */
  push(time: number, priority: number, payload: number): void {
    if (this.n === this.time.length) this.grow();
    let i = this.n++;
    const s = this.nextSeq++;
    // Sift up: move parents down until the slot fits.
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(time, priority, s, p)) break;
      this.move(p, i);
      i = p;
    }
    this.set(i, time, priority, s, payload);
  }

  /** Time of the earliest event; Infinity when empty. */
  peekTime(): number {
    return this.n > 0 ? this.time[0]! : Infinity;
  }

  /** Priority of the earliest event. */
  peekPriority(): number {
    return this.prio[0]!;
  }

  /** Payload of the earliest event. */
  peekPayload(): number {
    return this.payload[0]!;
  }

  /** Removes the earliest event and returns its payload. */
  pop(): number {
    const top = this.payload[0]!;
    const last = --this.n;
    if (last > 0) {
      const t = this.time[last]!, pr = this.prio[last]!, s = this.seq[last]!, pl = this.payload[last]!;
      let i = 0;
      // Sift down: move the smaller child up until the slot fits.
      for (;;) {
        const l = 2 * i + 1;
        if (l >= last) break;
        const r = l + 1;
        const c = r < last && this.lessIdx(r, l) ? r : l;
        if (!this.lessThanSlot(c, t, pr, s)) break;
        this.move(c, i);
        i = c;
      }
      this.set(i, t, pr, s, pl);
    }
    return top;
  }

  clear(): void {
    this.n = 0;
  }

  private less(t: number, pr: number, s: number, j: number): boolean {
    const tj = this.time[j]!;
    if (t !== tj) return t < tj;
    const pj = this.prio[j]!;
    if (pr !== pj) return pr < pj;
    return s < this.seq[j]!;
  }

  private lessIdx(i: number, j: number): boolean {
    return this.less(this.time[i]!, this.prio[i]!, this.seq[i]!, j);
  }

  private lessThanSlot(i: number, t: number, pr: number, s: number): boolean {
    const ti = this.time[i]!;
    if (ti !== t) return ti < t;
    const pi = this.prio[i]!;
    if (pi !== pr) return pi < pr;
    return this.seq[i]! < s;
  }

  private move(from: number, to: number): void {
    this.time[to] = this.time[from]!;
    this.prio[to] = this.prio[from]!;
    this.seq[to] = this.seq[from]!;
    this.payload[to] = this.payload[from]!;
  }

  private set(i: number, t: number, pr: number, s: number, pl: number): void {
    this.time[i] = t;
    this.prio[i] = pr;
    this.seq[i] = s;
    this.payload[i] = pl;
  }

  private grow(): void {
    const cap = this.time.length * 2;
    const grow = <A extends Float64Array | Int32Array>(a: A, make: (n: number) => A): A => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.time = grow(this.time, (c) => new Float64Array(c));
    this.prio = grow(this.prio, (c) => new Float64Array(c));
    this.seq = grow(this.seq, (c) => new Float64Array(c));
    this.payload = grow(this.payload, (c) => new Int32Array(c));
  }
}
