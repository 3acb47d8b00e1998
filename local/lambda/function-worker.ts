import { basename, extname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isNativeError } from 'node:util/types';
import { parentPort, workerData } from 'node:worker_threads';
import type { Context } from 'aws-lambda';
import {
  type ErrorPayload,
  epochMs,
  type InvokeRequest,
  toErrorPayload,
  type WorkerMessage,
  type WorkerSetup,
} from './worker-protocol';

/**
 * Worker-thread entry of {@link LambdaRunner}: one Lambda execution environment. It loads the
 * handler module once (the Init phase) and then runs one invocation at a time, with its own
 * `process.env` (given by the runner) and a Lambda `context`. Time and memory limits are enforced
 * from outside, by terminating the thread.
 */

type Handler = (event: unknown, context: Context) => unknown;

const port = parentPort;
if (!port) throw new Error('function-worker.ts must run in a worker thread');
const setup = workerData as WorkerSetup;

const post = (message: WorkerMessage): void => port.postMessage(message);

// The Node.js runtime reports these and exits, so the next invocation gets a fresh environment.
process.on('uncaughtException', (error) => post({ type: 'crash', error: toErrorPayload(error) }));
process.on('unhandledRejection', (reason) => {
  const message = isNativeError(reason) ? `${reason.name}: ${reason.message}` : String(reason);
  post({
    type: 'crash',
    error: {
      errorType: 'Runtime.UnhandledPromiseRejection',
      errorMessage: message,
      trace: [`Runtime.UnhandledPromiseRejection: ${message}`],
    },
  });
});

/** Names the handler like `_HANDLER` does (`handler.handler`), for the runtime's own messages. */
const handlerName = `${basename(setup.entry, extname(setup.entry))}.${setup.handlerExport}`;

const initError = (error: unknown): ErrorPayload => {
  const payload = toErrorPayload(error);
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
    return {
      ...payload,
      errorType: 'Runtime.ImportModuleError',
      errorMessage: `Error: ${payload.errorMessage}`,
    };
  }
  if (error instanceof SyntaxError) {
    return {
      ...payload,
      errorType: 'Runtime.UserCodeSyntaxError',
      errorMessage: `SyntaxError: ${payload.errorMessage}`,
    };
  }
  return payload;
};

const load = async (): Promise<Handler | undefined> => {
  try {
    const module = (await import(pathToFileURL(setup.entry).href)) as Record<string, unknown>;
    const handler = module[setup.handlerExport];
    if (typeof handler === 'function') return handler as Handler;
    post({
      type: 'init-error',
      error: {
        errorType: 'Runtime.HandlerNotFound',
        errorMessage: `${handlerName} is undefined or not exported`,
        trace: [],
      },
      failedAt: epochMs(),
    });
  } catch (error) {
    post({ type: 'init-error', error: initError(error), failedAt: epochMs() });
  }
  return undefined;
};

const unsupported = (name: string) => (): never => {
  throw new Error(`context.${name}() is not supported by the nodejs24.x runtime; return or throw instead`);
};

const contextOf = (request: InvokeRequest): Context => ({
  callbackWaitsForEmptyEventLoop: true,
  functionName: setup.functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: request.invokedFunctionArn,
  memoryLimitInMB: String(setup.memoryMb),
  awsRequestId: request.requestId,
  logGroupName: setup.logGroupName,
  logStreamName: setup.logStreamName,
  getRemainingTimeInMillis: () => Math.max(0, request.deadlineMs - Date.now()),
  done: unsupported('done'),
  fail: unsupported('fail'),
  succeed: unsupported('succeed'),
});

const invoke = async (handler: Handler, request: InvokeRequest): Promise<WorkerMessage> => {
  // Per invocation, as the Node.js runtime sets it: the X-Ray SDK rebuilds its facade segment from it.
  process.env._X_AMZN_TRACE_ID = request.traceHeader;
  const startedAt = epochMs();
  const settle = (
    message:
      | { readonly type: 'result'; readonly result: string }
      | { readonly type: 'error'; readonly error: ErrorPayload },
  ): WorkerMessage => ({
    ...message,
    requestId: request.requestId,
    timing: { startedAt, endedAt: epochMs() },
  });
  let result: unknown;
  try {
    result = await handler(JSON.parse(request.payload), contextOf(request));
  } catch (error) {
    return settle({ type: 'error', error: toErrorPayload(error) });
  }
  try {
    return settle({ type: 'result', result: JSON.stringify(result ?? null) ?? 'null' });
  } catch (error) {
    return settle({
      type: 'error',
      error: {
        errorType: 'Runtime.MarshalError',
        errorMessage: `Unable to marshal response: ${toErrorPayload(error).errorMessage}`,
        trace: [],
      },
    });
  }
};

const handler = await load();
if (handler) {
  port.on('message', (request: InvokeRequest) => {
    void invoke(handler, request).then(post);
  });
  post({ type: 'ready', loadedAt: epochMs() });
}
