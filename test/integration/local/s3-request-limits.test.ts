import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import {
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
  S3ServiceException,
  type ServiceInputTypes,
  type ServiceOutputTypes,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { Upload } from '@aws-sdk/lib-storage';
import type { FinalizeRequestMiddleware, HttpRequest } from '@smithy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIngestMessage } from '../../../lambdas/starter/s3-notification';
import { type MessagingEmulator, startMessaging } from '../../../local/emulators/fauxqs';
import { type RunningGateway, startGateway } from '../../../local/gateway';
import { createS3Notifications, fauxqsTargets } from '../../../local/s3/notifications';
import { LOCAL_S3_MAX_BODY_BYTES } from '../../../local/s3/request-limits';
import { createBucket, createNotifiedBucket, testS3, testSqs, uniquePrefix } from '../../support/aws';
import { type LocalGateway, startLocalGateway } from '../../support/local-gateway';

const MiB = 1024 * 1024;

/** fauxqs alone refuses bodies over 11 MiB; every size here is over it. */
const FAUXQS_OWN_LIMIT = 11 * MiB;

const md5Hex = (bytes: Uint8Array): string => createHash('md5').update(bytes).digest('hex');
const crc32Base64 = (bytes: Uint8Array): string => {
  const digest = Buffer.alloc(4);
  digest.writeUInt32BE(crc32(bytes) >>> 0);
  return digest.toString('base64');
};

const sha256Base64 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('base64');

/** An aws-chunked body in 64 KiB chunks with signature extensions, and one trailer, as SigV4 streaming sends it. */
const awsChunked = (body: Buffer, trailer: string): Buffer => {
  const parts: Buffer[] = [];
  for (let offset = 0; offset < body.length; offset += 64 * 1024) {
    const chunk = body.subarray(offset, offset + 64 * 1024);
    parts.push(Buffer.from(`${chunk.length.toString(16)};chunk-signature=${'0'.repeat(64)}\r\n`), chunk);
    parts.push(Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`0\r\n${trailer}\r\n\r\n`));
  return Buffer.concat(parts);
};

const readObject = async (s3: S3Client, bucket: string, key: string): Promise<Buffer> => {
  const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from((await Body?.transformToByteArray()) ?? []);
};

/** The headers of every request the client sends, as they leave it (after checksums and signing). */
const recordRequests = (s3: S3Client): Array<Record<string, string>> => {
  const seen: Array<Record<string, string>> = [];
  const record: FinalizeRequestMiddleware<ServiceInputTypes, ServiceOutputTypes> = (next) => async (args) => {
    seen.push({ ...(args.request as HttpRequest).headers });
    return next(args);
  };
  s3.middlewareStack.add(record, { step: 'finalizeRequest', priority: 'low', name: 'recordRequests' });
  return seen;
};

/** What an S3 request answered, read as raw HTTP: the status and the body. */
const rawPut = (
  endpoint: string,
  path: string,
  body: Buffer,
  headers: Record<string, string | number>,
): Promise<{ status: number; body: string }> =>
  new Promise((resolve, reject) => {
    const url = new URL(path, endpoint);
    const outgoing = request(
      { hostname: url.hostname, port: url.port, path: url.pathname, method: 'PUT', headers },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    outgoing.on('error', reject);
    // Written in pieces: without a Content-Length header, Node sends it with chunked transfer encoding.
    for (let offset = 0; offset < body.length; offset += 256 * 1024) {
      outgoing.write(body.subarray(offset, offset + 256 * 1024));
    }
    outgoing.end();
  });

/** The S3 error a request that must be refused fails with; the test fails when it is accepted. */
const rejection = async (send: () => Promise<unknown>): Promise<S3ServiceException> => {
  try {
    await send();
  } catch (error) {
    if (error instanceof S3ServiceException) return error;
    throw error;
  }
  throw new Error('the request was accepted');
};

/** The local cloud's gateway, at the local S3's own limits, for every block that needs no other limit. */
let local: LocalGateway;
let s3: S3Client;
let sqs: SQSClient;

beforeAll(async () => {
  local = await startLocalGateway();
  s3 = testS3(local.endpoint);
  sqs = testSqs(local.endpoint);
});

afterAll(async () => {
  s3?.destroy();
  sqs?.destroy();
  await local?.stop();
});

describe('the local S3 takes the bodies S3 takes', () => {
  it('stores a single PutObject far over 11 MiB and notifies it with its size and MD5 ETag', async () => {
    // Prepare
    const { bucket, queue } = await createNotifiedBucket(local.endpoint, 'big-put');
    const body = randomBytes(24 * MiB);
    const key = 'incoming/big+file.bin';

    // Act
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queue.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    for (const message of Messages) {
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queue.url, ReceiptHandle: message.ReceiptHandle }));
    }

    // Assess
    expect(body.length).toBeGreaterThan(FAUXQS_OWN_LIMIT);
    expect(put.ETag).toBe(`"${md5Hex(body)}"`);
    expect(md5Hex(await readObject(s3, bucket, key))).toBe(md5Hex(body));
    const records = Messages.map((message) => parseIngestMessage(message.Body ?? '')).flatMap((parsed) =>
      parsed.kind === 'notification' ? parsed.records : [],
    );
    expect(records).toEqual([
      expect.objectContaining({ kind: 'object-created', size: body.length, eTag: md5Hex(body) }),
    ]);
  });

  it('takes multipart parts over 11 MiB', async () => {
    // Prepare
    const bucket = uniquePrefix('big-parts').toLowerCase();
    await createBucket(local.endpoint, bucket);
    const body = randomBytes(28 * MiB);

    // Act
    await new Upload({
      client: s3,
      params: { Bucket: bucket, Key: 'parts.bin', Body: body },
      partSize: 16 * MiB,
    }).done();
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'parts.bin' }));

    // Assess
    expect(head.ETag).toMatch(/-2"$/);
    expect(head.ContentLength).toBe(body.length);
    expect(md5Hex(await readObject(s3, bucket, 'parts.bin'))).toBe(md5Hex(body));
  });

  it('decodes an aws-chunked body with a trailing checksum, as the SDK sends a stream', async () => {
    // Prepare
    const bucket = uniquePrefix('chunked').toLowerCase();
    await createBucket(local.endpoint, bucket);
    const client = testS3(local.endpoint);
    const sent = recordRequests(client);
    const body = randomBytes(12 * MiB + 12_345);

    // Act
    try {
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: 'streamed.bin',
          Body: Readable.from([body.subarray(0, 5 * MiB), body.subarray(5 * MiB)]),
          ContentLength: body.length,
        }),
      );
    } finally {
      client.destroy();
    }
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: bucket, Key: 'streamed.bin', ChecksumMode: 'ENABLED' }),
    );

    // Assess
    expect(sent.at(-1)).toMatchObject({
      'content-encoding': 'aws-chunked',
      'x-amz-trailer': 'x-amz-checksum-crc32',
      'x-amz-decoded-content-length': String(body.length),
      'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
    });
    expect(head.ContentLength).toBe(body.length);
    expect(head.ContentEncoding).toBeUndefined();
    expect(head.ChecksumCRC32).toBe(crc32Base64(body));
    expect(md5Hex(await readObject(s3, bucket, 'streamed.bin'))).toBe(md5Hex(body));
  });

  it('decodes an aws-chunked body with signed chunks and a SHA-256 trailer, as SigV4 streaming sends it', async () => {
    // Prepare
    const bucket = uniquePrefix('signed-chunks').toLowerCase();
    await createBucket(local.endpoint, bucket);
    const body = randomBytes(200 * 1024 + 7);
    const encoded = awsChunked(body, `x-amz-checksum-sha256:${sha256Base64(body)}`);

    // Act
    const answer = await rawPut(local.endpoint, `/${bucket}/signed.bin`, encoded, {
      'content-length': encoded.length,
      'content-encoding': 'aws-chunked',
      'x-amz-decoded-content-length': body.length,
      'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
      'x-amz-trailer': 'x-amz-checksum-sha256',
    });

    // Assess
    expect(answer.status).toBe(200);
    expect(md5Hex(await readObject(s3, bucket, 'signed.bin'))).toBe(md5Hex(body));
  });

  it('keeps the default limit above what the pipeline reads', () => {
    // Textract's asynchronous limit (500 MB) is the largest document any step reads.
    expect(LOCAL_S3_MAX_BODY_BYTES).toBeGreaterThan(500 * 1000 * 1000);
  });
});

