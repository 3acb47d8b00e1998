import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { serveHttp } from '../http/listen';
import type { SegmentSink } from '../xray/trace-header';
import { anonymousIdentity } from './anonymous-identity';
import { type StageOutcome, traceStageRequest } from './stage-trace';

/** The account the local API reports in request contexts and segments. */
const ACCOUNT_ID = '000000000000';

/** What the query API is called in port errors (`PortInUseError`). */
export const REST_API_SERVICE = 'the query API';

/** One method of the REST API, as the template declares it: a resource path and its Lambda. */
export interface ApiRoute {
  readonly httpMethod: string;
  /** The API Gateway resource path, e.g. `/documents/{id}`. */
  readonly path: string;
  readonly functionArn: string;
}

/**
 * Invokes a function with an event; rejects when the function fails. `traceHeader` is the X-Ray header
 * API Gateway passes to Lambda when the stage is traced.
 */
export type ProxyInvoker = (
  functionArn: string,
  event: APIGatewayProxyEvent,
  options: { readonly traceHeader?: string },
) => Promise<unknown>;

export interface RestApiServerOptions {
  readonly routes: readonly ApiRoute[];
  readonly invoke: ProxyInvoker;
  /** The stage name that prefixes every path, as in the deployed API's URL. */
  readonly stage: string;
  readonly apiId: string;
  readonly region: string;
  readonly port?: number;
  /**
   * Where the stage's X-Ray segments go when its `TracingEnabled` is true: requests are then traced as
   * API Gateway traces them. @default not traced
   */
  readonly segments?: SegmentSink;
}

export interface RestApiServer {
  /** Base URL including the stage, ending in `/`, like the deployed `ApiUrl` output. */
  readonly url: string;
  stop(): Promise<void>;
}

interface MatchedRoute {
  readonly route: ApiRoute;
  readonly pathParameters: Record<string, string>;
}

const segmentsOf = (path: string): string[] => path.split('/').filter((segment) => segment !== '');

/** Matches a still-encoded request path against the resource paths, literal segments first. */
export const matchRoute = (
  routes: readonly ApiRoute[],
  method: string,
  path: string,
): MatchedRoute | undefined => {
  const requestSegments = segmentsOf(path);
  const candidates = routes
    .filter((route) => route.httpMethod === method || route.httpMethod === 'ANY')
    .map((route) => ({ route, segments: segmentsOf(route.path) }))
    .filter(({ segments }) => segments.length === requestSegments.length)
    .sort(
      (a, b) =>
        a.segments.filter((s) => s.startsWith('{')).length -
        b.segments.filter((s) => s.startsWith('{')).length,
    );
  for (const { route, segments } of candidates) {
    const pathParameters: Record<string, string> = {};
    const matches = segments.every((segment, index) => {
      const actual = requestSegments[index] ?? '';
      if (segment.startsWith('{') && segment.endsWith('}')) {
        try {
          pathParameters[segment.slice(1, -1)] = decodeURIComponent(actual);
        } catch {
          pathParameters[segment.slice(1, -1)] = actual;
        }
        return true;
      }
      return segment === actual;
    });
    if (matches) return { route, pathParameters };
  }
  return undefined;
};

const readBody = async (request: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

/** Builds the REST API proxy event API Gateway hands a Lambda integration. */
export const proxyEvent = (
  request: IncomingMessage,
  url: URL,
  path: string,
  matched: MatchedRoute,
  body: Buffer,
  options: Pick<RestApiServerOptions, 'stage' | 'apiId'>,
  requestId: string = randomUUID(),
): APIGatewayProxyEvent => {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let index = 0; index < request.rawHeaders.length; index += 2) {
    const name = request.rawHeaders[index] ?? '';
    const value = request.rawHeaders[index + 1] ?? '';
    headers[name] = value;
    multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), value];
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) {
    query[name] = value;
    multiQuery[name] = [...(multiQuery[name] ?? []), value];
  }
  const hasQuery = Object.keys(query).length > 0;
  const now = new Date();
  const sourceIp = request.socket.remoteAddress ?? '127.0.0.1';
  return {
    resource: matched.route.path,
    path,
    httpMethod: request.method ?? 'GET',
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: Object.keys(matched.pathParameters).length > 0 ? matched.pathParameters : null,
    stageVariables: null,
    body: body.length > 0 ? body.toString('utf8') : null,
    isBase64Encoded: false,
    requestContext: {
      accountId: ACCOUNT_ID,
      apiId: options.apiId,
      authorizer: null,
      domainName: request.headers.host ?? '127.0.0.1',
      httpMethod: request.method ?? 'GET',
      identity: anonymousIdentity(sourceIp, request.headers['user-agent'] ?? null),
      path: `/${options.stage}${path}`,
      protocol: `HTTP/${request.httpVersion}`,
      requestId,
      requestTimeEpoch: now.getTime(),
      resourceId: 'local',
      resourcePath: matched.route.path,
      stage: options.stage,
    },
  };
};

