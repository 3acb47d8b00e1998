import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildMetadataItem } from '../../../lambdas/index-metadata/index-document';
import { derivativeKeys } from '../../../lambdas/shared/documents/derivative-keys';
import {
  type DeletionRef,
  type DocumentRef,
  normalizeSequencer,
  TEXT_STRATEGIES,
} from '../../../lambdas/shared/documents/document';
import { TextractThrottledError } from '../../../lambdas/shared/documents/errors';
import type { TextDocument } from '../../../lambdas/shared/documents/text-document';
import { TEXT_ENCODINGS } from '../../../lambdas/shared/documents/text-encoding';
import { type DynamoDbEmulator, startDynamoDb } from '../../../local/emulators/dynamodb';
import { type MessagingEmulator, startMessaging } from '../../../local/emulators/fauxqs';
import { type AslStates, listStates } from '../../../local/stepfunctions/asl';
import { executionContext, TASK_TOKEN_PLACEHOLDER } from '../../../local/stepfunctions/context-object';
import { buildTaskBindings, type LambdaInvoker } from '../../../local/stepfunctions/task-bindings';
import { TaskTokens } from '../../../local/stepfunctions/task-tokens';
import { type RunningLocalTextract, startLocalTextract } from '../../../local/textract/server';
import { aDocument, aProcessedOutcome } from '../../fixtures/document-outcomes';
import { sqsEvent, sqsRecord } from '../../fixtures/s3-sqs-events';
import {
  createBucket,
  createMetadataTable,
  createQueue,
  createTextractJobsTable,
  deleteMessages,
  TEST_AWS,
  testArn,
  testDocumentClient,
  testDynamo,
  testS3,
  testSqs,
  uniquePrefix,
  useEmulatorEnv,
} from '../../support/aws';
import { heicBrandedImage } from '../../support/documents';
import { startTaskCallbackEndpoint, type TaskCallbackEndpoint } from '../../support/local-task-callbacks';
import { namedError } from '../../support/named-error';
import {
  pipelineDefinitionWith,
  processedRunStates,
  REJECTED_RUN_STATES,
} from '../../support/pipeline-definition';
import { buildScannedPdf } from '../../support/printed-text';

type EventLog = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;
type JsonValue = Parameters<StateMachine['run']>[0];
type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;
type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

const functionArn = (name: string): string => testArn.lambda(`docflow-${name}`);
const ARNS = {
  inspect: functionArn('Inspect'),
  thumbnail: functionArn('Thumbnail'),
  extractText: functionArn('ExtractText'),
  indexMetadata: functionArn('IndexMetadata'),
} as const;
const STATE_MACHINE_ARN = testArn.stateMachine('docflow-DocumentPipeline');

/** Every state's input and output stays far below AWS's 256 KiB: pointers and small metadata only. */
const MAX_STATE_BYTES = 8 * 1024;

const count = z.number().int().nonnegative();
const boundedText = z.string().max(2048);
const thumbnailSchema = z.strictObject({
  bucket: z.string().min(1),
  key: z.string().min(1),
  width: count,
  height: count,
  contentType: z.string().min(1),
});
const textSchema = z.strictObject({
  bucket: z.string().min(1),
  key: z.string().min(1),
  pages: count,
  characters: count,
  words: count,
  source: z.enum(['pdf-text-layer', 'docx', 'plain-text', 'textract']),
});

/**
 * What each function may hand back into the state: strict objects, so an extra field (the text
 * itself, OCR blocks) is a violation even when it is small. Enforced on every real result.
 */
const OUTPUT_CONTRACTS: Record<string, z.ZodType> = {
  [ARNS.inspect]: z.strictObject({
    mimeType: z.string().min(1).max(255),
    type: z.string().min(1).max(64),
    size: count,
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    pages: count.optional(),
    width: count.optional(),
    height: count.optional(),
    hasTextLayer: z.boolean().optional(),
    title: boundedText.optional(),
    author: boundedText.optional(),
    encoding: z.enum(TEXT_ENCODINGS).optional(),
    textStrategy: z.enum(TEXT_STRATEGIES),
  }),
  [ARNS.thumbnail]: z.strictObject({ thumbnail: thumbnailSchema.nullable() }),
  [ARNS.extractText]: z.strictObject({ text: textSchema.nullable() }),
  [ARNS.indexMetadata]: z.union([
    z.strictObject({ written: z.literal(true), status: z.enum(['PROCESSED', 'REJECTED']) }),
    z.strictObject({ written: z.literal(false) }),
    z.strictObject({ recorded: z.boolean(), derivativesDeleted: count }),
  ]),
};
/** A textract-async callback sends what the synchronous extraction returns. */
const CALLBACK_CONTRACT = z.strictObject({ text: textSchema });

