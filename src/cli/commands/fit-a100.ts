import { fitA100, PUBLISHED } from '../../calibrate/fit-a100.js';
import { calibrationConstants } from '../../catalog/constants.js';
import { textTable } from '../../report/table.js';
import { writeFileAtomic } from '../../util/atomic.js';
import { packagePath } from '../../util/package-root.js';
import { EXIT } from '../exit.js';

/** `kvsim fit-a100`: re-derives the A100's fitted constant from LMDeploy's fp16 row. */
export function fitA100Command(a: { write: boolean; check: boolean; json: boolean }): void {
  const committed = calibrationConstants();
  const r = fitA100(committed);
  const same = committed.fitted?.['a100-80g']?.overrides['decodeBwEff.simt'] === r.simt;
  if (a.write) writeFileAtomic(packagePath('calibration', 'constants.json'), `${JSON.stringify(r.constants, null, 2)}\n`);
  if (a.json) {
    process.stdout.write(`${JSON.stringify({ constant: 'decodeBwEff.simt', value: r.simt, published: PUBLISHED, prefit: r.prefit, postfit: r.postfit, matches_committed: same }, null, 2)}\n`);
  } else {
    const row = (name: string, p: typeof r.prefit) => [name, p.rps.fp16.toFixed(2), p.rps.int8.toFixed(2), p.rps.int4.toFixed(2), p.ratio.int8.toFixed(3), p.ratio.int4.toFixed(3)];
    process.stdout.write(
      `A100-80G fit on LMDeploy's fp16 row (${PUBLISHED.fp16} RPS): decodeBwEff.simt = ${r.simt}\n\n` +
        `${textTable(['', 'fp16 RPS', 'int8 RPS', 'int4 RPS', 'int8/fp16', 'int4/fp16'], [
          ['published', String(PUBLISHED.fp16), String(PUBLISHED.int8), String(PUBLISHED.int4), (PUBLISHED.int8 / PUBLISHED.fp16).toFixed(3), (PUBLISHED.int4 / PUBLISHED.fp16).toFixed(3)],
          row('before the fit', r.prefit),
          row('after the fit', r.postfit),
        ])}\n\n${same ? 'This is the committed constant.' : a.write ? 'Wrote calibration/constants.json.' : 'This differs from calibration/constants.json; --write stores it.'}\n`,
    );
  }
  if (a.check && !same) process.exitCode = EXIT.different;
}
