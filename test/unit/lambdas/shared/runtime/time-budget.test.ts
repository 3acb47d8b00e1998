import { describe, expect, it, vi } from 'vitest';
import { TimeBudgetExceededError, withTimeBudget } from '../../../../../lambdas/shared/runtime/time-budget';

describe('withTimeBudget', () => {
  it('returns the result of work that finishes in time', async () => {
    // Act
    const result = await withTimeBudget('adding', 1_000, async () => 1 + 1);

    // Assess
    expect(result).toBe(2);
  });

  it('rejects with TimeBudgetExceededError and calls onTimeout when the work outlasts the budget', async () => {
    // Prepare
    const onTimeout = vi.fn();

    // Act
    const result = withTimeBudget(
      'waiting forever',
      20,
      () => new Promise<never>(() => undefined),
      onTimeout,
    );

    // Assess
    await expect(result).rejects.toThrow(TimeBudgetExceededError);
    await expect(result).rejects.toThrow('waiting forever timed out after 20 ms');
    expect(onTimeout).toHaveBeenCalledTimes(1);
  });

  it('passes the work’s own failure through', async () => {
    // Act
    const result = withTimeBudget('failing', 1_000, async () => {
      throw new RangeError('boom');
    });

    // Assess
    await expect(result).rejects.toThrow(RangeError);
  });
});
