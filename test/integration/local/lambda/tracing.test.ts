import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchGetTracesCommand, GetTraceSummariesCommand, XRayClient } from '@aws-sdk/client-xray';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RestApiServer, startRestApiServer } from '../../../../local/api/rest-api-server';
import { type RunningGateway, startGateway } from '../../../../local/gateway';
import { FunctionError } from '../../../../local/lambda/invoke-errors';
import { LambdaRunner, type LocalFunction } from '../../../../local/lambda/runner';
import type { EntityDocument } from '../../../../local/xray/segment-document';
import { type LocalXRay, startLocalXRay } from '../../../../local/xray/service';
import {
  formatTraceHeader,
  newEntityId,
  newTraceId,
  parseTraceHeader,
} from '../../../../local/xray/trace-header';
import { bundleFixture, fixtureFunction } from '../../../fixtures/lambda-handlers/bundle';
import type { TracedEvent, TracedResult } from '../../../fixtures/lambda-handlers/traced';
import { TEST_AWS, testArn } from '../../../support/aws';
import { failureOf } from '../../../support/failure-of';

const asset = await bundleFixture('traced.ts');

const traced = (name: string, overrides: Partial<LocalFunction> = {}): LocalFunction =>
  fixtureFunction(asset.codeDirectory, name, {
    environment: { POWERTOOLS_SERVICE_NAME: name },
    tracing: 'Active',
    ...overrides,
  });

const folder = mkdtempSync(join(tmpdir(), 'docflow-lambda-tracing-'));
const warnings: string[] = [];
/** Every document the runner wrote, as it wrote it (the X-Ray API shows them assembled). */
const written: Record<string, unknown>[] = [];
const refusals: string[] = [];
let xray: LocalXRay;
let gateway: RunningGateway;
let client: XRayClient;
let runner: LambdaRunner;
let api: RestApiServer;

/** A caller's header, as a traced Step Functions state passes it: its own subsegment is the Parent. */
const callerHeader = () => {
  const root = newTraceId();
  const parent = newEntityId();
  return { root, parent, header: formatTraceHeader({ root, parent, sampled: true }) };
};

const invoke = (name: string, event: TracedEvent, traceHeader?: string) =>
  runner.invoke(name, event, traceHeader ? { traceHeader } : {}) as Promise<TracedResult>;

const byName = (entities: readonly EntityDocument[] | undefined, name: string) =>
  entities?.find((entity) => entity.name === name);

interface LambdaTrace {
  readonly service: EntityDocument;
  readonly fn: EntityDocument;
  readonly handler: EntityDocument | undefined;
}

/**
 * The trace's Lambda segments through the X-Ray API, once the handler's subsegment has arrived (the
 * function's SDK sends it over UDP, a moment after the invocation answered) — or at once when the
 * handler never closed one (`withHandler: false`).
 */
