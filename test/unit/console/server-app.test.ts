import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  DescribeStateMachineForExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { BatchGetTracesCommand, XRayClient } from '@aws-sdk/client-xray';
import { mockClient } from 'aws-sdk-client-mock';
import type { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createConsoleApp } from '../../../console/server/app';
import type { BrowserBundle } from '../../../console/server/bundle';
import type { SignedRequest } from '../../../console/server/signed-fetch';
import type { ConsoleTarget } from '../../../console/server/target';
import type { Problem } from '../../../console/shared/api';
import { documentId } from '../../../lambdas/shared/documents/document';

const ORIGIN = 'http://127.0.0.1:4568';
const MACHINE = 'arn:aws:states:us-east-1:000000000000:stateMachine:Docflow-dev-Workflow';
const EXECUTION = 'arn:aws:states:us-east-1:000000000000:execution:Docflow-dev-Workflow:report-pdf-0123';
const BUCKET = 'docflow-uploads';

const target: ConsoleTarget = {
  kind: 'local',
  description: 'the local cloud at http://127.0.0.1:4566',
  region: 'us-east-1',
  credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  endpoint: 'http://127.0.0.1:4566',
  apiUrl: 'http://127.0.0.1:4567/v1/',
  outputs: {
    StateMachineArn: MACHINE,
    UploadsBucketName: BUCKET,
    FailedDocumentsQueueUrl: 'http://sqs.us-east-1.localhost:4566/000000000000/failed',
  },
};

const bundle: BrowserBundle = {
  assets: new Map([
    ['app-ABC.js', { contentType: 'text/javascript; charset=utf-8', body: new TextEncoder().encode('1') }],
  ]),
  script: '/assets/app-ABC.js',
  stylesheet: '/assets/app-ABC.css',
};

const sfn = mockClient(SFNClient);
const sqs = mockClient(SQSClient);
const xray = mockClient(XRayClient);

/** The query API as the console sees it: each request recorded, answered by `answer`. */
let apiRequests: SignedRequest[];
let answer: (request: SignedRequest) => Response;
let logged: string[];
let app: Hono;

const json = (status: number, body: unknown): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const get = (path: string, headers: Record<string, string> = {}) =>
  app.request(`${ORIGIN}${path}`, { headers: { host: '127.0.0.1:4568', ...headers } });

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  app.request(`${ORIGIN}${path}`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { host: '127.0.0.1:4568', origin: ORIGIN, 'content-type': 'application/json', ...headers },
  });

const detail = (overrides: Record<string, unknown> = {}) => ({
  id: 'AAAAAAAAAAAAAAAAAAAAAA',
  bucket: BUCKET,
  key: 'incoming/report.pdf',
  version: 'v1',
  status: 'PROCESSED',
  uploadedAt: '2026-12-01T10:00:00.000Z',
  updatedAt: '2026-12-01T10:00:02.000Z',
  thumbnail: {
    width: 200,
    height: 256,
    contentType: 'image/webp',
    url: 'http://127.0.0.1:4566/d/t.webp?X-Amz-Signature=1',
  },
  text: null,
  original: { url: 'http://127.0.0.1:4566/u/report.pdf?X-Amz-Signature=2', filename: 'report.pdf' },
  execution: null,
  urlsExpireAt: '2026-12-01T11:00:00.000Z',
  ...overrides,
});

beforeEach(() => {
  sfn.reset();
  sqs.reset();
  xray.reset();
  apiRequests = [];
  logged = [];
  answer = () => json(200, { items: [], nextCursor: null });
  app = createConsoleApp({
    target,
    bundle,
    clients: { sfn: new SFNClient({}), sqs: new SQSClient({}), xray: new XRayClient({}), destroy: () => {} },
    queryApi: async (request) => {
      apiRequests.push(request);
      return answer(request);
    },
    log: (message) => logged.push(message),
  });
});

afterEach(() => {
  expect(logged).toEqual([]);
});

