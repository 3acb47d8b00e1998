import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  BatchGetTracesCommand,
  GetServiceGraphCommand,
  GetTraceSummariesCommand,
  type GetTraceSummariesCommandInput,
  InvalidRequestException,
  PutTraceSegmentsCommand,
  paginateGetTraceSummaries,
  type TraceSummary,
  XRayClient,
} from '@aws-sdk/client-xray';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningGateway, startGateway } from '../../../../local/gateway';
import { formatDatagram } from '../../../../local/xray/daemon-protocol';
import type { EntityDocument } from '../../../../local/xray/segment-document';
import { type LocalXRay, startLocalXRay } from '../../../../local/xray/service';
import { TEST_AWS } from '../../../support/aws';
import { newId, newTraceId, segment } from '../../../unit/local/xray/segment-builders';

const run = promisify(execFile);
/** The AWS CLI, when this machine has it: the local X-Ray must answer it as X-Ray does. */
const awsCli = spawnSync('aws', ['--version']).status === 0;
const FIXTURES = import.meta.dirname;

const folder = mkdtempSync(join(tmpdir(), 'docflow-xray-'));
const warnings: string[] = [];
let xray: LocalXRay;
let gateway: RunningGateway;
let client: XRayClient;

/** The local X-Ray behind the one gateway, as the local cloud mounts it; 2 summaries a page. */
const start = async (): Promise<void> => {
  xray = await startLocalXRay({
    dataDir: folder,
    pageSize: 2,
    logger: { warn: (line) => warnings.push(line) },
  });
  gateway = await startGateway({ port: 0, routes: { xray: xray.handler } });
  client = new XRayClient({ ...TEST_AWS, endpoint: gateway.endpoint });
};

const stop = async (): Promise<void> => {
  client.destroy();
  await gateway.stop();
  await xray.stop();
};

const lastHour = () => ({
  StartTime: new Date(Date.now() - 3_600_000),
  EndTime: new Date(Date.now() + 60_000),
});

const summaries = async (input: Omit<GetTraceSummariesCommandInput, 'StartTime' | 'EndTime'>) => {
  const found: TraceSummary[] = [];
  for await (const page of paginateGetTraceSummaries({ client }, { ...lastHour(), ...input }))
    found.push(...(page.TraceSummaries ?? []));
  return found;
};

