import { readFileSync } from 'node:fs';
import type { CalibrationConstants } from '../../catalog/constants.js';
import { fitDevice, type Calibration } from '../../calibrate/fit.js';
import { readCalibration } from '../../calibrate/measurements.js';
import { summarizeValidation, validate } from '../../calibrate/validate.js';
import { markdownTable, textTable } from '../../report/table.js';
import { writeFileAtomic } from '../../util/atomic.js';
import { KvsimError } from '../../util/errors.js';
import { packagePath } from '../../util/package-root.js';
import { EXIT } from '../exit.js';

export interface CalibrateArgs {
  file: string;
  device: string;
  json: boolean;
  write: boolean;
  check: boolean;
  markdown: boolean;
}

function fmt(x: number): string {
  return Math.abs(x) < 1e-3 && x !== 0 ? x.toExponential(3) : Number(x.toPrecision(4)).toString();
}
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** True when the fit reproduces the committed constants exactly. */
function sameAsCommitted(cal: Calibration, committed: CalibrationConstants): boolean {
  const m = committed.measured[cal.device];
  const strip = <T extends object>(o: T | undefined) => JSON.stringify(o ? { ...o, source: undefined } : o);
  return strip(m) === strip(cal.measured) && JSON.stringify(committed.kernel) === JSON.stringify(cal.kernel);
}

/** `kvsim calibrate FILE`: fit a device's constants from measurements, with residuals and validation. */
export function calibrateCommand(a: CalibrateArgs): void {
  const run = readCalibration(a.file);
  const cal = fitDevice(run, a.device);
  const points = validate(run, cal.measured, cal.kernel, a.device);
  const families = summarizeValidation(points);
  const path = packagePath('calibration', 'constants.json');
  const committed = JSON.parse(readFileSync(path, 'utf8')) as CalibrationConstants;
  const same = sameAsCommitted(cal, committed);

  if (a.write) {
    const next: CalibrationConstants = {
      ...committed,
      schema: 'kvsim-constants/2',
      measured: { ...committed.measured, [cal.device]: cal.measured },
      kernel: cal.kernel,
    };
    writeFileAtomic(path, `${JSON.stringify(next, null, 2)}\n`);
  }
  if (a.json) {
    process.stdout.write(`${JSON.stringify({ ...cal, validation: { families, points }, matches_committed: same }, null, 2)}\n`);
  } else if (a.markdown) {
    process.stdout.write(validationMarkdown(cal, points, families));
  } else {
    const rows = cal.constants.map((c) => [c.name, fmt(c.value), c.unit, c.from, String(c.points), c.points > 1 ? pct(c.medianErr) : '-', c.points > 1 ? pct(c.maxErr) : '-']);
    process.stdout.write(
      `Constants of ${cal.device} from ${a.file}\n\n${textTable(['constant', 'value', 'unit', 'fitted on', 'points', 'median err', 'max err'], rows)}\n\n` +
        `Dequantization per KV element: int8 ${fmt(cal.dequantInstrPerElem.int8)}, int4 ${fmt(cal.dequantInstrPerElem.int4)} lane-instructions ` +
        `(MMA kernel count minus the fp16 MMA count), carried to other devices through their issue rates.\n` +
        `Ceilings: streaming read ${(cal.ceilings.streamReadBytesPerS / 1e12).toFixed(2)} TB/s, copy ${(cal.ceilings.copyBytesPerS / 1e12).toFixed(2)} TB/s (read + write), ` +
        `sustained fp16 GEMM ${(cal.ceilings.sustainedGemmFlopsPerS / 1e12).toFixed(0)} TFLOP/s (${pct(cal.ceilings.sustainedGemmFraction)} of datasheet).\n\n` +
        `Fit quality (kvsim cost against every measured point):\n${textTable(['family', 'points', 'median |err|', 'max |err|'], families.map((f) => [f.family, String(f.points), pct(f.medianAbsErr), pct(f.maxAbsErr)]))}\n\n` +
        `${same ? 'These are the committed constants (calibration/constants.json).' : a.write ? 'Wrote calibration/constants.json.' : 'These differ from calibration/constants.json; --write stores them.'}\n`,
    );
  }
  if (a.check && !same && !a.write) {
    process.stderr.write('kvsim: the fit does not reproduce the committed constants\n');
    process.exitCode = EXIT.different;
  }
}

/** The validation table of docs/calibration.md. */
export function validationMarkdown(cal: Calibration, points: ReturnType<typeof validate>, families: ReturnType<typeof summarizeValidation>): string {
  const summary = markdownTable(['family', 'points', 'median abs error', 'max abs error'], families.map((f) => [f.family, String(f.points), pct(f.medianAbsErr), pct(f.maxAbsErr)]));
  const rows = points.map((p) => [p.family, p.what, (p.measuredS * 1e6).toFixed(1), (p.predictedS * 1e6).toFixed(1), `${p.err >= 0 ? '+' : ''}${pct(p.err)}`]);
  return `${summary}\n\n<details><summary>Every point (${points.length})</summary>\n\n${markdownTable(['family', 'point', 'measured µs', 'kvsim µs', 'error'], rows)}\n\n</details>\n`;
}

export function checkCalibrateArgs(a: CalibrateArgs): void {
  if (a.write && a.check) throw new KvsimError('--write and --check cannot be combined');
}
