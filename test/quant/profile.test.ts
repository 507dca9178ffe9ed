import { describe, expect, it } from 'vitest';
import { assertValidProfile, DEFAULT_ACTIVATION_PROFILE, profileKey, resolveActivationProfile } from '../../src/quant/profile.js';

describe('activation profile', () => {
  it('has the documented defaults (changing one changes the pinned mapping too)', () => {
    expect(DEFAULT_ACTIVATION_PROFILE).toEqual({
      key_outlier_channels: 4,
      key_outlier_scale: 10,
      key_channel_scale_spread: 0.5,
      rope_theta: 10000,
      value_std: 1,
      query_aligned_keys: 4,
      attention_entropy_fraction: 0.5,
    });
    expect(Object.isFrozen(DEFAULT_ACTIVATION_PROFILE)).toBe(true);
    expect(() => assertValidProfile(DEFAULT_ACTIVATION_PROFILE, 128)).not.toThrow();
  });

  it('rejects out-of-range parameters by name', () => {
    const p = DEFAULT_ACTIVATION_PROFILE;
    expect(() => assertValidProfile({ ...p, key_outlier_channels: 65 }, 128)).toThrow(/key_outlier_channels/);
    expect(() => assertValidProfile({ ...p, key_outlier_channels: 1.5 }, 128)).toThrow(/key_outlier_channels/);
    expect(() => assertValidProfile({ ...p, key_outlier_scale: -1 }, 128)).toThrow(/key_outlier_scale/);
    expect(() => assertValidProfile({ ...p, key_channel_scale_spread: Number.NaN }, 128)).toThrow(/key_channel_scale_spread/);
    expect(() => assertValidProfile({ ...p, rope_theta: 1 }, 128)).toThrow(/rope_theta/);
    expect(() => assertValidProfile({ ...p, value_std: 0 }, 128)).toThrow(/value_std/);
    expect(() => assertValidProfile({ ...p, query_aligned_keys: -1 }, 128)).toThrow(/query_aligned_keys/);
    expect(() => assertValidProfile({ ...p, attention_entropy_fraction: 1 }, 128)).toThrow(/attention_entropy_fraction/);
    expect(() => assertValidProfile(p, 127)).toThrow(/head_dim/);
  });

  it('profileKey ignores key order', () => {
    const reordered = Object.fromEntries(Object.entries(DEFAULT_ACTIVATION_PROFILE).reverse()) as typeof DEFAULT_ACTIVATION_PROFILE;
    expect(profileKey(reordered)).toBe(profileKey(DEFAULT_ACTIVATION_PROFILE));
    expect(profileKey({ ...DEFAULT_ACTIVATION_PROFILE, key_outlier_scale: 11 })).not.toBe(profileKey(DEFAULT_ACTIVATION_PROFILE));
  });

  it('resolveActivationProfile applies scenario overrides and rejects unknown keys', () => {
    expect(resolveActivationProfile(undefined, 128)).toEqual(DEFAULT_ACTIVATION_PROFILE);
    expect(resolveActivationProfile({ key_outlier_scale: 20 }, 128)).toEqual({ ...DEFAULT_ACTIVATION_PROFILE, key_outlier_scale: 20 });
    expect(() => resolveActivationProfile({ key_outlier_scal: 20 }, 128)).toThrow(/unknown key "key_outlier_scal"/);
    expect(() => resolveActivationProfile({ attention_entropy_fraction: 2 }, 128)).toThrow(/attention_entropy_fraction/);
  });
});
