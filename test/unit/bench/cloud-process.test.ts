import { describe, expect, it } from 'vitest';
import { npmStartNodeFlags } from '../../../bench/cloud-process';

describe('npmStartNodeFlags', () => {
  it("reads Node's flags of `npm start`, so that the bench starts the cloud as users do", () => {
    expect(npmStartNodeFlags()).toEqual(['--max-semi-space-size=16', '--heap-growing-percent=50']);
  });
});
