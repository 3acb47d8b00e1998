import { PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { handler as Handler } from '../../../../lambdas/api/handler';
import { reprocessTicketSchema } from '../../../../lambdas/api/reprocess-schemas';
import {
  documentDetailSchema,
  documentListSchema,
  problemSchema,
  textResponseSchema,
} from '../../../../lambdas/api/schemas';
import { uploadTicketSchema } from '../../../../lambdas/api/upload-schemas';
import {
  DOCUMENT_STATUSES,
  documentId,
  LIST_SHARDS,
  shardOf,
} from '../../../../lambdas/shared/documents/document';
import type { MetadataItem } from '../../../../lambdas/shared/documents/metadata-item';
import type { TextDocument } from '../../../../lambdas/shared/documents/text-document';
import { reprocessExecutionName } from '../../../../lambdas/starter/execution-name';
import { parseIngestMessage } from '../../../../lambdas/starter/s3-notification';
import { apiEvent } from '../../../fixtures/api-gateway-events';
import { lambdaContext } from '../../../fixtures/lambda-context';
import { aMetadataItem } from '../../../fixtures/metadata-items';
import {
  createBucket,
  createMetadataTable,
  createQueue,
  TEST_AWS,
  testDocumentClient,
  testS3,
  testSqs,
  uniquePrefix,
  useEmulatorEnv,
} from '../../../support/aws';
import { type LocalGateway, startLocalGateway } from '../../../support/local-gateway';
import { newestFirst } from '../../../support/newest-first';

const TABLE = 'api-test-metadata';
const UPLOADS = 'api-test-uploads';
const DERIVATIVES = 'api-test-derivatives';
const TYPES = ['pdf', 'jpeg', 'docx', 'text', 'png'] as const;
/**
 * The seed's type of document `i`: shifted by one every round of types, so that each status (as many as
 * types) meets every type rather than always the same one.
 */
const typeOf = (i: number) => TYPES[(i + Math.floor(i / TYPES.length)) % TYPES.length];

let local: LocalGateway;
let handler: typeof Handler;
let ingestQueueUrl: string;
const prefix = uniquePrefix('api');

/** A key of the given listing shard, so that the seed covers every shard whatever the prefix. */
const keyInShard = (i: number, shard: number): string => {
  for (let attempt = 0; ; attempt += 1) {
    const key = `incoming/${prefix}/doc-${String(i).padStart(2, '0')}-${attempt}.${typeOf(i)}`;
    if (shardOf(documentId(UPLOADS, key)) === String(shard)) return key;
  }
};

/**
 * 30 documents over every status, type and listing shard, over five days, with several sharing an
 * upload time (ties across and within shards).
 */
const items: MetadataItem[] = Array.from({ length: 30 }, (_, i) => {
  const day = 10 + Math.floor(i / 6);
  const hour = i % 3 === 0 ? 9 : 9 + (i % 7);
  return aMetadataItem(
    {
      key: keyInShard(i, i % LIST_SHARDS),
      bucket: UPLOADS,
      derivativesBucket: DERIVATIVES,
      status: DOCUMENT_STATUSES[i % DOCUMENT_STATUSES.length],
      uploadedAt: `2026-11-${day}T${String(hour).padStart(2, '0')}:00:00.000Z`,
      type: typeOf(i),
    },
    { type: typeOf(i) },
  );
});

const call = async (method: string, path: string, query: Record<string, string> = {}) => {
  const result = await handler(apiEvent(method, path, query), lambdaContext('docflow-api'));
  return {
    status: result.statusCode,
    headers: result.headers ?? {},
    body: JSON.parse(result.body) as unknown,
  };
};

const pageThrough = async (query: Record<string, string>): Promise<string[][]> => {
  const pages: string[][] = [];
  let cursor: string | null = null;
  do {
    const response = await call('GET', '/documents', { ...query, ...(cursor ? { cursor } : {}) });
    expect(response.status).toBe(200);
    const list = documentListSchema.parse(response.body);
    pages.push(list.items.map((item) => item.id));
    cursor = list.nextCursor;
  } while (cursor && pages.length < 100);
  return pages;
};

beforeAll(async () => {
  local = await startLocalGateway();
  const { dynamo, messaging } = local;
  await createMetadataTable(dynamo.endpoint, TABLE);
  await Promise.all([
    createBucket(messaging.endpoint, UPLOADS),
    createBucket(messaging.endpoint, DERIVATIVES),
  ]);
  useEmulatorEnv({ dynamodb: dynamo.endpoint, s3: messaging.endpoint, sqs: messaging.endpoint });
  ingestQueueUrl = (await createQueue(messaging.endpoint, `api-test-ingest-${prefix}`)).url;
  process.env.INGEST_QUEUE_URL = ingestQueueUrl;
  // The cursor key comes from the local Secrets Manager, as it comes from the real one in AWS.
  process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = local.endpoint;
  const secrets = new SecretsManagerClient({ ...TEST_AWS, endpoint: local.endpoint });
  const { ARN } = await secrets.send(
    new CreateSecretCommand({
      Name: 'api-test-cursor-key',
      SecretString: 'integration-cursor-secret-0123456789abcdef',
    }),
  );
  process.env.METADATA_TABLE_NAME = TABLE;
  process.env.CURSOR_SECRET_ARN = ARN;
  process.env.URL_TTL_SECONDS = '120';
  process.env.UPLOADS_BUCKET_NAME = UPLOADS;
  const client = testDocumentClient(dynamo.endpoint);
  for (let start = 0; start < items.length; start += 25) {
    await client.send(
      new BatchWriteCommand({
        RequestItems: {
          [TABLE]: items.slice(start, start + 25).map((item) => ({ PutRequest: { Item: item } })),
        },
      }),
    );
  }
  // Imported only now: the handler reads its configuration and creates its clients at module scope.
  ({ handler } = await import('../../../../lambdas/api/handler'));
});

afterAll(async () => {
  await local?.stop();
});

describe('api handler against dynalite and fauxqs', () => {
  it('seeds documents on every listing shard, with shared upload times', () => {
    // Assess: otherwise the merge below would not be exercised
    expect(new Set(items.map((item) => item.listShard)).size).toBe(LIST_SHARDS);
    expect(new Set(items.map((item) => item.uploadedAt)).size).toBeLessThan(items.length);
  });

  it('pages through all documents with limit 7: newest first, each exactly once, full pages', async () => {
    // Act
    const pages = await pageThrough({ limit: '7' });

    // Assess
    expect(pages.map((page) => page.length)).toEqual([7, 7, 7, 7, 2]);
    expect(pages.flat()).toEqual(newestFirst(items));
  });

  it('pages through one status over the byStatus index', async () => {
    // Act
    const pages = await pageThrough({ limit: '3', status: 'REJECTED' });

    // Assess
    const expected = newestFirst(items.filter((item) => item.status === 'REJECTED'));
    expect(expected.length).toBeGreaterThan(3);
    expect(pages.flat()).toEqual(expected);
    for (const page of pages.slice(0, -1)) expect(page).toHaveLength(3);
  });

  it('filters by type and an inclusive date range', async () => {
    // Act
    const pages = await pageThrough({
      limit: '7',
      type: 'pdf',
      uploadedAfter: '2026-11-11',
      uploadedBefore: '2026-11-13T09:00:00Z',
    });

    // Assess
    const expected = newestFirst(
      items.filter(
        (item) =>
          item.type === 'pdf' &&
          item.uploadedAt >= '2026-11-11T00:00:00.000Z' &&
          item.uploadedAt <= '2026-11-13T09:00:00.000Z',
      ),
    );
    // The seed has PDFs on both sides of the range, so the filter is put to the test.
    expect(expected.length).toBeGreaterThanOrEqual(2);
    expect(items.filter((item) => item.type === 'pdf').length).toBeGreaterThan(expected.length);
    expect(pages.flat()).toEqual(expected);
  });

  it('refuses a cursor reused with other filters', async () => {
    // Prepare
    const first = documentListSchema.parse((await call('GET', '/documents', { limit: '7' })).body);

    // Act
    const { status, body } = await call('GET', '/documents', {
      limit: '7',
      status: 'FAILED',
      cursor: first.nextCursor ?? '',
    });

    // Assess
    expect(status).toBe(400);
    expect(problemSchema.parse(body).type).toBe('tag:docflow,2026:problem:invalid-cursor');
  });

  it('returns a document with presigned URLs that fetch the stored bytes', async () => {
    // Prepare
    const item = items.find((candidate) => candidate.status === 'PROCESSED' && candidate.type === 'pdf');
    if (!item?.thumbnail) throw new Error('the seed has no processed pdf with a thumbnail');
    const original = Buffer.from(`%PDF-1.7 ${prefix} original bytes`);
    const thumbnail = Buffer.from(`RIFF${prefix}WEBP`);
    const s3 = testS3(local.messaging.endpoint);
    await s3.send(new PutObjectCommand({ Bucket: UPLOADS, Key: item.key, Body: original }));
    await s3.send(new PutObjectCommand({ Bucket: DERIVATIVES, Key: item.thumbnail.key, Body: thumbnail }));

    // Act
    const { status, body } = await call('GET', `/documents/${item.documentId}`);
    const detail = documentDetailSchema.parse(body);
    const [originalResponse, thumbnailResponse] = await Promise.all([
      fetch(detail.original?.url ?? ''),
      fetch(detail.thumbnail?.url ?? ''),
    ]);

    // Assess
    expect(status).toBe(200);
    expect(detail).toMatchObject({ id: item.documentId, status: 'PROCESSED', key: item.key });
    expect(Buffer.from(await originalResponse.arrayBuffer())).toEqual(original);
    expect(Buffer.from(await thumbnailResponse.arrayBuffer())).toEqual(thumbnail);
    const signed = new URL(detail.original?.url ?? '');
    expect(signed.searchParams.get('response-content-disposition')).toBe(
      `attachment; filename="${item.key.split('/').at(-1)}"; filename*=UTF-8''${item.key.split('/').at(-1)}`,
    );
    expect(signed.searchParams.get('X-Amz-Expires')).toBe('120');
    expect(detail.execution?.consoleUrl).toContain('#/v2/executions/details/arn:aws:states:');
  });

  it('answers a missing document with a 404 problem', async () => {
    // Act
    const { status, headers } = await call('GET', '/documents/AAAAAAAAAAAAAAAAAAAAAA');

    // Assess
    expect(status).toBe(404);
    expect(headers['content-type']).toBe('application/problem+json');
  });

  it('reads the text document from the derivatives bucket, a page at a time', async () => {
    // Prepare
    const item = items.find((candidate) => candidate.status === 'PROCESSED' && candidate.text);
    if (!item?.text) throw new Error('the seed has no processed item with text');
    const text: TextDocument = {
      documentId: item.documentId,
      version: item.version,
      sequencer: item.sequencer,
      source: 'pdf-text-layer',
      pages: Array.from({ length: 5 }, (_, i) => ({ number: i + 1, text: `${prefix} page ${i + 1}` })),
    };
    await testS3(local.messaging.endpoint).send(
      new PutObjectCommand({
        Bucket: item.text.bucket,
        Key: item.text.key,
        Body: JSON.stringify(text),
        ContentType: 'application/json',
      }),
    );

    // Act
    const { status, body } = await call('GET', `/documents/${item.documentId}/text`, {
      page: '2',
      pageSize: '2',
    });

    // Assess
    expect(status).toBe(200);
    expect(textResponseSchema.parse(body)).toMatchObject({
      page: 2,
      totalPages: 3,
      documentPages: 5,
      nextPage: 3,
      pages: [
        { number: 3, text: `${prefix} page 3` },
        { number: 4, text: `${prefix} page 4` },
      ],
    });
  });

  it('answers 404 for a document whose text object was never written', async () => {
    // Prepare
    const withText = items.filter((candidate) => candidate.status === 'PROCESSED' && candidate.text);
    const item = withText.at(-1);
    if (!item || item === withText[0]) throw new Error('the seed needs two processed items with text');

    // Act
    const { status, body } = await call('GET', `/documents/${item.documentId}/text`);

    // Assess
    expect(status).toBe(404);
    expect(problemSchema.parse(body).type).toBe('tag:docflow,2026:problem:text-unavailable');
  });

  it('answers a malformed stored text object with a 500 that reveals nothing', async () => {
    // Prepare
    const item = items.filter((candidate) => candidate.status === 'PROCESSED' && candidate.text)[1];
    if (!item?.text) throw new Error('the seed needs a second processed item with text');
    await testS3(local.messaging.endpoint).send(
      new PutObjectCommand({ Bucket: item.text.bucket, Key: item.text.key, Body: '{"pages": "not a list"}' }),
    );

    // Act
    const { status, headers, body } = await call('GET', `/documents/${item.documentId}/text`);

    // Assess
    expect(status).toBe(500);
    expect(headers['content-type']).toBe('application/problem+json');
    expect(problemSchema.parse(body)).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: 'The request could not be completed. Request id: req-0123456789',
    });
  });

  it('mints an upload into the configured bucket, signed with the function’s credentials', async () => {
    // Prepare
    const event = {
      ...apiEvent('POST', '/uploads'),
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ filename: 'scan.png', contentType: 'image/png', size: 2048 }),
    };

    // Act
    const result = await handler(event, lambdaContext('docflow-api'));

    // Assess
    expect(result.statusCode).toBe(200);
    const ticket = uploadTicketSchema.parse(JSON.parse(result.body));
    expect(ticket.url).toBe(`${local.messaging.endpoint}/${UPLOADS}`);
    expect(ticket.key).toMatch(/^incoming\/uploads\/.+\/scan\.png$/);
    expect(ticket.documentId).toBe(documentId(UPLOADS, ticket.key));
    expect(ticket.fields['X-Amz-Credential']).toMatch(
      new RegExp(`^${TEST_AWS.credentials.accessKeyId}/\\d{8}/us-east-1/s3/aws4_request$`),
    );
    const policy = JSON.parse(Buffer.from(ticket.fields.Policy ?? '', 'base64').toString('utf8'));
    expect(policy.conditions).toContainEqual(['content-length-range', 2048, 2048]);
    expect(policy.conditions).toContainEqual({ key: ticket.key });
  });

  it('queues a reprocess on the ingest queue as a message the starter reads', async () => {
    // Prepare
    const rejected = items.find((item) => item.status === 'REJECTED');
    if (!rejected) throw new Error('the seed has no REJECTED document');

    // Act
    const response = await call('POST', `/documents/${rejected.documentId}/reprocess`);
    const { Messages = [] } = await testSqs(local.messaging.endpoint).send(
      new ReceiveMessageCommand({ QueueUrl: ingestQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );

    // Assess
    expect(response.status).toBe(202);
    expect(reprocessTicketSchema.parse(response.body)).toEqual({
      documentId: rejected.documentId,
      version: rejected.version,
      generation: 1,
      executionName: reprocessExecutionName(UPLOADS, rejected.key, rejected.version, 1),
    });
    expect(Messages.map((message) => parseIngestMessage(message.Body ?? ''))).toEqual([
      {
        kind: 'reprocess',
        document: expect.objectContaining({ id: rejected.documentId, key: rejected.key }),
        generation: 1,
      },
    ]);
  });
});
