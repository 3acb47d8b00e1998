import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsApiError } from '../http/aws-api-error';
import { sendJsonReply } from '../http/json-reply';
import { type RequestHandler, readBodyWithin } from '../http/proxy';
import { FunctionError, MAX_REQUEST_BYTES } from '../lambda/invoke-errors';
import { AsyncInvocations, type AsyncInvocationsOptions, MAX_ASYNC_PAYLOAD_BYTES } from './async-invocations';
import { type CodeDigest, digestOf } from './code-digest';

/** What the local Lambda API knows of a deployed function: the deploy step's fields. */
export interface DeployedFunction {
  readonly name: string;
  readonly arn: string;
  readonly runtime: string;
  readonly handler: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly environment: Readonly<Record<string, string>>;
  readonly tracing: 'Active' | 'PassThrough';
  /** The unzipped deployment package: CodeSize and CodeSha256 are computed over it. */
  readonly codeDirectory: string;
  /** `Architectures` as the template says (functions run on this machine's either way). @default ['x86_64'] */
  readonly architectures?: readonly string[];
  readonly deadLetterQueueArn?: string;
}

export interface LocalLambdaApiOptions
  extends Pick<AsyncInvocationsOptions, 'sendToQueue' | 'retryDelaysMs'> {
  /** Runs a function synchronously: the local Lambda runner's `invoke`. */
  readonly invoke: (arn: string, payload: unknown, options: { traceHeader?: string }) => Promise<unknown>;
  readonly logger?: Pick<Console, 'warn'>;
}

/** A refused Lambda API call, as the SDK reads it (`x-amzn-errortype`, HTTP status). */
export class LambdaApiError extends AwsApiError {}

const API_PREFIX = '/2015-03-31/functions';
const DEFAULT_PAGE = 50;

const notFound = (functionName: string): LambdaApiError =>
  new LambdaApiError('ResourceNotFoundException', `Function not found: ${functionName}`, 404);

/** Lambda prints LastModified as `2026-12-07T02:13:30.077+0000`. */
const lastModified = (date: Date): string => date.toISOString().replace('Z', '+0000');

/** Status of the Lambda service errors the runner names `Lambda.<Exception>`. */
const SERVICE_STATUS: Readonly<Record<string, number>> = {
  ResourceNotFoundException: 404,
  RequestTooLargeException: 413,
  TooManyRequestsException: 429,
  InvalidRequestContentException: 400,
};

interface Registered {
  readonly fn: DeployedFunction;
  readonly modified: Date;
  readonly revisionId: string;
  digest?: Promise<CodeDigest>;
}

/**
 * The Lambda API of the local cloud over the deployed functions (REST-JSON, `lambda` on the gateway):
 * `GetFunctionConfiguration`, `GetFunction`, `ListFunctions` and `Invoke` (`RequestResponse`, `Event`
 * with Lambda's asynchronous retries and dead-letter queue, `DryRun`), so `aws lambda invoke` and the
 * SDK's `LambdaClient` work against the local endpoint. Only `$LATEST` exists; signatures are not checked.
 */
export class LocalLambdaApi {
  readonly #options: LocalLambdaApiOptions;
  readonly #functions = new Map<string, Registered>();
  readonly #async: AsyncInvocations;

