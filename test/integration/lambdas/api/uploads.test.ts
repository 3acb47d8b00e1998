import {
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  type S3Client as S3ClientType,
} from '@aws-sdk/client-s3';
import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouter } from '../../../../lambdas/api/router';
import { S3UploadSigner } from '../../../../lambdas/api/s3-upload-signer';
import { type UploadTicket, uploadTicketSchema } from '../../../../lambdas/api/upload-schemas';
import { uploadRoutes } from '../../../../lambdas/api/uploads';
import { decodeS3EventKey } from '../../../../lambdas/shared/documents/s3-key';
import { parseIngestMessage } from '../../../../lambdas/starter/s3-notification';
import { apiEvent } from '../../../fixtures/api-gateway-events';
import { createNotifiedBucket, drainQueue, TEST_AWS, testS3, testSqs } from '../../../support/aws';
import { type LocalGateway, startLocalGateway } from '../../../support/local-gateway';

const MAX_BYTES = 64;

let local: LocalGateway;
let s3: S3ClientType;
let sqs: SQSClient;
let bucket: string;
let queueUrl: string;

/** The route as the api function wires it, signing with `client`'s credentials and clock. */
const routeSigningWith = (client: S3ClientType) =>
  createRouter(
    uploadRoutes(new S3UploadSigner(client), { bucket, maxDocumentBytes: MAX_BYTES, expiresInSeconds: 900 }),
  );

const mint = async (
  request: { filename: string; contentType: string; size: number },
  client: S3ClientType = s3,
): Promise<UploadTicket> => {
  const event: APIGatewayProxyEvent = {
    ...apiEvent('POST', '/uploads'),
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(request),
  };
  const result = await routeSigningWith(client)(event);
  expect(result.statusCode).toBe(200);
  return uploadTicketSchema.parse(JSON.parse(result.body));
};

/** What a browser sends: a multipart/form-data POST of the fields in order, then the file. */
const browserPost = async (
  url: string,
  fields: Readonly<Record<string, string>>,
  file: Blob,
  name: string,
) => {
  const form = new FormData();
  for (const [field, value] of Object.entries(fields)) form.append(field, value);
  form.append('file', file, name);
  const response = await fetch(url, { method: 'POST', body: form });
  return { status: response.status, text: await response.text(), headers: response.headers };
};

/** S3's XML error, as code and message. */
const s3Error = (xml: string) => ({
  code: /<Code>([^<]*)<\/Code>/.exec(xml)?.[1],
  message: /<Message>([^<]*)<\/Message>/.exec(xml)?.[1]?.replaceAll('&quot;', '"'),
});

const stored = async (key: string): Promise<boolean> => {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (error) {
    if ((error as { name?: string }).name === 'NotFound') return false;
    throw error;
  }
};

/** Receives until the queue stays empty for a whole long poll; deletes what it got. */
const drain = (): Promise<Message[]> => drainQueue(sqs, queueUrl);

beforeAll(async () => {
  local = await startLocalGateway();
  s3 = testS3(local.endpoint);
  sqs = testSqs(local.endpoint);
  const notified = await createNotifiedBucket(local.endpoint, 'uploads', 'incoming/');
  bucket = notified.bucket;
  queueUrl = notified.queue.url;
  await drain();
});

afterAll(async () => {
  await local?.stop();
});

