import { randomBytes } from 'node:crypto';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  type DescribeExecutionOutput,
  ExecutionAlreadyExists,
  InvalidName,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
  ValidationException,
} from '@aws-sdk/client-sfn';
import { type Message, ReceiveMessageCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeS3EventKey } from '../../../lambdas/shared/documents/s3-key';
import { executionName } from '../../../lambdas/starter/execution-name';
import { parseIngestMessage } from '../../../lambdas/starter/s3-notification';
import { LambdaRunner } from '../../../local/lambda/runner';
import { type BatchOutcome, SqsEventSource } from '../../../local/lambda/sqs-event-source';
import { batchFailuresOf } from '../../../local/lambda/sqs-records';
import {
  type RunningLocalStepFunctions,
  startLocalStepFunctions,
} from '../../../local/stepfunctions/service';
import { bundleFixture, fixtureFunction } from '../../fixtures/lambda-handlers/bundle';
import type { ConsumerMessage } from '../../fixtures/lambda-handlers/sqs-consumer';
import {
  createBucket,
  createNotifiedBucket,
  createQueue,
  notifyOnCreate,
  queueCounts,
  receiveMessages,
  sendJsonBatch,
  TEST_ACCOUNT,
  TEST_AWS,
  testArn,
  testS3,
  testSqs,
  uniquePrefix,
} from '../../support/aws';
import { BatchOutcomes } from '../../support/batch-outcomes';
import { type LocalGateway, startLocalGateway } from '../../support/local-gateway';
import { createStateMachine, finishedExecution } from '../../support/local-step-functions';

/**
 * The AWS behaviours the local emulators must keep, each pinned by a test whose title names the AWS
 * documentation that promises it. The pipeline relies on every one of them; an upgrade of fauxqs,
 * aws-local-stepfunctions or of our layers over them that changes one fails here first, loudly.
 *
 * - S3 event structure: https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
 * - Partial batch responses: https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
 * - Redrive policy: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html
 * - StartExecution: https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html
 * - Task tokens: https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskSuccess.html
 */

const ROLE_ARN = testArn.role('docflow-conformance');
const WORKER_ARN = testArn.lambda('callback-worker');
const consumer = await bundleFixture('sqs-consumer.ts');
const CONSUMER_NAME = 'conformance-consumer';
/** The ingest queue's maxReceiveCount (infra/constructs/ingest.ts), AWS's advice for Lambda consumers. */
const MAX_RECEIVE_COUNT = 5;

/** One `.waitForTaskToken` Task; the worker is handed the token and the execution's `key`. */
const callbackMachine = (heartbeatSeconds: number) => ({
  StartAt: 'WaitForCallback',
  States: {
    WaitForCallback: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: WORKER_ARN, Payload: { 'key.$': '$.key', 'token.$': '$$.Task.Token' } },
      HeartbeatSeconds: heartbeatSeconds,
      ResultPath: '$.callback',
      End: true,
    },
  },
});

/** Task tokens handed to the fake worker, by the `key` of the execution's input. */
class Tokens {
  readonly #waiters = new Map<string, PromiseWithResolvers<string>>();

  readonly invoke = async (_arn: string, payload: unknown): Promise<unknown> => {
    const { key, token } = payload as { key: string; token: string };
    this.#waiter(key).resolve(token);
    return {};
  };

  of(key: string): Promise<string> {
    return this.#waiter(key).promise;
  }

  #waiter(key: string): PromiseWithResolvers<string> {
    let waiter = this.#waiters.get(key);
    if (!waiter) {
      waiter = Promise.withResolvers<string>();
      this.#waiters.set(key, waiter);
    }
    return waiter;
  }
}

let local: LocalGateway;
let s3: S3Client;
let sqs: SQSClient;
let stepFunctions: RunningLocalStepFunctions;
let sfn: SFNClient;
let waitingMachine: string;
let heartbeatMachine: string;
const tokens = new Tokens();
const runner = new LambdaRunner({
  region: TEST_AWS.region,
  environment: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
  maxConcurrencyPerFunction: 2,
});
const sources: SqsEventSource[] = [];