describe('a body over the local limit gets S3’s XML error', () => {
  const LIMIT = 1 * MiB;
  const bucket = 'over-limit';
  let messaging: MessagingEmulator;
  let gateway: RunningGateway;
  let limitedS3: S3Client;

  beforeAll(async () => {
    messaging = await startMessaging({ maxS3BodyBytes: LIMIT });
    const notifications = createS3Notifications({
      upstream: messaging.endpoint,
      targets: fauxqsTargets(messaging.server),
      maxBodyBytes: LIMIT,
    });
    gateway = await startGateway({ port: 0, routes: { s3: notifications.handler } });
    await createBucket(gateway.endpoint, bucket);
    limitedS3 = testS3(gateway.endpoint);
  });

  afterAll(async () => {
    limitedS3?.destroy();
    await gateway?.stop();
    await messaging?.stop();
  });

  it.each([
    ['a PutObject', LIMIT + 1],
    ['a PutObject of 40 MiB', 40 * MiB],
  ])('refuses %s as EntityTooLarge with the sizes', async (_, size) => {
    // Act
    const error = await rejection(() =>
      limitedS3.send(new PutObjectCommand({ Bucket: bucket, Key: 'too-big', Body: Buffer.alloc(size, 1) })),
    );

    // Assess
    expect(error.name).toBe('EntityTooLarge');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error).toMatchObject({ ProposedSize: String(size), MaxSizeAllowed: String(LIMIT) });
    expect(error.message).toMatch(/exceeds the maximum allowed size/);
  });

  it('refuses an UploadPart over the limit', async () => {
    // Prepare
    const { UploadId } = await limitedS3.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'parts' }),
    );

    // Act
    const error = await rejection(() =>
      limitedS3.send(
        new UploadPartCommand({
          Bucket: bucket,
          Key: 'parts',
          UploadId,
          PartNumber: 1,
          Body: Buffer.alloc(2 * LIMIT, 2),
        }),
      ),
    );

    // Assess
    expect(error.name).toBe('EntityTooLarge');
  });

  it('takes a body of exactly the limit', async () => {
    // Prepare
    const body = randomBytes(LIMIT);

    // Act
    await limitedS3.send(new PutObjectCommand({ Bucket: bucket, Key: 'at-limit', Body: body }));

    // Assess
    expect(md5Hex(await readObject(limitedS3, bucket, 'at-limit'))).toBe(md5Hex(body));
  });

  it.each([
    ['behind the gateway', () => gateway.endpoint],
    ['from fauxqs itself', () => messaging.endpoint],
  ])('refuses a body of undeclared size as S3 does (MissingContentLength) %s', async (_, endpoint) => {
    // Act
    const answer = await rawPut(endpoint(), `/${bucket}/undeclared`, randomBytes(3 * LIMIT), {
      'content-type': 'application/octet-stream',
    });

    // Assess
    expect(answer.status).toBe(411);
    expect(answer.body).toMatch(
      /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<Error><Code>MissingContentLength<\/Code><Message>You must provide the Content-Length HTTP header\.<\/Message>/,
    );
  });
});

