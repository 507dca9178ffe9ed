import cliProgress from 'cli-progress';

/**
 * A progress bar on stderr for runs longer than about two seconds, only on a terminal and
 * never with --quiet, so logs and pipes stay clean.
 */
export class Progress {
  private bar: cliProgress.SingleBar | undefined;
  private readonly started = Date.now();
  private label = '';

  constructor(private readonly enabled: boolean) {}

  variant(label: string): void {
    this.label = label;
    this.bar?.stop();
    this.bar = undefined;
  }

  update(finished: number, total: number, simTimeS: number): void {
    if (!this.enabled || Date.now() - this.started < 2000) return;
    if (!this.bar) {
      this.bar = new cliProgress.SingleBar(
        { format: `${this.label} [{bar}] {value}/{total} requests | sim {sim}s | ETA {eta_formatted}`, stream: process.stderr, hideCursor: true, clearOnComplete: true },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(total, finished, { sim: simTimeS.toFixed(0) });
    }
    this.bar.update(finished, { sim: simTimeS.toFixed(0) });
  }

  done(): void {
    this.bar?.stop();
    this.bar = undefined;
  }

  static enabledFor(quiet: boolean): boolean {
    return !quiet && process.stderr.isTTY === true;
  }
}
