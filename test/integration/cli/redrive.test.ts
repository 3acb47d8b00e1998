import { ReceiveMessageCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqsFailedDocumentsQueue } from '../../../cli/adapters/sqs-failed-documents';
import { redriveFailedDocuments } from '../../../cli/redrive-documents';
import { type MessagingEmulator, startMessaging } from '../../../local/emulators/fauxqs';
import { createQueue, testArn, testSqs, uniquePrefix } from '../../support/aws';
import { FakeExecutions } from '../../support/fake-docflow';

const MACHINE = testArn.stateMachine('DocumentPipeline');

let messaging: MessagingEmulator;
let sqs: SQSClient;

beforeAll(async () => {
  messaging = await startMessaging();
  sqs = testSqs(messaging.endpoint);
});

afterAll(async () => {
  await messaging?.stop();
});

/** The message SendToDlq sends: the state machine serializes its MessageBody object to JSON. */
const failedDocument = (name: string, key: string) =>
  JSON.stringify({
    input: { document: { id: `id-${name}`, bucket: 'uploads', key, version: 'v1' } },
    error: { Error: 'States.Timeout', Cause: 'Thumbnail timed out' },
    executionArn: testArn.execution('DocumentPipeline', name),
    failedAt: '2026-11-23T10:00:31.260Z',
  });

const queueWith = async (bodies: readonly string[]): Promise<string> => {
  const { url } = await createQueue(messaging.endpoint, uniquePrefix('failed-documents'));
  for (const body of bodies) await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
  return url;
};

/** Redrives the queue's failed documents into `executions`, for real or as a dry run. */
const redrive = (queueUrl: string, executions: FakeExecutions, dryRun: boolean) =>
  redriveFailedDocuments({
    queue: new SqsFailedDocumentsQueue(sqs, queueUrl),
    executions,
    redriver: executions,
    dryRun,
  });

const remainingBodies = async (queueUrl: string): Promise<string[]> => {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 1,
      VisibilityTimeout: 30,
    }),
  );
  return Messages.map((message) => message.Body ?? '').toSorted();
};

describe('redrive over a real SQS queue', () => {
  it('restarts each failed document, deletes its message, and leaves an unreadable one in the queue', async () => {
    // Prepare
    const queueUrl = await queueWith([
      failedDocument('memo-docx-1', 'incoming/memo.docx'),
      failedDocument('scan-pdf-2', 'incoming/scan.pdf'),
      'this is not a failed-document message',
    ]);
    const executions = new FakeExecutions();

    // Act
    const reports = await redrive(queueUrl, executions, false);

    // Assess
    expect(reports.map((report) => `${report.action.kind} ${report.key ?? '(no key)'}`).toSorted()).toEqual([
      'restarted incoming/memo.docx',
      'restarted incoming/scan.pdf',
      'unreadable (no key)',
    ]);
    expect(executions.started.map((start) => [start.stateMachineArn, start.name]).toSorted()).toEqual([
      [MACHINE, 'memo-docx-1-r1'],
      [MACHINE, 'scan-pdf-2-r1'],
    ]);
    expect(
      JSON.parse(executions.started.find((start) => start.name === 'memo-docx-1-r1')?.input ?? ''),
    ).toEqual({
      document: { id: 'id-memo-docx-1', bucket: 'uploads', key: 'incoming/memo.docx', version: 'v1' },
    });
    // The unreadable message was made visible again at once, not after the 300 s visibility timeout.
    expect(await remainingBodies(queueUrl)).toEqual(['this is not a failed-document message']);
  });

  it('leaves every message in the queue, visible, on a dry run', async () => {
    // Prepare
    const bodies = [failedDocument('a-1', 'incoming/a.pdf'), failedDocument('b-2', 'incoming/b.pdf')];
    const queueUrl = await queueWith(bodies);
    const executions = new FakeExecutions();

    // Act
    const reports = await redrive(queueUrl, executions, true);

    // Assess
    expect(reports.map((report) => report.action.kind)).toEqual(['would-run-again', 'would-run-again']);
    expect(executions.started).toEqual([]);
    expect(await remainingBodies(queueUrl)).toEqual(bodies.toSorted());
  });
});
