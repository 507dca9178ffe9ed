/**
 * An input error: something the user can fix. The CLI prints it as one line,
 * `FILE:LINE: KEY.PATH: message (hint)`, and exits 2 without a stack trace.
 */
export class KvsimError extends Error {
  readonly file: string | undefined;
  readonly keyPath: string | undefined;
  readonly line: number | undefined;
  readonly hint: string | undefined;

  constructor(message: string, where: { file?: string | undefined; keyPath?: string | undefined; line?: number | undefined; hint?: string | undefined } = {}) {
    super(message);
    this.name = 'KvsimError';
    this.file = where.file;
    this.keyPath = where.keyPath;
    this.line = where.line;
    this.hint = where.hint;
  }

  /** The one-line form shown to users. */
  oneLine(): string {
    const loc = this.file ? `${this.file}${this.line !== undefined ? `:${this.line}` : ''}: ` : '';
    const key = this.keyPath ? `${this.keyPath}: ` : '';
    const hint = this.hint ? ` (${this.hint})` : '';
    return `${loc}${key}${this.message}${hint}`.replace(/\s*\n\s*/g, ' ');
  }
}

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

/** The closest candidate to a misspelt word, if it is close enough to be a plausible typo. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  // A candidate that extends what was typed ("a100" -> "a100-40g") beats an edit-distance match.
  const lower = word.toLowerCase();
  const extending = candidates.find((c) => c.toLowerCase().startsWith(lower) && lower.length >= 3);
  if (extending) return extending;
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}
