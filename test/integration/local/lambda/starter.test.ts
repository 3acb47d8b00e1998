import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCdkJsonContext } from '../../../../infra/build-app';
import { PROJECT_ROOT } from '../../../../infra/constructs/docflow-function';
import { bundleFunctions } from '../../../../local/deploy/function-bundles';
import { type MessagingEmulator, startMessaging } from '../../../../local/emulators/fauxqs';
import { LambdaRunner } from '../../../../local/lambda/runner';
import { type BatchOutcome, SqsEventSource } from '../../../../local/lambda/sqs-event-source';
import {
  s3Notification,
  s3SqsRecord,
  s3TestEvent,
  sqsEvent,
  sqsRecord,
} from '../../../fixtures/s3-sqs-events';
import {
  createQueue,
  queueCounts,
  sendJsonBatch,
  TEST_AWS,
  testArn,
  testSqs,
  uniquePrefix,
} from '../../../support/aws';

const STATE_MACHINE_ARN = testArn.stateMachine('docflow-pipeline');

/** A 127.0.0.1 port nothing listens on: Step Functions calls fail fast with ECONNREFUSED. */
const closedPort = async (): Promise<number> => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
};

/**
 * The real starter function, run by the runner from the asset `cdk synth` builds for it, with the
 * function's template settings (256 MB, 30 s), fed S3 notifications through SQS.
 */
describe('the starter function in the Lambda runner', () => {
  let messaging: MessagingEmulator;
  const runner = new LambdaRunner({ region: TEST_AWS.region, maxConcurrencyPerFunction: 2 });

  beforeAll(async () => {
    messaging = await startMessaging();
    const bundle = bundleFunctions([{ name: 'starter', nativePackages: [] }], {
      projectRoot: PROJECT_ROOT,
      context: readCdkJsonContext(),
    }).get('starter');
    if (!bundle) throw new Error('the starter was not bundled');
    runner.register({
      name: 'starter',
      arn: testArn.lambda('starter'),
      codeDirectory: bundle.directory,
      handler: 'index.handler',
      timeoutSeconds: 30,
      memoryMb: 256,
      environment: {
        STATE_MACHINE_ARN,
        POWERTOOLS_SERVICE_NAME: 'starter',
        POWERTOOLS_LOG_LEVEL: 'SILENT',
        POWERTOOLS_METRICS_DISABLED: 'true',
        AWS_ACCESS_KEY_ID: TEST_AWS.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: TEST_AWS.credentials.secretAccessKey,
        AWS_ENDPOINT_URL_SFN: `http://127.0.0.1:${await closedPort()}`,
        AWS_MAX_ATTEMPTS: '1',
      },
    });
  });

  afterAll(async () => {
    await runner.close();
    await messaging?.stop();
  });

  it('drops the s3:TestEvent and reports the record it could not start as a batch item failure', async () => {
    // Prepare
    const testEvent = sqsRecord(s3TestEvent());
    const upload = s3SqsRecord({ key: 'incoming/quarterly report.pdf' });

    // Act
    const response = await runner.invoke('starter', sqsEvent(testEvent, upload));

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: upload.messageId }] });
  });

  it('leaves the unstarted notification in the queue and deletes the test event, through the event source', async () => {
    // Prepare
    const sqs = testSqs(messaging.endpoint);
    const queue = await createQueue(messaging.endpoint, uniquePrefix('ingest'), { VisibilityTimeout: '180' });
    const [testEventId, uploadId] = await sendJsonBatch(sqs, queue.url, [
      s3TestEvent(),
      s3Notification({ key: 'incoming/a+b c.pdf' }),
    ]);
    const outcomes: BatchOutcome[] = [];
    const source = new SqsEventSource({
      sqs,
      invoker: runner,
      functionName: 'starter',
      queueUrl: queue.url,
      queueArn: queue.arn,
      region: TEST_AWS.region,
      batchSize: 5,
      maximumBatchingWindowSeconds: 1,
      functionResponseTypes: ['ReportBatchItemFailures'],
      maxConcurrency: 5,
      onBatch: (outcome) => outcomes.push(outcome),
    });

    // Act
    source.start();
    const deadline = Date.now() + 20_000;
    while (outcomes.flatMap((outcome) => outcome.messageIds).length < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await source.stop();

    // Assess
    expect(outcomes.flatMap((outcome) => outcome.deletedMessageIds)).toEqual([testEventId]);
    expect(outcomes.flatMap((outcome) => outcome.failedMessageIds)).toEqual([uploadId]);
    expect(await queueCounts(sqs, queue.url)).toEqual({ visible: 0, inFlight: 1 });
  });

  // The starter against the local Step Functions API (one execution per object version, a duplicate
  // acknowledged) runs in test/e2e/pipeline.test.ts and test/e2e/faults.test.ts, in the whole local cloud.
});
