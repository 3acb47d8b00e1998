import { createHash } from 'node:crypto';
import { ReceiveMessageCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MessagingEmulator } from '../../../../local/emulators/fauxqs';
import { startMessaging } from '../../../../local/emulators/fauxqs';
import { LambdaRunner } from '../../../../local/lambda/runner';
import {
  type FunctionInvoker,
  SqsEventSource,
  type SqsEventSourceOptions,
} from '../../../../local/lambda/sqs-event-source';
import { QueueActivity } from '../../../../local/sqs/queue-activity';
import { bundleFixture, fixtureFunction } from '../../../fixtures/lambda-handlers/bundle';
import type { ConsumerMessage } from '../../../fixtures/lambda-handlers/sqs-consumer';
import {
  createQueue,
  queueCounts,
  sendJsonBatch,
  TEST_AWS,
  testSqs,
  uniquePrefix,
} from '../../../support/aws';
import { BatchOutcomes } from '../../../support/batch-outcomes';

const consumer = await bundleFixture('sqs-consumer.ts');
const FUNCTION_NAME = 'sqs-consumer';
/** The same consumer with a reserved concurrency of 1, so a single poller gathers every batch. */
const SERIAL_FUNCTION_NAME = 'sqs-consumer-serial';

/** The runner, seen through a window that records every event the event source sends. */
class RecordingInvoker implements FunctionInvoker {
  readonly events: SQSEvent[] = [];
  readonly #runner: LambdaRunner;

  constructor(runner: LambdaRunner) {
    this.#runner = runner;
  }

  invoke(name: string, payload: unknown): Promise<unknown> {
    this.events.push(payload as SQSEvent);
    return this.#runner.invoke(name, payload);
  }

  concurrencyOf(name: string): number {
    return this.#runner.concurrencyOf(name);
  }
}

/** An SQS client that sends through `sqs` and records each ReceiveMessage's long-poll wait, in seconds. */
const recordingReceives = (sqs: SQSClient): { readonly client: SQSClient; readonly waits: number[] } => {
  const waits: number[] = [];
  const client = {
    send: (command: Parameters<SQSClient['send']>[0]) => {
      if (command instanceof ReceiveMessageCommand) waits.push(command.input.WaitTimeSeconds ?? 0);
      return sqs.send(command as never);
    },
  } as unknown as SQSClient;
  return { client, waits };
};