describe('the console server’s guard', () => {
  it('refuses a Host that is not a loopback name, as a DNS-rebinding page would send', async () => {
    // Act
    const response = await get('/api/config', { host: 'attacker.example:4568' });

    // Assess
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({
      detail: 'the docflow console answers only at 127.0.0.1 or localhost',
    });
  });

  it('refuses a change from another origin or without a JSON body, which a cross-site form could send', async () => {
    // Act
    const foreign = await post('/api/uploads', {}, { origin: 'https://attacker.example' });
    const form = await post('/api/uploads', {}, { 'content-type': 'application/x-www-form-urlencoded' });

    // Assess
    expect([foreign.status, form.status]).toEqual([403, 403]);
    expect(apiRequests).toEqual([]);
  });

  it('serves the page with a CSP that allows scripts from itself and images from the local S3 only', async () => {
    // Act
    const page = await get('/');
    const asset = await get('/assets/app-ABC.js');
    const missing = await get('/assets/nope.js');

    // Assess
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script type="module" src="/assets/app-ABC.js"></script>');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).toContain("img-src 'self' http://127.0.0.1:4566");
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect([asset.status, asset.headers.get('cache-control')]).toEqual([
      200,
      'public, max-age=31536000, immutable',
    ]);
    expect(missing.status).toBe(404);
  });
});

describe('the query API through the console', () => {
  it('passes the list filters on, and the API’s answer back with its status and problem details', async () => {
    // Prepare
    answer = () =>
      new Response(JSON.stringify({ title: 'Bad Request', status: 400, detail: 'bad type' }), {
        status: 400,
        headers: { 'content-type': 'application/problem+json' },
      });

    // Act
    const response = await get('/api/documents?status=PROCESSED&type=..&limit=5&extra=ignored');

    // Assess
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({ detail: 'bad type' });
    expect(apiRequests.map((request) => [request.method, request.url.href])).toEqual([
      ['GET', 'http://127.0.0.1:4567/v1/documents?status=PROCESSED&type=..&limit=5'],
    ]);
  });

  it('redirects to a fresh presigned URL of the thumbnail and the original, and says 404 for a deleted document', async () => {
    // Prepare
    answer = (request) =>
      request.url.pathname.endsWith('/GONEGONEGONEGONEGONEGO')
        ? json(200, detail({ status: 'DELETED', thumbnail: null, original: null, urlsExpireAt: null }))
        : json(200, detail());

    // Act
    const thumbnail = await get('/api/documents/AAAAAAAAAAAAAAAAAAAAAA/thumbnail?v=v1');
    const original = await get('/api/documents/AAAAAAAAAAAAAAAAAAAAAA/original');
    const deleted = await get('/api/documents/GONEGONEGONEGONEGONEGO/thumbnail?v=v1');

    // Assess
    expect([thumbnail.status, thumbnail.headers.get('location')]).toEqual([
      302,
      'http://127.0.0.1:4566/d/t.webp?X-Amz-Signature=1',
    ]);
    expect(original.headers.get('location')).toBe('http://127.0.0.1:4566/u/report.pdf?X-Amz-Signature=2');
    expect(deleted.status).toBe(404);
  });

  it('checks an upload request before signing it, and adds the document id to the ticket', async () => {
    // Prepare
    const key = 'incoming/uploads/2026-12-01/1234/report.pdf';
    answer = () =>
      json(200, {
        url: 'http://127.0.0.1:4566/docflow-uploads',
        fields: { key },
        key,
        expiresAt: '2026-12-01T11:00:00Z',
      });

    // Act
    const bad = await post('/api/uploads', { filename: '', contentType: 'application/pdf', size: -1 });
    const good = await post('/api/uploads', {
      filename: 'report.pdf',
      contentType: 'application/pdf',
      size: 10,
    });

    // Assess
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as Problem).errors?.map((error) => error.parameter)).toEqual([
      'filename',
      'size',
    ]);
    expect(good.status).toBe(201);
    expect(await good.json()).toMatchObject({ key, documentId: documentId(BUCKET, key) });
    expect(apiRequests).toHaveLength(1);
    expect(apiRequests[0]).toMatchObject({
      method: 'POST',
      body: '{"filename":"report.pdf","contentType":"application/pdf","size":10}',
    });
  });
});

