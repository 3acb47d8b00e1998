import { FullBatchFailureError } from '@aws-lambda-powertools/batch';
import {
  ExecutionAlreadyExists,
  SFNClient,
  StartExecutionCommand,
  type StartExecutionCommandInput,
} from '@aws-sdk/client-sfn';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  type MockInstance,
  vi,
} from 'vitest';
import { documentId } from '../../../../lambdas/shared/documents/document';
import { logger, metrics } from '../../../../lambdas/shared/runtime/powertools';
import {
  deletionExecutionName,
  executionName,
  reprocessExecutionName,
} from '../../../../lambdas/starter/execution-name';
import { STARTER_METRICS } from '../../../../lambdas/starter/report-outcome';
import { aDocument, aReprocessMessage } from '../../../fixtures/document-outcomes';
import { lambdaContext } from '../../../fixtures/lambda-context';
import {
  DEFAULT_BUCKET,
  duplicateDelivery,
  redelivered,
  s3Notification,
  s3SqsEvent,
  s3SqsRecord,
  s3TestEvent,
  sqsEvent,
  sqsRecord,
} from '../../../fixtures/s3-sqs-events';

const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:docflow-pipeline';
const SQS_TRACE = 'Root=1-6740f2a1-5f0c1d2e3f4a5b6c7d8e9f01;Parent=53995c3f42cd8ad8;Sampled=1';
const LAMBDA_TRACE = 'Root=1-6740f2a1-00000000000000000000beef;Parent=1111111111111111;Sampled=1;Lineage=a:0';

const sfnMock = mockClient(SFNClient);
const nameOf = (key: string, version = '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY'): string =>
  executionName(DEFAULT_BUCKET, key, version);
const arnOf = (name: string): string =>
  `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${name}`;
const startInputs = (): StartExecutionCommandInput[] =>
  sfnMock.commandCalls(StartExecutionCommand).map((call) => call.args[0].input);
/** An error as the AWS SDK throws it, named after the service's exception. */
const awsError = (name: string, message: string): Error => Object.assign(new Error(message), { name });
/** What StartExecution answers when an execution of that name exists already. */
const executionExists = () =>
  new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} });
/** Fails StartExecution with `error`: that of the object under `key` only, or every one. */
const rejectStarts = (error: Error, key?: string) =>
  sfnMock.on(StartExecutionCommand, key === undefined ? undefined : { name: nameOf(key) }).rejects(error);

let handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
let addMetric: MockInstance<typeof metrics.addMetric>;
let logError: MockInstance<typeof logger.error>;
let logInfo: MockInstance<typeof logger.info>;
const metricNames = (): string[] => addMetric.mock.calls.map(([name]) => name);

