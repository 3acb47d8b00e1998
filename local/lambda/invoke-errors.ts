import type { ErrorPayload } from './runtime-protocol';

/** Lambda's synchronous invoke limits: 6 MiB request; a response gets 100 bytes more. */
export const MAX_REQUEST_BYTES = 6 * 1024 * 1024;
export const MAX_RESPONSE_BYTES = MAX_REQUEST_BYTES + 100;

/**
 * A function error (the invoke answered with `X-Amz-Function-Error: Unhandled`): `name` is the
 * runtime's `errorType` and `message` its `errorMessage`, so a Step Functions Retry/Catch on the
 * error name matches locally as it does on AWS. `stack` is the handler's trace.
 */
export class FunctionError extends Error {
  readonly errorType: string;
  readonly trace: readonly string[];

  constructor(payload: ErrorPayload) {
    super(payload.errorMessage);
    this.name = payload.errorType;
    this.errorType = payload.errorType;
    this.trace = payload.trace;
    this.stack =
      payload.trace.length > 0 ? payload.trace.join('\n') : `${payload.errorType}: ${payload.errorMessage}`;
  }

  /** The invoke response body Lambda returns for this error. */
  toJSON(): ErrorPayload {
    return { errorType: this.errorType, errorMessage: this.message, trace: this.trace };
  }
}

/**
 * A function's first execution environment could not initialize (its module failed to load, its
 * handler is not exported, …): the runtime's error, as one line that names the function. Its `cause`
 * is the {@link FunctionError} with the runtime's trace.
 */
export class FunctionStartError extends Error {
  constructor(functionName: string, cause: Error) {
    const firstLine = cause.message.split('\n')[0] ?? '';
    super(`function ${functionName} cannot start: ${cause.name}: ${firstLine}`, { cause });
    this.name = 'FunctionStartError';
    this.stack = `${this.name}: ${this.message}`;
  }
}

/**
 * The Lambda service refused or could not run the invocation. Named `Lambda.<Exception>` as Step
 * Functions names Lambda API errors (`Lambda.TooManyRequestsException`, …).
 */
export class LambdaServiceError extends Error {
  constructor(exception: string, message: string) {
    super(message);
    this.name = `Lambda.${exception}`;
  }
}

const runtimeError = (errorType: string, requestId: string, detail: string): FunctionError =>
  new FunctionError({ errorType, errorMessage: `RequestId: ${requestId} Error: ${detail}`, trace: [] });

/** The function ran past its timeout and its environment was stopped. Lambda prints the elapsed seconds. */
export const timedOut = (requestId: string, elapsedMs: number): FunctionError =>
  runtimeError(
    'Sandbox.Timedout',
    requestId,
    `Task timed out after ${(elapsedMs / 1000).toFixed(2)} seconds`,
  );

/** The Init phase (loading the handler module) ran past its budget. */
export const initTimedOut = (requestId: string, elapsedMs: number): FunctionError =>
  runtimeError(
    'Sandbox.Timedout',
    requestId,
    `Init timed out after ${(elapsedMs / 1000).toFixed(2)} seconds`,
  );

/** How Lambda (a Go program) names the signal that ended the runtime process. */
const SIGNAL_NAMES: Readonly<Partial<Record<NodeJS.Signals, string>>> = {
  SIGABRT: 'aborted',
  SIGKILL: 'killed',
  SIGSEGV: 'segmentation fault',
  SIGBUS: 'bus error',
  SIGILL: 'illegal instruction',
  SIGFPE: 'floating point exception',
  SIGTERM: 'terminated',
};

const signalName = (signal: NodeJS.Signals): string => SIGNAL_NAMES[signal] ?? signal;

/**
 * The function ran out of the memory it configured: V8 reached the heap limit the bootstrap derives
 * from the memory size and aborted the process (Lambda's own limit would have killed it).
 */
export const outOfMemory = (requestId: string, signal: NodeJS.Signals): FunctionError =>
  runtimeError('Runtime.OutOfMemory', requestId, `Runtime exited with error: signal: ${signalName(signal)}`);

/** The runtime process exited (process.exit, a crash) before answering. */
export const exited = (requestId: string, exitCode: number): FunctionError =>
  runtimeError('Runtime.ExitError', requestId, `Runtime exited with error: exit status ${exitCode}`);

/** The runtime process was ended by a signal (a native crash, a kill from outside). */
export const killedBySignal = (requestId: string, signal: NodeJS.Signals): FunctionError =>
  runtimeError('Runtime.ExitError', requestId, `Runtime exited with error: signal: ${signalName(signal)}`);

export const responseTooLarge = (): FunctionError =>
  new FunctionError({
    errorType: 'Function.ResponseSizeTooLarge',
    errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
    trace: [],
  });

export const requestTooLarge = (): LambdaServiceError =>
  new LambdaServiceError(
    'RequestTooLargeException',
    `Request must be smaller than ${MAX_REQUEST_BYTES} bytes for the InvokeFunction operation`,
  );

export const functionNotFound = (nameOrArn: string): LambdaServiceError =>
  new LambdaServiceError('ResourceNotFoundException', `Function not found: ${nameOrArn}`);

/** A reserved concurrency of 0 throttles every invocation. */
export const throttled = (): LambdaServiceError =>
  new LambdaServiceError('TooManyRequestsException', 'Rate Exceeded.');
