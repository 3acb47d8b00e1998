import { randomBytes } from 'node:crypto';
import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3DocumentBlobs } from '../../../../../lambdas/shared/adapters/s3-document-blobs';
import { DocumentNotFoundError, DocumentTooLargeError } from '../../../../../lambdas/shared/documents/errors';
import { type MessagingEmulator, startMessaging } from '../../../../../local/emulators/fauxqs';
import { createBucket, testS3, uniquePrefix } from '../../../../support/aws';

const BUCKET = 'uploads-blobs-test';

describe('S3DocumentBlobs against the local S3', () => {
  let messaging: MessagingEmulator;
  let s3: S3Client;
  let blobs: S3DocumentBlobs;

  const putObject = async (key: string, body: Buffer, contentType?: string): Promise<void> => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, ContentType: contentType }));
  };

  beforeAll(async () => {
    messaging = await startMessaging();
    await createBucket(messaging.endpoint, BUCKET);
    s3 = testS3(messaging.endpoint);
    blobs = new S3DocumentBlobs(s3);
  });

  afterAll(async () => {
    s3?.destroy();
    await messaging?.stop();
  });

  it("reads an object's first bytes and its whole size in one request", async () => {
    // Prepare
    const key = `${uniquePrefix('start')}/report final+v2.pdf`;
    await putObject(key, Buffer.from('0123456789'), 'application/pdf');
    const ref = { bucket: BUCKET, key };

    // Act
    const [shorter, whole, longer] = await Promise.all([
      blobs.readStart(ref, 4),
      blobs.readStart(ref, 10),
      blobs.readStart(ref, 64 * 1024),
    ]);

    // Assess
    expect(shorter.bytes.toString()).toBe('0123');
    expect(whole.bytes.toString()).toBe('0123456789');
    expect(longer.bytes.toString()).toBe('0123456789');
    expect([shorter.size, whole.size, longer.size]).toEqual([10, 10, 10]);
  });

  it('reads a whole object of up to maxBytes', async () => {
    // Prepare
    const key = `${uniquePrefix('read')}/random.bin`;
    const body = randomBytes(300_000);
    await putObject(key, body);

    // Act
    const bytes = await blobs.read({ bucket: BUCKET, key }, body.length);

    // Assess
    expect(bytes.equals(body)).toBe(true);
  });

  it('refuses to read an object larger than maxBytes', async () => {
    // Prepare
    const key = `${uniquePrefix('too-large')}/random.bin`;
    await putObject(key, randomBytes(1_001));

    // Act
    const result = blobs.read({ bucket: BUCKET, key }, 1_000);

    // Assess
    await expect(result).rejects.toThrow(DocumentTooLargeError);
    await expect(result).rejects.toThrow(
      `TOO_LARGE: s3://${BUCKET}/${key} is 1001 bytes, over the limit of 1000 bytes`,
    );
  });

  it('reads an empty object as an empty buffer', async () => {
    // Prepare
    const key = `${uniquePrefix('empty')}/nothing`;
    await putObject(key, Buffer.alloc(0));

    // Act
    const [start, whole] = await Promise.all([
      blobs.readStart({ bucket: BUCKET, key }, 10),
      blobs.read({ bucket: BUCKET, key }, 10),
    ]);

    // Assess
    expect(start).toEqual({ bytes: Buffer.alloc(0), size: 0 });
    expect(whole.length).toBe(0);
  });

  it.each([
    ['readStart', (ref: { bucket: string; key: string }) => blobs.readStart(ref, 100)],
    ['read', (ref: { bucket: string; key: string }) => blobs.read(ref, 100)],
  ])('maps a missing key to DocumentNotFoundError on %s', async (_, call) => {
    // Prepare
    const ref = { bucket: BUCKET, key: `${uniquePrefix('missing')}/gone.pdf` };

    // Act
    const result = call(ref);

    // Assess
    await expect(result).rejects.toThrow(DocumentNotFoundError);
    await expect(result).rejects.toThrow(`NOT_FOUND: s3://${BUCKET}/${ref.key} does not exist`);
  });

  it('lets a missing bucket through as it is: a configuration fault, not a missing document', async () => {
    // Act
    const result = blobs.read({ bucket: 'no-such-bucket-here', key: 'a' }, 100);

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'NoSuchBucket' });
  });

  it('tells whether an unversioned key still holds its upload: yes until it is deleted', async () => {
    // Prepare
    const key = `${uniquePrefix('current')}/a.txt`;
    await putObject(key, Buffer.from('one'));
    const before = await blobs.isCurrent({ bucket: BUCKET, key });

    // Act
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
    const after = await blobs.isCurrent({ bucket: BUCKET, key });

    // Assess
    expect([before, after]).toEqual([true, false]);
  });
});
