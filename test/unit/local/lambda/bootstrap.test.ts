import { describe, expect, it } from 'vitest';
import { bootstrapArguments } from '../../../../local/lambda/bootstrap';

describe('bootstrapArguments', () => {
  it("gives Node the arguments Lambda's Node.js bootstrap derives from the memory size", () => {
    // Assess: new space = M / 10, semi space = new space / 2, old space = M - new space (integer division).
    expect(bootstrapArguments(128)).toEqual([
      '--expose-gc',
      '--max-http-header-size',
      '81920',
      '--max-semi-space-size=6',
      '--max-old-space-size=116',
    ]);
    expect(bootstrapArguments(1024)).toContain('--max-old-space-size=922');
    expect(bootstrapArguments(1024)).toContain('--max-semi-space-size=51');
    expect(bootstrapArguments(2048)).toContain('--max-old-space-size=1844');
    expect(bootstrapArguments(10_240)).toContain('--max-old-space-size=9216');
  });
});
