import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MULTIPART_THRESHOLD_BYTES,
  S3DerivativeStore,
} from '../../../../../lambdas/shared/adapters/s3-derivative-store';
import { type MessagingEmulator, startMessaging } from '../../../../../local/emulators/fauxqs';
import { createBucket, testS3, uniquePrefix } from '../../../../support/aws';

const BUCKET = 'derivatives-store-test';

describe('S3DerivativeStore against the local S3', () => {
  let messaging: MessagingEmulator;
  let s3: S3Client;
  let store: S3DerivativeStore;

  const getObject = async (key: string) => {
    const output = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return {
      contentType: output.ContentType,
      body: Buffer.from((await output.Body?.transformToByteArray()) ?? []),
    };
  };

  beforeAll(async () => {
    messaging = await startMessaging();
    await createBucket(messaging.endpoint, BUCKET);
    s3 = testS3(messaging.endpoint);
    store = new S3DerivativeStore(s3, BUCKET);
  });

  afterAll(async () => {
    s3?.destroy();
    await messaging?.stop();
  });

  it('writes bytes with their content type and returns where they are', async () => {
    // Prepare
    const key = `thumbnails/${uniquePrefix('id')}/v1.webp`;
    const body = new Uint8Array([0x52, 0x49, 0x46, 0x46, 0, 1, 2, 255]);

    // Act
    const pointer = await store.put({ key, body, contentType: 'image/webp' });

    // Assess
    expect(pointer).toEqual({ bucket: BUCKET, key });
    expect(await getObject(key)).toEqual({ contentType: 'image/webp', body: Buffer.from(body) });
  });

  it('writes text as UTF-8 and overwrites an earlier write of the same key (a retried step)', async () => {
    // Prepare
    const key = `text/${uniquePrefix('id')}/v1.json`;
    await store.put({ key, body: '{"first":true}', contentType: 'application/json' });

    // Act
    await store.put({ key, body: '{"café":"naïve"}', contentType: 'application/json; charset=utf-8' });

    // Assess
    const stored = await getObject(key);
    expect(stored.contentType).toBe('application/json; charset=utf-8');
    expect(stored.body.toString('utf8')).toBe('{"café":"naïve"}');
  });

  it.each([
    ['one PutObject at the threshold', MULTIPART_THRESHOLD_BYTES, /^"[0-9a-f]{32}"$/],
    ['parts above it (here 20 MiB: a big document’s text)', 20 * 1024 * 1024, /^"[0-9a-f]{32}-3"$/],
  ])('writes %s', async (_, size, eTag) => {
    // Prepare
    const key = `text/${uniquePrefix('id')}/v1.json`;
    // Multi-byte characters: the threshold counts UTF-8 bytes, not characters.
    const wide = Math.floor((size - 2) / 5);
    const body = `"${'é€'.repeat(wide)}${'a'.repeat(size - 2 - wide * 5)}"`;

    // Act
    await store.put({ key, body, contentType: 'application/json; charset=utf-8' });

    // Assess
    expect(Buffer.byteLength(body)).toBe(size);
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(head.ETag).toMatch(eTag);
    const stored = await getObject(key);
    expect(stored.contentType).toBe('application/json; charset=utf-8');
    expect(stored.body.toString('utf8')).toBe(body);
  });
});
