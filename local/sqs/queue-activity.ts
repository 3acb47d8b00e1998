/**
 * A hint that a message may have become visible in some queue of the local SQS: the local cloud
 * notifies it when fauxqs is sent a message (by HTTP or in-process) or a message's visibility is
 * changed, and idle SQS event sources wait on it instead of long-polling an empty queue, which keeps
 * fauxqs' 20 ms timer of a waiting poll — and the event loop — asleep while nothing happens.
 */
export class QueueActivity {
  #next = Promise.withResolvers<void>();

  /** Settles at the first notification after this call. */
  next(): Promise<void> {
    return this.#next.promise;
  }

  notify(): void {
    this.#next.resolve();
    this.#next = Promise.withResolvers<void>();
  }
}