beforeAll(async () => {
  local = await startLocalGateway();
  s3 = testS3(local.endpoint);
  sqs = testSqs(local.endpoint);
  stepFunctions = await startLocalStepFunctions({
    invokeLambda: tokens.invoke,
    endpoints: { dynamodb: local.dynamo.endpoint, sqs: local.messaging.endpoint },
    region: TEST_AWS.region,
    accountId: TEST_ACCOUNT,
    credentials: TEST_AWS.credentials,
  });
  sfn = new SFNClient({ ...TEST_AWS, endpoint: stepFunctions.endpoint, maxAttempts: 1 });
  waitingMachine = await createStateMachine(sfn, callbackMachine(3600), ROLE_ARN);
  heartbeatMachine = await createStateMachine(sfn, callbackMachine(1), ROLE_ARN);
  // Warm before the first batch: the queues here hide a message for 1 s, and a cold start under a
  // loaded test run outlasted that, so a batch's messages came back before its deletes.
  runner.register(fixtureFunction(consumer.codeDirectory, CONSUMER_NAME), { prewarm: true });
  await runner.started();
});

afterAll(async () => {
  await Promise.all(sources.map((source) => source.stop()));
  await runner.close();
  await consumer.remove();
  sfn?.destroy();
  await stepFunctions?.stop();
  await local?.stop();
});

/** Receives until the queue has nothing for a whole long poll, or `count` messages arrived; deletes none. */
const receive = (queueUrl: string, count: number): Promise<Message[]> =>
  receiveMessages(sqs, queueUrl, count);

const startConsumer = (queue: { url: string; arn: string }, onBatch: (outcome: BatchOutcome) => void) => {
  const source = new SqsEventSource({
    sqs,
    invoker: runner,
    functionName: CONSUMER_NAME,
    queueUrl: queue.url,
    queueArn: queue.arn,
    region: TEST_AWS.region,
    batchSize: 10,
    functionResponseTypes: ['ReportBatchItemFailures'],
    onBatch,
  });
  sources.push(source);
  source.start();
  return source;
};

const sendAll = (queueUrl: string, ...messages: ConsumerMessage[]): Promise<string[]> =>
  sendJsonBatch(sqs, queueUrl, messages);

const finished = (executionArn: string): Promise<DescribeExecutionOutput> =>
  finishedExecution(sfn, executionArn);

const start = (stateMachineArn: string, name: string, input: object) =>
  sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));

const rejection = async (promise: Promise<unknown>): Promise<Error> => {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof Error)) throw new Error('expected the call to be refused');
  return error;
};

/** The errors SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat with `taskToken` are each refused with. */
const callbackRefusals = (taskToken: string): Promise<Error[]> =>
  Promise.all([
    rejection(sfn.send(new SendTaskSuccessCommand({ taskToken, output: '{}' }))),
    rejection(sfn.send(new SendTaskFailureCommand({ taskToken, error: 'Late' }))),
    rejection(sfn.send(new SendTaskHeartbeatCommand({ taskToken }))),
  ]);

/** The token of a task of the waiting machine that was sent its success, once its execution ended. */
const closedTaskToken = async (): Promise<string> => {
  const name = uniquePrefix('closed-task');
  const { executionArn } = await start(waitingMachine, name, { key: name });
  const token = await tokens.of(name);
  await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }));
  await finished(executionArn ?? '');
  return token;
};

