import { describe, expect, it } from 'vitest';
import { compareXen, kernelAtLeast, parseKernelRelease, parseXenVersion } from './versions.js';

describe('kernel release', () => {
  it.each([
    ['6.12.107+deb12-amd64', 6, 12, 107],
    ['6.1.0-56-amd64', 6, 1, 0],
    ['5.15.0-patched', 5, 15, 0],
    ['6.3', 6, 3, 0],
  ])('%s', (release, major, minor, patch) => {
    expect(parseKernelRelease(release)).toMatchObject({ major, minor, patch, short: `${major}.${minor}` });
  });

  it('rejects what is not a version', () => {
    expect(parseKernelRelease('linux')).toBeUndefined();
    expect(parseKernelRelease(undefined)).toBeUndefined();
  });

  it('compares on major.minor', () => {
    const v61 = parseKernelRelease('6.1.0-56-amd64');
    const v63 = parseKernelRelease('6.3.0');
    expect(v61 && kernelAtLeast(v61, 6, 3)).toBe(false);
    expect(v63 && kernelAtLeast(v63, 6, 3)).toBe(true);
  });
});

describe('xen version', () => {
  it.each([
    [{ major: '4', minor: '17', extra: '.7' }, '4.17.7', 7],
    [{ major: '4', minor: '21', extra: '.1' }, '4.21.1', 1],
    [{ major: '4', minor: '22', extra: '-rc' }, '4.22.0', 0],
    [{ major: '4', minor: '20', extra: '<denied>' }, '4.20', undefined],
    [{ major: '4', minor: '23', extra: '-unstable' }, '4.23', undefined],
    [{ major: '4', minor: '19', extra: undefined }, '4.19', undefined],
  ])('%o', (parts, text, patch) => {
    const version = parseXenVersion(parts);
    expect(version?.text).toBe(text);
    expect(version?.patch).toBe(patch);
  });

  it('refuses non-numeric major or minor', () => {
    expect(parseXenVersion({ major: '<denied>', minor: '17', extra: '.7' })).toBeUndefined();
    expect(parseXenVersion({ major: undefined, minor: '17', extra: '.7' })).toBeUndefined();
  });

  it('compares an unknown patch as the lowest', () => {
    const denied = parseXenVersion({ major: '4', minor: '17', extra: '<denied>' });
    expect(denied && compareXen(denied, 4, 17, 1)).toBeLessThan(0);
  });
});
