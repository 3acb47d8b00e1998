import { DeleteObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DocumentDetail } from '../../lambdas/api/schemas';
import { derivativeKeys } from '../../lambdas/shared/documents/derivative-keys';
import { documentId } from '../../lambdas/shared/documents/document';
import { s3Notification } from '../fixtures/s3-sqs-events';
import {
  apiGet,
  deletionOfExecution,
  enteredStates,
  executionHistory,
  executionsOfDocument,
  getDocument,
  listExecutions,
  pollUntil,
  queueDepth,
  upload,
  useFreshCloudSession,
  waitForTerminal,
} from '../support/local-cloud-session';
import { readSampleDocument } from '../support/sample-docs';

/**
 * Deleting an upload on the local cloud, as a user would with any S3 client: the record says
 * DELETED, the derivatives go, and races and duplicates change nothing they should not.
 */

const BUDGET_MS = 90_000;

const session = useFreshCloudSession('deletion');
let derivativesBucket: string;

const idOf = (key: string): string => documentId(session.uploadsBucket, key);

const derivativesOf = async (id: string): Promise<string[]> => {
  const listed = await Promise.all(
    derivativeKeys
      .prefixesOf(id)
      .map((Prefix) => session.s3.send(new ListObjectsV2Command({ Bucket: derivativesBucket, Prefix }))),
  );
  return listed.flatMap(({ Contents = [] }) => Contents.map((object) => object.Key ?? ''));
};

const remove = async (key: string): Promise<void> => {
  await session.s3.send(new DeleteObjectCommand({ Bucket: session.uploadsBucket, Key: key }));
};

/** Polls until the document's record says DELETED. */
const waitForDeleted = (id: string): Promise<DocumentDetail> => {
  let last: DocumentDetail | undefined;
  return pollUntil(
    `document ${id} to be DELETED`,
    async () => {
      last = await getDocument(session, id);
      return last?.status === 'DELETED' ? last : undefined;
    },
    { deadline: Date.now() + BUDGET_MS, describe: () => `status ${last?.status ?? 'none'}` },
  );
};

/** Waits until no execution of the document is running any more, and returns them all. */
const settledExecutions = (id: string) =>
  pollUntil(
    `every execution of ${id} to finish`,
    async () => {
      const executions = await executionsOfDocument(session, id);
      return executions.length > 0 && executions.every((execution) => execution.status !== 'RUNNING')
        ? executions
        : undefined;
    },
    { deadline: Date.now() + BUDGET_MS },
  );

const deletionExecutions = async (id: string) =>
  (await executionsOfDocument(session, id)).filter((execution) => execution.name?.startsWith('deleted-'));

beforeAll(async () => {
  derivativesBucket = session.cloud.localDeployment.outputs.DerivativesBucketName ?? '';
});

describe('deleting an upload on the local cloud', () => {
  const key = 'incoming/deletions/report.pdf';

  it('marks the processed document DELETED, deletes its derivatives, and the API serves nothing of it', async () => {
    // Prepare
    await upload(session, key, await readSampleDocument('report-text-layer.pdf'));
    const processed = await waitForTerminal(session, idOf(key), { deadline: Date.now() + BUDGET_MS });
    expect(processed.status).toBe('PROCESSED');
    expect(await derivativesOf(processed.id)).toHaveLength(2);

    // Act
    await remove(key);
    const deleted = await waitForDeleted(processed.id);

    // Assess
    expect(deleted).toMatchObject({
      status: 'DELETED',
      key,
      thumbnail: null,
      text: null,
      original: null,
      urlsExpireAt: null,
    });
    expect(Date.parse(deleted.deletedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(processed.uploadedAt));
    expect(deleted.title).toBeUndefined();
    expect(await derivativesOf(processed.id)).toEqual([]);
    const text = await apiGet(session, `documents/${processed.id}/text`);
    expect(text.status).toBe(410);
    const [deletion] = await deletionExecutions(processed.id);
    expect(deleted.execution?.arn).toBe(deletion?.executionArn);
    const states = enteredStates(await executionHistory(session, deletion?.executionArn ?? ''));
    expect(states).toEqual(['RouteEvent', 'RecordDeletion', 'Deleted']);
  });

  it('changes nothing for a duplicate removal notification', async () => {
    // Prepare
    const id = idOf(key);
    const [first, ...others] = await deletionExecutions(id);
    expect(others).toEqual([]);
    const deletion = await deletionOfExecution(session, first?.executionArn ?? '');
    // The record settles once every run of the document is priced (record-cost, after each run ends,
    // in whatever order their events arrive).
    const runs = (await executionsOfDocument(session, id)).map((execution) => execution.name);
    const before = await pollUntil(
      'every run of the document to be priced',
      async () => {
        const document = await getDocument(session, id);
        const priced = new Set<string | undefined>(document?.cost?.runs.map((run) => run.execution));
        return runs.every((name) => priced.has(name)) ? document : undefined;
      },
      { deadline: Date.now() + BUDGET_MS },
    );
    const duplicate = JSON.stringify(
      s3Notification({
        bucket: deletion.bucket,
        key: deletion.key,
        eventName: 'ObjectRemoved:Delete',
        versionId: null,
        sequencer: deletion.sequencer,
        eventTime: deletion.deletedAt,
      }),
    );

    // Act
    await session.sqs.send(
      new SendMessageCommand({ QueueUrl: session.ingestQueue.url, MessageBody: duplicate }),
    );
    await pollUntil(
      'the ingest queue to be empty again',
      async () => ((await queueDepth(session, session.ingestQueue.url)) === 0 ? true : undefined),
      { deadline: Date.now() + 30_000 },
    );

    // Assess
    expect((await deletionExecutions(id)).map((execution) => execution.executionArn)).toEqual([
      first?.executionArn,
    ]);
    expect(await getDocument(session, id)).toEqual(before);
  });

  it('processes a new upload after the deletion as new', async () => {
    // Act
    await upload(session, key, await readSampleDocument('report-text-layer.pdf'));
    const again = await pollUntil(
      'the re-upload to be PROCESSED',
      async () => {
        const document = await getDocument(session, idOf(key));
        return document?.status === 'PROCESSED' ? document : undefined;
      },
      { deadline: Date.now() + BUDGET_MS },
    );

    // Assess
    expect(again.deletedAt).toBeUndefined();
    expect(again.text?.pages).toBeGreaterThan(0);
    expect(await derivativesOf(again.id)).toHaveLength(2);
  });

  it('lets a deletion that arrives while the document is processed win over the run’s late writes', async () => {
    // Prepare: a scan goes through OCR, so its run is still going when the deletion comes.
    const scanKey = 'incoming/deletions/scan.pdf';
    const id = idOf(scanKey);
    await upload(session, scanKey, await readSampleDocument('scanned-two-pages.pdf'));
    await pollUntil(
      'the scan’s run to start',
      async () => ((await listExecutions(session, 'RUNNING')).length > 0 ? true : undefined),
      { deadline: Date.now() + BUDGET_MS, intervalMs: 50 },
    );

    // Act
    await remove(scanKey);
    const executions = await settledExecutions(id);

    // Assess
    expect(executions).toHaveLength(2);
    expect(executions.every((execution) => execution.status === 'SUCCEEDED')).toBe(true);
    expect((await getDocument(session, id))?.status).toBe('DELETED');
    expect(await derivativesOf(id)).toEqual([]);
  });
});
