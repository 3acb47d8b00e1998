/**
 * Work a local service runs after it has answered, with retries (the local EventBridge's deliveries,
 * Lambda's asynchronous invocations): what is in flight is tracked so a caller can wait until nothing
 * is; a retry waits out its delay here, and a stop ends every such wait at once, dropping the retry.
 */
export class BackgroundWork {
  readonly #inFlight = new Set<Promise<void>>();
  /** Retries waiting for their delay, each with the function that ends its wait early. */
  readonly #waits = new Map<NodeJS.Timeout, () => void>();
  #stopped = false;

  get stopped(): boolean {
    return this.#stopped;
  }

  /** Tracks `work` until it settles; an error it did not handle itself goes to `onUnexpected` (a log). */
  track(work: Promise<void>, onUnexpected: (error: unknown) => void): void {
    const tracked = work.catch(onUnexpected);
    this.#inFlight.add(tracked);
    void tracked.finally(() => this.#inFlight.delete(tracked));
  }

  /** Resolves true after `ms`, or false when the work is stopped first. */
  wait(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waits.delete(timer);
        resolve(!this.#stopped);
      }, ms);
      this.#waits.set(timer, () => resolve(false));
    });
  }

  /** Resolves once nothing is in flight or waiting for a retry. */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight]);
  }

  /** Ends every retry's wait (dropping the retry), lets running work finish, and resolves when it has. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const [timer, wake] of this.#waits) {
      clearTimeout(timer);
      wake();
    }
    this.#waits.clear();
    await this.idle();
  }
}
