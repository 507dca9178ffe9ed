import { Worker } from 'node:worker_threads';
import type { VariantResult } from '../engine/run-variant.js';
import { KvsimError } from '../util/errors.js';
import type { WorkerTask } from './worker.js';

type Message =
  | { kind: 'progress'; index: number; finished: number; simTimeS: number }
  | { kind: 'done'; index: number; result: VariantResult }
  | { kind: 'error'; index: number; error: { name: string; message: string; stack?: string; file?: string; keyPath?: string; line?: number; hint?: string } };

/**
 * Runs variants of one scenario on `jobs` worker threads. Each variant is a pure function of
 * the scenario and its index, so the results (returned in index order) are identical for
 * any number of jobs.
 */
export async function runVariantsInWorkers(
  task: Omit<WorkerTask, 'index'>,
  indices: readonly number[],
  jobs: number,
  onProgress?: (index: number, finished: number, simTimeS: number) => void,
): Promise<VariantResult[]> {
  const url = new URL('./worker.js', import.meta.url);
  const results = new Map<number, VariantResult>();
  const queue = [...indices];
  const workers = Array.from({ length: Math.min(jobs, indices.length) }, () => new Worker(url));
  try {
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            const next = () => {
              const index = queue.shift();
              if (index === undefined) return resolve();
              w.postMessage({ ...task, index } satisfies WorkerTask);
            };
            w.on('message', (m: Message) => {
              if (m.kind === 'progress') onProgress?.(m.index, m.finished, m.simTimeS);
              else if (m.kind === 'done') {
                results.set(m.index, m.result);
                next();
              } else {
                const e = m.error;
                reject(e.name === 'KvsimError' ? new KvsimError(e.message, { file: e.file, keyPath: e.keyPath, line: e.line, hint: e.hint }) : Object.assign(new Error(e.message), { stack: e.stack }));
              }
            });
            w.on('error', reject);
            next();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return indices.map((i) => results.get(i)!);
}
