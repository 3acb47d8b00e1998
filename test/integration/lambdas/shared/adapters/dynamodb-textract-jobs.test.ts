import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbTextractJobs } from '../../../../../lambdas/shared/adapters/dynamodb-textract-jobs';
import {
  jobTagOf,
  TEXTRACT_JOBS_TABLE,
  type TextractJobRecord,
} from '../../../../../lambdas/shared/ports/textract-jobs';
import { type DynamoDbEmulator, startDynamoDb } from '../../../../../local/emulators/dynamodb';
import { createTextractJobsTable, testDocumentClient, uniquePrefix } from '../../../../support/aws';

const TABLE = 'textract-jobs-adapter-test';

const recordFor = (
  taskToken: string,
  expiresAt = Math.floor(Date.now() / 1000) + 3_600,
): TextractJobRecord => ({
  jobTag: jobTagOf(taskToken),
  taskToken,
  documentId: 'doc-1',
  version: 'v-1',
  sequencer: '0000000000000000000000000000000A',
  document: { bucket: 'uploads', key: 'incoming/scan.pdf', versionId: 'v-1' },
  createdAt: '2026-11-23T12:00:00.000Z',
  expiresAt,
});

describe('DynamoDbTextractJobs against dynalite', () => {
  let dynamo: DynamoDbEmulator;
  let jobs: DynamoDbTextractJobs;

  beforeAll(async () => {
    dynamo = await startDynamoDb();
    await createTextractJobsTable(dynamo.endpoint, TABLE);
    jobs = new DynamoDbTextractJobs(testDocumentClient(dynamo.endpoint), TABLE);
  });

  afterAll(async () => {
    await dynamo?.stop();
  });

  it('saves a record under its job tag, with the TTL attribute in epoch seconds, and finds it again', async () => {
    // Prepare
    const record = recordFor(uniquePrefix('token'));

    // Act
    await jobs.save(record);
    await jobs.save(record);
    const found = await jobs.find(record.jobTag);

    // Assess
    expect(found).toEqual(record);
    const { Item } = await testDocumentClient(dynamo.endpoint).send(
      new GetCommand({ TableName: TABLE, Key: { jobTag: record.jobTag } }),
    );
    expect(Item?.[TEXTRACT_JOBS_TABLE.timeToLiveAttribute]).toBe(record.expiresAt);
  });

  it('keeps an unversioned document pointer without a versionId', async () => {
    // Prepare
    const record = {
      ...recordFor(uniquePrefix('token')),
      document: { bucket: 'uploads', key: 'incoming/a.pdf' },
    };

    // Act
    await jobs.save(record);

    // Assess
    expect(await jobs.find(record.jobTag)).toEqual(record);
  });

  it('forgets a removed record, and treats one past its expiry as gone before TTL deletes it', async () => {
    // Prepare
    const removed = recordFor(uniquePrefix('token'));
    const expired = recordFor(uniquePrefix('token'), Math.floor(Date.now() / 1000) - 1);
    await jobs.save(removed);
    await jobs.save(expired);

    // Act
    await jobs.remove(removed.jobTag);
    await jobs.remove(removed.jobTag);

    // Assess
    expect(await jobs.find(removed.jobTag)).toBeUndefined();
    expect(await jobs.find(expired.jobTag)).toBeUndefined();
    expect(await jobs.find('never-saved')).toBeUndefined();
  });
});
