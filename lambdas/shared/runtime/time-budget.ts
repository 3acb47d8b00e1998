/** The work did not finish within its time budget. */
export class TimeBudgetExceededError extends Error {
  constructor(
    readonly task: string,
    readonly budgetMs: number,
  ) {
    super(`${task} timed out after ${budgetMs} ms`);
    this.name = 'TimeBudgetExceededError';
  }
}

/**
 * Runs `work` and rejects with {@link TimeBudgetExceededError} when it has not settled within `budgetMs`,
 * calling `onTimeout` so the caller can release what the work holds.
 *
 * This only bounds asynchronous work: code that blocks the event loop (a parser spinning in one
 * synchronous call) cannot be interrupted from the same thread, only by running it in a worker that can
 * be terminated.
 */
export const withTimeBudget = async <T>(
  task: string,
  budgetMs: number,
  work: () => Promise<T>,
  onTimeout?: () => void,
): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout?.();
      reject(new TimeBudgetExceededError(task, budgetMs));
    }, budgetMs);
  });
  try {
    return await Promise.race([work(), timeout]);
  } finally {
    clearTimeout(timer);
  }
};
