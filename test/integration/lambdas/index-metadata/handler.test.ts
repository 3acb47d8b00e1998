import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { derivativeKeys } from '../../../../lambdas/shared/documents/derivative-keys';
import type { DocumentRef } from '../../../../lambdas/shared/documents/document';
import { METADATA_TABLE } from '../../../../lambdas/shared/documents/metadata-item';
import {
  aDeletion,
  aDocument,
  aProcessedOutcome,
  aRejectedOutcome,
  lambdaErrorEnvelope,
} from '../../../fixtures/document-outcomes';
import { testDocumentClient, testS3, uniquePrefix } from '../../../support/aws';
import { useIndexMetadataHandler } from './handler-environment';

const TABLE = 'metadata-index-test';
const DERIVATIVES = 'derivatives-index-test';

const {
  invoke,
  recordRun,
  markProcessing,
  recordFailure,
  stored: storedItem,
  dynamoEndpoint,
  s3Endpoint,
} = useIndexMetadataHandler(TABLE, DERIVATIVES);

/** Writes a version's thumbnail and text, as its Thumbnail and text states would. */
const writeDerivatives = async (document: DocumentRef): Promise<void> => {
  for (const key of [derivativeKeys.thumbnail(document), derivativeKeys.text(document)]) {
    await testS3(s3Endpoint()).send(new PutObjectCommand({ Bucket: DERIVATIVES, Key: key, Body: key }));
  }
};

const derivativesOf = async (document: DocumentRef): Promise<string[]> => {
  const listed = await Promise.all(
    derivativeKeys
      .prefixesOf(document.id)
      .map((Prefix) => testS3(s3Endpoint()).send(new ListObjectsV2Command({ Bucket: DERIVATIVES, Prefix }))),
  );
  return listed.flatMap(({ Contents = [] }) => Contents.map((object) => object.Key ?? '')).sort();
};

const refusedByCondition = expect.objectContaining({ name: 'ConditionalCheckFailedException' });

const keyOf = (label: string): string => `incoming/${uniquePrefix(label)}/report.pdf`;

