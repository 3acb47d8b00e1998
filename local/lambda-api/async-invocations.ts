import { randomUUID } from 'node:crypto';
import { BackgroundWork } from '../background-work';

/** Lambda's limit on an asynchronous (`Event`) invocation's payload. */
export const MAX_ASYNC_PAYLOAD_BYTES = 1024 * 1024;

/**
 * Lambda's own retries of a failed asynchronous invocation: two more attempts, one minute then two
 * minutes later (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html).
 */
export const LAMBDA_ASYNC_RETRY_DELAYS_MS: readonly number[] = [60_000, 120_000];

/** The function an asynchronous invocation runs, and where its failed events go. */
export interface AsyncTarget {
  readonly name: string;
  readonly arn: string;
  /** `DeadLetterConfig.TargetArn` of the function (an SQS queue): where an event goes after its retries. */
  readonly deadLetterQueueArn?: string;
}

export interface AsyncInvocationsOptions {
  /** Runs the function synchronously (the local Lambda runner's `invoke`). */
  readonly invoke: (arn: string, payload: unknown, options: { traceHeader?: string }) => Promise<unknown>;
  /** Sends a message to an SQS queue named by its ARN (the function's dead-letter queue). */
  readonly sendToQueue: (
    queueArn: string,
    body: string,
    attributes: Readonly<Record<string, string>>,
  ) => Promise<void>;
  /** Waits before each retry; its length is the number of retries. @default {@link LAMBDA_ASYNC_RETRY_DELAYS_MS} */
  readonly retryDelaysMs?: readonly number[];
  readonly logger?: Pick<Console, 'warn'>;
}

/**
 * Lambda's queue of asynchronous invocations: the caller gets its request id at once, the function runs
 * later, a failure (an error of the function, a timeout, a throttle) is retried after Lambda's delays,
 * and an event that fails every attempt goes to the function's dead-letter queue with Lambda's message
 * attributes (`RequestID`, `ErrorCode`, `ErrorMessage`), or is dropped with a warning when it has none.
 * Events still queued when the service stops are lost.
 */
export class AsyncInvocations {
  readonly #options: AsyncInvocationsOptions;
  readonly #work = new BackgroundWork();

  constructor(options: AsyncInvocationsOptions) {
    this.#options = options;
  }

  /** Queues one invocation of `target` with `payload` (JSON text) and returns its request id. */
  enqueue(target: AsyncTarget, payload: unknown, traceHeader?: string): string {
    const requestId = randomUUID();
    if (this.#work.stopped) return requestId;
    this.#work.track(this.#run(target, payload, requestId, traceHeader), (error) =>
      this.#options.logger?.warn(
        `local Lambda: async invocation ${requestId} failed unexpectedly: ${String(error)}`,
      ),
    );
    return requestId;
  }

  /** Resolves once no queued invocation is waiting or running. */
  idle(): Promise<void> {
    return this.#work.idle();
  }

  /** Takes no more invocations and drops those waiting for a retry; those running finish. */
  stop(): Promise<void> {
    return this.#work.stop();
  }

  async #run(target: AsyncTarget, payload: unknown, requestId: string, traceHeader?: string): Promise<void> {
    // The caller has its answer before the function starts, as with Lambda's internal queue.
    await new Promise((resolve) => setImmediate(resolve));
    const delays = this.#options.retryDelaysMs ?? LAMBDA_ASYNC_RETRY_DELAYS_MS;
    let lastError: Error | undefined;
    for (let attempt = 0; attempt <= delays.length; attempt += 1) {
      if (attempt > 0 && !(await this.#work.wait(delays[attempt - 1] ?? 0))) return;
      if (this.#work.stopped) return;
      try {
        await this.#options.invoke(target.arn, payload, traceHeader ? { traceHeader } : {});
        return;
      } catch (error) {
        lastError = error instanceof Error ? error : new Error(String(error));
        // A runner that closed under the invocation is the service stopping, not the function failing.
        if (this.#work.stopped || /runner is closed/.test(lastError.message)) return;
      }
    }
    await this.#deadLetter(target, payload, requestId, lastError ?? new Error('unknown failure'));
  }

  async #deadLetter(target: AsyncTarget, payload: unknown, requestId: string, error: Error): Promise<void> {
    const attempts = (this.#options.retryDelaysMs ?? LAMBDA_ASYNC_RETRY_DELAYS_MS).length + 1;
    const failed = `local Lambda: ${target.name} failed ${attempts} attempts of async invocation ${requestId} (${error.name}: ${error.message})`;
    if (target.deadLetterQueueArn === undefined) {
      this.#options.logger?.warn(`${failed}; it has no dead-letter queue, the event is dropped`);
      return;
    }
    try {
      await this.#options.sendToQueue(target.deadLetterQueueArn, JSON.stringify(payload), {
        RequestID: requestId,
        // A function error is an invocation that returned 200 with X-Amz-Function-Error; a throttle is 429.
        ErrorCode: /TooManyRequests/.test(error.name) ? '429' : '200',
        ErrorMessage: `${error.name}: ${error.message}`.slice(0, 1024),
      });
    } catch (sendError) {
      this.#options.logger?.warn(`${failed}; its dead-letter queue refused the event: ${String(sendError)}`);
    }
  }
}