describe('S3 event notifications (S3 User Guide: event message structure)', () => {
  it('[event message structure] the object key is URL-encoded: space → "+", "+" → "%2B", non-ASCII → percent-encoded UTF-8, "/" kept', async () => {
    // Prepare
    const { bucket, queue } = await createNotifiedBucket(local.endpoint, 'key-encoding', 'incoming/');
    await receive(queue.url, 1);
    const key = 'incoming/a b+c/Café ☕ 日本.txt';

    // Act
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'x' }));
    const [message] = await receive(queue.url, 1);
    const record = (
      JSON.parse(message?.Body ?? '{}') as {
        Records?: { eventName: string; s3: { object: { key: string } } }[];
      }
    ).Records?.[0];

    // Assess
    expect(record?.eventName).toBe('ObjectCreated:Put');
    expect(record?.s3.object.key).toBe('incoming/a+b%2Bc/Caf%C3%A9+%E2%98%95+%E6%97%A5%E6%9C%AC.txt');
    expect(decodeS3EventKey(record?.s3.object.key ?? '')).toBe(key);
  });

  it('[event message structure] saving a notification configuration sends each destination an s3:TestEvent with exactly Service, Event, Time, Bucket, RequestId, HostId', async () => {
    // Prepare
    const bucket = uniquePrefix('test-event').toLowerCase();
    await createBucket(local.endpoint, bucket);
    const queue = await createQueue(local.endpoint, uniquePrefix('test-event-q'));

    // Act
    await notifyOnCreate(local.endpoint, bucket, queue.arn);
    const messages = await receive(queue.url, 2);
    const body = JSON.parse(messages[0]?.Body ?? '{}') as Record<string, unknown>;

    // Assess
    expect(messages).toHaveLength(1);
    expect(Object.keys(body).sort()).toEqual(['Bucket', 'Event', 'HostId', 'RequestId', 'Service', 'Time']);
    expect(body).toMatchObject({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: bucket });
    expect(new Date(String(body.Time)).toISOString()).toBe(body.Time);
    expect(parseIngestMessage(messages[0]?.Body ?? '')).toEqual({ kind: 'test-event', bucket });
  });
});

describe('SQS event source with ReportBatchItemFailures (Lambda Developer Guide: handling errors for an SQS event source)', () => {
  it('[partial batch response] only the messages listed in batchItemFailures stay in the queue and come back; the rest are deleted', async () => {
    // Prepare
    const queue = await createQueue(local.endpoint, uniquePrefix('partial'), { VisibilityTimeout: '1' });
    const [first, failing, last] = await sendAll(
      queue.url,
      { outcome: 'ok' },
      { outcome: 'fail-once' },
      { outcome: 'ok' },
    );
    const outcomes = new BatchOutcomes(30_000);

    // Act
    const source = startConsumer(queue, outcomes.record);
    const [batch, redelivery] = await outcomes.until(2);
    await source.stop();

    // Assess
    expect(batch?.failedMessageIds).toEqual([failing]);
    expect([...(batch?.deletedMessageIds ?? [])].sort()).toEqual([first, last].sort());
    expect(redelivery).toEqual({ messageIds: [failing], deletedMessageIds: [failing], failedMessageIds: [] });
    expect(await queueCounts(sqs, queue.url)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('[partial batch response] an empty batchItemFailures list means the whole batch succeeded: every message is deleted', async () => {
    // Prepare
    const queue = await createQueue(local.endpoint, uniquePrefix('all-ok'), { VisibilityTimeout: '1' });
    const sent = await sendAll(queue.url, { outcome: 'ok' }, { outcome: 'ok' }, { outcome: 'ok' });
    const outcomes = new BatchOutcomes(30_000);

    // Act
    const source = startConsumer(queue, outcomes.record);
    const [batch] = await outcomes.until(1);
    await source.stop();

    // Assess
    expect(batch?.failedMessageIds).toEqual([]);
    expect([...(batch?.deletedMessageIds ?? [])].sort()).toEqual([...sent].sort());
    expect(outcomes.all).toHaveLength(1);
    expect(await queueCounts(sqs, queue.url)).toEqual({ visible: 0, inFlight: 0 });
  });

  it.each([
    ['an empty itemIdentifier', { batchItemFailures: [{ itemIdentifier: '' }] }],
    ['a null itemIdentifier', { batchItemFailures: [{ itemIdentifier: null }] }],
    ['a message id that is not in the batch', { batchItemFailures: [{ itemIdentifier: 'not-in-batch' }] }],
    ['a misnamed key', { batchItemFailures: [{ itemId: 'm1' }] }],
  ])('[partial batch response] %s fails the whole batch', (_case, response) => {
    // Act
    const failures = batchFailuresOf(response, new Set(['m1', 'm2']));

    // Assess
    expect(failures).toEqual({ kind: 'all' });
  });
});

describe('SQS redrive policy (SQS Developer Guide: dead-letter queues)', () => {
  it('[maxReceiveCount] a message received maxReceiveCount times without being deleted moves to the DLQ, same id and body', async () => {
    // Prepare
    const dlq = await createQueue(local.endpoint, uniquePrefix('redrive-dlq'));
    const queue = await createQueue(local.endpoint, uniquePrefix('redrive'), {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: MAX_RECEIVE_COUNT }),
    });
    const { MessageId } = await sqs.send(
      new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'poison' }),
    );
    const receiveCounts: string[] = [];

    // Act
    for (let receiveNumber = 1; receiveNumber <= MAX_RECEIVE_COUNT + 1; receiveNumber += 1) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queue.url,
          // Visible again at once: each receive is another failed delivery.
          VisibilityTimeout: 0,
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        }),
      );
      for (const message of Messages) receiveCounts.push(message.Attributes?.ApproximateReceiveCount ?? '');
    }
    const [deadLettered] = await receive(dlq.url, 1);

    // Assess
    expect(receiveCounts).toEqual(['1', '2', '3', '4', '5']);
    expect(deadLettered).toMatchObject({ MessageId, Body: 'poison' });
    expect(await queueCounts(sqs, queue.url)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('[maxReceiveCount] a batch whose invocation keeps failing reaches the function maxReceiveCount times, then the DLQ', async () => {
    // Prepare
    const dlq = await createQueue(local.endpoint, uniquePrefix('poison-dlq'));
    const queue = await createQueue(local.endpoint, uniquePrefix('poison'), {
      VisibilityTimeout: '1',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: MAX_RECEIVE_COUNT }),
    });
    const [poison] = await sendAll(queue.url, { outcome: 'poison' });
    const outcomes = new BatchOutcomes(30_000);

    // Act
    const source = startConsumer(queue, outcomes.record);
    await outcomes.until(MAX_RECEIVE_COUNT);
    const [deadLettered] = await receive(dlq.url, 1);
    await source.stop();

    // Assess
    expect(outcomes.all).toHaveLength(MAX_RECEIVE_COUNT);
    expect(outcomes.all.every((outcome) => outcome.failedMessageIds.includes(poison ?? ''))).toBe(true);
    expect(deadLettered?.MessageId).toBe(poison);
    expect(await queueCounts(sqs, queue.url)).toEqual({ visible: 0, inFlight: 0 });
  });
});