describe('Step Functions through the console', () => {
  it('describes only executions of docflow’s state machine, with the trace id of its header', async () => {
    // Prepare
    sfn.on(DescribeExecutionCommand).resolves({
      executionArn: EXECUTION,
      stateMachineArn: MACHINE,
      name: 'report-pdf-0123',
      status: 'SUCCEEDED',
      startDate: new Date('2026-12-01T10:00:00Z'),
      stopDate: new Date('2026-12-01T10:00:02Z'),
      input: JSON.stringify({ document: { id: 'A'.repeat(22), key: 'incoming/report.pdf' } }),
      traceHeader: 'Root=1-6750a1b2-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1',
    });
    const other = 'arn:aws:states:us-east-1:000000000000:execution:SomeoneElses:run-1';

    // Act
    const own = await get(`/api/executions/${encodeURIComponent(EXECUTION)}`);
    const foreign = await get(`/api/executions/${encodeURIComponent(other)}`);
    const malformed = await get('/api/executions/not-an-arn');

    // Assess
    expect(await own.json()).toMatchObject({
      executionArn: EXECUTION,
      status: 'SUCCEEDED',
      startDate: '2026-12-01T10:00:00.000Z',
      stopDate: '2026-12-01T10:00:02.000Z',
      traceId: '1-6750a1b2-0123456789abcdef01234567',
      document: { kind: 'upload', id: 'A'.repeat(22), key: 'incoming/report.pdf' },
    });
    expect([foreign.status, malformed.status]).toEqual([400, 400]);
    expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(1);
  });

  it('reads the whole history with execution data, page by page, timestamps as ISO', async () => {
    // Prepare
    sfn
      .on(GetExecutionHistoryCommand)
      .resolvesOnce({
        events: [
          {
            id: 1,
            type: 'ExecutionStarted',
            timestamp: new Date('2026-12-01T10:00:00Z'),
            executionStartedEventDetails: { input: '{}' },
          },
        ],
        nextToken: 'page-2',
      })
      .resolvesOnce({
        events: [
          {
            id: 2,
            previousEventId: 1,
            type: 'TaskStateEntered',
            timestamp: new Date('2026-12-01T10:00:01Z'),
            stateEnteredEventDetails: { name: 'Inspect', input: '{}' },
          },
        ],
      });

    // Act
    const response = await get(`/api/executions/${encodeURIComponent(EXECUTION)}/history`);

    // Assess
    expect(await response.json()).toEqual({
      executionArn: EXECUTION,
      events: [
        {
          id: 1,
          type: 'ExecutionStarted',
          timestamp: '2026-12-01T10:00:00.000Z',
          executionStartedEventDetails: { input: '{}' },
        },
        {
          id: 2,
          previousEventId: 1,
          type: 'TaskStateEntered',
          timestamp: '2026-12-01T10:00:01.000Z',
          stateEnteredEventDetails: { name: 'Inspect', input: '{}' },
        },
      ],
    });
    const calls = sfn.commandCalls(GetExecutionHistoryCommand).map((call) => call.args[0].input);
    expect(calls).toEqual([
      { executionArn: EXECUTION, maxResults: 1000, includeExecutionData: true },
      { executionArn: EXECUTION, maxResults: 1000, includeExecutionData: true, nextToken: 'page-2' },
    ]);
  });

  it('lists executions with a status filter and refuses an unknown status', async () => {
    // Prepare
    sfn.on(ListExecutionsCommand).resolves({
      executions: [
        {
          executionArn: EXECUTION,
          stateMachineArn: MACHINE,
          name: 'report-pdf-0123',
          status: 'FAILED',
          startDate: new Date('2026-12-01T10:00:00Z'),
        },
      ],
    });

    // Act
    const list = await get('/api/executions?status=FAILED&limit=10');
    const bad = await get('/api/executions?status=BROKEN');

    // Assess
    expect(await list.json()).toEqual({
      items: [
        {
          executionArn: EXECUTION,
          name: 'report-pdf-0123',
          status: 'FAILED',
          startDate: '2026-12-01T10:00:00.000Z',
        },
      ],
      nextToken: null,
    });
    expect(sfn.commandCalls(ListExecutionsCommand)[0]?.args[0].input).toEqual({
      stateMachineArn: MACHINE,
      maxResults: 10,
      statusFilter: 'FAILED',
    });
    expect(bad.status).toBe(400);
  });

  it('serves the deployed definition, and an AWS error keeps its name and a fitting status', async () => {
    // Prepare
    sfn.on(DescribeStateMachineCommand).resolves({
      stateMachineArn: MACHINE,
      name: 'Docflow-dev-Workflow',
      type: 'STANDARD',
      definition: '{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}',
      tracingConfiguration: { enabled: true },
    });
    const missing = Object.assign(new Error('Execution Does Not Exist'), {
      name: 'ExecutionDoesNotExist',
      $metadata: {},
    });
    sfn.on(DescribeExecutionCommand).rejects(missing);

    // Act
    const machine = await get('/api/state-machine');
    const gone = await get(`/api/executions/${encodeURIComponent(EXECUTION)}`);

    // Assess
    expect(await machine.json()).toEqual({
      stateMachineArn: MACHINE,
      name: 'Docflow-dev-Workflow',
      type: 'STANDARD',
      definition: '{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}',
      tracingEnabled: true,
    });
    expect(gone.status).toBe(404);
    expect(await gone.json()).toMatchObject({
      title: 'ExecutionDoesNotExist',
      detail: 'Execution Does Not Exist',
    });
  });
});