/** API Gateway hands the integration its own trace header, in place of the client's. */
const withTraceHeader = (event: APIGatewayProxyEvent, header: string): void => {
  for (const name of Object.keys(event.headers)) {
    if (name.toLowerCase() === 'x-amzn-trace-id') delete event.headers[name];
  }
  for (const name of Object.keys(event.multiValueHeaders)) {
    if (name.toLowerCase() === 'x-amzn-trace-id') delete event.multiValueHeaders[name];
  }
  event.headers['X-Amzn-Trace-Id'] = header;
  event.multiValueHeaders['X-Amzn-Trace-Id'] = [header];
};

const send = (
  response: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void => {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(body);
};

const isProxyResult = (value: unknown): value is APIGatewayProxyResult =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { statusCode?: unknown }).statusCode === 'number';

/**
 * Serves a REST API the way API Gateway's Lambda proxy integration does: the stage prefixes every
 * path, unknown routes answer 403 "Missing Authentication Token" (as API Gateway does before any
 * Lambda runs), and a failing or malformed function answers 502.
 *
 * IAM authorization is not checked locally: there are no IAM principals on one machine.
 *
 * @throws PortInUseError when `port` is taken
 */
export const startRestApiServer = async (options: RestApiServerOptions): Promise<RestApiServer> => {
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://local');
    const [stage, ...rest] = url.pathname.split('/').slice(1);
    const path = `/${rest.join('/')}`;
    const requestId = randomUUID();
    const trace = options.segments
      ? traceStageRequest(
          {
            apiId: options.apiId,
            stage: options.stage,
            region: options.region,
            accountId: ACCOUNT_ID,
            requestId,
            method: request.method ?? 'GET',
            url: `http://${request.headers.host ?? '127.0.0.1'}${url.pathname}`,
            clientIp: request.socket.remoteAddress ?? '127.0.0.1',
            ...(request.headers['user-agent'] ? { userAgent: request.headers['user-agent'] } : {}),
            ...(typeof request.headers['x-amzn-trace-id'] === 'string'
              ? { traceHeader: request.headers['x-amzn-trace-id'] }
              : {}),
          },
          options.segments,
        )
      : undefined;
    const traced: Record<string, string> = trace ? { 'x-amzn-trace-id': trace.responseHeader } : {};
    const finish = (outcome: StageOutcome): void => trace?.finish(outcome);
    const matched =
      stage === options.stage ? matchRoute(options.routes, request.method ?? 'GET', path) : undefined;
    if (!matched) {
      send(response, 403, JSON.stringify({ message: 'Missing Authentication Token' }), {
        'x-amzn-errortype': 'MissingAuthenticationTokenException',
        ...traced,
      });
      finish({ status: 403 });
      return;
    }
    const event = proxyEvent(request, url, path, matched, await readBody(request), options, requestId);
    if (trace) withTraceHeader(event, trace.integrationHeader);
    const invokedAt = Date.now();
    const integration = (status: number) => ({
      functionArn: matched.route.functionArn,
      startedAt: invokedAt,
      endedAt: Date.now(),
      status,
    });
    let result: unknown;
    try {
      result = await options.invoke(
        matched.route.functionArn,
        event,
        trace ? { traceHeader: trace.integrationHeader } : {},
      );
    } catch (error) {
      // API Gateway logs nothing of it either, but the function's log group would: say it once.
      console.warn(
        `query API: ${request.method} ${request.url} failed in ${matched.route.functionArn.split(':').at(-1)}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
      );
      // A function error is an Invoke answered 200; a refusal by the Lambda service carries its own status.
      const name = error instanceof Error ? error.name : '';
      const invokeStatus =
        name === 'Lambda.TooManyRequestsException' ? 429 : name.startsWith('Lambda.') ? 500 : 200;
      send(response, 502, JSON.stringify({ message: 'Internal server error' }), traced);
      finish({ status: 502, integration: integration(invokeStatus) });
      return;
    }
    if (!isProxyResult(result)) {
      send(response, 502, JSON.stringify({ message: 'Internal server error' }), traced);
      finish({ status: 502, integration: integration(200) });
      return;
    }
    const headers: Record<string, string | string[]> = { ...(result.multiValueHeaders ?? {}) } as Record<
      string,
      string[]
    >;
    for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
    response.writeHead(result.statusCode, { ...headers, ...traced });
    response.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
    finish({ status: result.statusCode, integration: integration(200) });
  };

  const served = await serveHttp(
    (request, response) => {
      handle(request, response).catch(() => {
        if (!response.headersSent) send(response, 500, JSON.stringify({ message: 'Internal server error' }));
        else response.destroy();
      });
    },
    { port: options.port ?? 0, host: '127.0.0.1', service: REST_API_SERVICE },
  );
  return { url: `${served.endpoint}/${options.stage}/`, stop: served.stop };
};