  constructor(options: LocalLambdaApiOptions) {
    this.#options = options;
    this.#async = new AsyncInvocations({
      invoke: options.invoke,
      sendToQueue: options.sendToQueue,
      ...(options.retryDelaysMs ? { retryDelaysMs: options.retryDelaysMs } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    });
  }

  /** Adds a deployed function (the deployer calls it next to the runner's `register`). */
  register(fn: DeployedFunction): void {
    this.#functions.set(fn.name, { fn, modified: new Date(), revisionId: randomUUID() });
  }

  /** The function a `FunctionName` (name, ARN or partial ARN, optionally `:$LATEST`) names. */
  find(functionName: string): DeployedFunction {
    return this.#registered(functionName).fn;
  }

  /**
   * Queues an asynchronous invocation, as `Invoke` with `InvocationType: Event` does: rejects only when
   * Lambda would refuse the call (no such function, payload over 1 MB), never for what the function does.
   */
  async invokeAsync(functionName: string, payload: string, traceHeader?: string): Promise<string> {
    const { fn } = this.#registered(functionName);
    if (Buffer.byteLength(payload) > MAX_ASYNC_PAYLOAD_BYTES) {
      throw new LambdaApiError(
        'RequestTooLargeException',
        `Request must be smaller than ${MAX_ASYNC_PAYLOAD_BYTES} bytes for the InvokeAsync operation`,
        413,
      );
    }
    return this.#async.enqueue(fn, this.#parsePayload(payload), traceHeader);
  }

  /** Resolves when no asynchronous invocation is queued or running. */
  idle(): Promise<void> {
    return this.#async.idle();
  }

  stop(): Promise<void> {
    return this.#async.stop();
  }

  async configuration(functionName: string): Promise<Record<string, unknown>> {
    const registered = this.#registered(functionName);
    const { fn } = registered;
    registered.digest ??= digestOf(fn.codeDirectory);
    const digest = await registered.digest;
    return {
      FunctionName: fn.name,
      FunctionArn: fn.arn,
      Runtime: fn.runtime,
      Handler: fn.handler,
      CodeSize: digest.size,
      CodeSha256: digest.sha256,
      Timeout: fn.timeoutSeconds,
      MemorySize: fn.memoryMb,
      LastModified: lastModified(registered.modified),
      Version: '$LATEST',
      Environment: { Variables: { ...fn.environment } },
      TracingConfig: { Mode: fn.tracing },
      RevisionId: registered.revisionId,
      State: 'Active',
      LastUpdateStatus: 'Successful',
      PackageType: 'Zip',
      Architectures: [...(fn.architectures ?? ['x86_64'])],
      ...(fn.deadLetterQueueArn ? { DeadLetterConfig: { TargetArn: fn.deadLetterQueueArn } } : {}),
    };
  }

  readonly handler: RequestHandler = (request, response) => {
    this.#handle(request, response).catch((error: unknown) => {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      if (error instanceof LambdaApiError) sendError(response, error);
      else {
        this.#options.logger?.warn(
          `local Lambda API: ${request.method} ${request.url} failed: ${String(error)}`,
        );
        sendError(response, new LambdaApiError('ServiceException', 'Internal error', 500));
      }
    });
  };

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://lambda.local');
    const path = url.pathname.replace(/\/+$/, '');
    const method = request.method ?? 'GET';
    const match = /^\/2015-03-31\/functions\/([^/]+)(?:\/(configuration|invocations))?$/.exec(path);
    const qualifier = url.searchParams.get('Qualifier');
    if (qualifier !== null && qualifier !== '$LATEST') {
      request.resume();
      throw notFound(`${decodeURIComponent(match?.[1] ?? '')}:${qualifier}`);
    }
    if (path === API_PREFIX && method === 'GET') {
      request.resume();
      return sendJsonReply(response, 200, await this.#list(url.searchParams));
    }
    if (match?.[1] !== undefined) {
      const functionName = decodeURIComponent(match[1]);
      if (match[2] === 'configuration' && method === 'GET') {
        request.resume();
        return sendJsonReply(response, 200, await this.configuration(functionName));
      }
      if (match[2] === undefined && method === 'GET') {
        request.resume();
        const fn = this.find(functionName);
        return sendJsonReply(response, 200, {
          Configuration: await this.configuration(functionName),
          Code: { RepositoryType: 'S3', Location: `file://${fn.codeDirectory}` },
        });
      }
      if (match[2] === 'invocations' && method === 'POST')
        return this.#invoke(functionName, request, response);
    }
    request.resume();
    throw new LambdaApiError(
      'UnknownOperationException',
      `The local Lambda API does not answer ${method} ${url.pathname} (it answers GetFunctionConfiguration, GetFunction, ListFunctions and Invoke)`,
      404,
    );
  }

  async #list(query: URLSearchParams) {
    const names = [...this.#functions.keys()].sort();
    const marker = query.get('Marker');
    const start = marker === null ? 0 : names.findIndex((name) => name > marker);
    const maxItems = Math.min(
      Math.max(Number(query.get('MaxItems') ?? DEFAULT_PAGE) || DEFAULT_PAGE, 1),
      10_000,
    );
    const page = start < 0 ? [] : names.slice(start, start + maxItems);
    const last = page.at(-1);
    return {
      Functions: await Promise.all(page.map((name) => this.configuration(name))),
      ...(last !== undefined && last !== names.at(-1) ? { NextMarker: last } : {}),
    };
  }

  async #invoke(functionName: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const { fn } = this.#registered(functionName);
    const body = await readBodyWithin(request, MAX_REQUEST_BYTES);
    if (body === undefined) {
      throw new LambdaApiError(
        'RequestTooLargeException',
        `Request must be smaller than ${MAX_REQUEST_BYTES} bytes for the InvokeFunction operation`,
        413,
      );
    }
    const invocationType = header(request, 'x-amz-invocation-type') || 'RequestResponse';
    const traceHeader = header(request, 'x-amzn-trace-id') || undefined;
    const text = body.toString('utf8');
    const payload = this.#parsePayload(text);
    switch (invocationType) {
      case 'DryRun':
        response.writeHead(204, { 'x-amzn-requestid': randomUUID() });
        response.end();
        return;
      case 'Event': {
        const requestId = await this.invokeAsync(fn.arn, text === '' ? '{}' : text, traceHeader);
        response.writeHead(202, { 'x-amzn-requestid': requestId, 'content-length': 0 });
        response.end();
        return;
      }
      case 'RequestResponse':
        break;
      default:
        throw new LambdaApiError(
          'InvalidParameterValueException',
          `InvocationType ${invocationType} is not one of RequestResponse, Event, DryRun`,
          400,
        );
    }
    let result: unknown;
    try {
      result = await this.#options.invoke(fn.arn, payload, traceHeader ? { traceHeader } : {});
    } catch (error) {
      if (error instanceof FunctionError) {
        sendJsonReply(response, 200, error.toJSON(), {
          'x-amz-function-error': 'Unhandled',
          'x-amz-executed-version': '$LATEST',
        });
        return;
      }
      const exception = error instanceof Error ? error.name.replace(/^Lambda\./, '') : '';
      const status = SERVICE_STATUS[exception];
      if (status !== undefined) throw new LambdaApiError(exception, (error as Error).message, status);
      throw error;
    }
    sendJsonReply(response, 200, result ?? null, { 'x-amz-executed-version': '$LATEST' });
  }

  #parsePayload(text: string): unknown {
    if (text.trim() === '') return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new LambdaApiError(
        'InvalidRequestContentException',
        `Could not parse request body into json: ${(error as Error).message}`,
        400,
      );
    }
  }

  #registered(functionName: string): Registered {
    // A name, `name:qualifier`, `<account>:function:name[:qualifier]` or the full ARN.
    const parts = /^(?:arn:[^:]+:lambda:[^:]*:)?(?:\d{12}:)?(?:function:)?([^:]+)(?::(.+))?$/.exec(
      functionName,
    );
    const registered = parts?.[1] === undefined ? undefined : this.#functions.get(parts[1]);
    const qualifier = parts?.[2];
    if (!registered || (qualifier !== undefined && qualifier !== '$LATEST')) {
      throw notFound(registered ? functionName : this.#arnFor(functionName));
    }
    return registered;
  }

  /** Lambda's not-found message names the full ARN it looked for. */
  #arnFor(functionName: string): string {
    if (functionName.startsWith('arn:')) return functionName;
    const any = this.#functions.values().next().value;
    const prefix = any ? any.fn.arn.slice(0, any.fn.arn.lastIndexOf(':') + 1) : '';
    return `${prefix}${functionName.replace(/^(\d{12}:)?function:/, '')}`;
  }
}

const header = (request: IncomingMessage, name: string): string => {
  const value = request.headers[name];
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
};

const sendError = (response: ServerResponse, error: LambdaApiError): void =>
  sendJsonReply(
    response,
    error.status,
    { Type: error.status >= 500 ? 'Service' : 'User', message: error.message },
    { 'x-amzn-errortype': error.name },
  );