/** A scripted fault: which calls (1-based) of a function fail for one document, and with what. */
interface Fault {
  readonly calls: 'all' | readonly number[];
  readonly error: () => Error;
}

describe('document pipeline state machine (aws-local-stepfunctions + dynalite + fauxqs)', () => {
  let dynamo: DynamoDbEmulator;
  let messaging: MessagingEmulator;
  let machine: StateMachine;
  let bindings: ReturnType<typeof buildTaskBindings>;
  let retryIntervalOverrides: Record<string, number>;
  let dlqUrl: string;
  const taskTokens = new TaskTokens();
  const table = `metadata-${randomUUID()}`;
  const uploads = `uploads-${randomUUID().slice(0, 8)}`;
  const derivatives = `derivatives-${randomUUID().slice(0, 8)}`;

  /** Calls per function ARN and document id, and the faults scripted for them. */
  const calls = new Map<string, number>();
  const faults = new Map<string, Fault>();
  const contractViolations: string[] = [];
  const callbackTokens: string[] = [];
  const callbackFailures: string[] = [];
  const functions = new Map<string, LambdaHandler>();
  const jobsTable = `textract-jobs-${randomUUID()}`;
  const stopPolling = new AbortController();
  let callbackQueueUrl: string;
  let polling: Promise<void> | undefined;
  let textract: RunningLocalTextract;
  let callbackEndpoint: TaskCallbackEndpoint;

  const callKey = (arn: string, id: string): string => `${arn}|${id}`;
  const callsOf = (arn: string, document: DocumentRef): number => calls.get(callKey(arn, document.id)) ?? 0;

  /**
   * The callback queue's event source mapping, as Lambda runs it: long-polls the queue Textract's
   * completions reach through SNS, hands batches to the real textract-callback handler, and deletes the
   * messages it did not report as failed (those come back after their visibility timeout).
   */
  const pollCallbackQueue = async (handler: SqsHandler, arn: string): Promise<void> => {
    const sqs = testSqs(messaging.endpoint);
    while (!stopPolling.signal.aborted) {
      try {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: callbackQueueUrl,
            MaxNumberOfMessages: 5,
            WaitTimeSeconds: 1,
            VisibilityTimeout: 5,
          }),
        );
        if (Messages.length === 0) continue;
        const event = sqsEvent(
          ...Messages.map((message) => sqsRecord(message.Body ?? '', { messageId: message.MessageId ?? '' })),
        );
        const { batchItemFailures } = await handler(event, lambdaContext(arn));
        const failed = new Set(batchItemFailures.map((failure) => failure.itemIdentifier));
        for (const id of failed) callbackFailures.push(`callback message ${id} failed`);
        const done = Messages.filter((message) => !failed.has(message.MessageId ?? ''));
        if (done.length > 0) await deleteMessages(sqs, callbackQueueUrl, done);
      } catch (error) {
        if (!stopPolling.signal.aborted) callbackFailures.push(`callback poller: ${String(error)}`);
      }
    }
  };

  const lambdaContext = (arn: string): Context => ({
    callbackWaitsForEmptyEventLoop: true,
    functionName: arn.split(':').at(-1) ?? arn,
    functionVersion: '$LATEST',
    invokedFunctionArn: arn,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${arn.split(':').at(-1)}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  });

  /**
   * The Lambda port: function ARN → handler, with the JSON round trip Lambda does on both sides,
   * scripted faults, and every result checked against the function's output contract.
   */
  const invokeLambda: LambdaInvoker = async (arn, payload) => {
    const handler = functions.get(arn);
    if (!handler) throw namedError('Lambda.ResourceNotFoundException', `Function not found: ${arn}`);
    const event = JSON.parse(JSON.stringify(payload)) as {
      document?: DocumentRef;
      deletion?: DeletionRef;
      taskToken?: string;
    };
    const id = event.document?.id ?? event.deletion?.id ?? '';
    if (event.taskToken !== undefined) callbackTokens.push(event.taskToken);
    const call = (calls.get(callKey(arn, id)) ?? 0) + 1;
    calls.set(callKey(arn, id), call);
    const fault = faults.get(callKey(arn, id));
    if (fault && (fault.calls === 'all' || fault.calls.includes(call))) throw fault.error();
    const result: unknown = JSON.parse(JSON.stringify((await handler(event, lambdaContext(arn))) ?? null));
    // A callback task's result is what SendTaskSuccess sends (checked there); the invocation's is ignored.
    const callback = (event as { strategy?: string }).strategy === 'textract-async';
    const contract = callback ? undefined : OUTPUT_CONTRACTS[arn];
    const parsed = contract?.safeParse(result);
    if (parsed && !parsed.success) contractViolations.push(`${arn}: ${parsed.error.message}`);
    return result;
  };

  let sequence = 0n;
  /** Uploads bytes and builds the execution input as the starter does (no versioning: version = sequencer). */
  const upload = async (name: string, body: Uint8Array, contentType: string): Promise<DocumentRef> => {
    const key = `incoming/${uniquePrefix('doc')}/${name}`;
    const put = await testS3(messaging.endpoint).send(
      new PutObjectCommand({ Bucket: uploads, Key: key, Body: body, ContentType: contentType }),
    );
    sequence += 1n;
    return aDocument(key, (BigInt(Date.now()) * 1000n + sequence).toString(16), {
      bucket: uploads,
      size: body.length,
      eTag: (put.ETag ?? '').replaceAll('"', ''),
      uploadedAt: new Date().toISOString(),
    });
  };

  /** A removal of the uploaded key, as the starter hands it over (later than every upload so far). */
  const deletionOf = (document: DocumentRef): DeletionRef => {
    sequence += 1n;
    return {
      id: document.id,
      bucket: document.bucket,
      key: document.key,
      sequencer: normalizeSequencer((BigInt(Date.now()) * 1000n + sequence).toString(16)),
      deletedAt: new Date().toISOString(),
      shard: document.shard,
    };
  };

  /** Runs an execution with the input the starter gives: an upload's run is generation 0. */
  const run = async (subject: DocumentRef | DeletionRef, generation = 0) => {
    const name = `${subject.id}-${randomUUID().slice(0, 8)}`;
    const executionArn = testArn.execution('docflow-DocumentPipeline', name);
    const input = 'deletedAt' in subject ? { deletion: subject } : { document: subject, generation };
    const execution = machine.run(input as unknown as JsonValue, {
      overrides: { taskResourceLocalHandlers: bindings, retryIntervalOverrides },
      context: executionContext({
        executionArn,
        name,
        stateMachineArn: STATE_MACHINE_ARN,
        stateMachineName: 'docflow-DocumentPipeline',
      }),
    });
    const events: EventLog[] = [];
    const collecting = (async () => {
      for await (const event of execution.eventLogs) events.push(event);
    })();
    const outcome = await execution.result.then(
      (output) => ({ status: 'SUCCEEDED' as const, output }),
      (error: unknown) => ({ status: 'FAILED' as const, error }),
    );
    await collecting;
    return { ...outcome, events, executionArn, input };
  };

  const derivativesOf = async (document: DocumentRef): Promise<string[]> => {
    const listed = await Promise.all(
      derivativeKeys
        .prefixesOf(document.id)
        .map((Prefix) =>
          testS3(messaging.endpoint).send(new ListObjectsV2Command({ Bucket: derivatives, Prefix })),
        ),
    );
    return listed.flatMap(({ Contents = [] }) => Contents.map((object) => object.Key ?? ''));
  };

  const itemOf = async (document: DocumentRef) =>
    (
      await testDocumentClient(dynamo.endpoint).send(
        new GetCommand({ TableName: table, Key: { documentId: document.id } }),
      )
    ).Item;

  const entered = (events: readonly EventLog[]): string[] =>
    events.flatMap((event) => (event.type === 'StateEntered' ? [event.state.name] : []));

  const retried = (events: readonly EventLog[], state: string) =>
    events.flatMap((event) =>
      event.type === 'StateRetried' && event.state.name === state ? [event.retry.retrier.ErrorEquals] : [],
    );

  /** Messages of one execution in the failed-documents queue (others' are left alone). */
  const dlqMessagesOf = async (executionArn: string): Promise<Record<string, unknown>[]> => {
    const sqs = testSqs(messaging.endpoint);
    const found: Record<string, unknown>[] = [];
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: dlqUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          VisibilityTimeout: 30,
        }),
      );
      if (Messages.length === 0) return found;
      for (const message of Messages) {
        const body = JSON.parse(message.Body ?? '{}') as Record<string, unknown>;
        if (body.executionArn !== executionArn) continue;
        found.push(body);
        await sqs.send(new DeleteMessageCommand({ QueueUrl: dlqUrl, ReceiptHandle: message.ReceiptHandle }));
      }
    }
  };

  const expectSmallStates = (events: readonly EventLog[]): void => {
    const sizes = events.flatMap((event) => {
      const payloads = 'state' in event ? [event.state.input, event.state.output] : [];
      if (event.type === 'ExecutionStarted') payloads.push(event.input);
      if (event.type === 'ExecutionSucceeded') payloads.push(event.output);
      return payloads.map((payload) => Buffer.byteLength(JSON.stringify(payload ?? null)));
    });
    expect(sizes.length).toBeGreaterThan(0);
    expect(Math.max(...sizes)).toBeLessThan(MAX_STATE_BYTES);
  };

  const png = (width: number, height: number) =>
    sharp({ create: { width, height, channels: 3, background: '#c0ffee' } })
      .png()
      .toBuffer();

  beforeAll(async () => {
    [dynamo, messaging] = await Promise.all([startDynamoDb(), startMessaging()]);
    // Textract's completions: the local Textract reads the local S3 and publishes to the local SNS, whose
    // topic a queue subscribes to, as the Workflow construct wires them.
    const sns = new SNSClient({ ...TEST_AWS, endpoint: messaging.endpoint });
    textract = await startLocalTextract({ s3: testS3(messaging.endpoint), sns, ocr: { size: 1 } });
    const { TopicArn: topicArn = '' } = await sns.send(
      new CreateTopicCommand({ Name: `textract-${randomUUID()}` }),
    );
    const callbackQueue = await createQueue(
      messaging.endpoint,
      `textract-callback-${randomUUID().slice(0, 8)}`,
    );
    callbackQueueUrl = callbackQueue.url;
    await sns.send(
      new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: callbackQueue.arn }),
    );
    // SendTaskSuccess/Failure from the callback handler settle the tokens the bindings wait on.
    callbackEndpoint = await startTaskCallbackEndpoint(taskTokens);
    useEmulatorEnv({
      dynamodb: dynamo.endpoint,
      s3: messaging.endpoint,
      sqs: messaging.endpoint,
      sfn: callbackEndpoint.endpoint,
    });
    process.env.AWS_ENDPOINT_URL_TEXTRACT = textract.endpoint;
    process.env.DERIVATIVES_BUCKET_NAME = derivatives;
    process.env.TEXTRACT_JOBS_TABLE_NAME = jobsTable;
    process.env.TEXTRACT_TOPIC_ARN = topicArn;
    process.env.TEXTRACT_ROLE_ARN = testArn.role('docflow-textract-publishes');
    process.env.METADATA_TABLE_NAME = table;
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    process.env.POWERTOOLS_TRACE_ENABLED = 'false';
    await Promise.all([
      createMetadataTable(dynamo.endpoint, table),
      createBucket(messaging.endpoint, uploads),
      createBucket(messaging.endpoint, derivatives),
      createTextractJobsTable(dynamo.endpoint, jobsTable),
    ]);
    dlqUrl = (await createQueue(messaging.endpoint, `failed-documents-${randomUUID().slice(0, 8)}`)).url;

    // The real handlers read their configuration at import, so they are loaded after the env is set.
    const { handler: inspect } = await import('../../../lambdas/inspect/handler');
    const { handler: indexMetadata } = await import('../../../lambdas/index-metadata/handler');
    const { handler: extractText } = await import('../../../lambdas/extract-text/handler');
    const { handler: textractCallback } = await import('../../../lambdas/textract-callback/handler');
    const { handler: thumbnail } = await import('../../../lambdas/thumbnail/handler');
    functions.set(ARNS.inspect, (event, context) => inspect(event, context));
    functions.set(ARNS.indexMetadata, (event, context) => indexMetadata(event, context));
    functions.set(ARNS.thumbnail, (event, context) => thumbnail(event, context));
    functions.set(ARNS.extractText, (event, context) => extractText(event, context));
    polling = pollCallbackQueue(textractCallback, functionArn('TextractCallback'));

    const definition = JSON.parse(pipelineDefinitionWith(ARNS, table, dlqUrl)) as AslStates;
    bindings = buildTaskBindings(definition, {
      invokeLambda,
      dynamodb: testDynamo(dynamo.endpoint),
      sqs: testSqs(messaging.endpoint),
      taskTokens,
    });
    retryIntervalOverrides = Object.fromEntries(
      listStates(definition).flatMap(({ name, state }) => (state.Retry ? [[name, 0]] : [])),
    );
    machine = new StateMachine(definition as unknown as StateMachineDefinition);
  });

  afterAll(async () => {
    stopPolling.abort();
    await polling;
    await callbackEndpoint?.stop();
    await textract?.stop();
    await Promise.all([dynamo?.stop(), messaging?.stop()]);
  });

  afterEach(() => {
    // What the callback sent with SendTaskSuccess is what the async task hands on: same contract.
    for (const call of callbackEndpoint.calls.splice(0)) {
      if (call.operation !== 'SendTaskSuccess') continue;
      const parsed = CALLBACK_CONTRACT.safeParse(JSON.parse(String(call.input.output)));
      if (!parsed.success) contractViolations.push(`callback: ${parsed.error.message}`);
    }
    const violations = [...contractViolations.splice(0), ...callbackFailures.splice(0)];
    faults.clear();
    expect(violations).toEqual([]);
  });

  it('processes a PNG: thumbnail and Textract text pointers on a PROCESSED item', async () => {
    // Prepare
    const document = await upload('red flower.png', await png(40, 30), 'image/png');

    // Act
    const execution = await run(document);

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    const item = await itemOf(document);
    expect(item).toMatchObject({
      documentId: document.id,
      status: 'PROCESSED',
      statusShard: `PROCESSED#${document.shard}`,
      version: document.version,
      type: 'png',
      width: 40,
      height: 30,
      textStrategy: 'textract-sync',
      executionArn: execution.executionArn,
      thumbnail: {
        bucket: derivatives,
        key: derivativeKeys.thumbnail(document),
        width: 40,
        height: 30,
        contentType: 'image/webp',
      },
      text: {
        bucket: derivatives,
        key: derivativeKeys.text(document),
        source: 'textract',
      },
    });
    const thumbnail = await testS3(messaging.endpoint).send(
      new HeadObjectCommand({
        Bucket: derivatives,
        Key: derivativeKeys.thumbnail(document),
      }),
    );
    expect(thumbnail.ContentType).toBe('image/webp');
    expect(entered(execution.events).slice(0, 2)).toEqual(['RouteEvent', 'MarkProcessing']);
    expect(entered(execution.events).slice(-2)).toEqual(['IndexMetadata', 'Processed']);
    expect(new Set(entered(execution.events))).toEqual(new Set(processedRunStates('textract-sync')));
    expect(execution.status === 'SUCCEEDED' && execution.output).toMatchObject({
      document,
      derivatives: {
        thumbnail: { key: derivativeKeys.thumbnail(document) },
        text: { key: derivativeKeys.text(document) },
      },
      indexed: { written: true, status: 'PROCESSED' },
    });
    expectSmallStates(execution.events);
  });

  it('processes a text file locally, with no thumbnail', async () => {
    // Prepare
    const document = await upload('notes.txt', Buffer.from('Meeting notes\nsecond line\n'), 'text/plain');

    // Act
    const execution = await run(document);

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    const item = await itemOf(document);
    expect(item).toMatchObject({
      status: 'PROCESSED',
      type: 'text',
      encoding: 'utf-8',
      textStrategy: 'local',
      text: { source: 'plain-text' },
    });
    expect(item?.thumbnail).toBeUndefined();
    expect(entered(execution.events)).toContain('ExtractTextLocally');
    const stored = await testS3(messaging.endpoint).send(
      new GetObjectCommand({ Bucket: derivatives, Key: derivativeKeys.text(document) }),
    );
    expect(JSON.parse((await stored.Body?.transformToString()) ?? '{}')).toMatchObject({
      documentId: document.id,
    });
    expectSmallStates(execution.events);
  });

  it.each([
    {
      kind: 'an empty file',
      name: 'empty.pdf',
      body: Buffer.alloc(0),
      reason: 'EMPTY',
      error: 'EmptyDocumentError',
    },
    {
      kind: 'an unsupported file',
      name: 'program.exe',
      body: Buffer.concat([Buffer.from('MZ'), Buffer.alloc(510, 0x90)]),
      reason: 'UNSUPPORTED_TYPE',
      error: 'UnsupportedDocumentError',
    },
  ])('records $kind as REJECTED ($reason) and succeeds', async ({ name, body, reason, error }) => {
    // Prepare
    const document = await upload(name, body, 'application/octet-stream');

    // Act
    const execution = await run(document);

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(await itemOf(document)).toMatchObject({
      status: 'REJECTED',
      reason,
      statusShard: `REJECTED#${document.shard}`,
    });
    expect(callsOf(ARNS.inspect, document)).toBe(1);
    expect(retried(execution.events, 'Inspect')).toEqual([]);
    expect(entered(execution.events)).toEqual(REJECTED_RUN_STATES);
    const caught = execution.events.find(
      (event) => event.type === 'StateCaught' && event.state.name === 'Inspect',
    );
    expect(caught?.type === 'StateCaught' && caught.catch.catcher.Next).toBe('RecordRejected');
    expect(execution.status === 'SUCCEEDED' && execution.output).toMatchObject({ error: { Error: error } });
    expect(await dlqMessagesOf(execution.executionArn)).toEqual([]);
  });

  it('retries a Lambda service exception and Textract throttling once each, then processes', async () => {
    // Prepare
    const document = await upload('scan.png', await png(20, 20), 'image/png');
    faults.set(callKey(ARNS.thumbnail, document.id), {
      calls: [1],
      error: () => namedError('Lambda.ServiceException', 'Rate exceeded'),
    });
    faults.set(callKey(ARNS.extractText, document.id), {
      calls: [1],
      error: () => new TextractThrottledError('ProvisionedThroughputExceededException: slow down'),
    });

    // Act
    const execution = await run(document);

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(await itemOf(document)).toMatchObject({
      status: 'PROCESSED',
      thumbnail: { width: 20, height: 20 },
      text: { source: 'textract' },
    });
    expect(callsOf(ARNS.thumbnail, document)).toBe(2);
    expect(callsOf(ARNS.extractText, document)).toBe(2);
    expect(retried(execution.events, 'Thumbnail')).toEqual([
      expect.arrayContaining(['Lambda.ServiceException']),
    ]);
    expect(retried(execution.events, 'DetectTextWithTextract')).toEqual([['TextractThrottledError']]);
    const failed = execution.events.filter((event) => event.type === 'StateFailed');
    expect(
      failed.map((event) => event.type === 'StateFailed' && [event.state.name, event.Error]).sort(),
    ).toEqual([
      ['DetectTextWithTextract', 'TextractThrottledError'],
      ['Thumbnail', 'Lambda.ServiceException'],
    ]);
  });

  it('records FAILED and sends one DLQ message when a function keeps failing, and fails the execution', async () => {
    // Prepare
    const document = await upload('photo.png', await png(16, 16), 'image/png');
    faults.set(callKey(ARNS.thumbnail, document.id), {
      calls: 'all',
      error: () => new Error('libvips: out of disk space'),
    });

    // Act
    const execution = await run(document);

    // Assess
    expect(execution.status).toBe('FAILED');
    expect(callsOf(ARNS.thumbnail, document)).toBe(3);
    expect(retried(execution.events, 'Thumbnail')).toEqual([['States.ALL'], ['States.ALL']]);
    const item = await itemOf(document);
    expect(item).toMatchObject({
      status: 'FAILED',
      statusShard: `FAILED#${document.shard}`,
      failure: { error: 'Error' },
    });
    // updatedAt comes from $$.State.EnteredTime, which only the local context object provides.
    expect(Date.parse(String(item?.updatedAt))).toBeGreaterThanOrEqual(Date.parse(String(item?.startedAt)));
    const cause = JSON.parse(String(item?.failure?.cause)) as { errorType: string; errorMessage: string };
    expect(cause).toMatchObject({ errorType: 'Error', errorMessage: 'libvips: out of disk space' });
    const messages = await dlqMessagesOf(execution.executionArn);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({
      input: execution.input,
      error: { Error: 'Error', Cause: item?.failure?.cause },
      executionArn: execution.executionArn,
    });
    expect(Date.parse(String(messages[0]?.failedAt))).not.toBeNaN();
    const failedEvent = execution.events.find((event) => event.type === 'ExecutionFailed');
    expect(failedEvent?.type === 'ExecutionFailed' && [failedEvent.Error, failedEvent.Cause]).toEqual([
      'Error',
      item?.failure?.cause,
    ]);
    expect(entered(execution.events).slice(-3)).toEqual(['RecordFailure', 'SendToDlq', 'Failed']);
  });

  it('records a deletion: DELETED tombstone, derivatives gone, a success of its own path', async () => {
    // Prepare
    const document = await upload('notes.txt', Buffer.from('Delete me\nplease\n'), 'text/plain');
    await run(document);
    expect(await derivativesOf(document)).toEqual([derivativeKeys.text(document)]);
    await testS3(messaging.endpoint).send(new DeleteObjectCommand({ Bucket: uploads, Key: document.key }));
    const deletion = deletionOf(document);

    // Act
    const execution = await run(deletion);

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(entered(execution.events)).toEqual(['RouteEvent', 'RecordDeletion', 'Deleted']);
    expect(execution.status === 'SUCCEEDED' && execution.output).toMatchObject({
      deleted: { recorded: true, derivativesDeleted: 1 },
    });
    const item = await itemOf(document);
    expect(item).toMatchObject({
      status: 'DELETED',
      statusShard: `DELETED#${document.shard}`,
      sequencer: deletion.sequencer,
      version: document.version,
      deletedAt: deletion.deletedAt,
      executionArn: execution.executionArn,
    });
    expect(item?.text).toBeUndefined();
    expect(await derivativesOf(document)).toEqual([]);
    expectSmallStates(execution.events);
  });

  it('processes a new upload after a deletion as new, and a failure then carries no deletion time', async () => {
    // Prepare
    const document = await upload('photo.png', await png(16, 16), 'image/png');
    await run(deletionOf(document));
    const reupload = await upload('photo.png', await png(16, 16), 'image/png');
    const again = { ...reupload, id: document.id, key: document.key, shard: document.shard };
    await testS3(messaging.endpoint).send(
      new PutObjectCommand({ Bucket: uploads, Key: document.key, Body: await png(16, 16) }),
    );
    faults.set(callKey(ARNS.thumbnail, document.id), { calls: 'all', error: () => new Error('disk full') });

    // Act
    const execution = await run(again);

    // Assess
    expect(entered(execution.events).slice(0, 2)).toEqual(['RouteEvent', 'MarkProcessing']);
    const item = await itemOf(again);
    expect(item).toMatchObject({ status: 'FAILED', sequencer: again.sequencer });
    expect(item?.deletedAt).toBeUndefined();
  });

  it('sends a deletion that keeps failing to the failed-documents queue, and fails the execution', async () => {
    // Prepare
    const document = await upload('notes.txt', Buffer.from('kept'), 'text/plain');
    const deletion = deletionOf(document);
    faults.set(callKey(ARNS.indexMetadata, document.id), {
      calls: 'all',
      error: () => new Error('DynamoDB is having a bad day'),
    });

    // Act
    const execution = await run(deletion);

    // Assess
    expect(execution.status).toBe('FAILED');
    expect(entered(execution.events)).toEqual(['RouteEvent', 'RecordDeletion', 'SendToDlq', 'Failed']);
    expect(retried(execution.events, 'RecordDeletion')).toEqual([['States.ALL'], ['States.ALL']]);
    const messages = await dlqMessagesOf(execution.executionArn);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ input: { deletion }, error: { Error: 'Error' } });
  });

  it('stops as Superseded, writing nothing, when a newer version is already recorded', async () => {
    // Prepare
    const document = await upload('report.txt', Buffer.from('old version'), 'text/plain');
    const newerVersion = { ...document, version: 'F'.repeat(32), sequencer: 'F'.repeat(32) };
    const newer = buildMetadataItem(aProcessedOutcome(newerVersion), new Date(document.uploadedAt));
    await testDocumentClient(dynamo.endpoint).send(new PutCommand({ TableName: table, Item: newer }));

    // Act
    const execution = await run(document);

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(entered(execution.events)).toEqual(['RouteEvent', 'MarkProcessing', 'Superseded']);
    expect(retried(execution.events, 'MarkProcessing')).toEqual([]);
    expect(callsOf(ARNS.inspect, document)).toBe(0);
    expect(await itemOf(document)).toEqual(newer);
    const failed = execution.events.find((event) => event.type === 'StateFailed');
    expect(failed?.type === 'StateFailed' && failed.Error).toBe('DynamoDB.ConditionalCheckFailedException');
  });

  it('runs a version again as its next generation, and then stops a late older run as Superseded', async () => {
    // Prepare
    const document = await upload('reprocessed.txt', Buffer.from('the same bytes, read twice'), 'text/plain');
    const first = await run(document);
    const inspectedOnce = callsOf(ARNS.inspect, document);

    // Act
    const reprocess = await run(document, 1);
    const late = await run(document, 0);
    const again = await run(document, 1);

    // Assess
    expect([first.status, reprocess.status, late.status, again.status]).toEqual([
      'SUCCEEDED',
      'SUCCEEDED',
      'SUCCEEDED',
      'SUCCEEDED',
    ]);
    expect(entered(reprocess.events).slice(0, 3)).toEqual(['RouteEvent', 'MarkProcessing', 'Inspect']);
    expect(entered(reprocess.events).slice(-2)).toEqual(['IndexMetadata', 'Processed']);
    expect(callsOf(ARNS.inspect, document)).toBe(inspectedOnce + 1);
    for (const stopped of [late, again]) {
      expect(entered(stopped.events)).toEqual(['RouteEvent', 'MarkProcessing', 'Superseded']);
    }
    expect(await itemOf(document)).toMatchObject({
      status: 'PROCESSED',
      generation: 1,
      executionArn: reprocess.executionArn,
      text: { key: derivativeKeys.text(document) },
    });
    expect(await derivativesOf(document)).toHaveLength(1);
  });

  it('extracts a multi-page scan through a Textract job, SNS → SQS and the task-token callback', async () => {
    // Prepare
    const document = await upload(
      'scan.pdf',
      await buildScannedPdf([
        { lines: ['Shipping manifest for container seven'] },
        { lines: ['Delivery accepted by the night shift in Rotterdam'] },
      ]),
      'application/pdf',
    );

    // Act
    const execution = await run(document);

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(await itemOf(document)).toMatchObject({
      status: 'PROCESSED',
      type: 'pdf',
      pages: 2,
      textStrategy: 'textract-async',
      text: { source: 'textract', key: derivativeKeys.text(document) },
    });
    expect(entered(execution.events)).toContain('AnalyzeWithTextractJob');
    const token = callbackTokens.at(-1);
    expect(token).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(token).not.toBe(TASK_TOKEN_PLACEHOLDER);
    expect(taskTokens.pendingCount).toBe(0);
    expect(() => taskTokens.succeed(token ?? '', {})).toThrow(
      expect.objectContaining({ name: 'TaskTimedOut' }),
    );
    const exited = execution.events.find(
      (event) => event.type === 'StateExited' && event.state.name === 'AnalyzeWithTextractJob',
    );
    expect(exited?.type === 'StateExited' && exited.state.output).toEqual({
      text: expect.objectContaining({ source: 'textract', pages: 2 }),
    });
    const stored = await testS3(messaging.endpoint).send(
      new GetObjectCommand({ Bucket: derivatives, Key: derivativeKeys.text(document) }),
    );
    const text = JSON.parse((await stored.Body?.transformToString()) ?? '{}') as TextDocument;
    expect(text.pages[1]?.text).toContain('Delivery accepted by the night shift in Rotterdam');
    expectSmallStates(execution.events);
  });
  it('makes the real thumbnail: the EXIF-rotated photo comes out portrait in the derivatives bucket', async () => {
    // Prepare
    const photo = readFileSync(new URL('../../../sample-docs/photo-exif-rotated.jpg', import.meta.url));
    const document = await upload('photo-exif-rotated.jpg', photo, 'image/jpeg');

    // Act
    const execution = await run(document);

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    const key = derivativeKeys.thumbnail(document);
    expect(await itemOf(document)).toMatchObject({
      status: 'PROCESSED',
      type: 'jpeg',
      width: 360,
      height: 640,
      thumbnail: { bucket: derivatives, key, width: 144, height: 256, contentType: 'image/webp' },
    });
    const stored = await testS3(messaging.endpoint).send(
      new GetObjectCommand({ Bucket: derivatives, Key: key }),
    );
    const webp = Buffer.from((await stored.Body?.transformToByteArray()) ?? []);
    expect(await sharp(webp).metadata()).toMatchObject({ format: 'webp', width: 144, height: 256 });
    expectSmallStates(execution.events);
  });

  it('records REJECTED (CORRUPT) when the picture Inspect accepted cannot be decoded, and succeeds', async () => {
    // Prepare: an HEIF labelled heic but coded in AV1, which Inspect reads the header of and libheif lacks.
    const document = await upload('photo.heic', await heicBrandedImage(64, 48), 'image/heic');

    // Act
    const execution = await run(document);

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(await itemOf(document)).toMatchObject({ status: 'REJECTED', reason: 'CORRUPT' });
    expect(entered(execution.events)).toContain('Thumbnail');
    expect(entered(execution.events).slice(-2)).toEqual(['RecordRejected', 'Rejected']);
    expect(execution.status === 'SUCCEEDED' && execution.output).toMatchObject({
      error: { Error: 'CorruptDocumentError' },
    });
    expect(retried(execution.events, 'Thumbnail')).toEqual([]);
    expect(await dlqMessagesOf(execution.executionArn)).toEqual([]);
  });
});
