import { readFileSync, statSync } from 'node:fs';
import { LineCounter, parseDocument, isMap, isScalar, type Document } from 'yaml';
import type { z } from 'zod';
import { KvsimError, nearest } from '../util/errors.js';
import { scenarioSchema, type ScenarioInput } from './schema.js';
import { allowedKeysAt } from './schema-keys.js';

/** Largest scenario file accepted; real ones are a few hundred bytes. */
const MAX_FILE_BYTES = 1 << 20;
/** Deepest nesting accepted; the format itself needs five levels. */
const MAX_DEPTH = 16;

/** A parsed scenario plus what is needed to point errors at its lines. */
export interface LoadedScenario {
  file: string;
  input: ScenarioInput;
  /** 1-based line of a key path in the file, if it appears there. */
  lineOf(path: readonly (string | number)[]): number | undefined;
}

/** Reads a scenario file, refusing missing, empty, oversized and binary files with a clear error. */
export function readScenarioText(file: string): string {
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new KvsimError('is not a file', { file, hint: 'pass the path of a .yaml or .json scenario file' });
    size = st.size;
  } catch (e) {
    if (e instanceof KvsimError) throw e;
    throw new KvsimError('no such file', { file, hint: 'check the path; scenarios/ holds examples' });
  }
  if (size === 0) throw new KvsimError('the file is empty', { file, hint: 'a scenario needs at least name, model, device and workload' });
  if (size > MAX_FILE_BYTES) throw new KvsimError(`the file is ${size} bytes; scenario files are limited to ${MAX_FILE_BYTES}`, { file });
  const buf = readFileSync(file);
  if (buf.includes(0)) throw new KvsimError('the file is binary, not YAML or JSON', { file, hint: 'pass a text scenario file' });
  const text = new TextDecoder('utf-8', { fatal: false }).decode(buf);
  if (text.includes('\uFFFD')) throw new KvsimError('the file is not valid UTF-8 text', { file, hint: 'save it as UTF-8' });
  if (text.trim() === '') throw new KvsimError('the file is empty', { file, hint: 'a scenario needs at least name, model, device and workload' });
  return text;
}

/** Parses and validates scenario text (YAML or JSON). */
export function parseScenario(text: string, file: string): LoadedScenario {
  const lineCounter = new LineCounter();
  let doc: Document;
  try {
    doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  } catch (e) {
    throw new KvsimError(`cannot parse: ${(e as Error).message}`, { file });
  }
  const yamlErr = doc.errors[0];
  if (yamlErr) {
    if (/call stack/i.test(yamlErr.message)) throw new KvsimError(`the document nests too deeply (more than ${MAX_DEPTH} levels)`, { file, hint: 'a scenario needs about five levels' });
    const line = yamlErr.linePos?.[0]?.line ?? lineCounter.linePos(yamlErr.pos[0]).line;
    throw new KvsimError(`YAML syntax error: ${firstLine(yamlErr.message)}`, { file, line, hint: 'check indentation, colons and brackets' });
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    const msg = (e as Error).message;
    if (/alias/i.test(msg)) throw new KvsimError('too many YAML aliases (an alias bomb?)', { file, hint: 'expand aliases by hand; at most 100 are allowed' });
    throw new KvsimError(`cannot read the document: ${firstLine(msg)}`, { file });
  }
  const lineOf = (path: readonly (string | number)[]): number | undefined => {
    const node = doc.getIn(path as (string | number)[], true) as { range?: [number, number, number] } | undefined;
    const start = node?.range?.[0];
    return start === undefined ? undefined : lineCounter.linePos(start).line;
  };
  const keyLineOf = (parent: readonly (string | number)[], key: string): number | undefined => {
    const map = parent.length ? doc.getIn(parent as (string | number)[], true) : doc.contents;
    if (isMap(map)) {
      for (const pair of map.items) {
        if (isScalar(pair.key) && pair.key.value === key && pair.key.range) return lineCounter.linePos(pair.key.range[0]).line;
      }
    }
    return lineOf(parent);
  };
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new KvsimError('a scenario must be a mapping of keys (name, model, device, workload, ...)', { file, line: 1 });
  }
  const depth = depthOf(data, 0);
  if (depth > MAX_DEPTH) throw new KvsimError(`the document nests ${depth} levels deep; at most ${MAX_DEPTH} are allowed`, { file });

  const parsed = scenarioSchema.safeParse(data);
  if (!parsed.success) throw zodToKvsimError(parsed.error, data, file, lineOf, keyLineOf);
  return { file, input: parsed.data, lineOf };
}

