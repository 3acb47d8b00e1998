import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { listenOn } from '../http/listen';

/** What the query API is called in port errors (`PortInUseError`). */
export const REST_API_SERVICE = 'the query API';

/** One method of the REST API, as the template declares it: a resource path and its Lambda. */
export interface ApiRoute {
  readonly httpMethod: string;
  /** The API Gateway resource path, e.g. `/documents/{id}`. */
  readonly path: string;
  readonly functionArn: string;
}

/** Invokes a function with an event; rejects when the function fails. */
export type ProxyInvoker = (functionArn: string, event: APIGatewayProxyEvent) => Promise<unknown>;

export interface RestApiServerOptions {
  readonly routes: readonly ApiRoute[];
  readonly invoke: ProxyInvoker;
  /** The stage name that prefixes every path, as in the deployed API's URL. */
  readonly stage: string;
  readonly apiId: string;
  readonly region: string;
  readonly port?: number;
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
      accountId: '000000000000',
      apiId: options.apiId,
      authorizer: null,
      domainName: request.headers.host ?? '127.0.0.1',
      httpMethod: request.method ?? 'GET',
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp,
        user: null,
        userAgent: request.headers['user-agent'] ?? null,
        userArn: null,
      },
      path: `/${options.stage}${path}`,
      protocol: `HTTP/${request.httpVersion}`,
      requestId: randomUUID(),
      requestTimeEpoch: now.getTime(),
      resourceId: 'local',
      resourcePath: matched.route.path,
      stage: options.stage,
    },
  };
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
    const matched =
      stage === options.stage ? matchRoute(options.routes, request.method ?? 'GET', path) : undefined;
    if (!matched) {
      send(response, 403, JSON.stringify({ message: 'Missing Authentication Token' }), {
        'x-amzn-errortype': 'MissingAuthenticationTokenException',
      });
      return;
    }
    const event = proxyEvent(request, url, path, matched, await readBody(request), options);
    let result: unknown;
    try {
      result = await options.invoke(matched.route.functionArn, event);
    } catch {
      send(response, 502, JSON.stringify({ message: 'Internal server error' }));
      return;
    }
    if (!isProxyResult(result)) {
      send(response, 502, JSON.stringify({ message: 'Internal server error' }));
      return;
    }
    const headers: Record<string, string | string[]> = { ...(result.multiValueHeaders ?? {}) } as Record<
      string,
      string[]
    >;
    for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
    response.writeHead(result.statusCode, headers);
    response.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) send(response, 500, JSON.stringify({ message: 'Internal server error' }));
      else response.destroy();
    });
  });
  await listenOn(server, { port: options.port ?? 0, host: '127.0.0.1', service: REST_API_SERVICE });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/${options.stage}/`,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
};