describe('POST /uploads against the local S3', () => {
  it('mints a POST that a browser-style form uses to store the file under its key and start the pipeline', async () => {
    // Prepare
    const content = 'first line\nsecond line\n';
    const ticket = await mint({
      filename: 'meeting notes.txt',
      contentType: 'text/plain',
      size: content.length,
    });

    // Act
    const posted = await browserPost(ticket.url, ticket.fields, new Blob([content]), 'meeting notes.txt');
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: ticket.key }));
    const messages = await drain();

    // Assess
    expect(posted.status).toBe(204);
    expect(ticket.url).toBe(`${local.endpoint}/${bucket}`);
    expect(ticket.key).toMatch(/^incoming\/uploads\/\d{4}-\d\d-\d\d\/[0-9a-f-]{36}\/meeting notes\.txt$/);
    expect(head.ContentLength).toBe(content.length);
    expect(head.ContentType).toBe('text/plain');
    const records = messages.map((message) => JSON.parse(message.Body ?? '{}').Records[0]);
    expect(records.map((record) => [record.eventName, decodeS3EventKey(record.s3.object.key)])).toEqual([
      ['ObjectCreated:Post', ticket.key],
    ]);
    const parsed = parseIngestMessage(messages[0]?.Body ?? '');
    expect(parsed.kind === 'notification' && parsed.records[0]?.kind).toBe('object-created');
  });

  it.each<{
    case: string;
    change: (ticket: UploadTicket) => { fields: Record<string, string>; content?: string };
    status: number;
    code: string;
    message?: string;
  }>([
    {
      case: 'a file larger than declared',
      change: (ticket: UploadTicket) => ({ fields: ticket.fields, content: 'x'.repeat(11) }),
      status: 400,
      code: 'EntityTooLarge',
      message: 'Your proposed upload exceeds the maximum allowed size',
    },
    {
      case: 'a key outside incoming/ (a tampered key field)',
      change: (ticket: UploadTicket) => ({ fields: { ...ticket.fields, key: 'outside/evil.txt' } }),
      status: 403,
      code: 'AccessDenied',
      message: 'Invalid according to Policy: Policy Condition failed: ["eq", "$key", "<key>"]',
    },
    {
      case: 'a tampered policy',
      change: (ticket: UploadTicket) => {
        const policy = JSON.parse(Buffer.from(ticket.fields.Policy ?? '', 'base64').toString('utf8'));
        policy.conditions = policy.conditions.map((condition: unknown) =>
          Array.isArray(condition) && condition[0] === 'content-length-range'
            ? ['content-length-range', 1, 1_000_000]
            : condition,
        );
        const tampered = Buffer.from(JSON.stringify(policy)).toString('base64');
        return { fields: { ...ticket.fields, Policy: tampered }, content: 'x'.repeat(50) };
      },
      status: 403,
      code: 'SignatureDoesNotMatch',
      message:
        'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    },
    {
      case: 'a tampered signature',
      change: (ticket: UploadTicket) => ({
        fields: { ...ticket.fields, 'X-Amz-Signature': 'f'.repeat(64) },
      }),
      status: 403,
      code: 'SignatureDoesNotMatch',
    },
    {
      case: 'another content type',
      change: (ticket: UploadTicket) => ({ fields: { ...ticket.fields, 'Content-Type': 'text/html' } }),
      status: 403,
      code: 'AccessDenied',
      message: 'Invalid according to Policy: Policy Condition failed: ["eq", "$Content-Type", "text/plain"]',
    },
    {
      case: 'an anonymous form (no policy or signature)',
      change: (ticket: UploadTicket) => ({ fields: { key: ticket.key, 'Content-Type': 'text/plain' } }),
      status: 403,
      code: 'AccessDenied',
      message: 'Access Denied',
    },
  ])('refuses $case with S3’s error, storing and notifying nothing', async (attempt) => {
    // Prepare
    const ticket = await mint({ filename: 'note.txt', contentType: 'text/plain', size: 10 });
    const { fields, content = 'x'.repeat(10) } = attempt.change(ticket);

    // Act
    const posted = await browserPost(ticket.url, fields, new Blob([content]), 'note.txt');

    // Assess
    expect(posted.status).toBe(attempt.status);
    expect(posted.headers.get('content-type')).toBe('application/xml');
    const error = s3Error(posted.text);
    expect(error.code).toBe(attempt.code);
    if (attempt.message) expect(error.message).toBe(attempt.message.replace('<key>', ticket.key));
    expect(await stored(ticket.key)).toBe(false);
    expect(await stored(fields.key ?? ticket.key)).toBe(false);
    expect(await drain()).toEqual([]);
  });

  it('refuses a POST whose policy has expired', async () => {
    // Prepare: a signer whose clock is an hour behind mints a 15-minute policy that is already over
    const lateClient = new S3Client({
      ...TEST_AWS,
      endpoint: local.endpoint,
      forcePathStyle: true,
      systemClockOffset: -3_600_000,
    });
    const ticket = await mint({ filename: 'late.txt', contentType: 'text/plain', size: 4 }, lateClient);

    // Act
    const posted = await browserPost(ticket.url, ticket.fields, new Blob(['late']), 'late.txt');

    // Assess
    expect(posted.status).toBe(403);
    expect(s3Error(posted.text)).toEqual({
      code: 'AccessDenied',
      message: 'Invalid according to Policy: Policy expired.',
    });
    expect(await stored(ticket.key)).toBe(false);
    expect(await drain()).toEqual([]);
  });

  it('refuses a POST signed with credentials the local S3 does not know', async () => {
    // Prepare
    const stranger = new S3Client({
      region: TEST_AWS.region,
      credentials: { accessKeyId: 'AKIASTRANGER', secretAccessKey: 'not-a-local-secret' },
      endpoint: local.endpoint,
      forcePathStyle: true,
    });
    const ticket = await mint({ filename: 'stranger.txt', contentType: 'text/plain', size: 4 }, stranger);

    // Act
    const posted = await browserPost(ticket.url, ticket.fields, new Blob(['hi!!']), 'stranger.txt');

    // Assess
    expect(posted.status).toBe(403);
    expect(s3Error(posted.text).code).toBe('InvalidAccessKeyId');
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'incoming/uploads/' }));
    expect((listed.Contents ?? []).map((object) => object.Key)).not.toContain(ticket.key);
    expect(await drain()).toEqual([]);
  });
});
