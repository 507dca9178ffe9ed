import { DEVICE_NAMES, findDevice, findModel, MODEL_NAMES } from '../catalog/index.js';
import type { DeviceSpec, ModelSpec } from '../catalog/types.js';
import type { QuantPolicy } from '../engine/capacity.js';
import { KvsimError, nearest } from '../util/errors.js';

export function modelOrFail(name: string): ModelSpec {
  const m = findModel(name);
  if (m) return m;
  const g = nearest(name, MODEL_NAMES);
  throw new KvsimError(`unknown model "${name}"`, { keyPath: '--model', hint: `${g ? `did you mean "${g}"? ` : ''}valid models: ${MODEL_NAMES.join(', ')}` });
}

export function deviceOrFail(name: string): DeviceSpec {
  const d = findDevice(name);
  if (d) return d;
  const g = nearest(name, DEVICE_NAMES);
  throw new KvsimError(`unknown device "${name}"`, { keyPath: '--device', hint: `${g ? `did you mean "${g}"? ` : ''}valid devices: ${DEVICE_NAMES.join(', ')}` });
}

export function policyOrFail(p: number): QuantPolicy {
  if (p === 0 || p === 4 || p === 8) return p;
  throw new KvsimError(`quant policy must be 0 (fp16), 8 (int8) or 4 (int4), got ${p}`, { keyPath: '--quant-policy' });
}

export function positiveIntOrFail(x: number, flag: string): number {
  if (!Number.isInteger(x) || x < 1) throw new KvsimError(`${flag} must be a whole number ≥ 1 (got ${x})`, { keyPath: flag });
  return x;
}
