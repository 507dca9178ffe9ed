import { readFileSync, statSync } from 'node:fs';
import { KvsimError } from '../util/errors.js';

/** One request of a replayed trace. */
export interface TraceRows {
  arrivalS: Float64Array;
  prompt: Int32Array;
  output: Int32Array;
}

const ARRIVAL_KEYS = ['arrival_s', 'arrival_time', 'arrived_at', 'timestamp', 'time_s'];
const PROMPT_KEYS = ['prompt_tokens', 'num_prefill_tokens', 'input_tokens', 'prompt_len', 'prompt'];
const OUTPUT_KEYS = ['output_tokens', 'num_decode_tokens', 'completion_tokens', 'output_len', 'output'];
const MAX_TRACE_BYTES = 2 ** 31;

/**
 * Reads a CSV (with a header row) or JSONL trace of arrival time (seconds), prompt tokens
 * and output tokens. Every malformed row is reported with its row number.
 */
export function readTrace(file: string, maxRows: number): TraceRows {
  let text: string;
  try {
    if (statSync(file).size > MAX_TRACE_BYTES) throw new KvsimError('trace file is larger than 2 GiB', { file });
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof KvsimError) throw e;
    throw new KvsimError('cannot read the trace file', { file, hint: 'trace paths are relative to the scenario file' });
  }
  if (text.trim() === '') throw new KvsimError('the trace file is empty', { file });
  const jsonl = file.endsWith('.jsonl') || file.endsWith('.ndjson') || text.trimStart().startsWith('{');
  return jsonl ? parseJsonl(text, file, maxRows) : parseCsv(text, file, maxRows);
}

function pickColumn(header: string[], keys: string[], what: string, file: string): number {
  const i = header.findIndex((h) => keys.includes(h.trim().toLowerCase()));
  if (i < 0) throw new KvsimError(`no ${what} column; expected one of ${keys.join(', ')}`, { file, line: 1, hint: 'the first row must be a header' });
  return i;
}

function parseCsv(text: string, file: string, maxRows: number): TraceRows {
  const lines = text.split(/\r?\n/);
  const header = lines[0]!.split(',');
  const ia = pickColumn(header, ARRIVAL_KEYS, 'arrival-time', file);
  const ip = pickColumn(header, PROMPT_KEYS, 'prompt-token', file);
  const io = pickColumn(header, OUTPUT_KEYS, 'output-token', file);
  const rows = new Builder(Math.min(maxRows, lines.length));
  for (let li = 1; li < lines.length && rows.n < maxRows; li++) {
    const line = lines[li]!;
    if (line.trim() === '') continue;
    const cells = line.split(',');
    rows.add(file, li + 1, cells[ia], cells[ip], cells[io]);
  }
  return rows.done();
}

function parseJsonl(text: string, file: string, maxRows: number): TraceRows {
  const lines = text.split(/\r?\n/);
  const rows = new Builder(Math.min(maxRows, lines.length));
  for (let li = 0; li < lines.length && rows.n < maxRows; li++) {
    const line = lines[li]!;
    if (line.trim() === '') continue;
    let obj: Record<string, unknown>;
    try {
      obj = JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new KvsimError(`row ${li + 1}: not valid JSON`, { file, line: li + 1, hint: 'each line must be one JSON object' });
    }
    if (obj === null || typeof obj !== 'object') throw new KvsimError(`row ${li + 1}: not a JSON object`, { file, line: li + 1 });
    const get = (keys: string[]) => keys.map((k) => obj[k]).find((v) => v !== undefined);
    rows.add(file, li + 1, get(ARRIVAL_KEYS), get(PROMPT_KEYS), get(OUTPUT_KEYS));
  }
  return rows.done();
}

class Builder {
  n = 0;
  private a: Float64Array;
  private p: Int32Array;
  private o: Int32Array;
  private lastArrival = -Infinity;

  constructor(cap: number) {
    this.a = new Float64Array(cap);
    this.p = new Int32Array(cap);
    this.o = new Int32Array(cap);
  }

  add(file: string, row: number, arrival: unknown, prompt: unknown, output: unknown): void {
    const a = Number(typeof arrival === 'string' ? arrival.trim() : arrival);
    const p = Number(typeof prompt === 'string' ? prompt.trim() : prompt);
    const o = Number(typeof output === 'string' ? output.trim() : output);
    const bad = (what: string, v: unknown, need: string) =>
      new KvsimError(`row ${row}: ${what} is ${JSON.stringify(v) ?? 'missing'}; it must be ${need}`, { file, line: row });
    if (arrival === undefined || arrival === '' || !Number.isFinite(a) || a < 0) throw bad('arrival time', arrival, 'a finite number of seconds ≥ 0');
    if (prompt === undefined || prompt === '' || !Number.isInteger(p) || p < 1 || p > 1 << 24) throw bad('prompt tokens', prompt, 'a whole number ≥ 1');
    if (output === undefined || output === '' || !Number.isInteger(o) || o < 1 || o > 1 << 24) throw bad('output tokens', output, 'a whole number ≥ 1');
    if (a < this.lastArrival) throw new KvsimError(`row ${row}: arrival time ${a} is earlier than the previous row's ${this.lastArrival}`, { file, line: row, hint: 'sort the trace by arrival time' });
    this.lastArrival = a;
    this.a[this.n] = a;
    this.p[this.n] = p;
    this.o[this.n] = o;
    this.n++;
  }

  done(): TraceRows {
    return { arrivalS: this.a.slice(0, this.n), prompt: this.p.slice(0, this.n), output: this.o.slice(0, this.n) };
  }
}
