import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../../../../infra/constructs/docflow-function';
import { executionName } from '../../../../../lambdas/starter/execution-name';
import { type DynamoDbEmulator, startDynamoDb } from '../../../../../local/emulators/dynamodb';
import { type MessagingEmulator, startMessaging } from '../../../../../local/emulators/fauxqs';
import {
  type RunningLocalStepFunctions,
  startLocalStepFunctions,
} from '../../../../../local/stepfunctions/service';
import { aDeletion, aDocument, aProcessedOutcome } from '../../../../fixtures/document-outcomes';
import { DEFAULT_BUCKET, s3SqsEvent } from '../../../../fixtures/s3-sqs-events';
import {
  bundleProcessEnv,
  createBucket,
  createMetadataTable,
  TEST_ACCOUNT,
  TEST_AWS,
  testArn,
} from '../../../../support/aws';
import { CDK_BUNDLE_OPTIONS } from '../../../../support/cdk-bundle-options';

/**
 * The handlers in Lambda's tracing environment: the bundled handler, run by plain Node in a child process
 * with the variables Lambda sets for an actively traced function (`LAMBDA_TASK_ROOT` puts the X-Ray SDK
 * in Lambda mode, `AWS_EXECUTION_ENV` turns the Powertools Tracer on, `_X_AMZN_TRACE_ID` is the
 * invocation's header whose `Parent` is the Lambda service's own segment). The X-Ray SDK streams every
 * finished subsegment to `AWS_XRAY_DAEMON_ADDRESS`: here a UDP socket of this test, as the daemon is in
 * Lambda. Nothing is mocked: the SDK clients talk to the emulators over HTTP.
 */

const run = promisify(execFile);

const TABLE = 'metadata-tracing-test';
const DERIVATIVES = 'derivatives-tracing-test';

/** A segment or subsegment document as the X-Ray SDK sends it, with the fields these tests read. */
interface TraceEntity {
  readonly id: string;
  readonly name: string;
  readonly trace_id?: string;
  readonly parent_id?: string;
  readonly type?: string;
  readonly namespace?: string;
  readonly in_progress?: boolean;
  readonly annotations?: Record<string, string | number | boolean>;
  readonly subsegments?: TraceEntity[];
}

/** Every entity of the received documents, nested ones included, each with its parent's id and trace. */
interface PlacedEntity {
  readonly entity: TraceEntity;
  readonly parentId: string | undefined;
  readonly traceId: string | undefined;
}

