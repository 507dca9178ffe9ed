import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Temporary paths this process created, removed if it is interrupted. */
const pending = new Set<string>();
let hooked = false;

function hookCleanup(): void {
  if (hooked) return;
  hooked = true;
  const clean = () => {
    for (const p of pending) rmSync(p, { recursive: true, force: true });
    pending.clear();
  };
  process.on('exit', clean);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      clean();
      process.exit(130);
    });
  }
}

/** Writes a file by writing a temporary sibling and renaming it over the target. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  hookCleanup();
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  pending.add(tmp);
  writeFileSync(tmp, data);
  renameSync(tmp, path);
  pending.delete(tmp);
}

/**
 * Builds a whole folder in a temporary sibling, then swaps it in with renames, so a reader
 * (or a crash) sees the previous folder or the complete new one, never a partial one.
 */
export async function replaceDirAtomic(target: string, build: (tmpDir: string) => void | Promise<void>): Promise<void> {
  hookCleanup();
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  // A run killed outright (SIGKILL) leaves its temporary folder behind; clear those first.
  const prefix = `.${basename(target)}.tmp-`;
  for (const entry of readdirSync(parent)) if (entry.startsWith(prefix)) rmSync(join(parent, entry), { recursive: true, force: true });
  const tmp = mkdtempSync(join(parent, `.${basename(target)}.tmp-`));
  pending.add(tmp);
  try {
    await build(tmp);
    const old = `${tmp}.old`;
    if (existsSync(target)) {
      pending.add(old);
      renameSync(target, old);
    }
    renameSync(tmp, target);
    pending.delete(tmp);
    rmSync(old, { recursive: true, force: true });
    pending.delete(old);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    pending.delete(tmp);
    throw e;
  }
}
