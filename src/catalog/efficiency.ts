import { calibrationConstants, type CalibrationConstants, type MeasuredDevice } from './constants.js';
import { DEVICES, type DeviceDatasheet } from './devices.js';
import type { ConstantOrigin, DeviceEfficiency, DeviceSpec, EfficiencyKey } from './types.js';

/**
 * The transfer rule (docs/calibration.md). A device uses the constants measured on itself if
 * it was measured; otherwise those of a measured device of the same architecture family, or
 * else of the reference device (the H200). Fractions multiply the device's own datasheet
 * rates; kernel latencies scale with the inverse of its clock. Host overheads belong to the
 * engine, not the GPU, so every device shares the one fit.
 */
export function attachEfficiency(d: DeviceDatasheet): DeviceSpec {
  const c = calibrationConstants();
  const { m: measured, from, fittedOn } = constantsFor(d, c);
  const src = DEVICES.find((x) => x.name === from)!;
  const own = from === d.name;
  const clockScale = own ? 1 : src.boostClockHz / d.boostClockHz;
  const devOrigin: ConstantOrigin = measured.origin === 'prior' ? 'assumed' : own ? 'measured' : 'transferred';
  const fit = fittedOn ? c.fitted[fittedOn]!.overrides : {};
  const m: MeasuredDevice = { ...measured, decodeBwEff: { ...measured.decodeBwEff, ...(fit['decodeBwEff.simt'] !== undefined ? { simt: fit['decodeBwEff.simt'] } : {}) } };
  const hostOrigin: ConstantOrigin = c.host.origin === 'prior' || c.host.origin === 'assumed' ? 'assumed' : 'fitted';
  const origin = Object.fromEntries(
    (['bwEff', 'decodeBwEff', 'gemmEff', 'attnEff', 'gemmLatencyS', 'attnLatencyS', 'kvWriteLatencyS'] as EfficiencyKey[]).map((k) => [k, devOrigin]),
  ) as Record<EfficiencyKey, ConstantOrigin>;
  origin.iterOverheadS = hostOrigin;
  origin.seqOverheadS = hostOrigin;
  if (fit['decodeBwEff.simt'] !== undefined) origin.decodeBwEff = fittedOn === d.name ? 'fitted' : 'transferred';
  const efficiency: DeviceEfficiency = {
    bwEff: m.bwEff,
    decodeBwEff: { ...m.decodeBwEff },
    gemmEff: m.gemmEff,
    attnEff: m.attnEff,
    gemmLatencyS: m.gemmLatencyS * clockScale,
    attnLatencyS: m.attnLatencyS * clockScale,
    kvWriteLatencyS: m.kvWriteLatencyS * clockScale,
    iterOverheadS: c.host.iterOverheadS,
    seqOverheadS: c.host.seqOverheadS,
    origin,
    note: `${own ? `measured on ${d.name}` : `transferred from ${from} (${src.family === d.family ? 'same architecture family' : 'reference device'}): fractions × this datasheet, latencies × clock ratio`}` +
      `${fittedOn ? `; SIMT decode bandwidth ${fittedOn === d.name ? 'fitted on LMDeploy\'s fp16 row' : `from the ${fittedOn} fit`}` : ''}` +
      `; host overheads ${hostOrigin === 'assumed' ? 'assumed (see calibration/constants.json host.note)' : 'fitted and shared by all devices'}`,
  };
  return { ...d, efficiency };
}

/**
 * The rule's lookup: own measurement; else a measured device of the same family; else the
 * reference device's measurement, with the overrides of a fitted device of the same family
 * (or, for a family with neither, of the first fitted device: the A100 fit).
 */
function constantsFor(d: DeviceDatasheet, c: CalibrationConstants): { m: MeasuredDevice; from: string; fittedOn: string | undefined } {
  const familyOf = (name: string) => DEVICES.find((x) => x.name === name)?.family;
  if (c.measured[d.name]) return { m: c.measured[d.name]!, from: d.name, fittedOn: undefined };
  const sameFamily = Object.keys(c.measured).sort().find((name) => familyOf(name) === d.family);
  if (sameFamily) return { m: c.measured[sameFamily]!, from: sameFamily, fittedOn: undefined };
  const ref = c.measured[c.reference_device];
  if (!ref) throw new Error(`calibration/constants.json: no measured constants for reference device ${c.reference_device}`);
  const fitted = Object.keys(c.fitted ?? {}).sort();
  const fittedOn = fitted.includes(d.name) ? d.name : fitted.find((name) => familyOf(name) === d.family) ?? fitted[0];
  return { m: ref, from: c.reference_device, fittedOn };
}
