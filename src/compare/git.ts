import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { KvsimError } from '../util/errors.js';
import { packageRoot } from '../util/package-root.js';

function sh(cmd: string, args: string[], opts: SpawnSyncOptions & { what: string }): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  if (r.status !== 0) {
    const tail = `${r.stderr ?? ''}${r.stdout ?? ''}`.trim().split('\n').slice(-3).join(' | ');
    throw new KvsimError(`${opts.what} failed${tail ? `: ${tail}` : ''}`);
  }
  return String(r.stdout ?? '');
}

export interface GitRunResult {
  baseDir: string;
  headDir: string;
  /** Scenario files that exist only in the working tree. */
  newInHead: string[];
}

/**
 * Builds kvsim at another commit in a temporary git worktree and runs the same scenario files
 * with both versions: the base version runs the base commit's copy of each file, the current
 * build runs the working tree's. The worktree reuses node_modules when the lockfile is
 * unchanged (fast, offline) and runs `npm ci` otherwise. Everything is removed afterwards,
 * also on failure or Ctrl-C.
 */
export function runAtGitRef(ref: string, scenarios: string[], work: (r: GitRunResult) => void, log: (s: string) => void): void {
  const root = sh('git', ['rev-parse', '--show-toplevel'], { what: 'git rev-parse (is this a git checkout?)' }).trim();
  sh('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd: root, what: `finding commit "${ref}"` });
  const tmp = mkdtempSync(join(tmpdir(), 'kvsim-git-'));
  const wt = join(tmp, 'base');
  let added = false;
  const cleanup = () => {
    if (added) spawnSync('git', ['worktree', 'remove', '--force', wt], { cwd: root });
    rmSync(tmp, { recursive: true, force: true });
    spawnSync('git', ['worktree', 'prune'], { cwd: root });
  };
  const onSignal = () => {
    cleanup();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    log(`kvsim: building ${ref} in a temporary worktree`);
    sh('git', ['worktree', 'add', '--detach', wt, ref], { cwd: root, what: `git worktree add ${ref}` });
    added = true;
    const pkg = packageRoot();
    const sameLock = existsSync(join(wt, 'package-lock.json')) && readFileSync(join(wt, 'package-lock.json'), 'utf8') === readFileSync(join(pkg, 'package-lock.json'), 'utf8');
    if (sameLock && existsSync(join(pkg, 'node_modules'))) symlinkSync(join(pkg, 'node_modules'), join(wt, 'node_modules'), 'dir');
    else sh('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: wt, what: `npm ci at ${ref}`, stdio: ['ignore', 'pipe', 'pipe'] });
    sh(process.execPath, [join(wt, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: wt, what: `building kvsim at ${ref}` });
    const baseCli = [join(wt, 'dist', 'src', 'cli', 'main.js'), join(wt, 'dist', 'cli', 'main.js')].find(existsSync);
    if (!baseCli) throw new KvsimError(`kvsim at ${ref} has no CLI build to run`);
    const baseHelp = spawnSync(process.execPath, [baseCli, 'run', '--help'], { encoding: 'utf8' }).stdout ?? '';
    const baseDir = join(tmp, 'out-base'), headDir = join(tmp, 'out-head');
    const newInHead: string[] = [];
    const baseFiles: string[] = [];
    for (const s of scenarios) {
      const rel = relative(root, resolve(s));
      if (existsSync(join(wt, rel))) baseFiles.push(join(wt, rel));
      else newInHead.push(rel);
    }
    const quietFlags = (help: string) => [...(help.includes('--no-charts') || help.includes('--charts') ? ['--no-charts'] : []), ...(help.includes('--quiet') ? ['--quiet'] : [])];
    if (baseFiles.length) {
      log(`kvsim: running ${baseFiles.length} scenario(s) at ${ref}`);
      sh(process.execPath, [baseCli, 'run', ...baseFiles, '--out', baseDir, ...quietFlags(baseHelp)], { cwd: wt, what: `kvsim run at ${ref}` });
    }
    log('kvsim: running them with this build');
    const headCli = join(pkg, 'dist', 'src', 'cli', 'main.js');
    sh(process.execPath, [headCli, 'run', ...scenarios.map((s) => resolve(s)), '--out', headDir, '--no-charts', '--quiet'], { what: 'kvsim run with this build' });
    work({ baseDir, headDir, newInHead });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    cleanup();
  }
}
