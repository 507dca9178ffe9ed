import { KvsimError } from '../util/errors.js';

/** Exit codes: 0 ok, 1 a check found a difference, 2 bad input or usage, 70 an internal error. */
export const EXIT = { ok: 0, different: 1, badInput: 2, internal: 70 } as const;

let debug = process.argv.includes('--debug');

export function setDebug(on: boolean): void {
  debug = on;
}

/** Prints an error as one line (a stack trace only with --debug) and exits with the right code. */
export function exitWithError(e: unknown): never {
  if (e instanceof KvsimError) {
    process.stderr.write(`kvsim: ${e.oneLine()}\n`);
    if (debug && e.stack) process.stderr.write(`${e.stack}\n`);
    process.exit(EXIT.badInput);
  }
  const err = e instanceof Error ? e : new Error(String(e));
  if (err instanceof RangeError && /call stack/i.test(err.message)) {
    process.stderr.write('kvsim: the input nests too deeply to process\n');
    process.exit(EXIT.badInput);
  }
  process.stderr.write(`kvsim: internal error: ${err.message}${debug ? `\n${err.stack}` : ' (run with --debug for the stack trace, and please report it)'}\n`);
  process.exit(EXIT.internal);
}