/** Reads, parses and validates a scenario file. */
export function loadScenario(file: string): LoadedScenario {
  return parseScenario(readScenarioText(file), file);
}

/** Turns the most useful zod issue into one clear line with a key path, a line and a fix. */
export function zodToKvsimError(
  err: z.ZodError,
  data: unknown,
  file: string,
  lineOf: (p: readonly (string | number)[]) => number | undefined,
  keyLineOf: (parent: readonly (string | number)[], key: string) => number | undefined,
  pathPrefix: readonly (string | number)[] = [],
): KvsimError {
  // Unknown keys first: a typo is the likeliest cause of every other issue too.
  const issues = [...err.issues].sort((a, b) => Number(b.code === 'unrecognized_keys') - Number(a.code === 'unrecognized_keys'));
  const issue = issues[0]!;
  const path = [...pathPrefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))] as (string | number)[];
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    const allowed = allowedKeysAt(issue.path as (string | number)[], data);
    const guess = nearest(key, allowed);
    return new KvsimError(`unknown key "${key}"`, {
      file,
      keyPath: [...path, key].join('.'),
      line: keyLineOf(path, key),
      hint: guess ? `did you mean "${guess}"?` : `valid keys here: ${allowed.join(', ')}`,
    });
  }
  const value = getIn(data, issue.path as (string | number)[]);
  let message = issue.message;
  const shown = typeof value === 'number' && !Number.isFinite(value) ? String(value) : JSON.stringify(value);
  if (issue.code === 'invalid_type' && value === undefined) message = 'is required';
  else if (issue.code === 'too_small' || issue.code === 'too_big') {
    const bound = Number((issue as unknown as { minimum?: number; maximum?: number }).minimum ?? (issue as unknown as { maximum?: number }).maximum);
    const inclusive = (issue as unknown as { inclusive?: boolean }).inclusive !== false;
    const cmp = issue.code === 'too_small' ? (inclusive ? '≥' : '>') : inclusive ? '≤' : '<';
    message = /must/.test(issue.message) ? issue.message : `must be ${cmp} ${bound}`;
    message = `${message} (got ${shown})`;
  } else if (issue.code === 'invalid_type') {
    const expected = (issue as unknown as { expected: string }).expected;
    message = `must be ${expected === 'object' ? 'a mapping of keys' : `a ${expected}`} (got ${Array.isArray(value) ? 'a list' : shown})`;
  } else if (issue.code === 'invalid_union' && 'note' in issue && issue.note === 'No matching discriminator') {
    const options = (issue as unknown as { options: string[] }).options;
    const guess = typeof value === 'string' ? nearest(value, options) : undefined;
    message = `unknown type ${JSON.stringify(value)}; expected one of ${options.join(', ')}${guess ? ` (did you mean "${guess}"?)` : ''}`;
  } else if (value !== undefined && typeof value !== 'object') message = `${message} (got ${shown})`;
  return new KvsimError(message, { file, keyPath: path.join('.') || '(top level)', line: lineOf(path) ?? lineOf(path.slice(0, -1)) });
}

function getIn(data: unknown, path: readonly (string | number)[]): unknown {
  let cur = data;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[p];
  }
  return cur;
}

function depthOf(v: unknown, d: number): number {
  if (d > MAX_DEPTH || v === null || typeof v !== 'object') return d;
  let max = d;
  for (const x of Object.values(v)) max = Math.max(max, depthOf(x, d + 1));
  return max;
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.replace(/:$/, '');
}