describe('index-metadata handler', () => {
  it('refuses an older version that arrives after a newer one', async () => {
    // Prepare
    const key = keyOf('older');
    const older = aDocument(key, '0062E1A0B1C2D3E4F5');
    const newer = aDocument(key, '0062E1A0B1C2D3E4F6');
    await recordRun(aProcessedOutcome(newer));

    // Act
    const result = await invoke(aProcessedOutcome(older));

    // Assess
    expect(result).toEqual({ written: false });
    expect(await storedItem(newer)).toMatchObject({ version: newer.version, status: 'PROCESSED' });
    await expect(markProcessing(older)).rejects.toThrow(
      expect.objectContaining({ name: 'ConditionalCheckFailedException' }),
    );
  });

  it('completes the same version from PROCESSING to PROCESSED', async () => {
    // Prepare
    const document = aDocument(keyOf('processing'), '0062E1A0B1C2D3E4F5');
    await markProcessing(document);
    const processing = await storedItem(document);

    // Act
    const result = await invoke(aProcessedOutcome(document));

    // Assess
    expect(processing).toMatchObject({ status: 'PROCESSING', statusShard: `PROCESSING#${document.shard}` });
    expect(result).toEqual({ written: true, status: 'PROCESSED' });
    expect(await storedItem(document)).toMatchObject({
      status: 'PROCESSED',
      statusShard: `PROCESSED#${document.shard}`,
      listShard: `ALL#${document.shard}`,
      executionArn: aProcessedOutcome(document).execution.arn,
      thumbnail: aProcessedOutcome(document).thumbnail,
      text: aProcessedOutcome(document).text,
      durationMs: expect.any(Number),
    });
  });

  it('completes a version that FAILED when it is run again, dropping the failure', async () => {
    // Prepare
    const document = aDocument(keyOf('failed'), '0062E1A0B1C2D3E4F5');
    await markProcessing(document);
    await recordFailure(document);
    const failed = await storedItem(document);

    // Act
    const result = await invoke(aProcessedOutcome(document));

    // Assess
    expect(failed).toMatchObject({ status: 'FAILED', failure: { error: 'States.Timeout' } });
    expect(result).toEqual({ written: true, status: 'PROCESSED' });
    expect(Object.keys((await storedItem(document)) ?? {})).not.toContain('failure');
  });

  it.each([
    [
      'AWS’s Lambda error envelope',
      lambdaErrorEnvelope('EncryptedDocumentError', 'ENCRYPTED: the PDF needs a password'),
    ],
    ['the local interpreter’s bare message', 'ENCRYPTED: the PDF needs a password'],
  ])('records the REJECTED reason code from %s', async (_, cause) => {
    // Prepare
    const document = aDocument(keyOf('rejected'), '0062E1A0B1C2D3E4F5');
    await markProcessing(document);

    // Act
    const result = await invoke(aRejectedOutcome(document, 'EncryptedDocumentError', cause));

    // Assess
    expect(result).toEqual({ written: true, status: 'REJECTED' });
    expect(await storedItem(document)).toMatchObject({
      status: 'REJECTED',
      statusShard: `REJECTED#${document.shard}`,
      reason: 'ENCRYPTED',
      reasonDetail: 'the PDF needs a password',
    });
  });

  it('fails loudly, writing nothing, when RecordRejected receives an error that is not a rejection', async () => {
    // Prepare
    const document = aDocument(keyOf('not-rejection'), '0062E1A0B1C2D3E4F5');
    await markProcessing(document);

    // Act
    const indexing = invoke(aRejectedOutcome(document, 'States.Timeout', 'Task timed out after 90 seconds'));

    // Assess
    await expect(indexing).rejects.toThrow(expect.objectContaining({ name: 'NotARejectionError' }));
    expect(await storedItem(document)).toMatchObject({ status: 'PROCESSING' });
  });

  it('refuses an event of another shape before writing anything', async () => {
    // Prepare
    const document = aDocument(keyOf('malformed'), '0062E1A0B1C2D3E4F5');

    // Act
    const indexing = invoke({ outcome: 'PROCESSED', document });

    // Assess
    await expect(indexing).rejects.toThrow(expect.objectContaining({ name: '$ZodError' }));
    expect(await storedItem(document)).toBeUndefined();
  });

  it('lists the item in the byStatus and byUploadTime indexes under its shard keys', async () => {
    // Prepare
    const document = aDocument(keyOf('indexes'), '0062E1A0B1C2D3E4F5', {
      uploadedAt: `2026-11-23T12:00:00.${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}Z`,
    });
    await recordRun(aProcessedOutcome(document));
    const query = async (
      index: typeof METADATA_TABLE.byStatusIndex | typeof METADATA_TABLE.byUploadTimeIndex,
      partition: string,
    ) => {
      const { Items } = await testDocumentClient(dynamoEndpoint()).send(
        new QueryCommand({
          TableName: TABLE,
          IndexName: index.name,
          KeyConditionExpression: '#partition = :partition AND #sort = :sort',
          ExpressionAttributeNames: { '#partition': index.partitionKey, '#sort': index.sortKey },
          ExpressionAttributeValues: { ':partition': partition, ':sort': document.uploadedAt },
        }),
      );
      return (Items ?? []).map((item) => item.documentId as string);
    };

    // Act
    const processed = await query(METADATA_TABLE.byStatusIndex, `PROCESSED#${document.shard}`);
    const processing = await query(METADATA_TABLE.byStatusIndex, `PROCESSING#${document.shard}`);
    const all = await query(METADATA_TABLE.byUploadTimeIndex, `ALL#${document.shard}`);

    // Assess
    expect(processed).toContain(document.id);
    expect(processing).not.toContain(document.id);
    expect(all).toContain(document.id);
  });

  it('records a deletion as a tombstone the ASL’s own writes respect, and deletes the derivatives', async () => {
    // Prepare
    const key = keyOf('deleted');
    const upload = aDocument(key, '0062E1A0B1C2D3E4F5');
    const inFlight = aDocument(key, '0062E1A0B1C2D3E4F6');
    await markProcessing(upload);
    await writeDerivatives(upload);
    await invoke(aProcessedOutcome(upload));
    const deletion = aDeletion(key, '0062E1A0B1C2D3E4F7');

    // Act
    const result = await invoke(deletion);
    const retry = await invoke(deletion);

    // Assess
    expect(result).toEqual({ recorded: true, derivativesDeleted: 2 });
    expect(retry).toEqual({ recorded: true, derivativesDeleted: 0 });
    const item = await storedItem(upload);
    expect(item).toMatchObject({
      status: 'DELETED',
      statusShard: `DELETED#${upload.shard}`,
      sequencer: deletion.deletion.sequencer,
      version: upload.version,
      deletedAt: deletion.deletion.deletedAt,
      type: 'pdf',
    });
    for (const content of ['thumbnail', 'text', 'title', 'author', 'sha256']) {
      expect(Object.keys(item ?? {})).not.toContain(content);
    }
    expect(await derivativesOf(upload)).toEqual([]);
    await expect(markProcessing(inFlight)).rejects.toThrow(
      expect.objectContaining({ name: 'ConditionalCheckFailedException' }),
    );
    await expect(recordFailure(inFlight)).rejects.toThrow(
      expect.objectContaining({ name: 'ConditionalCheckFailedException' }),
    );
  });

  it('refuses the late write of a run the deletion overtook, and that run deletes what it wrote', async () => {
    // Prepare
    const key = keyOf('overtaken');
    const upload = aDocument(key, '0062E1A0B1C2D3E4F5');
    await markProcessing(upload);
    await invoke(aDeletion(key, '0062E1A0B1C2D3E4F7'));
    await writeDerivatives(upload);

    // Act
    const late = await invoke(aProcessedOutcome(upload));

    // Assess
    expect(late).toEqual({ written: false });
    expect((await storedItem(upload))?.status).toBe('DELETED');
    expect(await derivativesOf(upload)).toEqual([]);
  });

  it('lets a new upload after a deletion claim the item, dropping the deletion time', async () => {
    // Prepare
    const key = keyOf('reuploaded');
    const upload = aDocument(key, '0062E1A0B1C2D3E4F5');
    await recordRun(aProcessedOutcome(upload));
    await invoke(aDeletion(key, '0062E1A0B1C2D3E4F7'));
    const reupload = aDocument(key, '0062E1A0B1C2D3E4F9');

    // Act
    await markProcessing(reupload);
    const processing = await storedItem(reupload);
    await recordFailure(reupload);

    // Assess
    expect(processing).toMatchObject({ status: 'PROCESSING', sequencer: reupload.sequencer });
    expect(processing?.deletedAt).toBeUndefined();
    expect((await storedItem(reupload))?.status).toBe('FAILED');
  });

  it('deletes one version only, and records DELETED only when it is the recorded version', async () => {
    // Prepare
    const key = keyOf('one-version');
    const v1 = aDocument(key, '0062E1A0B1C2D3E4F5', { version: 'v-1', versionId: 'v-1' });
    const v2 = aDocument(key, '0062E1A0B1C2D3E4F6', { version: 'v-2', versionId: 'v-2' });
    for (const version of [v1, v2]) {
      await markProcessing(version);
      await writeDerivatives(version);
    }
    await invoke(aProcessedOutcome(v2));

    // Act
    const oldVersion = await invoke(aDeletion(key, '0062E1A0B1C2D3E4F7', 'v-1'));
    const statusAfterOld = (await storedItem(v2))?.status;
    const recordedVersion = await invoke(aDeletion(key, '0062E1A0B1C2D3E4F8', 'v-2'));

    // Assess
    expect(oldVersion).toEqual({ recorded: false, derivativesDeleted: 2 });
    expect(statusAfterOld).toBe('PROCESSED');
    expect(recordedVersion).toEqual({ recorded: true, derivativesDeleted: 2 });
    expect((await storedItem(v2))?.status).toBe('DELETED');
  });

  describe('reprocessing: runs of one version ordered by generation', () => {
    it('lets a reprocess claim a REJECTED record and record its own result', async () => {
      // Prepare
      const document = aDocument(keyOf('reprocess'), '0062E1A0B1C2D3E4F5');
      await recordRun(aRejectedOutcome(document, 'DocumentTooLargeError', 'TOO_LARGE: 2 MB'));

      // Act
      await markProcessing(document, 1);
      const claimed = await storedItem(document);
      const result = await invoke(aProcessedOutcome(document, { generation: 1 }));

      // Assess
      expect(claimed).toMatchObject({ status: 'PROCESSING', generation: 1 });
      expect(claimed?.reason).toBeUndefined();
      expect(result).toEqual({ written: true, status: 'PROCESSED' });
      expect(await storedItem(document)).toMatchObject({ status: 'PROCESSED', generation: 1 });
    });

    it('never lets an older run of the same version write over a newer one, at any step', async () => {
      // Prepare
      const document = aDocument(keyOf('older-run'), '0062E1A0B1C2D3E4F5');
      await markProcessing(document);
      await markProcessing(document, 1);
      await invoke(aProcessedOutcome(document, { generation: 1 }));
      const newest = await storedItem(document);

      // Act
      const lateWrites = [
        await invoke(aProcessedOutcome(document, { generation: 0 })),
        await invoke(aRejectedOutcome(document)),
      ];

      // Assess
      expect(lateWrites).toEqual([{ written: false }, { written: false }]);
      await expect(markProcessing(document, 0)).rejects.toThrow(refusedByCondition);
      await expect(recordFailure(document, 0)).rejects.toThrow(refusedByCondition);
      expect(await storedItem(document)).toEqual(newest);
    });

    it('lets a run retry its own claim and failure, but not write again once it has ended', async () => {
      // Prepare
      const document = aDocument(keyOf('same-run'), '0062E1A0B1C2D3E4F5');
      await markProcessing(document, 2);

      // Act
      await markProcessing(document, 2);
      await recordFailure(document, 2);
      await recordFailure(document, 2);
      const failed = await storedItem(document);
      const completed = await invoke(aProcessedOutcome(document, { generation: 2 }));

      // Assess
      expect(failed).toMatchObject({ status: 'FAILED', generation: 2 });
      expect(completed).toEqual({ written: true, status: 'PROCESSED' });
      await expect(markProcessing(document, 2)).rejects.toThrow(refusedByCondition);
      await expect(recordFailure(document, 2)).rejects.toThrow(refusedByCondition);
    });

    it('takes a record from before generations as older than a reprocess of its version', async () => {
      // Prepare
      const document = aDocument(keyOf('legacy'), '0062E1A0B1C2D3E4F5');
      await recordRun(aRejectedOutcome(document));
      await testDocumentClient(dynamoEndpoint()).send(
        new UpdateCommand({
          TableName: TABLE,
          Key: { documentId: document.id },
          UpdateExpression: 'REMOVE #generation',
          ExpressionAttributeNames: { '#generation': 'generation' },
        }),
      );

      // Act
      await markProcessing(document, 1);

      // Assess
      expect(await storedItem(document)).toMatchObject({ status: 'PROCESSING', generation: 1 });
    });

    it('refuses every generation of an upload made before a deletion', async () => {
      // Prepare
      const key = keyOf('deleted-reprocess');
      const document = aDocument(key, '0062E1A0B1C2D3E4F5');
      await recordRun(aRejectedOutcome(document));
      await invoke(aDeletion(key, '0062E1A0B1C2D3E4F7'));

      // Act
      const late = await invoke(aProcessedOutcome(document, { generation: 9 }));

      // Assess
      expect(late).toEqual({ written: false });
      await expect(markProcessing(document, 9)).rejects.toThrow(refusedByCondition);
      await expect(recordFailure(document, 9)).rejects.toThrow(refusedByCondition);
      expect((await storedItem(document))?.status).toBe('DELETED');
    });
  });
});
