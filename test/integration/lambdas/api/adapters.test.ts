import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbDocumentCatalog } from '../../../../lambdas/api/dynamodb-document-catalog';
import { S3TextDocumentReader } from '../../../../lambdas/api/s3-text-document-reader';
import { S3UrlSigner } from '../../../../lambdas/shared/adapters/s3-url-signer';
import type { MetadataItem } from '../../../../lambdas/shared/documents/metadata-item';
import { type DynamoDbEmulator, startDynamoDb } from '../../../../local/emulators/dynamodb';
import { type MessagingEmulator, startMessaging } from '../../../../local/emulators/fauxqs';
import { aMetadataItem } from '../../../fixtures/metadata-items';
import {
  createBucket,
  createMetadataTable,
  testDocumentClient,
  testS3,
  uniquePrefix,
} from '../../../support/aws';

let dynamo: DynamoDbEmulator;
let messaging: MessagingEmulator;

beforeAll(async () => {
  [dynamo, messaging] = await Promise.all([startDynamoDb(), startMessaging()]);
});

afterAll(async () => {
  await Promise.all([dynamo?.stop(), messaging?.stop()]);
});

/** A fresh table holding `items`, all forced onto listing shard 3 (and FAILED#3 when failed). */
const catalogWith = async (items: readonly MetadataItem[]) => {
  const table = uniquePrefix('catalog');
  await createMetadataTable(dynamo.endpoint, table);
  const client = testDocumentClient(dynamo.endpoint);
  for (const item of items) {
    await client.send(
      new PutCommand({
        TableName: table,
        Item: { ...item, listShard: 'ALL#3', statusShard: `${item.status}#3` },
      }),
    );
  }
  return { table, client, catalog: new DynamoDbDocumentCatalog(client, table) };
};

const day = (n: number) => `2026-11-${String(n).padStart(2, '0')}T10:00:00.000Z`;

describe('DynamoDbDocumentCatalog', () => {
  it('reads a shard newest first within a one-sided date range', async () => {
    // Prepare
    const items = [11, 12, 13, 14].map((n) => aMetadataItem({ key: `d${n}`, uploadedAt: day(n) }));
    const { catalog } = await catalogWith(items);

    // Act
    const after = await catalog.queryShard({ shard: 3, limit: 10, uploadedAfter: day(12) });
    const before = await catalog.queryShard({ shard: 3, limit: 10, uploadedBefore: day(12) });
    const otherShard = await catalog.queryShard({ shard: 4, limit: 10 });

    // Assess
    expect(after.items.map((item) => item.uploadedAt)).toEqual([day(14), day(13), day(12)]);
    expect(before.items.map((item) => item.uploadedAt)).toEqual([day(12), day(11)]);
    expect(after.next).toBeUndefined();
    expect(otherShard.items).toEqual([]);
  });

  it('uses the status index, and filters by type after Limit (an empty page can have a next key)', async () => {
    // Prepare
    const items = [
      aMetadataItem({ key: 'a', uploadedAt: day(14), status: 'FAILED' }, { type: 'jpeg' }),
      aMetadataItem({ key: 'b', uploadedAt: day(13), status: 'FAILED' }, { type: 'pdf' }),
      aMetadataItem({ key: 'c', uploadedAt: day(12), status: 'PROCESSED', type: 'pdf' }),
    ];
    const { catalog } = await catalogWith(items);

    // Act
    const first = await catalog.queryShard({ shard: 3, status: 'FAILED', type: 'pdf', limit: 1 });
    const second = await catalog.queryShard({
      shard: 3,
      status: 'FAILED',
      type: 'pdf',
      limit: 1,
      ...(first.next ? { startAfter: first.next } : {}),
    });

    // Assess
    expect(first.items).toEqual([]);
    expect(first.next).toEqual({ documentId: items[0]?.documentId, uploadedAt: day(14) });
    expect(second.items.map((item) => item.key)).toEqual(['b']);
  });

  it('resumes after a position whose item has since been deleted', async () => {
    // Prepare
    const items = [11, 12, 13, 14].map((n) => aMetadataItem({ key: `d${n}`, uploadedAt: day(n) }));
    const { catalog, client, table } = await catalogWith(items);
    const first = await catalog.queryShard({ shard: 3, limit: 2 });
    await client.send(new DeleteCommand({ TableName: table, Key: { documentId: items[2]?.documentId } }));

    // Act
    const rest = await catalog.queryShard({
      shard: 3,
      limit: 10,
      ...(first.next ? { startAfter: first.next } : {}),
    });

    // Assess
    expect(first.items.map((item) => item.uploadedAt)).toEqual([day(14), day(13)]);
    expect(rest.items.map((item) => item.uploadedAt)).toEqual([day(12), day(11)]);
  });

  it('gets an item by id, or undefined', async () => {
    // Prepare
    const item = aMetadataItem({ key: 'one' });
    const { catalog } = await catalogWith([item]);

    // Act
    const found = await catalog.get(item.documentId);
    const missing = await catalog.get('AAAAAAAAAAAAAAAAAAAAAA');

    // Assess
    expect(found).toMatchObject({ documentId: item.documentId, key: 'one', status: 'PROCESSED' });
    expect(missing).toBeUndefined();
  });
});

