import { existsSync } from 'node:fs';
import { flushCompileCache } from 'node:module';
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isNativeError } from 'node:util/types';
import type { Context } from 'aws-lambda';
import { fullCollection } from '../full-collection';
import {
  type ErrorPayload,
  epochMs,
  type InvokeRequest,
  type RunnerMessage,
  type RuntimeMessage,
  toErrorPayload,
} from './runtime-protocol';

/**
 * The Node.js runtime of one local execution environment: the process {@link LambdaRunner} starts
 * with the arguments Lambda's bootstrap gives Node (`bootstrap.ts`), the asset folder as working
 * directory and `LAMBDA_TASK_ROOT`, and the resolution policy of `asset-hooks.ts` preloaded. As
 * Lambda's runtime interface client does, it loads the module `_HANDLER` names from the task root
 * (the Init phase) and then runs one invocation at a time, answering over the IPC channel. Time and
 * memory limits are enforced from outside, by killing the process. The runner runs it built to
 * JavaScript (`runtime-files.ts`).
 */

type Handler = (event: unknown, context: Context) => unknown;

if (!process.send) throw new Error('node-runtime.ts must run as a child process with an IPC channel');
const send = process.send.bind(process);
const post = (message: RuntimeMessage): void => {
  send(message);
};

// The runner is gone: so is its environment.
process.on('disconnect', () => process.exit(0));

// The Node.js runtime reports these and exits, so the next invocation gets a fresh environment; the
// runner stops this process when it reads the report.
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

const variable = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`node-runtime.ts: ${name} is not set`);
  return value;
};

const taskRoot = variable('LAMBDA_TASK_ROOT');
const handlerString = variable('_HANDLER');

class RuntimeError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

const importModuleError = (error: Error): RuntimeError =>
  Object.assign(new RuntimeError('Runtime.ImportModuleError', String(error)), { stack: error.stack });

/** `index.handler`, `src/app.main`, `index.handlers.upload`, as the runtime interface client parses them. */
const parseHandler = (): { moduleRoot: string; moduleName: string; handlerName: string } => {
  if (handlerString.includes('..')) {
    throw new RuntimeError(
      'Runtime.MalformedHandlerName',
      `'${handlerString}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`,
    );
  }
  const base = basename(handlerString);
  const match = /^([^.]*)\.(.*)$/.exec(base);
  if (!match?.[1] || !match[2]) throw new RuntimeError('Runtime.MalformedHandlerName', 'Bad handler');
  return {
    moduleRoot: handlerString.slice(0, handlerString.length - base.length).replace(/\/$/, ''),
    moduleName: match[1],
    handlerName: match[2],
  };
};

/** The module file, tried as the runtime tries it: as named, then `.js`, `.mjs`, `.cjs`. */
const loadModule = async (moduleRoot: string, moduleName: string): Promise<unknown> => {
  const base = resolve(taskRoot, moduleRoot, moduleName);
  const file = ['', '.js', '.mjs', '.cjs'].map((extension) => `${base}${extension}`).find(existsSync);
  if (file === undefined) {
    throw importModuleError(
      Object.assign(new Error(`Cannot find module '${moduleName}'`), { code: 'MODULE_NOT_FOUND' }),
    );
  }
  try {
    return (await import(pathToFileURL(file).href)) as unknown;
  } catch (error) {
    if (error instanceof SyntaxError) {
      throw Object.assign(new RuntimeError('Runtime.UserCodeSyntaxError', String(error)), {
        stack: error.stack,
      });
    }
    const code = (error as { code?: unknown } | null)?.code;
    if (isNativeError(error) && (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND')) {
      throw importModuleError(error);
    }
    throw error;
  }
};

const findIn = (path: string, module: unknown): unknown =>
  path
    .split('.')
    .reduce<unknown>(
      (nested, key) =>
        nested !== null && typeof nested === 'object' ? (nested as Record<string, unknown>)[key] : undefined,
      module,
    );

const load = async (): Promise<Handler> => {
  const { moduleRoot, moduleName, handlerName } = parseHandler();
  const module = await loadModule(moduleRoot, moduleName);
  const handler =
    findIn(handlerName, module) ??
    (module !== null && typeof module === 'object' && 'default' in module
      ? findIn(handlerName, module.default)
      : undefined);
  if (!handler) {
    throw new RuntimeError('Runtime.HandlerNotFound', `${handlerString} is undefined or not exported`);
  }
  if (typeof handler !== 'function') {
    throw new RuntimeError('Runtime.HandlerNotFound', `${handlerString} is not a function`);
  }
  return handler as Handler;
};

const unsupported = (name: string) => (): never => {
  throw new Error(`context.${name}() is not supported by the nodejs24.x runtime; return or throw instead`);
};

const contextOf = (request: InvokeRequest): Context => ({
  callbackWaitsForEmptyEventLoop: true,
  functionName: variable('AWS_LAMBDA_FUNCTION_NAME'),
  functionVersion: variable('AWS_LAMBDA_FUNCTION_VERSION'),
  invokedFunctionArn: request.invokedFunctionArn,
  memoryLimitInMB: variable('AWS_LAMBDA_FUNCTION_MEMORY_SIZE'),
  awsRequestId: request.requestId,
  logGroupName: variable('AWS_LAMBDA_LOG_GROUP_NAME'),
  logStreamName: variable('AWS_LAMBDA_LOG_STREAM_NAME'),
  getRemainingTimeInMillis: () => Math.max(0, request.deadlineMs - Date.now()),
  done: unsupported('done'),
  fail: unsupported('fail'),
  succeed: unsupported('succeed'),
});

const invoke = async (handler: Handler, request: InvokeRequest): Promise<RuntimeMessage> => {
  // Per invocation, as the Node.js runtime sets it: the X-Ray SDK rebuilds its facade segment from it.
  process.env._X_AMZN_TRACE_ID = request.traceHeader;
  const startedAt = epochMs();
  const settle = (
    message:
      | { readonly type: 'result'; readonly result: string }
      | { readonly type: 'error'; readonly error: ErrorPayload },
  ): RuntimeMessage => ({
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

let handler: Handler | undefined;
try {
  handler = await load();
} catch (error) {
  post({ type: 'init-error', error: toErrorPayload(error), failedAt: epochMs() });
}
/** What a parked environment can give back (`--expose-gc` is one of Lambda's flags). */
const releaseMemory = fullCollection() ?? (() => {});

if (handler) {
  const loaded = handler;
  process.on('message', (message: RunnerMessage) => {
    if (message.type === 'parked') releaseMemory();
    else void invoke(loaded, message).then(post);
  });
  // The process is killed, never exits: the handler's compiled code is written for the next one now.
  flushCompileCache();
  post({ type: 'ready', loadedAt: epochMs() });
}
