import { describe, expect, it } from 'vitest';
import { BenchUsageError, isUsageError, parseOptions } from '../../../bench/options';

describe('the bench’s command line', () => {
  it('takes the defaults a plain `npm run bench` measures with', () => {
    // Act
    const options = parseOptions([]);

    // Assess
    expect(options).toEqual({
      runs: 1,
      samples: 10,
      burst: 500,
      concurrency: 16,
      idleSeconds: 10,
      ratioPasses: 3,
      documents: 2000,
    });
  });

  it('tells a mistake in one line: a value that is not a whole number, or an option it does not know', () => {
    // Act
    const notWhole = (() => {
      try {
        return parseOptions(['--runs', '1.5']);
      } catch (error) {
        return error;
      }
    })();
    const unknown = (() => {
      try {
        return parseOptions(['--nope']);
      } catch (error) {
        return error;
      }
    })();

    // Assess
    expect(notWhole).toBeInstanceOf(BenchUsageError);
    expect((notWhole as Error).message).toBe('--runs must be a whole number of at least 1, not "1.5"');
    expect(isUsageError(unknown)).toBe(true);
    expect(isUsageError(new Error('a bug'))).toBe(false);
  });
});
