import { DEVICES, type DeviceDatasheet } from './devices.js';
import { attachEfficiency } from './efficiency.js';
import { MODELS } from './models.js';
import type { DeviceSpec, ModelSpec } from './types.js';

export type { DeviceSpec, ModelSpec } from './types.js';

export const MODEL_NAMES: readonly string[] = MODELS.map((m) => m.name);
export const DEVICE_NAMES: readonly string[] = DEVICES.map((d) => d.name);

/** A catalogue model by name, or undefined. */
export function findModel(name: string): ModelSpec | undefined {
  return MODELS.find((m) => m.name === name);
}

/** The datasheet entry of a device by name, or undefined. */
export function findDeviceDatasheet(name: string): DeviceDatasheet | undefined {
  return DEVICES.find((d) => d.name === name);
}

/** A catalogue device with its efficiency constants attached by the transfer rule. */
export function findDevice(name: string): DeviceSpec | undefined {
  const d = findDeviceDatasheet(name);
  return d ? attachEfficiency(d) : undefined;
}

export function allModels(): readonly ModelSpec[] {
  return MODELS;
}

export function allDevices(): DeviceSpec[] {
  return DEVICES.map(attachEfficiency);
}