const newTraceId = (): string =>
  `1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
const newEntityId = (): string => randomBytes(8).toString('hex');

/** What the Lambda service hands an invocation of a traced function: its own segment is the parent. */
const lambdaTraceHeader = (root: string, facadeId: string): string =>
  `Root=${root};Parent=${facadeId};Sampled=1`;

describe('handlers in Lambda mode (X-Ray SDK streaming to a daemon socket)', () => {
  const outdir = join(PROJECT_ROOT, 'node_modules', '.cache', 'docflow-tests', `tracing-${randomUUID()}`);
  const datagrams: string[] = [];
  let daemon: Socket;
  let daemonAddress: string;
  let dynamo: DynamoDbEmulator;
  let messaging: MessagingEmulator;
  let stepFunctions: RunningLocalStepFunctions;
  let stateMachineArn: string;

  /** Every entity received so far, flattened. */
  const received = (): PlacedEntity[] => {
    const placed: PlacedEntity[] = [];
    const visit = (entity: TraceEntity, parentId: string | undefined, traceId: string | undefined): void => {
      placed.push({ entity, parentId, traceId });
      for (const child of entity.subsegments ?? []) visit(child, entity.id, traceId);
    };
    for (const datagram of datagrams) {
      const newline = datagram.indexOf('\n');
      expect(JSON.parse(datagram.slice(0, newline))).toEqual({ format: 'json', version: 1 });
      const document = JSON.parse(datagram.slice(newline + 1)) as TraceEntity;
      visit(document, document.parent_id, document.trace_id);
    }
    // A subsegment sent in progress and again when closed is one entity: keep the closed one.
    return placed.filter(
      ({ entity }) =>
        !entity.in_progress ||
        !placed.some((other) => other.entity.id === entity.id && !other.entity.in_progress),
    );
  };

  const inTrace = (traceId: string): PlacedEntity[] =>
    received().filter((placed) => placed.traceId === traceId);

  /** The entities under `ancestorId`, at any depth. */
  const descendantsOf = (entities: PlacedEntity[], ancestorId: string): PlacedEntity[] => {
    const found: PlacedEntity[] = [];
    let frontier = new Set([ancestorId]);
    while (frontier.size > 0) {
      const next = entities.filter(
        (placed) => placed.parentId !== undefined && frontier.has(placed.parentId),
      );
      found.push(...next);
      frontier = new Set(next.map((placed) => placed.entity.id));
    }
    return found;
  };

  /** Waits (bounded) until the daemon has the closed handler subsegment of each of `traceIds`. */
  const handlerSubsegmentsOf = async (traceIds: readonly string[]): Promise<PlacedEntity[]> => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const found = traceIds.map((traceId) =>
        inTrace(traceId).find(
          (placed) => placed.entity.name === '## index.handler' && !placed.entity.in_progress,
        ),
      );
      if (found.every((placed) => placed !== undefined)) return found as PlacedEntity[];
      if (Date.now() > deadline) return found.filter((placed) => placed !== undefined);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  /**
   * Runs `<bundle>.handler` once per invocation, in order, in one fresh process (one execution
   * environment: the first invocation is its cold start), with Lambda's per-invocation trace header.
   */
  const invoke = async (
    bundle: string,
    invocations: readonly { traceHeader: string; event: unknown }[],
    env: Record<string, string>,
  ): Promise<{ results: unknown[]; output: string }> => {
    const id = randomUUID();
    await writeFile(join(outdir, `${id}.json`), JSON.stringify(invocations));
    const script = join(outdir, `${id}.mjs`);
    await writeFile(
      script,
      `
      import { readFileSync } from 'node:fs';
      import { handler } from './${bundle}.mjs';
      const context = {
        callbackWaitsForEmptyEventLoop: true,
        functionName: 'docflow-${bundle}',
        functionVersion: '$LATEST',
        invokedFunctionArn: '${testArn.lambda(`docflow-${bundle}`)}',
        memoryLimitInMB: '512',
        logGroupName: '/aws/lambda/docflow-${bundle}',
        logStreamName: '2026/12/01/[$LATEST]0123456789abcdef',
        getRemainingTimeInMillis: () => 30000,
        done: () => undefined,
        fail: () => undefined,
        succeed: () => undefined,
      };
      const results = [];
      for (const [index, { traceHeader, event }] of JSON.parse(readFileSync('./${id}.json', 'utf8')).entries()) {
        process.env._X_AMZN_TRACE_ID = traceHeader;
        results.push(await handler(event, { ...context, awsRequestId: 'request-' + index }).then(
          (value) => ({ value }),
          (error) => ({ error: { name: error.name, message: error.message } }),
        ));
      }
      console.log('RESULTS ' + JSON.stringify(results));
      `,
    );
    const [first] = invocations;
    const { stdout, stderr } = await run(process.execPath, [script], {
      cwd: outdir,
      timeout: 60_000,
      env: bundleProcessEnv({
        AWS_LAMBDA_FUNCTION_NAME: `docflow-${bundle}`,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
        POWERTOOLS_SERVICE_NAME: `docflow-${bundle}`,
        LAMBDA_TASK_ROOT: outdir,
        _HANDLER: 'index.handler',
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
        AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
        AWS_XRAY_DAEMON_ADDRESS: daemonAddress,
        AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
        _X_AMZN_TRACE_ID: first?.traceHeader ?? '',
        ...env,
      }),
    });
    const line = stdout.split('\n').find((text) => text.startsWith('RESULTS '));
    return { results: JSON.parse(line?.slice('RESULTS '.length) ?? 'null'), output: `${stdout}\n${stderr}` };
  };

  beforeAll(async () => {
    await mkdir(outdir, { recursive: true });
    daemon = createSocket('udp4');
    daemon.on('message', (message) => datagrams.push(message.toString('utf8')));
    await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
    daemonAddress = `127.0.0.1:${(daemon.address() as AddressInfo).port}`;
    [dynamo, messaging] = await Promise.all([startDynamoDb(), startMessaging()]);
    stepFunctions = await startLocalStepFunctions({
      invokeLambda: () => Promise.reject(new Error('this state machine invokes no function')),
      endpoints: { dynamodb: dynamo.endpoint, sqs: messaging.endpoint },
      region: TEST_AWS.region,
      accountId: TEST_ACCOUNT,
      credentials: TEST_AWS.credentials,
    });
    ({ stateMachineArn } = stepFunctions.registerStateMachine({
      name: 'tracing-test-pipeline',
      definition: JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } }),
      roleArn: testArn.role('docflow-test'),
    }));
    await Promise.all([
      createMetadataTable(dynamo.endpoint, TABLE),
      createBucket(messaging.endpoint, DERIVATIVES),
      // As the CDK app bundles a function: one minified ES module, native packages external.
      build({
        ...CDK_BUNDLE_OPTIONS,
        entryPoints: {
          'index-metadata': join(PROJECT_ROOT, 'lambdas/index-metadata/handler.ts'),
          inspect: join(PROJECT_ROOT, 'lambdas/inspect/handler.ts'),
          starter: join(PROJECT_ROOT, 'lambdas/starter/handler.ts'),
        },
        outdir,
        outExtension: { '.js': '.mjs' },
      }),
    ]);
  }, 120_000);

  afterAll(async () => {
    await stepFunctions?.stop();
    await Promise.all([dynamo?.stop(), messaging?.stop()]);
    daemon?.close();
    await rm(outdir, { recursive: true, force: true });
  });

  it('annotates the handler subsegment, under the Lambda segment, and nests the AWS calls in it', async () => {
    // Prepare: a cold invocation that indexes a document, then a warm one that records its deletion.
    const key = `incoming/${randomUUID()}/report.pdf`;
    const document = aDocument(key, '0062E1A0B1C2D3E4F5');
    const cold = { root: newTraceId(), facade: newEntityId() };
    const warm = { root: newTraceId(), facade: newEntityId() };

    // Act
    const { results, output } = await invoke(
      'index-metadata',
      [
        { traceHeader: lambdaTraceHeader(cold.root, cold.facade), event: aProcessedOutcome(document) },
        {
          traceHeader: lambdaTraceHeader(warm.root, warm.facade),
          event: aDeletion(key, '0062E1A0B1C2D3E4F7'),
        },
      ],
      {
        METADATA_TABLE_NAME: TABLE,
        DERIVATIVES_BUCKET_NAME: DERIVATIVES,
        AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
        AWS_ENDPOINT_URL_S3: messaging.endpoint,
        DOCFLOW_S3_FORCE_PATH_STYLE: 'true',
      },
    );
    const [coldHandler, warmHandler] = await handlerSubsegmentsOf([cold.root, warm.root]);

    // Assess
    expect(results).toEqual([
      { value: { written: true, status: 'PROCESSED' } },
      { value: { recorded: true, derivativesDeleted: 0 } },
    ]);
    expect(output).not.toContain('cannot annotate the main segment');
    expect(output).not.toContain('No application metrics to publish');
    expect(coldHandler).toMatchObject({
      parentId: cold.facade,
      entity: {
        type: 'subsegment',
        annotations: {
          documentId: document.id,
          ColdStart: true,
          Service: 'docflow-index-metadata',
          status: 'PROCESSED',
          recorded: true,
        },
      },
    });
    expect(warmHandler).toMatchObject({
      parentId: warm.facade,
      entity: {
        annotations: { documentId: document.id, ColdStart: false, status: 'DELETED', recorded: true },
      },
    });
    const callsOf = (placed: PlacedEntity | undefined, root: string) =>
      descendantsOf(inTrace(root), placed?.entity.id ?? '')
        .filter(({ entity }) => entity.namespace === 'aws')
        .map(({ entity }) => entity.name);
    expect(callsOf(coldHandler, cold.root)).toContain('DynamoDB');
    expect(callsOf(warmHandler, warm.root)).toEqual(expect.arrayContaining(['DynamoDB', 'S3']));
    // Nothing of the run hangs off Lambda's segment but the handler subsegment.
    expect(
      inTrace(cold.root)
        .filter((placed) => placed.parentId === cold.facade)
        .map(({ entity }) => entity.name),
    ).toEqual(['## index.handler']);
  });

  it('annotates a rejection with its reason before the handler subsegment closes', async () => {
    // Prepare: the upload's version is gone by the time Inspect reads it.
    const document = aDocument(`incoming/${randomUUID()}/gone.png`, '0062E1A0B1C2D3E4F5', {
      bucket: DERIVATIVES,
    });
    const lambda = { root: newTraceId(), facade: newEntityId() };

    // Act
    const { results, output } = await invoke(
      'inspect',
      [{ traceHeader: lambdaTraceHeader(lambda.root, lambda.facade), event: { document } }],
      { AWS_ENDPOINT_URL_S3: messaging.endpoint, DOCFLOW_S3_FORCE_PATH_STYLE: 'true' },
    );
    const [handlerSubsegment] = await handlerSubsegmentsOf([lambda.root]);

    // Assess
    expect(results).toEqual([{ error: expect.objectContaining({ name: 'DocumentNotFoundError' }) }]);
    expect(output).not.toContain('cannot annotate the main segment');
    expect(handlerSubsegment).toMatchObject({
      parentId: lambda.facade,
      entity: { annotations: { documentId: document.id, ColdStart: true, reason: 'NOT_FOUND' } },
    });
    expect(
      descendantsOf(inTrace(lambda.root), handlerSubsegment?.entity.id ?? '')
        .filter(({ entity }) => entity.namespace === 'aws')
        .map(({ entity }) => entity.name),
    ).toContain('S3');
  });

  it('starts each document run in a new trace, and records the link on the starter subsegment', async () => {
    // Prepare
    const key = `incoming/${randomUUID()}/scan.pdf`;
    const lambda = { root: newTraceId(), facade: newEntityId() };
    const sfn = new SFNClient({ ...TEST_AWS, endpoint: stepFunctions.endpoint });

    // Act
    const { results, output } = await invoke(
      'starter',
      [{ traceHeader: lambdaTraceHeader(lambda.root, lambda.facade), event: s3SqsEvent({ key }) }],
      { STATE_MACHINE_ARN: stateMachineArn, AWS_ENDPOINT_URL_SFN: stepFunctions.endpoint },
    );
    const [handlerSubsegment] = await handlerSubsegmentsOf([lambda.root]);

    // Assess
    expect(results).toEqual([{ value: { batchItemFailures: [] } }]);
    expect(output).not.toContain('cannot annotate the main segment');
    const name = executionName(DEFAULT_BUCKET, key, '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY');
    const below = descendantsOf(inTrace(lambda.root), handlerSubsegment?.entity.id ?? '');
    const start = below.find(({ entity }) => entity.name === `start ${name}`);
    const executionTraceId = start?.entity.annotations?.executionTraceId;
    expect(start?.entity.annotations).toEqual({
      startedDocumentId: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      executionTraceId: expect.stringMatching(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/),
    });
    expect(executionTraceId).not.toBe(lambda.root);
    expect(descendantsOf(below, start?.entity.id ?? '').map(({ entity }) => entity.name)).toContain('SFN');
    // The starter's trace is not a document's run: no `documentId` anywhere in it.
    expect(inTrace(lambda.root).filter(({ entity }) => entity.annotations?.documentId !== undefined)).toEqual(
      [],
    );
    const { traceHeader } = await sfn.send(
      new DescribeExecutionCommand({
        executionArn: `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`,
      }),
    );
    expect(traceHeader).toBe(`Root=${executionTraceId};Sampled=1`);
  });
});
