import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { missingPlatformEntries, platformOf } from '../../scripts/complete-lockfile';

describe('package-lock.json', () => {
  it('lists every optional platform package, so npm ci accepts it on a clean machine', () => {
    // Prepare
    const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));

    // Act
    const missing = Object.keys(missingPlatformEntries(lock.packages));

    // Assess: if this fails, run `npm run lockfile:complete` after your npm install.
    expect(missing).toEqual([]);
  });

  it('reads the platform off a package name', () => {
    // Assess
    expect(platformOf('@napi-rs/canvas-linux-x64-musl')).toEqual({
      os: ['linux'],
      cpu: ['x64'],
      libc: ['musl'],
    });
    expect(platformOf('@napi-rs/canvas-darwin-arm64')).toEqual({ os: ['darwin'], cpu: ['arm64'] });
    expect(platformOf('@napi-rs/canvas')).toBeUndefined();
  });
});