describe('StartExecution (Step Functions API Reference)', () => {
  it('[name] 1 to 80 characters: 80 is accepted, 81 is a ValidationException', async () => {
    // Prepare
    const accepted = uniquePrefix('len').padEnd(80, 'x');

    // Act
    const started = await start(waitingMachine, accepted, { key: accepted });
    const refused = await rejection(start(waitingMachine, `${accepted}y`, { key: 'too-long' }));
    await sfn.send(new SendTaskSuccessCommand({ taskToken: await tokens.of(accepted), output: '{}' }));

    // Assess
    expect(started.executionArn?.endsWith(`:${accepted}`)).toBe(true);
    expect(refused).toBeInstanceOf(ValidationException);
  });

  it.each([
    ['white space', 'a b'],
    ['a bracket', 'a<b'],
    ['a brace', 'a{b'],
    ['a square bracket', 'a[b'],
    ['a wildcard', 'a?b'],
    ['an asterisk', 'a*b'],
    ['a quote', 'a"b'],
    ['a hash', 'a#b'],
    ['a percent sign', 'a%b'],
    ['a backslash', 'a\\b'],
    ['a caret', 'a^b'],
    ['a pipe', 'a|b'],
    ['a tilde', 'a~b'],
    ['a backtick', 'a`b'],
    ['a dollar sign', 'a$b'],
    ['an ampersand', 'a&b'],
    ['a comma', 'a,b'],
    ['a semicolon', 'a;b'],
    ['a colon', 'a:b'],
    ['a slash', 'a/b'],
    ['a control character', 'a\u0001b'],
    ['a C1 control character', 'a\u0085b'],
  ])('[name] must not contain %s: InvalidName', async (_kind, name) => {
    // Act
    const refused = await rejection(start(waitingMachine, name, { key: name }));

    // Assess
    expect(refused).toBeInstanceOf(InvalidName);
  });

  it('[name] non-ASCII letters are allowed, and so is every name the starter makes', async () => {
    // Prepare
    const unicode = `café-日本-${uniquePrefix('u')}`;
    const fromOddKey = executionName(
      'docflow-uploads',
      'incoming/a b+c/Café ☕ 日本 (1).pdf',
      uniquePrefix('v'),
    );

    // Act
    const started = await Promise.all([
      start(waitingMachine, unicode, { key: unicode }),
      start(waitingMachine, fromOddKey, { key: fromOddKey }),
    ]);
    for (const name of [unicode, fromOddKey]) {
      await sfn.send(new SendTaskSuccessCommand({ taskToken: await tokens.of(name), output: '{}' }));
    }

    // Assess
    expect(started.map((execution) => execution.executionArn?.split(':').at(-1))).toEqual([
      unicode,
      fromOddKey,
    ]);
    expect(fromOddKey).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
  });

  it('[idempotency] the same name and input while the execution is RUNNING returns the original execution; another input is ExecutionAlreadyExists', async () => {
    // Prepare
    const name = uniquePrefix('idempotent');
    const input = { key: name };
    const original = await start(waitingMachine, name, input);
    const token = await tokens.of(name);

    // Act
    const repeated = await start(waitingMachine, name, input);
    const otherInput = await rejection(start(waitingMachine, name, { key: name, other: true }));
    await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' }));
    const described = await finished(original.executionArn ?? '');

    // Assess
    expect(repeated.executionArn).toBe(original.executionArn);
    expect(repeated.startDate?.getTime()).toBe(original.startDate?.getTime());
    expect(otherInput).toBeInstanceOf(ExecutionAlreadyExists);
    expect(described.status).toBe('SUCCEEDED');
  });

  it('[idempotency] once the execution has closed, its name cannot be used again, even with the same input: ExecutionAlreadyExists', async () => {
    // Prepare
    const name = uniquePrefix('closed');
    const input = { key: name };
    const original = await start(waitingMachine, name, input);
    await sfn.send(new SendTaskSuccessCommand({ taskToken: await tokens.of(name), output: '{}' }));
    await finished(original.executionArn ?? '');

    // Act
    const again = await rejection(start(waitingMachine, name, input));

    // Assess
    expect(again).toBeInstanceOf(ExecutionAlreadyExists);
  });
});

