import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, LIMIT_SETTINGS, readLimits } from '../../../../../lambdas/shared/documents/limits';

const ENV_NAMES = Object.values(LIMIT_SETTINGS).map((setting) => setting.env);

/** Each limit: its field, its environment variable, its documented default, and another value to set. */
const LIMITS = [
  { field: 'maxDocumentBytes', env: 'MAX_DOCUMENT_BYTES', documented: 52_428_800, other: 1000 },
  { field: 'maxImagePixels', env: 'MAX_IMAGE_PIXELS', documented: 50_000_000, other: 2000 },
  { field: 'maxPages', env: 'MAX_PAGES', documented: 500, other: 3 },
  { field: 'parseTimeoutMs', env: 'PARSE_TIMEOUT_MS', documented: 20_000, other: 4000 },
  { field: 'parseMemoryMb', env: 'PARSE_MEMORY_MB', documented: 512, other: 256 },
] as const;

describe('readLimits', () => {
  afterEach(() => {
    for (const name of ENV_NAMES) delete process.env[name];
  });

  it('falls back to the documented defaults', () => {
    // Act
    const limits = readLimits();

    // Assess
    expect(limits).toEqual(Object.fromEntries(LIMITS.map(({ field, documented }) => [field, documented])));
    expect(limits).toEqual(DEFAULT_LIMITS);
    expect(ENV_NAMES).toEqual(LIMITS.map(({ env }) => env));
  });

  it.each(LIMITS)(
    'reads $field from $env, leaving the other limits at their defaults',
    ({ field, env, other }) => {
      // Prepare
      process.env[env] = String(other);

      // Act
      const limits = readLimits();

      // Assess
      expect(limits).toEqual({ ...DEFAULT_LIMITS, [field]: other });
    },
  );

  it('fails fast, naming the variable, on a value that is not a positive integer', () => {
    // Prepare
    process.env.MAX_PAGES = '-5';

    // Act
    const act = () => readLimits();

    // Assess
    expect(act).toThrow('MAX_PAGES must be a positive integer, got "-5"');
  });
});
