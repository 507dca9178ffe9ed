import { describe, expect, it } from 'vitest';
import { allDevices, allModels, findDevice } from '../../src/catalog/index.js';
import { paramCount } from '../../src/catalog/model-math.js';

describe('catalogue', () => {
  it.each(allModels().map((m) => [m.name, m] as const))('%s: parameters computed from the shapes match the published count within 1%%', (_n, m) => {
    expect(Math.abs(paramCount(m) / m.paramsPublished - 1)).toBeLessThan(0.01);
  });

  it('names a source for every model and device', () => {
    for (const m of allModels()) expect(m.source.length).toBeGreaterThan(10);
    for (const d of allDevices()) expect(d.source.length).toBeGreaterThan(10);
  });

  it('checks NVIDIA SM counts and clocks against the datasheet fp32 rate', () => {
    // fp32 = SMs × FP32 lanes per SM × 2 FLOPs × clock; Ampere datacentre parts have 64 lanes, the others 128.
    const lanes: Record<string, number> = { volta: 64, ampere: 64, hopper: 128, ada: 128 };
    for (const d of allDevices().filter((x) => x.deviceType === 'cuda')) {
      const fp32 = d.smCount * lanes[d.family]! * 2 * d.boostClockHz;
      expect(Math.abs(fp32 / d.vectorFp32Flops - 1)).toBeLessThan(0.01);
    }
  });

  it('marks the non-NVIDIA vector figures as assumptions', () => {
    for (const d of allDevices().filter((x) => x.deviceType !== 'cuda')) expect(d.assumptions.length).toBeGreaterThan(0);
  });

  it('has the required devices with their device types', () => {
    expect(findDevice('a100-80g')?.deviceType).toBe('cuda');
    expect(findDevice('ascend-910b')?.deviceType).toBe('ascend');
    expect(findDevice('mlu370-x8')?.deviceType).toBe('camb');
    expect(findDevice('metax-c500')?.deviceType).toBe('maca');
  });
});