describe('a body that is not what its request declares is refused, as S3 refuses it', () => {
  const bucket = uniquePrefix('digests').toLowerCase();

  beforeAll(async () => {
    await createBucket(local.endpoint, bucket);
  });

  const exists = async (key: string): Promise<boolean> =>
    s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(
      () => true,
      (error: unknown) => {
        if (error instanceof S3ServiceException && error.name === 'NotFound') return false;
        throw error;
      },
    );

  it.each([
    [
      'a CRC32 checksum',
      { ChecksumCRC32: crc32Base64(Buffer.from('other bytes')) },
      /The CRC32 you specified/,
    ],
    [
      'a Content-MD5',
      { ContentMD5: createHash('md5').update('other bytes').digest('base64') },
      /The Content-MD5 you specified/,
    ],
  ])('answers BadDigest to %s that is not the body’s, and stores nothing', async (_, digest, message) => {
    // Prepare
    const key = uniquePrefix('bad-digest');

    // Act
    const error = await rejection(() =>
      s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: Buffer.from('these bytes'), ...digest }),
      ),
    );

    // Assess
    expect(error.name).toBe('BadDigest');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toMatch(message);
    expect(await exists(key)).toBe(false);
  });

  it('answers BadDigest to an aws-chunked body whose trailing checksum is not its own', async () => {
    // Prepare
    const body = randomBytes(100 * 1024);
    const encoded = awsChunked(body, `x-amz-checksum-crc32:${crc32Base64(Buffer.from('other'))}`);

    // Act
    const answer = await rawPut(local.endpoint, `/${bucket}/bad-trailer.bin`, encoded, {
      'content-length': encoded.length,
      'content-encoding': 'aws-chunked',
      'x-amz-decoded-content-length': body.length,
      'x-amz-trailer': 'x-amz-checksum-crc32',
    });

    // Assess
    expect(answer.status).toBe(400);
    expect(answer.body).toContain('<Code>BadDigest</Code>');
    expect(await exists('bad-trailer.bin')).toBe(false);
  });
});
