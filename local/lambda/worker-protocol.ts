/**
 * Messages between {@link LambdaRunner} and its execution environments (worker threads running
 * `function-worker.ts`). Payloads and results cross as JSON text, as they cross Lambda's API.
 */

/** A function error as the Lambda runtime reports it (the invoke response body of an `Unhandled` error). */
export interface ErrorPayload {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace: readonly string[];
}

/** What an execution environment knows from its start: the function's static configuration. */
export interface WorkerSetup {
  readonly entry: string;
  readonly handlerExport: string;
  readonly functionName: string;
  readonly memoryMb: number;
  readonly logGroupName: string;
  readonly logStreamName: string;
}

export interface InvokeRequest {
  readonly type: 'invoke';
  readonly requestId: string;
  /** The event as JSON text. */
  readonly payload: string;
  readonly invokedFunctionArn: string;
  /** Epoch milliseconds at which the runner kills the invocation. */
  readonly deadlineMs: number;
  readonly traceHeader: string;
}

export type WorkerMessage =
  /** The handler module loaded (the Init phase ended). */
  | { readonly type: 'ready' }
  /** The handler module failed to load; the environment is unusable. */
  | { readonly type: 'init-error'; readonly error: ErrorPayload }
  /** The handler resolved; `result` is its JSON text (`null` for undefined). */
  | { readonly type: 'result'; readonly requestId: string; readonly result: string }
  /** The handler threw or rejected; the environment stays usable. */
  | { readonly type: 'error'; readonly requestId: string; readonly error: ErrorPayload }
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
