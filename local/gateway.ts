import type { IncomingMessage, ServerResponse } from 'node:http';
import { serveHttp } from './http/listen';
import type { RequestHandler } from './http/proxy';

/**
 * The local services mounted on the gateway, keyed by the service name SigV4 signs with
 * (`s3`, `sqs`, `sns`, `dynamodb`, `states`, `textract`, `secretsmanager`, `sts`, …).
 */
export type ServiceRoutes = Readonly<Record<string, RequestHandler>>;

/** LocalStack's port: the one users' tools and muscle memory already point at. */
export const DEFAULT_GATEWAY_PORT = 4566;

/** What the gateway is called in port errors (`PortInUseError`). */
export const GATEWAY_SERVICE = 'the AWS endpoint';

/**
 * Services of unsigned requests, by `X-Amz-Target` prefix (the JSON protocols name the service there).
 * Signed requests never need it: their credential scope names the service.
 */
const TARGET_PREFIXES: readonly (readonly [string, string])[] = [
  ['DynamoDB_', 'dynamodb'],
  ['AWSStepFunctions.', 'states'],
  ['Textract.', 'textract'],
  ['secretsmanager.', 'secretsmanager'],
  ['AmazonSQS.', 'sqs'],
];

const first = (value: string | string[] | undefined): string =>
  Array.isArray(value) ? (value[0] ?? '') : (value ?? '');

/**
 * The service a request is for: the SigV4 credential scope's service
 * (`Credential=AKID/20260101/us-east-1/<service>/aws4_request`, in the Authorization header or, for a
 * presigned URL, the `X-Amz-Credential` query parameter); S3 for SigV2; otherwise the `X-Amz-Target`
 * prefix; and S3 when nothing says (anonymous GETs, browser POST uploads).
 */
export const serviceOf = (request: Pick<IncomingMessage, 'headers' | 'url'>): string => {
  const authorization = first(request.headers.authorization);
  const scoped = /Credential=[^/\s,]+\/\d{8}\/[^/\s,]+\/([^/\s,]+)\/aws4_request/.exec(authorization)?.[1];
  if (scoped) return scoped;
  if (authorization.startsWith('AWS ')) return 's3';
  const query = new URL(request.url ?? '/', 'http://gateway.local').searchParams;
  const presigned = query.get('X-Amz-Credential')?.split('/')[3];
  if (presigned) return presigned;
  if (query.has('AWSAccessKeyId')) return 's3';
  const target = first(request.headers['x-amz-target']);
  return TARGET_PREFIXES.find(([prefix]) => target.startsWith(prefix))?.[1] ?? 's3';
};

const sendError = (response: ServerResponse, status: number, type: string, message: string): void => {
  const body = JSON.stringify({ __type: type, message });
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
};

/** Routes each request to the service it is for (see {@link serviceOf}); unknown services get a 501 naming them. */
export const createGatewayHandler =
  (routes: ServiceRoutes, onRequest?: () => void): RequestHandler =>
  (request, response) => {
    onRequest?.();
    const service = serviceOf(request);
    const route = routes[service];
    if (!route) {
      request.resume();
      sendError(
        response,
        501,
        'NotImplemented',
        `The local cloud does not run the "${service}" service (it runs: ${Object.keys(routes).sort().join(', ')})`,
      );
      return;
    }
    try {
      route(request, response);
    } catch (error) {
      if (response.headersSent) response.destroy();
      else
        sendError(response, 500, 'InternalFailure', `the local ${service} service failed: ${String(error)}`);
    }
  };

export interface GatewayOptions {
  readonly routes: ServiceRoutes;
  /** @default 4566; 0 picks a free port */
  readonly port?: number;
  /** @default '127.0.0.1': the local cloud is never reachable from the network */
  readonly host?: string;
  /** Called as each request comes in, before it is routed. */
  readonly onRequest?: () => void;
}

/** A listening gateway: give `endpoint` to SDKs (`AWS_ENDPOINT_URL`) and to `aws --endpoint-url`. */
export interface RunningGateway {
  readonly endpoint: string;
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * Starts the one endpoint for every local AWS service.
 *
 * @throws PortInUseError when the port is taken (LocalStack and other local clouds use 4566 too)
 */
export const startGateway = async (options: GatewayOptions): Promise<RunningGateway> => {
  const host = options.host ?? '127.0.0.1';
  // Idle SDK connections outlive Node's 5 s default; a longer timeout spares them the reset of a
  // socket the server closed just as the client reused it.
  return serveHttp(
    createGatewayHandler(options.routes, options.onRequest),
    { port: options.port ?? DEFAULT_GATEWAY_PORT, host, service: GATEWAY_SERVICE },
    { keepAliveTimeout: 75_000 },
  );
};
