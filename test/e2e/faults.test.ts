import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import {
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { CONTEXT_KEYS } from '../../infra/keys';
import type { DocumentDetail } from '../../lambdas/api/schemas';
import { documentId } from '../../lambdas/shared/documents/document';
import { parseIngestMessage } from '../../lambdas/starter/s3-notification';
import { documentRefOf, executionInput } from '../../lambdas/starter/start-documents';
import { s3Notification } from '../fixtures/s3-sqs-events';
import {
  documentOfExecution,
  executionHistory,
  executionsOfDocument,
  getDocument,
  ingestQueueEmpty,
  listDocuments,
  listExecutions,
  pollUntil,
  queueDepth,
  upload,
  useFileCloudSession,
  waitForTerminal,
} from '../support/local-cloud-session';
import { expectedResultOf, readExpectedResults, readSampleDocument } from '../support/sample-docs';

/**
 * What must not go wrong on the local cloud: a duplicate S3 notification, a poison message on the
 * ingest queue, and a restart in the middle of processing.
 */

/** Short, so that five receives of a poison message take about a minute rather than fifteen. */
const STARTER_TIMEOUT_SECONDS = 2;
const CONTEXT = { [CONTEXT_KEYS.starterTimeoutSeconds]: STARTER_TIMEOUT_SECONDS } as const;
/** AWS's advice for an SQS queue feeding Lambda: visibility ≥ 6 × function timeout, maxReceiveCount ≥ 5. */
const VISIBILITY_FACTOR = 6;
const MAX_RECEIVE_COUNT = 5;

/**
 * How long one batch of documents gets to reach its terminal statuses (first invocations compile
 * TypeScript); with the other waits of a test it stays under the e2e test timeout, so a miss fails
 * with what was last seen rather than with a bare timeout.
 */
const PROCESSING_BUDGET_MS = 110_000;

const EXPECTED_RESULTS = await readExpectedResults();
const expectedStatus = (file: string): string => expectedResultOf(EXPECTED_RESULTS, file).status;

const cloud = useFileCloudSession('faults', { context: CONTEXT });
const { session } = cloud;
let baseline: Promise<DocumentDetail> | undefined;

const BASELINE_FILE = 'notes.txt';
const BASELINE_KEY = `incoming/baseline/${BASELINE_FILE}`;

/** A document processed before anything goes wrong; uploaded once, by whichever test needs it first. */
const processedBaseline = (): Promise<DocumentDetail> => {
  baseline ??= (async () => {
    await upload(session, BASELINE_KEY, await readSampleDocument(BASELINE_FILE));
    return waitForTerminal(session, documentId(session.uploadsBucket, BASELINE_KEY), {
      deadline: Date.now() + PROCESSING_BUDGET_MS,
    });
  })();
  return baseline;
};

describe('faults on the local cloud', () => {
  it('a duplicate notification of a processed object version starts no second execution and is acknowledged', async () => {
    // Prepare
    const processed = await processedBaseline();
    const executionArn = processed.execution?.arn ?? '';
    const { input } = await session.sfn.send(new DescribeExecutionCommand({ executionArn }));
    const original = await documentOfExecution(session, executionArn);
    // S3 at-least-once delivery: the same notification again, rebuilt from what the first one carried.
    const duplicate = JSON.stringify(
      s3Notification({
        bucket: original.bucket,
        key: original.key,
        versionId: original.versionId ?? null,
        sequencer: original.sequencer,
        size: original.size,
        eTag: original.eTag,
        eventTime: original.uploadedAt,
      }),
    );
    const parsed = parseIngestMessage(duplicate);
    const record = parsed.kind === 'notification' ? parsed.records[0] : undefined;
    if (record?.kind !== 'object-created') throw new Error('the duplicate is not an ObjectCreated record');
    // The starter derives the execution name and input from these fields: they must be the original's.
    expect(executionInput(documentRefOf(record))).toBe(input);
    const deadLettersBefore = await queueDepth(session, session.ingestDeadLetterQueue.url);

    // Act
    await session.sqs.send(
      new SendMessageCommand({ QueueUrl: session.ingestQueue.url, MessageBody: duplicate }),
    );
    await ingestQueueEmpty(session);
    const executions = await executionsOfDocument(session, processed.id);
    const after = await getDocument(session, processed.id);

    // Assess
    expect(executions.map((execution) => execution.executionArn)).toEqual([executionArn]);
    expect(await queueDepth(session, session.ingestDeadLetterQueue.url)).toBe(deadLettersBefore);
    expect(after).toMatchObject({
      status: processed.status,
      version: processed.version,
      updatedAt: processed.updatedAt,
      execution: { arn: executionArn },
    });
  });

  // The starter's timeout is CDK context (docflow:starterTimeoutSeconds): with 2 s the ingest queue's
  // visibility timeout is 12 s, so five receives take about a minute instead of fifteen.
  it('a poison message ends in the ingest DLQ after 5 receives', async () => {
    // Prepare
    const { Attributes = {} } = await session.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: session.ingestQueue.url,
        AttributeNames: ['VisibilityTimeout'],
      }),
    );
    const visibilitySeconds = Number(Attributes.VisibilityTimeout);
    expect(visibilitySeconds).toBe(VISIBILITY_FACTOR * STARTER_TIMEOUT_SECONDS);
    expect(session.ingestMaxReceiveCount).toBe(MAX_RECEIVE_COUNT);
    const poison = `not an S3 event notification ${Date.now()}`;
    const executionsBefore = (await listExecutions(session)).length;

    // Act
    const { MessageId } = await session.sqs.send(
      new SendMessageCommand({ QueueUrl: session.ingestQueue.url, MessageBody: poison }),
    );
    const received: Message[] = [];
    const deadLettered = await pollUntil(
      'the poison message in the ingest DLQ',
      async () => {
        const { Messages = [] } = await session.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: session.ingestDeadLetterQueue.url,
            WaitTimeSeconds: 1,
            MaxNumberOfMessages: 10,
            MessageSystemAttributeNames: ['ApproximateReceiveCount'],
          }),
        );
        received.push(...Messages);
        return Messages.find((message) => message.MessageId === MessageId);
      },
      {
        // Five receives, each followed by a full visibility timeout, and the sixth receive that moves it.
        deadline: Date.now() + (MAX_RECEIVE_COUNT + 1) * visibilitySeconds * 1000 + 30_000,
        describe: () => `${received.length} other message(s) in the DLQ`,
      },
    );

    // Assess
    expect(deadLettered.Body).toBe(poison);
    expect(Number(deadLettered.Attributes?.ApproximateReceiveCount)).toBeGreaterThan(MAX_RECEIVE_COUNT);
    expect(await queueDepth(session, session.ingestQueue.url)).toBe(0);
    expect(await listExecutions(session)).toHaveLength(executionsBefore);
  });

  it('a restart in the middle loses nothing: every document ends once, interrupted executions resume', async () => {
    // Prepare
    const earlier = await processedBaseline();
    const earlierHistory = await executionHistory(session, earlier.execution?.arn ?? '');
    // The scanned PDF goes first: it waits for a Textract job and its callback, the slowest path.
    const files = ['scanned-two-pages.pdf', 'report-text-layer.pdf', 'printed-text.png', 'memo.docx'];
    const keyOf = (file: string) => `incoming/restart/${file}`;
    for (const file of files) await upload(session, keyOf(file), await readSampleDocument(file));
    const ids = files.map((file) => documentId(session.uploadsBucket, keyOf(file)));
    let running: string[] = [];
    await pollUntil(
      'the scanned PDF’s execution to be RUNNING',
      async () => {
        const executions = await listExecutions(session, 'RUNNING');
        const documents = await Promise.all(
          executions.map((execution) => documentOfExecution(session, execution.executionArn ?? '')),
        );
        running = documents.map((document) => document.key);
        return running.includes(keyOf('scanned-two-pages.pdf')) ? true : undefined;
      },
      { deadline: Date.now() + 30_000, intervalMs: 100, describe: () => `running: ${running.join(', ')}` },
    );

    // Act
    await cloud.restart({ context: CONTEXT });
    const deadline = Date.now() + PROCESSING_BUDGET_MS;
    const documents = await Promise.all(ids.map((id) => waitForTerminal(session, id, { deadline })));
    const listed = await listDocuments(session);
    const executions = await Promise.all(ids.map((id) => executionsOfDocument(session, id)));
    const histories = await Promise.all(
      executions.map((found) => executionHistory(session, found[0]?.executionArn ?? '')),
    );
    const earlierAfter = await getDocument(session, earlier.id);

    // Assess
    expect(documents.map((document) => document.status)).toEqual(files.map(expectedStatus));
    for (const id of [...ids, earlier.id]) {
      expect(listed.filter((item) => item.id === id)).toHaveLength(1);
    }
    for (const [index, found] of executions.entries()) {
      expect(found.map((execution) => execution.status)).toEqual(['SUCCEEDED']);
      expect(documents[index]?.execution?.arn).toBe(found[0]?.executionArn);
    }
    for (const events of histories) {
      expect(events.filter((event) => event.type === 'ExecutionSucceeded')).toHaveLength(1);
      expect(events.at(-1)?.type).toBe('ExecutionSucceeded');
    }
    // Left RUNNING by the stop: aborted as Local.Interrupted, then started again with the same input.
    const interrupted = histories.filter((events) =>
      events.some(
        (event) =>
          event.type === 'ExecutionAborted' &&
          event.executionAbortedEventDetails?.error === 'Local.Interrupted',
      ),
    );
    expect(interrupted.length).toBeGreaterThan(0);
    for (const events of interrupted) {
      const aborted = events.findIndex((event) => event.type === 'ExecutionAborted');
      expect(events.slice(aborted + 1).map((event) => event.type)).toContain('ExecutionStarted');
    }
    expect(earlierAfter).toMatchObject({
      status: earlier.status,
      version: earlier.version,
      updatedAt: earlier.updatedAt,
      execution: { arn: earlier.execution?.arn },
    });
    expect(await executionHistory(session, earlier.execution?.arn ?? '')).toEqual(earlierHistory);
  });
});
