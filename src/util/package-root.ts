import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** The kvsim package root: the nearest folder above this file holding package.json (works from src/ and dist/). */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('kvsim: cannot find the package root');
    dir = up;
  }
  cached = dir;
  return dir;
}

/** A path inside the package, such as calibration/constants.json. */
export function packagePath(...parts: string[]): string {
  return join(packageRoot(), ...parts);
}
