import { describe, expect, it } from 'vitest';
import { readableCause } from '../../../console/shared/error-cause';

describe('readableCause', () => {
  it('reads the message of a Lambda error envelope, whole or cut short as X-Ray keeps it', () => {
    // Prepare
    const envelope = JSON.stringify({
      errorType: 'NoSuchBucket',
      errorMessage: 'The specified "bucket" does not exist',
      trace: [
        'NoSuchBucket: The specified bucket does not exist',
        '    at handleError (/var/task/index.mjs:1:2)',
      ],
    });

    // Act & Assess
    expect(readableCause(envelope)).toBe('The specified "bucket" does not exist');
    expect(readableCause(envelope.slice(0, 110))).toBe('The specified "bucket" does not exist');
    expect(readableCause('{"errorType":"X","errorMes')).toBe('{"errorType":"X","errorMes');
    expect(readableCause('{"nested":{"errorMessage":"not this one"}')).toBe(
      '{"nested":{"errorMessage":"not this one"}',
    );
    expect(readableCause('Task timed out')).toBe('Task timed out');
  });
});