describe('the executions list and redrive', () => {
  it('names each listed execution’s document from its input, describing an execution only once', async () => {
    // Prepare
    const deletion = `${EXECUTION.replace(/:[^:]+$/, ':deleted-report-pdf-9')}`;
    const listed = (executionArn: string, name: string) => ({
      executionArn,
      stateMachineArn: MACHINE,
      name,
      status: 'SUCCEEDED' as const,
      startDate: new Date('2026-12-01T10:00:00Z'),
    });
    sfn.on(ListExecutionsCommand).resolves({
      executions: [listed(EXECUTION, 'report-pdf-0123'), listed(deletion, 'deleted-report-pdf-9')],
    });
    sfn
      .on(DescribeExecutionCommand, { executionArn: EXECUTION })
      .resolves({ input: JSON.stringify({ document: { id: 'A'.repeat(22), key: 'incoming/report.pdf' } }) });
    sfn
      .on(DescribeExecutionCommand, { executionArn: deletion })
      .resolves({ input: JSON.stringify({ deletion: { id: 'A'.repeat(22), key: 'incoming/<b>.pdf' } }) });

    // Act
    const first = await get('/api/executions');
    const second = await get('/api/executions');

    // Assess
    const { items } = (await first.json()) as { items: { document?: unknown }[] };
    expect(items.map((item) => item.document)).toEqual([
      { kind: 'upload', id: 'A'.repeat(22), key: 'incoming/report.pdf' },
      { kind: 'deletion', id: 'A'.repeat(22), key: 'incoming/<b>.pdf' },
    ]);
    expect(await second.json()).toEqual({ items, nextToken: null });
    expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(2);
  });

  it('serves the definition an execution ran, for its graph', async () => {
    // Prepare
    sfn
      .on(DescribeStateMachineForExecutionCommand, { executionArn: EXECUTION })
      .resolves({ name: 'Docflow-dev-Workflow', definition: '{"StartAt":"A","States":{}}' });

    // Act
    const response = await get(`/api/executions/${encodeURIComponent(EXECUTION)}/definition`);
    const foreign = await get(
      `/api/executions/${encodeURIComponent(EXECUTION.replace('Docflow-dev', 'Other'))}/definition`,
    );

    // Assess
    expect(await response.json()).toMatchObject({
      name: 'Docflow-dev-Workflow',
      definition: '{"StartAt":"A","States":{}}',
    });
    expect(foreign.status).toBe(400);
  });

  it('runs only the failed-documents messages named, and refuses a body that names none', async () => {
    // Prepare
    const body = (name: string) =>
      JSON.stringify({
        input: { document: { key: `incoming/${name}.pdf` } },
        error: { Error: 'S3.NoSuchBucket', Cause: 'The specified bucket does not exist' },
        executionArn: `${EXECUTION}-${name}`,
      });
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({
        Messages: [
          { MessageId: 'one', ReceiptHandle: 'r-one', Body: body('one') },
          { MessageId: 'two', ReceiptHandle: 'r-two', Body: body('two') },
        ],
      })
      .resolves({ Messages: [] });
    sfn.on(GetExecutionHistoryCommand).resolves({
      events: [
        { id: 2, type: 'ExecutionFailed', timestamp: new Date() },
        { id: 1, type: 'FailStateEntered', timestamp: new Date() },
      ],
    });
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${EXECUTION}-two-r1`, startDate: new Date() });

    // Act
    const response = await post('/api/queues/failed-documents/redrive', { messageIds: ['two'] });
    const empty = await post('/api/queues/failed-documents/redrive', { messageIds: [] });

    // Assess
    expect(await response.json()).toEqual({
      results: [
        {
          messageId: 'two',
          key: 'incoming/two.pdf',
          action: 'restarted',
          executionArn: `${EXECUTION}-two-r1`,
        },
      ],
    });
    expect(sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input.name)).toEqual([
      'report-pdf-0123-two-r1',
    ]);
    expect(sqs.commandCalls(DeleteMessageCommand).map((call) => call.args[0].input.ReceiptHandle)).toEqual([
      'r-two',
    ]);
    expect(
      sqs.commandCalls(ChangeMessageVisibilityCommand).map((call) => call.args[0].input.ReceiptHandle),
    ).toEqual(['r-one']);
    expect(empty.status).toBe(400);
  });
});

describe('SQS and X-Ray through the console', () => {
  it('peeks at a queue without hiding its messages, merging repeated receives by id', async () => {
    // Prepare
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '2' } });
    const message = (id: string, sent: number) => ({
      MessageId: id,
      ReceiptHandle: `r-${id}`,
      Body: `{"id":"${id}"}`,
      Attributes: { SentTimestamp: String(sent), ApproximateReceiveCount: '3' },
    });
    sqs
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [message('b', 2_000)] })
      .resolvesOnce({ Messages: [message('a', 1_000), message('b', 2_000)] })
      .resolves({ Messages: [message('a', 1_000)] });

    // Act
    const response = await get('/api/queues/failed-documents');
    const unknown = await get('/api/queues/other');
    const absent = await get('/api/queues/ingest-dead-letter');

    // Assess
    expect(await response.json()).toEqual({
      queue: 'failed-documents',
      approximateCount: 2,
      messages: [
        { messageId: 'a', body: '{"id":"a"}', sentAt: '1970-01-01T00:00:01.000Z', receiveCount: 3 },
        { messageId: 'b', body: '{"id":"b"}', sentAt: '1970-01-01T00:00:02.000Z', receiveCount: 3 },
      ],
    });
    const receives = sqs.commandCalls(ReceiveMessageCommand).map((call) => call.args[0].input);
    expect(receives.every((input) => input.VisibilityTimeout === 0)).toBe(true);
    expect(receives).toHaveLength(3);
    expect([unknown.status, absent.status]).toEqual([404, 404]);
  });

  it('returns a trace with its segment documents parsed, and 404 for an unknown id', async () => {
    // Prepare
    const id = '1-6750a1b2-0123456789abcdef01234567';
    xray
      .on(BatchGetTracesCommand, { TraceIds: [id] })
      .resolves({
        Traces: [
          { Id: id, Duration: 1.5, Segments: [{ Id: 's1', Document: '{"id":"s1","name":"starter"}' }] },
        ],
      })
      .on(BatchGetTracesCommand, { TraceIds: ['1-6750a1b2-ffffffffffffffffffffffff'] })
      .resolves({ Traces: [] });

    // Act
    const found = await get(`/api/traces/${id}`);
    const missing = await get('/api/traces/1-6750a1b2-ffffffffffffffffffffffff');
    const malformed = await get('/api/traces/nope');

    // Assess
    expect(await found.json()).toEqual({
      id,
      durationSeconds: 1.5,
      segments: [{ id: 's1', document: { id: 's1', name: 'starter' } }],
    });
    expect([missing.status, malformed.status]).toEqual([404, 400]);
  });
});
