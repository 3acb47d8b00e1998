import { Hono, type MiddlewareHandler } from 'hono';
import type { ConsoleConfig, QueueName } from '../shared/api';
import type { BrowserBundle } from './bundle';
import { contentSecurityPolicy, FAVICON_SVG, indexHtml } from './page';
import { type ErrorLog, problemResponse } from './problems';
import { QueryApi } from './query-api';
import { documentRoutes } from './routes/documents';
import { executionRoutes } from './routes/executions';
import { queueRoutes } from './routes/queues';
import { traceRoutes } from './routes/traces';
import type { SignedFetch } from './signed-fetch';
import { type AwsClients, type ConsoleTarget, targetOutput } from './target';

export interface ConsoleAppOptions {
  readonly target: ConsoleTarget;
  readonly clients: AwsClients;
  /** Signed requests to the query API. */
  readonly queryApi: SignedFetch;
  readonly bundle: BrowserBundle;
  /** How often pages poll. @default 2000 */
  readonly pollIntervalMs?: number;
  /** @default stderr */
  readonly log?: ErrorLog;
}

/** Host names the console answers to: it listens on 127.0.0.1 only. */
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

const hostnameOf = (host: string): string => host.replace(/:\d+$/, '').toLowerCase();

/**
 * The server holds the user's AWS credentials, so two checks keep other web pages from using it:
 * a Host that is not a loopback name (a DNS-rebinding page) is refused, and a request that changes
 * something (POST) must come from the console's own origin with a JSON body, which a cross-site form
 * cannot send.
 */
const localOnly: MiddlewareHandler = async (c, next) => {
  const host = c.req.header('host') ?? '';
  if (!LOCAL_HOSTS.has(hostnameOf(host))) {
    return problemResponse(403, 'Forbidden', 'the docflow console answers only at 127.0.0.1 or localhost');
  }
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
    const origin = c.req.header('origin');
    const json = (c.req.header('content-type') ?? '').split(';')[0]?.trim() === 'application/json';
    if (origin !== `http://${host}` || !json) {
      return problemResponse(403, 'Forbidden', 'changes are accepted only from the console page itself');
    }
  }
  await next();
};

const storageOriginsOf = (target: ConsoleTarget): string[] =>
  target.endpoint === undefined ? ['https://*.amazonaws.com'] : [new URL(target.endpoint).origin];

/**
 * The console's HTTP surface: the page and its bundle, and `/api/…`, the narrow JSON endpoints the app
 * reads (the query API, Step Functions, X-Ray, SQS), each calling AWS with the server's credentials.
 */
export const createConsoleApp = (options: ConsoleAppOptions): Hono => {
  const { target, clients, bundle } = options;
  const log: ErrorLog = options.log ?? ((message, error) => console.error(message, error));
  const stateMachineArn = targetOutput(target, 'StateMachineArn');
  const csp = contentSecurityPolicy(storageOriginsOf(target));
  const html = indexHtml({ bundle, storageOrigins: storageOriginsOf(target) });
  const queueUrls: Partial<Record<QueueName, string>> = {
    ...(target.outputs.FailedDocumentsQueueUrl
      ? { 'failed-documents': target.outputs.FailedDocumentsQueueUrl }
      : {}),
    ...(target.outputs.IngestDeadLetterQueueUrl
      ? { 'ingest-dead-letter': target.outputs.IngestDeadLetterQueueUrl }
      : {}),
  };
  const config: ConsoleConfig = {
    kind: target.kind,
    description: target.description,
    region: target.region,
    stateMachineArn,
    pollIntervalMs: options.pollIntervalMs ?? 2000,
  };

  const app = new Hono();
  app.use(localOnly);
  app.use(async (c, next) => {
    await next();
    c.res.headers.set('content-security-policy', csp);
    c.res.headers.set('x-content-type-options', 'nosniff');
    // Presigned URLs must not leak to other sites through Referer.
    c.res.headers.set('referrer-policy', 'no-referrer');
    c.res.headers.set('x-frame-options', 'DENY');
  });

  app.get('/', (c) => c.html(html, 200, { 'cache-control': 'no-cache' }));
  app.get('/favicon.svg', (c) => c.body(FAVICON_SVG, 200, { 'content-type': 'image/svg+xml' }));
  app.get('/assets/:name', (c) => {
    const asset = bundle.assets.get(c.req.param('name'));
    if (!asset) return problemResponse(404, 'Not Found', 'no such asset');
    return c.body(asset.body.slice(), 200, {
      'content-type': asset.contentType,
      'cache-control': 'public, max-age=31536000, immutable',
    });
  });

  const api = new Hono();
  api.get('/config', (c) => c.json(config, 200, { 'cache-control': 'no-store' }));
  const description = target.description;
  api.route(
    '/',
    documentRoutes({
      api: new QueryApi(target.apiUrl, options.queryApi),
      uploadsBucket: targetOutput(target, 'UploadsBucketName'),
      log,
    }),
  );
  api.route('/', executionRoutes({ sfn: clients.sfn, stateMachineArn, description, log }));
  api.route('/', traceRoutes({ xray: clients.xray, description, log }));
  api.route('/', queueRoutes({ sqs: clients.sqs, sfn: clients.sfn, queueUrls, description, log }));
  api.all('*', (c) => problemResponse(404, 'Not Found', `no console endpoint ${c.req.method} ${c.req.path}`));
  app.route('/api', api);

  app.notFound(() => problemResponse(404, 'Not Found', 'no such page: the console’s pages live under /#/'));
  app.onError((error) => {
    log('console: unexpected error', error);
    return problemResponse(500, 'Internal Server Error', 'the console server failed; its log says why');
  });
  return app;
};
