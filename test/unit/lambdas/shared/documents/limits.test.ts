import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, LIMIT_SETTINGS, readLimits } from '../../../../../lambdas/shared/documents/limits';

const ENV_NAMES = Object.values(LIMIT_SETTINGS).map((setting) => setting.env);

describe('readLimits', () => {
  afterEach(() => {
    for (const name of ENV_NAMES) delete process.env[name];
  });

  it('falls back to the documented defaults', () => {
    // Act
    const limits = readLimits();

    // Assess
    expect(limits).toEqual({
      maxDocumentBytes: 52_428_800,
      maxImagePixels: 50_000_000,
      maxPages: 500,
      parseTimeoutMs: 20_000,
      parseMemoryMb: 512,
    });
    expect(limits).toEqual(DEFAULT_LIMITS);
    expect(ENV_NAMES).toEqual([
      'MAX_DOCUMENT_BYTES',
      'MAX_IMAGE_PIXELS',
      'MAX_PAGES',
      'PARSE_TIMEOUT_MS',
      'PARSE_MEMORY_MB',
    ]);
  });

  it('reads each limit from its environment variable', () => {
    // Prepare
    process.env.MAX_DOCUMENT_BYTES = '1000';
    process.env.MAX_IMAGE_PIXELS = '2000';
    process.env.MAX_PAGES = '3';
    process.env.PARSE_TIMEOUT_MS = '4000';
    process.env.PARSE_MEMORY_MB = '256';

    // Act
    const limits = readLimits();

    // Assess
    expect(limits).toEqual({
      maxDocumentBytes: 1000,
      maxImagePixels: 2000,
      maxPages: 3,
      parseTimeoutMs: 4000,
      parseMemoryMb: 256,
    });
  });

  it('fails fast, naming the variable, on a value that is not a positive integer', () => {
    // Prepare
    process.env.MAX_PAGES = '-5';

    // Act
    const act = () => readLimits();

    // Assess
    expect(act).toThrow('MAX_PAGES must be a positive integer, got "-5"');
  });
});