const lambdaTrace = async (traceId: string, withHandler = true): Promise<LambdaTrace> => {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const { Traces = [] } = await client.send(new BatchGetTracesCommand({ TraceIds: [traceId] }));
    const documents = (Traces[0]?.Segments ?? []).map(
      (segment) => JSON.parse(segment.Document ?? '{}') as EntityDocument,
    );
    const service = documents.find((document) => document.origin === 'AWS::Lambda');
    const fn = documents.find((document) => document.origin === 'AWS::Lambda::Function');
    const handler = fn?.subsegments?.find((entity) => entity.name.startsWith('## '));
    if (service && fn && (handler || !withHandler)) return { service, fn, handler };
    if (Date.now() > deadline) throw new Error(`gave up waiting for the Lambda segments of ${traceId}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

const names = (entity: EntityDocument | undefined) => entity?.subsegments?.map((child) => child.name);

beforeAll(async () => {
  xray = await startLocalXRay({ dataDir: folder, logger: { warn: (line) => warnings.push(line) } });
  gateway = await startGateway({ port: 0, routes: { xray: xray.handler } });
  client = new XRayClient({ ...TEST_AWS, endpoint: gateway.endpoint });
  runner = new LambdaRunner({
    environment: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
    xrayDaemonAddress: xray.daemon.address,
    segments: {
      put: (document) => {
        written.push(document);
        const refused = xray.ingest(JSON.stringify(document));
        if (refused) refusals.push(refused.message);
      },
    },
  });
  runner.register(traced('traced'));
  runner.register(traced('failing'));
  runner.register(traced('slow', { timeoutSeconds: 1 }));
  runner.register(traced('disabled', { reservedConcurrency: 0 }));
  runner.register(traced('passing-through', { tracing: 'PassThrough' }));
  runner.register(traced('api', { handler: 'index.apiHandler' }));
  api = await startRestApiServer({
    routes: [{ httpMethod: 'GET', path: '/documents/{id}', functionArn: traced('api').arn }],
    invoke: (functionArn, event, options) => runner.invoke(functionArn, event, options),
    stage: 'prod',
    apiId: 'a1b2c3d4e5',
    region: 'us-east-1',
    segments: { put: (document) => void xray.ingest(JSON.stringify(document)) },
  });
});

afterAll(async () => {
  await api.stop();
  await runner.close();
  client.destroy();
  await gateway.stop();
  await xray.stop();
  rmSync(folder, { recursive: true, force: true });
  await asset.remove();
});

describe('the local Lambda service with X-Ray', () => {
  it("continues the caller's trace: its own segments, then the function's under them, cold then warm", async () => {
    // Prepare
    const cold = callerHeader();
    const warm = callerHeader();

    // Act
    const first = await invoke('traced', { documentId: 'doc-cold' }, cold.header);
    const second = await invoke('traced', { documentId: 'doc-warm' }, warm.header);
    const coldTrace = await lambdaTrace(cold.root);
    const warmTrace = await lambdaTrace(warm.root);

    // Assess
    expect(second.environmentId).toBe(first.environmentId);
    expect(coldTrace.service).toMatchObject({
      name: 'traced',
      origin: 'AWS::Lambda',
      parent_id: cold.parent,
      resource_arn: testArn.lambda('traced'),
      http: { response: { status: 200 } },
    });
    expect(coldTrace.service.error).toBeUndefined();
    expect(coldTrace.service.fault).toBeUndefined();
    expect(coldTrace.fn).toMatchObject({
      name: 'traced',
      origin: 'AWS::Lambda::Function',
      parent_id: coldTrace.service.id,
    });
    expect(coldTrace.fn.fault).toBeUndefined();
    expect(warmTrace.service.parent_id).toBe(warm.parent);
    expect(warmTrace.fn.parent_id).toBe(warmTrace.service.id);
    // The function saw its own segment as the Parent, and each invocation its own header.
    expect(parseTraceHeader(first.traceHeader ?? '')).toEqual({
      root: cold.root,
      parent: coldTrace.fn.id,
      sampled: true,
    });
    expect(parseTraceHeader(second.traceHeader ?? '')).toEqual({
      root: warm.root,
      parent: warmTrace.fn.id,
      sampled: true,
    });
    expect(names(coldTrace.fn)?.sort()).toEqual([
      '## index.handler',
      'Initialization',
      'Invocation',
      'Overhead',
    ]);
    expect(names(warmTrace.fn)?.sort()).toEqual(['## index.handler', 'Invocation', 'Overhead']);
    expect(coldTrace.handler?.annotations).toMatchObject({ ColdStart: true, documentId: 'doc-cold' });
    expect(warmTrace.handler?.annotations).toMatchObject({ ColdStart: false, documentId: 'doc-warm' });
    expect(names(warmTrace.handler)).toEqual(['### step']);
    const invocation = byName(coldTrace.fn.subsegments, 'Invocation');
    const initialization = byName(coldTrace.fn.subsegments, 'Initialization');
    expect(initialization?.end_time).toBeLessThanOrEqual(invocation?.start_time ?? 0);
    expect(coldTrace.fn.start_time).toBeGreaterThanOrEqual(coldTrace.service.start_time);
    expect(coldTrace.fn.end_time).toBeLessThanOrEqual(coldTrace.service.end_time ?? 0);
    expect(refusals).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('starts a new sampled trace for an Active function called without a header, found by annotation', async () => {
    // Act
    const result = await invoke('traced', { documentId: 'doc-headerless' });

    // Assess
    const header = parseTraceHeader(result.traceHeader ?? '');
    expect(header?.sampled).toBe(true);
    const trace = await lambdaTrace(header?.root ?? '');
    expect(trace.service.parent_id).toBeUndefined();
    expect(trace.fn.id).toBe(header?.parent);
    const { TraceSummaries = [] } = await client.send(
      new GetTraceSummariesCommand({
        StartTime: new Date(Date.now() - 600_000),
        EndTime: new Date(Date.now() + 60_000),
        FilterExpression: 'annotation.documentId = "doc-headerless"',
      }),
    );
    expect(TraceSummaries.map((summary) => summary.Id)).toEqual([header?.root]);
    expect(TraceSummaries[0]?.EntryPoint).toMatchObject({ Name: 'traced', Type: 'AWS::Lambda' });
  });

  it('marks a function error as Lambda does: an error on the service, a fault on the function', async () => {
    // Prepare
    const caller = callerHeader();

    // Act
    const error = await failureOf(
      invoke('failing', { documentId: 'doc-fails', fail: 'bad input' }, caller.header),
    );
    const { service, fn, handler } = await lambdaTrace(caller.root);

    // Assess
    expect(error).toBeInstanceOf(FunctionError);
    expect(error.name).toBe('TypeError');
    expect(service).toMatchObject({ error: true, http: { response: { status: 200 } } });
    expect(service.fault).toBeUndefined();
    expect(fn).toMatchObject({
      fault: true,
      cause: { exceptions: [{ type: 'TypeError', message: 'bad input' }] },
    });
    expect(byName(fn.subsegments, 'Invocation')).toMatchObject({
      fault: true,
      cause: { exceptions: [{ type: 'TypeError', message: 'bad input' }] },
    });
    expect(byName(fn.subsegments, 'Initialization')?.fault).toBeUndefined();
    expect(handler?.fault).toBe(true);
    const { TraceSummaries = [] } = await client.send(
      new GetTraceSummariesCommand({
        StartTime: new Date(Date.now() - 600_000),
        EndTime: new Date(Date.now() + 60_000),
        // A summary's flags are its root segment's: here the Lambda service's.
        FilterExpression: 'annotation.documentId = "doc-fails" AND error',
      }),
    );
    expect(TraceSummaries.map((summary) => summary.Id)).toEqual([caller.root]);
  });

  it('records a timeout as a Sandbox.Timedout fault on the Invocation the runner stopped', async () => {
    // Prepare
    const caller = callerHeader();

    // Act
    const error = await failureOf(invoke('slow', { documentId: 'doc-slow', holdMs: 5_000 }, caller.header));
    const { service, fn } = await lambdaTrace(caller.root, false);

    // Assess
    expect(error.name).toBe('Sandbox.Timedout');
    expect(service.error).toBe(true);
    expect(fn).toMatchObject({ fault: true, cause: { exceptions: [{ type: 'Sandbox.Timedout' }] } });
    expect(names(fn)).toEqual(['Initialization', 'Invocation']);
    expect(byName(fn.subsegments, 'Invocation')).toMatchObject({
      fault: true,
      cause: { exceptions: [{ type: 'Sandbox.Timedout' }] },
    });
  });

  it('writes a throttle on the service segment alone when no environment may run', async () => {
    // Prepare
    const caller = callerHeader();

    // Act
    const error = await failureOf(invoke('disabled', { documentId: 'doc-throttled' }, caller.header));

    // Assess
    expect(error.name).toBe('Lambda.TooManyRequestsException');
    const documents = written.filter((document) => document.trace_id === caller.root);
    expect(documents).toEqual([
      expect.objectContaining({
        name: 'disabled',
        origin: 'AWS::Lambda',
        parent_id: caller.parent,
        throttle: true,
        error: true,
        http: { response: { status: 429 } },
      }),
    ]);
  });

  it('writes nothing for an unsampled call, and passes its header on as it came', async () => {
    // Prepare
    const root = newTraceId();
    const unsampled = formatTraceHeader({ root, parent: newEntityId(), sampled: false });

    // Act
    const declined = await invoke('traced', { documentId: 'doc-declined' }, unsampled);
    const undecided = await invoke('passing-through', { documentId: 'doc-undecided' });

    // Assess
    expect(declined.traceHeader).toBe(unsampled);
    const fresh = parseTraceHeader(undecided.traceHeader ?? '');
    expect(fresh?.sampled).toBe(false);
    const roots = new Set(written.map((document) => document.trace_id));
    expect(roots.has(root)).toBe(false);
    expect(roots.has(fresh?.root)).toBe(false);
  });
});

describe('a traced API Gateway stage in front of the local Lambda service', () => {
  it('writes the stage segment and continues its trace into the function', async () => {
    // Act
    const response = await fetch(`${api.url}documents/doc-1`);
    const body = (await response.json()) as { traceHeader: string; eventTraceHeader: string };

    // Assess
    expect(response.status).toBe(200);
    const answered = parseTraceHeader(response.headers.get('x-amzn-trace-id') ?? '');
    expect(answered?.sampled).toBe(true);
    const root = answered?.root ?? '';
    const { service, fn, handler } = await lambdaTrace(root);
    const { Traces = [] } = await client.send(new BatchGetTracesCommand({ TraceIds: [root] }));
    const stage = (Traces[0]?.Segments ?? [])
      .map((segment) => JSON.parse(segment.Document ?? '{}') as EntityDocument)
      .find((document) => document.origin === 'AWS::ApiGateway::Stage');
    expect(stage).toMatchObject({
      name: 'a1b2c3d4e5/prod',
      http: { request: { method: 'GET' }, response: { status: 200 } },
    });
    expect(stage?.http?.request?.url).toMatch(/\/prod\/documents\/doc-1$/);
    expect(stage?.parent_id).toBeUndefined();
    const integration = byName(stage?.subsegments, 'Lambda');
    expect(integration).toMatchObject({
      namespace: 'aws',
      aws: { operation: 'Invoke', function_name: 'api' },
    });
    expect(service.parent_id).toBe(integration?.id);
    expect(parseTraceHeader(body.eventTraceHeader)).toEqual({ root, parent: integration?.id, sampled: true });
    expect(parseTraceHeader(body.traceHeader)).toEqual({ root, parent: fn.id, sampled: true });
    expect(handler?.name).toBe('## index.apiHandler');
  });

  it('traces a request no route matches as an error of the stage', async () => {
    // Act
    const response = await fetch(`${api.url}nowhere`);

    // Assess
    expect(response.status).toBe(403);
    const root = parseTraceHeader(response.headers.get('x-amzn-trace-id') ?? '')?.root ?? '';
    const { Traces = [] } = await client.send(new BatchGetTracesCommand({ TraceIds: [root] }));
    const documents = (Traces[0]?.Segments ?? []).map(
      (segment) => JSON.parse(segment.Document ?? '{}') as EntityDocument,
    );
    expect(documents).toEqual([
      expect.objectContaining({
        origin: 'AWS::ApiGateway::Stage',
        error: true,
        http: expect.objectContaining({ response: { status: 403 } }),
      }),
    ]);
  });
});
