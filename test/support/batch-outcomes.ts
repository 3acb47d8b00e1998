import type { BatchOutcome } from '../../local/lambda/sqs-event-source';

/**
 * Collects the outcomes an SQS event source reports (pass `record` as its `onBatch`) and lets a test
 * wait, bounded, until enough batches have been handled.
 */
export class BatchOutcomes {
  readonly all: BatchOutcome[] = [];
  readonly #timeoutMs: number;
  #waiters: { count: number; resolve(): void }[] = [];

  /** @param timeoutMs how long {@link until} waits by default before it fails */
  constructor(timeoutMs = 15_000) {
    this.#timeoutMs = timeoutMs;
  }

  readonly record = (outcome: BatchOutcome): void => {
    this.all.push(outcome);
    this.#waiters = this.#waiters.filter((waiter) => {
      if (this.all.length < waiter.count) return true;
      waiter.resolve();
      return false;
    });
  };

  /** The first `count` outcomes, once they arrived; fails after `timeoutMs` with how many did. */
  async until(count: number, timeoutMs = this.#timeoutMs): Promise<BatchOutcome[]> {
    if (this.all.length < count) {
      const { promise, resolve, reject } = Promise.withResolvers<void>();
      const timer = setTimeout(() => reject(new Error(`${this.all.length} of ${count} batches`)), timeoutMs);
      this.#waiters.push({ count, resolve });
      await promise.finally(() => clearTimeout(timer));
    }
    return this.all.slice(0, count);
  }
}