describe('Task tokens (Step Functions API Reference: SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat)', () => {
  it('[SendTaskSuccess] resumes the waiting task, its output becoming the task result', async () => {
    // Prepare
    const name = uniquePrefix('resume');
    const { executionArn } = await start(waitingMachine, name, { key: name });
    const token = await tokens.of(name);

    // Act
    await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"answer":42}' }));
    const described = await finished(executionArn ?? '');

    // Assess
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output ?? '{}')).toEqual({ key: name, callback: { answer: 42 } });
  });

  it.each([
    {
      title:
        '[TaskDoesNotExist] a token no task was given is refused by SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat',
      token: async () => randomBytes(48).toString('base64url'),
      refusal: TaskDoesNotExist,
    },
    {
      title: '[TaskTimedOut] the token of a task that has already closed is refused as TaskTimedOut',
      token: closedTaskToken,
      refusal: TaskTimedOut,
    },
  ])('$title', async ({ token, refusal }) => {
    // Prepare
    const taskToken = await token();

    // Act
    const refusals = await callbackRefusals(taskToken);

    // Assess
    for (const refused of refusals) expect(refused).toBeInstanceOf(refusal);
  });

  it('[HeartbeatSeconds] a task without a heartbeat in time fails with States.HeartbeatTimeout, and its token is then TaskTimedOut', async () => {
    // Prepare
    const name = uniquePrefix('heartbeat');
    const { executionArn } = await start(heartbeatMachine, name, { key: name });
    const token = await tokens.of(name);

    // Act
    const described = await finished(executionArn ?? '');
    const late = await rejection(sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })));

    // Assess
    expect(described).toMatchObject({ status: 'FAILED', error: 'States.HeartbeatTimeout' });
    expect(late).toBeInstanceOf(TaskTimedOut);
  });
});
