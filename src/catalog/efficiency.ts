import { calibrationConstants, type MeasuredFractions } from './constants.js';
import { DEVICES, type DeviceDatasheet } from './devices.js';
import type { ConstantOrigin, DeviceEfficiency, DeviceSpec } from './types.js';

/**
 * The transfer rule (docs/calibration.md): a device uses the achieved fractions measured on
 * itself if it was measured; otherwise those of a measured device of the same architecture
 * family; otherwise those of the reference device (the H200). Fractions multiply the device's
 * own datasheet rates. Host overheads belong to the engine, not the GPU, so every device
 * shares the one fit.
 */
export function attachEfficiency(d: DeviceDatasheet): DeviceSpec {
  const c = calibrationConstants();
  const { fractions, fromDevice } = fractionsFor(d, c.measured, c.reference_device);
  const fracOrigin: ConstantOrigin = fromDevice === d.name ? asOrigin(fractions.origin, 'measured') : 'transferred';
  const hostOrigin: ConstantOrigin = asOrigin(c.host.origin, 'fitted');
  const efficiency: DeviceEfficiency = {
    bwEff: fractions.bwEff,
    gemmEff: fractions.gemmEff,
    attnEff: fractions.attnEff,
    vectorEff: fractions.vectorEff,
    iterOverheadS: c.host.iterOverheadS,
    seqOverheadS: c.host.seqOverheadS,
    origin: {
      bwEff: fracOrigin, gemmEff: fracOrigin, attnEff: fracOrigin, vectorEff: fracOrigin,
      iterOverheadS: hostOrigin, seqOverheadS: hostOrigin,
    },
    note: fromDevice === d.name
      ? `fractions measured on ${d.name}; host overheads ${describeHost(c.host.origin)}`
      : `fractions transferred from ${fromDevice} (${d.family === familyOf(fromDevice) ? 'same family' : 'reference device'}); host overheads ${describeHost(c.host.origin)}`,
  };
  return { ...d, efficiency };
}

function fractionsFor(d: DeviceDatasheet, measured: Record<string, MeasuredFractions>, reference: string): { fractions: MeasuredFractions; fromDevice: string } {
  const own = measured[d.name];
  if (own) return { fractions: own, fromDevice: d.name };
  const sameFamily = Object.keys(measured).sort().find((name) => familyOf(name) === d.family);
  const from = sameFamily ?? reference;
  const fractions = measured[from];
  if (!fractions) throw new Error(`calibration/constants.json: no measured fractions for reference device ${from}`);
  return { fractions, fromDevice: from };
}

function familyOf(name: string): string | undefined {
  return DEVICES.find((d) => d.name === name)?.family;
}

function asOrigin(o: ConstantOrigin | 'prior', whenReal: ConstantOrigin): ConstantOrigin {
  return o === 'prior' ? 'assumed' : whenReal;
}

function describeHost(o: string): string {
  return o === 'prior' ? 'are priors (not yet fitted)' : 'fitted on the a100-80g fp16 row and shared by all devices';
}
