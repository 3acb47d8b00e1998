import { randomBytes } from 'node:crypto';
import { TaskFailedError } from './task-error';

/** Why a callback (SendTaskSuccess/Failure/Heartbeat) was refused; names are the Step Functions API's. */
export class TaskTokenError extends Error {
  constructor(name: 'TaskDoesNotExist' | 'TaskTimedOut', message: string) {
    super(message);
    this.name = name;
  }
}

/** Limits of one waiting task, from the Task state's `HeartbeatSeconds` and `TimeoutSeconds`. */
export interface TaskTokenLimits {
  readonly heartbeatSeconds?: number;
  readonly timeoutSeconds?: number;
}

interface PendingTask {
  readonly promise: Promise<unknown>;
  readonly resolve: (output: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly heartbeatMs?: number;
  heartbeatTimer?: NodeJS.Timeout;
  timeoutTimer?: NodeJS.Timeout;
}

/** How many closed tokens are remembered, so that a late callback gets TaskTimedOut, not TaskDoesNotExist. */
const CLOSED_TOKENS_KEPT = 10_000;

/**
 * The task tokens of `.waitForTaskToken` tasks: issued when the task starts, settled by the
 * SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat callbacks, and failed with
 * `States.HeartbeatTimeout` or `States.Timeout` when no news arrives in time.
 *
 * A token is registered before the worker is invoked, because the worker may call back before its
 * invocation even returns. Timers are unref'd: a task that nobody will ever settle (its execution
 * was aborted) must not keep the process alive.
 */
export class TaskTokens {
  readonly #pending = new Map<string, PendingTask>();
  readonly #closed = new Set<string>();

  /** Registers a new task and returns its token. */
  issue(limits: TaskTokenLimits = {}): string {
    const token = randomBytes(48).toString('base64url');
    const { promise, resolve, reject } = Promise.withResolvers<unknown>();
    // The task's own waiter is attached later; this keeps an early timeout from being "unhandled".
    promise.catch(() => undefined);
    const task: PendingTask = {
      promise,
      resolve,
      reject,
      ...(limits.heartbeatSeconds ? { heartbeatMs: limits.heartbeatSeconds * 1000 } : {}),
    };
    this.#pending.set(token, task);
    if (limits.timeoutSeconds) {
      task.timeoutTimer = setTimeout(
        () => this.#close(token, new TaskFailedError('States.Timeout', 'the task timed out')),
        limits.timeoutSeconds * 1000,
      ).unref();
    }
    this.#armHeartbeat(token, task);
    return token;
  }

  /** Resolves with the output sent by SendTaskSuccess; rejects with the failure or the timeout. */
  waitFor(token: string): Promise<unknown> {
    return this.#open(token).promise;
  }

  /** SendTaskSuccess. */
  succeed(token: string, output: unknown): void {
    this.#open(token);
    this.#close(token, undefined, output);
  }

  /** SendTaskFailure. Step Functions makes both fields optional; absent ones are empty strings. */
  fail(token: string, error = '', cause = ''): void {
    this.#open(token);
    this.#close(token, new TaskFailedError(error, cause));
  }

  /** SendTaskHeartbeat: restarts the heartbeat clock (the overall timeout keeps running). */
  heartbeat(token: string): void {
    this.#armHeartbeat(token, this.#open(token));
  }

  /** Ends a task that failed some other way (its worker's invocation failed); later callbacks are refused. */
  cancel(token: string): void {
    if (this.#pending.has(token)) this.#close(token, new TaskFailedError('States.TaskFailed', 'cancelled'));
  }

  /** Number of tasks still waiting for a callback. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  #open(token: string): PendingTask {
    const task = this.#pending.get(token);
    if (task) return task;
    if (this.#closed.has(token)) throw new TaskTokenError('TaskTimedOut', 'the task is no longer running');
    throw new TaskTokenError('TaskDoesNotExist', 'no task has this token');
  }

  #armHeartbeat(token: string, task: PendingTask): void {
    if (task.heartbeatMs === undefined) return;
    clearTimeout(task.heartbeatTimer);
    task.heartbeatTimer = setTimeout(
      () => this.#close(token, new TaskFailedError('States.HeartbeatTimeout', 'no heartbeat in time')),
      task.heartbeatMs,
    ).unref();
  }

  #close(token: string, error: Error | undefined, output?: unknown): void {
    const task = this.#pending.get(token);
    if (!task) return;
    clearTimeout(task.heartbeatTimer);
    clearTimeout(task.timeoutTimer);
    this.#pending.delete(token);
    this.#closed.add(token);
    if (this.#closed.size > CLOSED_TOKENS_KEPT) {
      const oldest = this.#closed.values().next().value;
      if (oldest !== undefined) this.#closed.delete(oldest);
    }
    if (error) task.reject(error);
    else task.resolve(output);
  }
}