describe('SqsEventSource', () => {
  let messaging: MessagingEmulator;
  let sqs: SQSClient;
  const runner = new LambdaRunner({
    environment: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
    maxConcurrencyPerFunction: 2,
  });
  const sources: SqsEventSource[] = [];
  const errors: Error[] = [];

  beforeAll(async () => {
    messaging = await startMessaging();
    sqs = testSqs(messaging.endpoint);
    for (const [name, reservedConcurrency] of [
      [FUNCTION_NAME, undefined],
      [SERIAL_FUNCTION_NAME, 1],
    ] as const) {
      runner.register(
        fixtureFunction(consumer.codeDirectory, name, {
          timeoutSeconds: 5,
          ...(reservedConcurrency === undefined ? {} : { reservedConcurrency }),
        }),
      );
    }
  });

  afterEach(() => {
    expect(errors.splice(0)).toEqual([]);
  });

  afterAll(async () => {
    await Promise.all(sources.map((source) => source.stop()));
    await runner.close();
    await messaging?.stop();
    await consumer.remove();
  });

  const send = (url: string, ...messages: ConsumerMessage[]): Promise<string[]> =>
    sendJsonBatch(sqs, url, messages);

  const startSource = (
    queue: { url: string; arn: string },
    outcomes: BatchOutcomes,
    invoker: FunctionInvoker,
    options: Partial<SqsEventSourceOptions> = {},
  ): SqsEventSource => {
    const source = new SqsEventSource({
      sqs,
      invoker,
      functionName: FUNCTION_NAME,
      queueUrl: queue.url,
      queueArn: queue.arn,
      region: TEST_AWS.region,
      functionResponseTypes: ['ReportBatchItemFailures'],
      onBatch: outcomes.record,
      onError: (error) => errors.push(error),
      ...options,
    });
    sources.push(source);
    source.start();
    return source;
  };

  it('delivers AWS-shaped SQS records', async () => {
    // Prepare
    const queue = await createQueue(messaging.endpoint, uniquePrefix('shape'));
    const body = JSON.stringify({ outcome: 'ok' } satisfies ConsumerMessage);
    const { MessageId } = await sqs.send(
      new SendMessageCommand({
        QueueUrl: queue.url,
        MessageBody: body,
        MessageAttributes: { tenant: { DataType: 'String', StringValue: 'acme' } },
      }),
    );
    const outcomes = new BatchOutcomes();
    const invoker = new RecordingInvoker(runner);

    // Act
    const source = startSource(queue, outcomes, invoker);
    await outcomes.until(1);
    await source.stop();

    // Assess
    const record = invoker.events[0]?.Records[0];
    expect(record).toMatchObject({
      messageId: MessageId,
      body,
      md5OfBody: createHash('md5').update(body).digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: queue.arn,
      awsRegion: TEST_AWS.region,
      attributes: { ApproximateReceiveCount: '1' },
      messageAttributes: {
        tenant: { stringValue: 'acme', stringListValues: [], binaryListValues: [], dataType: 'String' },
      },
    });
    expect(record?.receiptHandle).toEqual(expect.any(String));
    expect(Number(record?.attributes.SentTimestamp)).toBeGreaterThan(Date.parse('2026-01-01'));
    expect(Number(record?.attributes.ApproximateFirstReceiveTimestamp)).toBeGreaterThanOrEqual(
      Number(record?.attributes.SentTimestamp),
    );
    expect(record?.attributes.SenderId).toEqual(expect.any(String));
    expect(outcomes.all[0]).toEqual({
      messageIds: [MessageId],
      deletedMessageIds: [MessageId],
      failedMessageIds: [],
    });
    expect(await queueCounts(sqs, queue.url)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('invokes with at most batchSize records and deletes every processed message', async () => {
    // Prepare
    const queue = await createQueue(messaging.endpoint, uniquePrefix('batches'));
    const sent = await send(queue.url, ...Array.from({ length: 7 }, () => ({ outcome: 'ok' }) as const));
    const outcomes = new BatchOutcomes();
    const invoker = new RecordingInvoker(runner);

    // Act
    const source = startSource(queue, outcomes, invoker, { batchSize: 3 });
    await waitFor(() => outcomes.all.flatMap((outcome) => outcome.deletedMessageIds).length === 7);
    await source.stop();

    // Assess
    const sizes = invoker.events.map((event) => event.Records.length);
    expect(Math.max(...sizes)).toBe(3);
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(7);
    expect(outcomes.all.flatMap((outcome) => outcome.deletedMessageIds).sort()).toEqual([...sent].sort());
    expect(await queueCounts(sqs, queue.url)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('gathers records for the batching window before invoking', async () => {
    // Prepare
    const queue = await createQueue(messaging.endpoint, uniquePrefix('window'));
    const outcomes = new BatchOutcomes();
    const invoker = new RecordingInvoker(runner);
    const source = startSource(queue, outcomes, invoker, {
      functionName: SERIAL_FUNCTION_NAME,
      batchSize: 20,
      maximumBatchingWindowSeconds: 2,
    });

    // Act
    await send(queue.url, { outcome: 'ok' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await send(queue.url, ...Array.from({ length: 10 }, () => ({ outcome: 'ok' }) as const));
    await send(queue.url, ...Array.from({ length: 4 }, () => ({ outcome: 'ok' }) as const));
    await waitFor(() => outcomes.all.flatMap((outcome) => outcome.deletedMessageIds).length === 15);
    await source.stop();

    // Assess
    expect(invoker.events.map((event) => event.Records.length)).toEqual([15]);
  });

  it('with ReportBatchItemFailures leaves exactly the failed message, which comes back', async () => {
    // Prepare
    const queue = await createQueue(messaging.endpoint, uniquePrefix('partial'), { VisibilityTimeout: '1' });
    const [okFirst, failing, okLast] = await send(
      queue.url,
      { outcome: 'ok' },
      { outcome: 'fail-once' },
      { outcome: 'ok' },
    );
    const outcomes = new BatchOutcomes();
    const invoker = new RecordingInvoker(runner);

    // Act
    const source = startSource(queue, outcomes, invoker, { batchSize: 10 });
    const [first, second] = await outcomes.until(2);
    await source.stop();

    // Assess
    expect(first?.messageIds).toEqual([okFirst, failing, okLast]);
    expect(first?.failedMessageIds).toEqual([failing]);
    expect([...(first?.deletedMessageIds ?? [])].sort()).toEqual([okFirst, okLast].sort());
    expect(second).toEqual({ messageIds: [failing], deletedMessageIds: [failing], failedMessageIds: [] });
    expect(invoker.events[1]?.Records[0]?.attributes.ApproximateReceiveCount).toBe('2');
    expect(await queueCounts(sqs, queue.url)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('leaves a batch whose invocation failed, until the redrive policy moves it to the DLQ', async () => {
    // Prepare
    const dlq = await createQueue(messaging.endpoint, uniquePrefix('poison-dlq'));
    const queue = await createQueue(messaging.endpoint, uniquePrefix('poison'), {
      VisibilityTimeout: '1',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }),
    });
    const [poison] = await send(queue.url, { outcome: 'poison' });
    const outcomes = new BatchOutcomes();
    const invoker = new RecordingInvoker(runner);

    // Act
    const source = startSource(queue, outcomes, invoker, { batchSize: 1 });
    const [first, second] = await outcomes.until(2);
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: dlq.url,
        WaitTimeSeconds: 5,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    await source.stop();

    // Assess
    for (const outcome of [first, second]) {
      expect(outcome).toMatchObject({
        messageIds: [poison],
        deletedMessageIds: [],
        failedMessageIds: [poison],
      });
      expect(outcome?.error?.name).toBe('TypeError');
      expect(outcome?.error?.message).toBe(`poison message ${poison}`);
    }
    expect(invoker.events.map((event) => event.Records[0]?.attributes.ApproximateReceiveCount)).toEqual([
      '1',
      '2',
    ]);
    expect(Messages.map((message) => message.MessageId)).toEqual([poison]);
    expect(outcomes.all).toHaveLength(2);
    expect(await queueCounts(sqs, queue.url)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('long-polls an idle queue with one poller, and wakes the others when messages come', async () => {
    // Prepare
    const queue = await createQueue(messaging.endpoint, uniquePrefix('idle'));
    const receives = recordingReceives(sqs);
    const outcomes = new BatchOutcomes();
    const held = Promise.withResolvers<void>();
    const invoked: SQSEvent[] = [];
    const invoker: FunctionInvoker = {
      invoke: async (_name, payload) => {
        invoked.push(payload as SQSEvent);
        await held.promise;
        return { batchItemFailures: [] };
      },
      concurrencyOf: () => 4,
    };
    const source = startSource(queue, outcomes, invoker, { sqs: receives.client, batchSize: 1 });

    // Act
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const idleReceives = receives.waits.length;
    await send(queue.url, { outcome: 'ok' }, { outcome: 'ok' }, { outcome: 'ok' });
    await waitFor(() => invoked.length === 3);
    held.resolve();
    await outcomes.until(3);
    await source.stop();

    // Assess: four first polls, then about one long poll a second by the watcher alone.
    expect(idleReceives).toBeLessThanOrEqual(4 + 3);
    expect(invoked.map((event) => event.Records.length)).toEqual([1, 1, 1]);
    expect(await queueCounts(sqs, queue.url)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('with activity hints, stops polling an idle queue after a few empty polls and polls again on a hint', async () => {
    // Prepare
    const queue = await createQueue(messaging.endpoint, uniquePrefix('hinted'));
    const receives = recordingReceives(sqs);
    const activity = new QueueActivity();
    const outcomes = new BatchOutcomes();
    const source = startSource(queue, outcomes, new RecordingInvoker(runner), {
      sqs: receives.client,
      activity,
    });
    await new Promise((resolve) => setTimeout(resolve, 4_000));

    // Act
    const settled = receives.waits.length;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const whileWaiting = receives.waits.length - settled;
    const [id] = await send(queue.url, { outcome: 'ok' });
    activity.notify();
    const [outcome] = await outcomes.until(1, 3_000);
    await source.stop();

    // Assess
    expect(whileWaiting).toBe(0);
    expect(outcome?.deletedMessageIds).toEqual([id]);
  });

  it('with activity hints, a watcher woken on an idle queue polls without a long poll', async () => {
    // Prepare
    const queue = await createQueue(messaging.endpoint, uniquePrefix('short'));
    const { client: recording, waits } = recordingReceives(sqs);
    const activity = new QueueActivity();
    const source = startSource(queue, new BatchOutcomes(), new RecordingInvoker(runner), {
      sqs: recording,
      activity,
    });
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    const settled = waits.length;

    // Act
    activity.notify();
    await waitFor(() => waits.length > settled);
    await source.stop();

    // Assess
    expect(waits[0]).toBeGreaterThan(0);
    expect(waits.slice(settled)).toEqual([0]);
  });

  it('stop() lets the batch in flight finish, then polls no more', async () => {
    // Prepare
    const queue = await createQueue(messaging.endpoint, uniquePrefix('stop'));
    const outcomes = new BatchOutcomes();
    const invoker = new RecordingInvoker(runner);
    const source = startSource(queue, outcomes, invoker);
    const [slow] = await send(queue.url, { outcome: 'ok', holdMs: 700 });
    await waitFor(() => invoker.events.length === 1);

    // Act
    await source.stop();
    await send(queue.url, { outcome: 'ok' });
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    // Assess
    expect(source.running).toBe(false);
    expect(outcomes.all).toEqual([{ messageIds: [slow], deletedMessageIds: [slow], failedMessageIds: [] }]);
    expect(invoker.events).toHaveLength(1);
    expect(await queueCounts(sqs, queue.url)).toEqual({ visible: 1, inFlight: 0 });
  });
});

const waitFor = async (condition: () => boolean, timeoutMs = 15_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};
