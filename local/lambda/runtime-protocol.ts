/**
 * Messages between {@link LambdaRunner} and its execution environments (processes running
 * `node-runtime.ts`), over the IPC channel. Payloads and results cross as JSON text, as they cross
 * Lambda's API. Built into the environments' runtime too (`runtime-files.ts`).
 */

/** A function error as the Lambda runtime reports it (the invoke response body of an `Unhandled` error). */
export interface ErrorPayload {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace: readonly string[];
}

export interface InvokeRequest {
  readonly type: 'invoke';
  readonly requestId: string;
  /** The event as JSON text. */
  readonly payload: string;
  readonly invokedFunctionArn: string;
  /** Epoch milliseconds at which the runner kills the invocation. */
  readonly deadlineMs: number;
  /** `_X_AMZN_TRACE_ID` for this invocation: set in the environment's `process.env` before the handler runs. */
  readonly traceHeader: string;
}

/**
 * Sent to an environment that has been idle a while: nothing will run in it until the next
 * invocation, so it gives back what memory it can (Lambda would freeze it instead).
 */
export interface ParkedNotice {
  readonly type: 'parked';
}

/** What the runner sends an environment. */
export type RunnerMessage = InvokeRequest | ParkedNotice;

/**
 * When the handler ran, in epoch milliseconds with fractions (`performance.timeOrigin +
 * performance.now()`, wall-clock based in the runner and in every environment process): from the call to the moment
 * the response was ready to send, Lambda's `Invocation` subsegment.
 */
export interface HandlerTiming {
  readonly startedAt: number;
  readonly endedAt: number;
}

export type RuntimeMessage =
  /** The handler module loaded (the Init phase ended) at `loadedAt` (epoch ms, as in {@link HandlerTiming}). */
  | { readonly type: 'ready'; readonly loadedAt: number }
  /** The handler module failed to load at `failedAt`; the environment is unusable. */
  | { readonly type: 'init-error'; readonly error: ErrorPayload; readonly failedAt: number }
  /** The handler resolved; `result` is its JSON text (`null` for undefined). */
  | {
      readonly type: 'result';
      readonly requestId: string;
      readonly result: string;
      readonly timing: HandlerTiming;
    }
  /** The handler threw or rejected; the environment stays usable. */
  | {
      readonly type: 'error';
      readonly requestId: string;
      readonly error: ErrorPayload;
      readonly timing: HandlerTiming;
    }
  /** An uncaught exception or unhandled rejection; the runtime exits, as Lambda's does. */
  | { readonly type: 'crash'; readonly error: ErrorPayload };

/**
 * The runtime's error envelope for a thrown value: an Error keeps its own `name` as the `errorType`;
 * anything else is typed by `typeof`, as the Node.js runtime interface client does.
 */
export const toErrorPayload = (error: unknown): ErrorPayload => {
  if (error instanceof Error) {
    return {
      errorType: error.name || 'Error',
      errorMessage: error.message,
      trace: (error.stack ?? '').split('\n').filter((line) => line !== ''),
    };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
};

/** Epoch milliseconds with sub-millisecond precision, comparable between the runner and its environments. */
export const epochMs = (): number => performance.timeOrigin + performance.now();
