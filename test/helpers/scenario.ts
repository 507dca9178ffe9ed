import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planScenario, runScenario } from '../../src/scenario/run-scenario.js';
import { KvsimError } from '../../src/util/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'kvsim-test-'));
let counter = 0;

/** Writes scenario text to a fresh temporary file and returns its path. */
export function scenarioFile(text: string, ext = 'yaml'): string {
  const file = join(dir, `s${counter++}.${ext}`);
  writeFileSync(file, text);
  return file;
}

/** The one-line error planning a scenario gives, or undefined if it is valid. */
export function planError(text: string): string | undefined {
  try {
    planScenario(scenarioFile(text));
    return undefined;
  } catch (e) {
    if (e instanceof KvsimError) return e.oneLine();
    throw e;
  }
}

/** A small valid scenario body; `extra` lines are appended. */
export function small(extra = '', workload = 'requests: 50\n  arrival: { type: closed-loop, concurrency: 8 }\n  lengths: { type: sharegpt }'): string {
  return `name: t\nmodel: llama2-7b\ndevice: a100-80g\nworkload:\n  ${workload}\n${extra}`;
}

export function runText(text: string, opts: { exact?: boolean } = {}) {
  return runScenario(planScenario(scenarioFile(text)), opts).summary;
}