describe('starter handler', () => {
  beforeAll(async () => {
    vi.stubEnv('STATE_MACHINE_ARN', STATE_MACHINE_ARN);
    vi.stubEnv('AWS_REGION', 'us-east-1');
    ({ handler } = await import('../../../../lambdas/starter/handler'));
  });

  beforeEach(() => {
    sfnMock.on(StartExecutionCommand).callsFake(async (input: StartExecutionCommandInput) => ({
      executionArn: arnOf(input.name ?? ''),
      startDate: new Date(),
    }));
    addMetric = vi.spyOn(metrics, 'addMetric').mockImplementation(() => metrics);
    vi.spyOn(metrics, 'publishStoredMetrics').mockImplementation(() => metrics);
    // addMetric is a spy, so nothing is stored: say there is, as there would be in Lambda.
    vi.spyOn(metrics, 'hasStoredMetrics').mockReturnValue(true);
    logInfo = vi.spyOn(logger, 'info').mockImplementation(() => undefined);
    vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    logError = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    vi.stubEnv('_X_AMZN_TRACE_ID', '');
  });

  afterEach(() => {
    sfnMock.reset();
    vi.restoreAllMocks();
    vi.stubEnv('_X_AMZN_TRACE_ID', '');
  });

  afterAll(() => {
    vi.unstubAllEnvs();
  });

  it('starts one execution per upload with the deterministic name and the document as input', async () => {
    // Prepare
    const event = s3SqsEvent({
      key: 'incoming/a+b c.pdf',
      size: 10,
      eTag: 'e1',
      sequencer: '0055AED6DCD90281E5',
    });

    // Act
    const response = await handler(event, lambdaContext());

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    const [start] = startInputs();
    expect(start?.stateMachineArn).toBe(STATE_MACHINE_ARN);
    expect(start?.name).toBe(nameOf('incoming/a+b c.pdf'));
    expect(JSON.parse(start?.input ?? '')).toEqual({
      document: expect.objectContaining({
        id: documentId(DEFAULT_BUCKET, 'incoming/a+b c.pdf'),
        bucket: DEFAULT_BUCKET,
        key: 'incoming/a+b c.pdf',
        version: '3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY',
        size: 10,
        eTag: 'e1',
      }),
      generation: 0,
    });
    expect(metricNames()).toEqual([STARTER_METRICS.executionsStarted]);
    expect(metrics.publishStoredMetrics).toHaveBeenCalledOnce();
  });

  it('drops an s3:TestEvent and acknowledges it', async () => {
    // Prepare
    const event = sqsEvent(sqsRecord(s3TestEvent()));

    // Act
    const response = await handler(event, lambdaContext());

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(startInputs()).toEqual([]);
    expect(metricNames()).toEqual([STARTER_METRICS.testEventsDropped]);
  });

  it('starts a deletion for a delete marker, named apart from uploads', async () => {
    // Prepare
    const event = s3SqsEvent({
      key: 'incoming/a b.pdf',
      eventName: 'ObjectRemoved:DeleteMarkerCreated',
      versionId: 'marker-version',
      sequencer: '0065A1B2C3D4E5F699',
    });

    // Act
    const response = await handler(event, lambdaContext());

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    const [input] = startInputs();
    expect(input?.name).toBe(
      deletionExecutionName(DEFAULT_BUCKET, 'incoming/a b.pdf', '0065A1B2C3D4E5F69900000000000000'),
    );
    expect(input?.name).toMatch(/^deleted-a-b-pdf-[0-9a-f]{32}$/);
    expect(JSON.parse(input?.input ?? '{}')).toEqual({
      deletion: {
        id: documentId(DEFAULT_BUCKET, 'incoming/a b.pdf'),
        bucket: DEFAULT_BUCKET,
        key: 'incoming/a b.pdf',
        sequencer: '0065A1B2C3D4E5F69900000000000000',
        deletedAt: '2026-11-23T12:00:00.000Z',
        shard: expect.stringMatching(/^[0-7]$/),
      },
    });
    expect(metricNames()).toEqual([STARTER_METRICS.deletionsStarted]);
  });

  it('drops records that are neither creations nor removals and acknowledges them', async () => {
    // Prepare
    const event = s3SqsEvent({ key: 'incoming/a.pdf', eventName: 'ObjectRestore:Completed' });

    // Act
    const response = await handler(event, lambdaContext());

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(startInputs()).toEqual([]);
    expect(metricNames()).toEqual([STARTER_METRICS.unexpectedEventsDropped]);
  });

  it('acknowledges a duplicate notification whose execution exists already', async () => {
    // Prepare
    rejectStarts(executionExists());
    const event = s3SqsEvent({ key: 'incoming/a.pdf' });

    // Act
    const response = await handler(event, lambdaContext());

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(startInputs()).toHaveLength(1);
    expect(metricNames()).toEqual([STARTER_METRICS.duplicateNotifications]);
    expect(logInfo).toHaveBeenCalledWith(
      expect.stringContaining('duplicate'),
      expect.objectContaining({
        documentId: documentId(DEFAULT_BUCKET, 'incoming/a.pdf'),
        executionArn: arnOf(nameOf('incoming/a.pdf')),
      }),
    );
  });

  it('starts a reprocess request as the next generation, and counts it', async () => {
    // Prepare
    const document = aDocument('incoming/big scan.pdf', '0055AED6DCD90281E5');
    const event = sqsEvent(sqsRecord(JSON.stringify(aReprocessMessage(document, 1))));

    // Act
    const response = await handler(event, lambdaContext());

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    const [start] = startInputs();
    expect(start?.name).toBe(reprocessExecutionName(document.bucket, document.key, document.version, 1));
    expect(JSON.parse(start?.input ?? '{}')).toEqual({ document, generation: 1 });
    expect(metricNames()).toEqual([STARTER_METRICS.reprocessesStarted]);
  });

  it('acknowledges a reprocess request whose generation has an execution already, starting nothing', async () => {
    // Prepare
    rejectStarts(executionExists());
    const document = aDocument('incoming/big scan.pdf', '0055AED6DCD90281E5');

    // Act
    const response = await handler(
      sqsEvent(sqsRecord(JSON.stringify(aReprocessMessage(document, 1)))),
      lambdaContext(),
    );

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(metricNames()).toEqual([STARTER_METRICS.duplicateReprocesses]);
    expect(logInfo).toHaveBeenCalledWith(
      expect.stringContaining('duplicate reprocess'),
      expect.objectContaining({ documentId: document.id, generation: 1 }),
    );
  });

  it('reports exactly the message whose start failed', async () => {
    // Prepare
    const failing = s3SqsRecord({ key: 'incoming/bad.pdf' });
    const fine = s3SqsRecord({ key: 'incoming/good.pdf' });
    rejectStarts(awsError('ThrottlingException', 'Rate exceeded'), 'incoming/bad.pdf');

    // Act
    const response = await handler(sqsEvent(fine, failing), lambdaContext());

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: failing.messageId }] });
    expect(metricNames().sort()).toEqual(
      [STARTER_METRICS.executionsStarted, STARTER_METRICS.startFailures].sort(),
    );
    expect(logError).toHaveBeenCalledWith(
      expect.any(String),
      expect.objectContaining({ messageId: failing.messageId, encodedKey: 'incoming/bad.pdf' }),
    );
  });

  it('starts the rest of a batch of three when one fails', async () => {
    // Prepare
    const records = ['a', 'b', 'c'].map((name) => s3SqsRecord({ key: `incoming/${name}.pdf` }));
    rejectStarts(awsError('InternalServerError', 'internal'), 'incoming/b.pdf');

    // Act
    const response = await handler(sqsEvent(...records), lambdaContext());

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: records[1]?.messageId }] });
    expect(
      startInputs()
        .map((input) => input.name)
        .sort(),
    ).toEqual(['a', 'b', 'c'].map((name) => nameOf(`incoming/${name}.pdf`)).sort());
  });

  it('fails a message when one of its several records fails, after starting the others', async () => {
    // Prepare
    const record = s3SqsRecord([{ key: 'incoming/a.pdf' }, { key: 'incoming/b.pdf' }]);
    const other = s3SqsRecord({ key: 'incoming/c.pdf' });
    rejectStarts(awsError('ThrottlingException', 'Rate exceeded'), 'incoming/b.pdf');

    // Act
    const response = await handler(sqsEvent(record, other), lambdaContext());

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: record.messageId }] });
    expect(startInputs().map((input) => input.name)).toContain(nameOf('incoming/a.pdf'));
  });

  it('fails a malformed message so that the queue dead-letters it, and logs it as poison', async () => {
    // Prepare
    const poison = sqsRecord('this is not an S3 notification', { receiveCount: 3 });
    const fine = s3SqsRecord({ key: 'incoming/a.pdf' });

    // Act
    const response = await handler(sqsEvent(poison, fine), lambdaContext());

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: poison.messageId }] });
    expect(startInputs()).toHaveLength(1);
    expect(metricNames().sort()).toEqual(
      [STARTER_METRICS.malformedMessages, STARTER_METRICS.executionsStarted].sort(),
    );
    expect(logError).toHaveBeenCalledWith(
      expect.stringContaining('poison message'),
      expect.objectContaining({ messageId: poison.messageId, receiveCount: '3' }),
    );
  });

  it('throws when the whole batch fails, so Lambda reports the invocation as an error', async () => {
    // Prepare
    rejectStarts(awsError('ServiceUnavailable', 'down'));

    // Act & Assess
    await expect(handler(s3SqsEvent({ key: 'incoming/a.pdf' }), lambdaContext())).rejects.toThrow(
      FullBatchFailureError,
    );
    expect(metrics.publishStoredMetrics).toHaveBeenCalledOnce();
  });

  it('starts every execution in a new sampled trace of its own, not in the trace SQS or the function carry', async () => {
    // Prepare
    vi.stubEnv('_X_AMZN_TRACE_ID', LAMBDA_TRACE);
    const event = sqsEvent(
      s3SqsRecord([{ key: 'incoming/a.pdf' }, { key: 'incoming/b.pdf' }], { traceHeader: SQS_TRACE }),
      s3SqsRecord({ key: 'incoming/c.pdf' }, { traceHeader: SQS_TRACE }),
    );
    const before = Math.floor(Date.now() / 1000);

    // Act
    await handler(event, lambdaContext());

    // Assess
    const after = Math.floor(Date.now() / 1000);
    const headers = startInputs().map((input) => input.traceHeader ?? '');
    expect(headers).toHaveLength(3);
    for (const header of headers) expect(header).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Sampled=1$/);
    expect(new Set(headers).size).toBe(3);
    // X-Ray files a trace under the time in its id: the time the execution starts.
    const epochs = headers.map((header) =>
      Number.parseInt(header.slice('Root=1-'.length, 'Root=1-'.length + 8), 16),
    );
    for (const epoch of epochs) expect(epoch).toBeGreaterThanOrEqual(before);
    for (const epoch of epochs) expect(epoch).toBeLessThanOrEqual(after);
  });

  it('logs each started execution with the trace it was started in', async () => {
    // Act
    await handler(s3SqsEvent({ key: 'incoming/a.pdf' }), lambdaContext());

    // Assess
    const [start] = startInputs();
    expect(logInfo).toHaveBeenCalledWith(
      'started execution',
      expect.objectContaining({
        executionName: start?.name,
        traceId: start?.traceHeader?.replace(/^Root=([^;]+);.*$/, '$1'),
      }),
    );
  });

  it('starts a redelivered notification in a new trace, and the existing execution answers it', async () => {
    // Prepare
    const record = s3SqsRecord({ key: 'incoming/a.pdf' });
    await handler(sqsEvent(record), lambdaContext());
    rejectStarts(executionExists());

    // Act
    const response = await handler(sqsEvent(redelivered(record)), lambdaContext());

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    const [first, again] = startInputs();
    expect(again?.name).toBe(first?.name);
    expect(again?.traceHeader).not.toBe(first?.traceHeader);
    expect(metricNames()).toEqual([
      STARTER_METRICS.executionsStarted,
      STARTER_METRICS.duplicateNotifications,
    ]);
  });

  it('starts a redelivered or re-sent notification with the same name and byte-identical input', async () => {
    // Prepare
    const original = s3SqsRecord({ key: 'incoming/100% done.pdf' }, { traceHeader: SQS_TRACE });
    const again = redelivered(original);
    const resent = duplicateDelivery(original, { traceHeader: LAMBDA_TRACE });
    const reserialized = sqsRecord(JSON.stringify(JSON.parse(original.body), null, 2));

    // Act
    for (const record of [original, again, resent, reserialized]) {
      await handler(sqsEvent(record), lambdaContext());
    }

    // Assess
    const starts = startInputs();
    expect(starts).toHaveLength(4);
    expect(new Set(starts.map((input) => input.name))).toEqual(new Set([nameOf('incoming/100% done.pdf')]));
    expect(new Set(starts.map((input) => input.input)).size).toBe(1);
    expect(again.messageId).toBe(original.messageId);
    expect(resent.messageId).not.toBe(original.messageId);
  });

  it('reads the notification S3 sends for a key with every awkward character', async () => {
    // Prepare
    const key = 'incoming/café 📄 a+b=c&d (1) 100%.pdf';
    const event = sqsEvent(sqsRecord(s3Notification({ key })));

    // Act
    await handler(event, lambdaContext());

    // Assess
    expect(JSON.parse(startInputs()[0]?.input ?? '{}').document.key).toBe(key);
    expect(startInputs()[0]?.name).toMatch(/^cafe-a-b-c-d-1-100-pdf-[0-9a-f]{32}$/);
  });
});