/** Polls until `read` returns a value: UDP datagrams are stored a moment after the sender is done. */
const eventually = async <T>(read: () => Promise<T | undefined>, what: string): Promise<T> => {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

const put = async (...documents: Record<string, unknown>[]): Promise<void> => {
  const { UnprocessedTraceSegments } = await client.send(
    new PutTraceSegmentsCommand({
      TraceSegmentDocuments: documents.map((document) => JSON.stringify(document)),
    }),
  );
  expect(UnprocessedTraceSegments).toEqual([]);
};

const byName = (entities: readonly EntityDocument[] | undefined, name: string) =>
  entities?.find((entity) => entity.name === name);

/** One invocation of a traced function: the Lambda service's segments, and the function's own over UDP. */
const invokeTracedFunction = async (documentId: string) => {
  const traceId = newTraceId();
  const now = Date.now() / 1000;
  const service = segment(traceId, {
    name: 'xray-it',
    origin: 'AWS::Lambda',
    start_time: now - 1,
    end_time: now + 30,
  });
  const fn = segment(traceId, {
    name: 'xray-it',
    origin: 'AWS::Lambda::Function',
    parent_id: service.id,
    start_time: now - 0.9,
    end_time: now + 29,
  });
  await run(process.execPath, [join(FIXTURES, 'traced-invocation.fixture.mjs')], {
    env: {
      PATH: process.env.PATH,
      LAMBDA_TASK_ROOT: FIXTURES,
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
      // Powertools reports a cold start only for Lambda's on-demand initialization.
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_LAMBDA_FUNCTION_NAME: 'xray-it',
      _HANDLER: 'index.handler',
      _X_AMZN_TRACE_ID: `Root=${traceId};Parent=${fn.id};Sampled=1`,
      AWS_XRAY_DAEMON_ADDRESS: xray.daemon.address,
      AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
      POWERTOOLS_SERVICE_NAME: 'xray-it',
      GATEWAY_ENDPOINT: gateway.endpoint,
      DOCUMENT_ID: documentId,
    },
  });
  // The Lambda service writes its own segments; the local Lambda runner will do the same.
  await put(service, fn);
  return { traceId, service, fn };
};

beforeAll(start);
afterAll(async () => {
  await stop();
  rmSync(folder, { recursive: true, force: true });
});

describe('the local X-Ray', () => {
  let documentId: string;
  let traceId: string;

  beforeAll(async () => {
    documentId = `doc-${newId()}`;
    ({ traceId } = await invokeTracedFunction(documentId));
  });

  it("finds a function's trace by the annotation Powertools Tracer put on the handler subsegment", async () => {
    // Act
    const [summary, ...others] = await eventually(async () => {
      const found = await summaries({ FilterExpression: `annotation.documentId = "${documentId}"` });
      return found.length > 0 && found.every((candidate) => !candidate.IsPartial) ? found : undefined;
    }, 'the trace of the invocation');

    // Assess
    expect(others).toEqual([]);
    expect(summary?.Id).toBe(traceId);
    expect(summary?.Annotations?.documentId).toEqual([
      {
        AnnotationValue: { StringValue: documentId },
        ServiceIds: [{ Name: 'xray-it', Names: ['xray-it'], Type: 'AWS::Lambda::Function' }],
      },
    ]);
    expect(summary?.Annotations?.ColdStart?.[0]?.AnnotationValue).toEqual({
      BooleanValue: expect.any(Boolean),
    });
    expect(summary?.Annotations?.Service?.[0]?.AnnotationValue).toEqual({ StringValue: 'xray-it' });
    expect(summary?.EntryPoint).toEqual({ Name: 'xray-it', Names: ['xray-it'], Type: 'AWS::Lambda' });
    expect(summary?.ServiceIds?.map((service) => service.Type)).toEqual([
      'AWS::Lambda',
      'AWS::Lambda::Function',
      'AWS::XRay',
    ]);
    expect(summary?.HasError).toBe(false);
    expect(summary?.StartTime).toBeInstanceOf(Date);
  });

  it('combines annotation, service and number filters', async () => {
    const ids = async (expression: string) =>
      (await summaries({ FilterExpression: expression })).map((summary) => summary.Id);

    expect(await ids(`annotation.documentId = "${documentId}" AND annotation.attempt = 2`)).toEqual([
      traceId,
    ]);
    expect(await ids(`annotation.documentId = "${documentId}" AND annotation.attempt > 2`)).toEqual([]);
    expect(
      await ids(`annotation.documentId = "${documentId}" AND service("XRay") AND responsetime > 1`),
    ).toEqual([traceId]);
    expect(await ids(`annotation.documentId = "${documentId}" AND !service(id(type: "AWS::XRay"))`)).toEqual(
      [],
    );
    expect(await ids(`annotation.documentId = "${documentId}" AND edge("xray-it", "XRay") { ok }`)).toEqual([
      traceId,
    ]);
    expect(await ids(`annotation.documentId = "not-${documentId}"`)).toEqual([]);
  });

  it('returns the whole trace, the subsegments sent over UDP back inside their segment', async () => {
    // Act
    const { Traces, UnprocessedTraceIds } = await client.send(
      new BatchGetTracesCommand({ TraceIds: [traceId, newTraceId()] }),
    );

    // Assess
    expect(UnprocessedTraceIds).toHaveLength(1);
    const [trace] = Traces ?? [];
    expect(trace?.Id).toBe(traceId);
    const documents = (trace?.Segments ?? []).map((entry) => {
      const document = JSON.parse(entry.Document ?? '{}') as EntityDocument;
      expect(entry.Id).toBe(document.id);
      return document;
    });
    expect(documents.map((document) => [document.name, document.origin])).toEqual([
      ['xray-it', 'AWS::Lambda'],
      ['xray-it', 'AWS::Lambda::Function'],
      ['XRay', 'AWS::XRay'],
    ]);
    const handler = byName(documents[1]?.subsegments, '## index.handler');
    expect(handler?.annotations).toMatchObject({
      documentId,
      attempt: 2,
      ColdStart: true,
      Service: 'xray-it',
    });
    expect(handler?.subsegments?.map((entity) => entity.name)).toEqual(['XRay', '### parse']);
    const call = byName(handler?.subsegments, 'XRay');
    expect(call).toMatchObject({ namespace: 'aws', aws: { operation: 'GetSamplingRules' } });
    expect(byName(handler?.subsegments, '### parse')).toMatchObject({ fault: true });
    expect(documents[2]).toMatchObject({ inferred: true, parent_id: call?.id, trace_id: traceId });
    expect(warnings).toEqual([]);
  });

  it('draws the service graph with the call from the function to X-Ray', async () => {
    // Act
    const { Services } = await client.send(new GetServiceGraphCommand(lastHour()));

    // Assess
    const fn = Services?.find(
      (service) => service.Name === 'xray-it' && service.Type === 'AWS::Lambda::Function',
    );
    const target = Services?.find((service) => service.Type === 'AWS::XRay');
    const edge = fn?.Edges?.find((candidate) => candidate.ReferenceId === target?.ReferenceId);
    expect(edge?.SummaryStatistics?.OkCount).toBeGreaterThanOrEqual(1);
    expect(fn?.SummaryStatistics?.TotalCount).toBeGreaterThanOrEqual(1);
    expect(Services?.find((service) => service.Type === 'AWS::Lambda')?.Root).toBe(true);
  });

  it('pages trace summaries with NextToken', async () => {
    // Prepare
    const batch = newId();
    const traceIds = [newTraceId(), newTraceId(), newTraceId()];
    const now = Date.now() / 1000;
    await put(
      ...traceIds.map((id) => segment(id, { name: 'paged', start_time: now, annotations: { batch } })),
    );
    const input = { ...lastHour(), FilterExpression: `annotation.batch = "${batch}"` };

    // Act
    const first = await client.send(new GetTraceSummariesCommand(input));
    const second = await client.send(new GetTraceSummariesCommand({ ...input, NextToken: first.NextToken }));

    // Assess
    expect(first.TraceSummaries).toHaveLength(2);
    expect(first.NextToken).toEqual(expect.any(String));
    const seen = [...(first.TraceSummaries ?? []), ...(second.TraceSummaries ?? [])].map(
      (summary) => summary.Id,
    );
    expect(seen.sort()).toEqual([...traceIds].sort());
  });

  it('answers a filter expression it cannot read with InvalidRequestException', async () => {
    const error = await client
      .send(new GetTraceSummariesCommand({ ...lastHour(), FilterExpression: 'annotation.documentId = ' }))
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(InvalidRequestException);
    expect((error as Error).message).toBe(
      'Invalid filter expression at character 25: annotation.documentId compares with a quoted string, ' +
        'a number, true or false, not the end of the expression',
    );
    await expect(client.send(new BatchGetTracesCommand({ TraceIds: ['1-nope'] }))).rejects.toThrow(
      /"1-nope" is not a trace id/,
    );
  });

  it('reports refused documents in UnprocessedTraceSegments', async () => {
    const { UnprocessedTraceSegments } = await client.send(
      new PutTraceSegmentsCommand({
        TraceSegmentDocuments: [
          JSON.stringify({ id: 'abc', name: 'x', start_time: 1, trace_id: newTraceId() }),
        ],
      }),
    );

    expect(UnprocessedTraceSegments).toEqual([
      {
        ErrorCode: 'InvalidId',
        Message: expect.stringMatching(/^Invalid segment\. ErrorCode: InvalidId, Cause: /),
      },
    ]);
  });

  it('replaces an in-progress segment sent over UDP by its complete version', async () => {
    // Prepare
    const id = newTraceId();
    const now = Date.now() / 1000;
    const complete = segment(id, { name: 'long-job', start_time: now, end_time: now + 2 });
    const inProgress = { ...complete, end_time: undefined, in_progress: true };
    const sender = (await import('node:dgram')).createSocket('udp4');
    const send = (document: object) =>
      new Promise<void>((resolve, reject) =>
        sender.send(formatDatagram(JSON.stringify(document)), xray.daemon.udp.port, '127.0.0.1', (error) =>
          error ? reject(error) : resolve(),
        ),
      );

    // Act
    await send(inProgress);
    const partial = await eventually(
      async () =>
        (await summaries({ FilterExpression: 'service("long-job")' })).find((summary) => summary.Id === id),
      'the in-progress segment',
    );
    await send(complete);
    const finished = await eventually(
      async () =>
        (await summaries({ FilterExpression: 'service("long-job") AND !partial' })).find(
          (summary) => summary.Id === id,
        ),
      'the complete segment',
    );
    sender.close();

    // Assess
    expect(partial.IsPartial).toBe(true);
    expect(finished).toMatchObject({ IsPartial: false, ResponseTime: 2 });
  });

  it('serves the sampling rules the SDK polls on the daemon TCP address: sample everything', async () => {
    // Act
    const { stdout } = await run(process.execPath, [join(FIXTURES, 'sampling-rules.fixture.cjs')], {
      env: { PATH: process.env.PATH, AWS_XRAY_DAEMON_ADDRESS: xray.daemon.address },
    });

    // Assess
    expect(JSON.parse(stdout)).toEqual([{ name: 'Default', rate: 1, isDefault: true }]);
  });

  it.skipIf(!awsCli)(
    'answers the AWS CLI: get-trace-summaries with a filter, then batch-get-traces',
    async () => {
      // Prepare
      const cli = (...args: string[]) =>
        run('aws', ['xray', ...args, '--endpoint-url', gateway.endpoint, '--output', 'json'], {
          env: {
            PATH: process.env.PATH,
            HOME: folder,
            AWS_ACCESS_KEY_ID: 'test',
            AWS_SECRET_ACCESS_KEY: 'test',
            AWS_DEFAULT_REGION: 'us-east-1',
            AWS_REGION: 'us-east-1',
          },
        });
      const now = Math.floor(Date.now() / 1000);

      // Act
      const summariesOut = await cli(
        'get-trace-summaries',
        '--start-time',
        String(now - 3600),
        '--end-time',
        String(now + 60),
        '--filter-expression',
        `annotation.documentId = "${documentId}"`,
      );
      const tracesOut = await cli('batch-get-traces', '--trace-ids', traceId);

      // Assess
      const { TraceSummaries } = JSON.parse(summariesOut.stdout) as { TraceSummaries: TraceSummary[] };
      expect(TraceSummaries.map((summary) => summary.Id)).toEqual([traceId]);
      const { Traces } = JSON.parse(tracesOut.stdout) as { Traces: { Id: string; Segments: unknown[] }[] };
      expect(Traces.map((trace) => [trace.Id, trace.Segments.length])).toEqual([[traceId, 3]]);
    },
  );

  it('keeps traces across a restart on the same data folder', async () => {
    // Act
    await stop();
    await start();

    // Assess
    const found = await summaries({ FilterExpression: `annotation.documentId = "${documentId}"` });
    expect(found.map((summary) => summary.Id)).toEqual([traceId]);
    const { Traces } = await client.send(new BatchGetTracesCommand({ TraceIds: [traceId] }));
    expect(Traces?.[0]?.Segments).toHaveLength(3);
  });
});