describe('S3TextDocumentReader and S3UrlSigner', () => {
  const bucket = uniquePrefix('texts').toLowerCase();

  beforeAll(async () => {
    await createBucket(messaging.endpoint, bucket);
  });

  it('reads a stored text document, undefined when absent, and fails on a malformed one', async () => {
    // Prepare
    const s3 = testS3(messaging.endpoint);
    const store = new S3TextDocumentReader(s3);
    const document = {
      documentId: 'AAAAAAAAAAAAAAAAAAAAAA',
      version: 'v1',
      source: 'plain-text',
      pages: [{ number: 1, text: 'héllo' }],
    };
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'text/ok.json', Body: JSON.stringify(document) }),
    );
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'text/bad.json', Body: '{"pages": 3}' }));

    // Act
    const found = await store.get({ bucket, key: 'text/ok.json' });
    const missing = await store.get({ bucket, key: 'text/none.json' });
    const malformed = store.get({ bucket, key: 'text/bad.json' });

    // Assess
    expect(found).toEqual(document);
    expect(missing).toBeUndefined();
    await expect(malformed).rejects.toThrow();
  });

  it('presigns a GET with a response Content-Disposition that fetches the object', async () => {
    // Prepare
    const s3 = testS3(messaging.endpoint);
    const body = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'incoming/evil.svg', Body: body }));
    const signer = new S3UrlSigner(s3);

    // Act
    const url = await signer.presignGet({
      bucket,
      key: 'incoming/evil.svg',
      contentDisposition: `attachment; filename="evil.svg"; filename*=UTF-8''evil.svg`,
      expiresInSeconds: 60,
    });
    const response = await fetch(url);

    // Assess
    const signed = new URL(url);
    expect(signed.searchParams.get('response-content-disposition')).toBe(
      `attachment; filename="evil.svg"; filename*=UTF-8''evil.svg`,
    );
    expect(signed.searchParams.get('X-Amz-Expires')).toBe('60');
    expect(signed.searchParams.has('versionId')).toBe(false);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(body);
  });

  it('pins the version when given one', async () => {
    // Prepare
    const signer = new S3UrlSigner(testS3(messaging.endpoint));

    // Act
    const url = await signer.presignGet({
      bucket,
      key: 'k',
      versionId: '3HL4kqtJlcpXroDTDmJ.rmSp',
      expiresInSeconds: 60,
    });

    // Assess
    expect(new URL(url).searchParams.get('versionId')).toBe('3HL4kqtJlcpXroDTDmJ.rmSp');
  });
});
