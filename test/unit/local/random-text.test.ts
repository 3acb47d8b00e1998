import { describe, expect, it } from 'vitest';
import { randomText } from '../../../local/random-text';

describe('randomText', () => {
  it('gives as many random bytes as asked, in the encoding asked', () => {
    // Act
    const hex = randomText(12, 'hex');
    const base64 = randomText(48, 'base64');

    // Assess
    expect(hex).toMatch(/^[0-9a-f]{24}$/);
    expect(Buffer.from(base64, 'base64')).toHaveLength(48);
  });

  it('never hands out the same bytes twice, across refills of its pool', () => {
    // Act
    const ids = Array.from({ length: 5_000 }, () => randomText(8, 'hex'));

    // Assess
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('refuses more bytes than its pool holds', () => {
    // Act & Assess
    expect(() => randomText(8193, 'hex')).toThrow(RangeError);
  });
});
