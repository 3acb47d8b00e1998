import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  MULTIPART_THRESHOLD_BYTES,
  S3DerivativeStore,
} from '../../../../../lambdas/shared/adapters/s3-derivative-store';

const s3Mock = mockClient(S3Client);
const BUCKET = 'derivatives';
const KEY = 'text/doc/v1.json';

describe('S3DerivativeStore', () => {
  afterEach(() => {
    s3Mock.reset();
  });

  it('aborts a multipart upload whose part fails, so that no part lingers, and fails the write', async () => {
    // Prepare
    s3Mock.on(CreateMultipartUploadCommand).resolves({ UploadId: 'upload-1' });
    s3Mock
      .on(UploadPartCommand)
      .rejects(new S3ServiceException({ name: 'InternalError', $fault: 'server', $metadata: {} }));
    s3Mock.on(AbortMultipartUploadCommand).resolves({});
    const store = new S3DerivativeStore(new S3Client({ region: 'us-east-1', maxAttempts: 1 }), BUCKET);

    // Act
    const write = store.put({
      key: KEY,
      body: Buffer.alloc(MULTIPART_THRESHOLD_BYTES + 1),
      contentType: 'application/json',
    });

    // Assess
    await expect(write).rejects.toMatchObject({ name: 'InternalError' });
    expect(s3Mock.commandCalls(AbortMultipartUploadCommand).map((call) => call.args[0].input)).toEqual([
      { Bucket: BUCKET, Key: KEY, UploadId: 'upload-1' },
    ]);
    expect(s3Mock.commandCalls(CompleteMultipartUploadCommand)).toHaveLength(0);
    expect(s3Mock.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('starts the multipart upload with the content type the object keeps', async () => {
    // Prepare
    s3Mock.on(CreateMultipartUploadCommand).resolves({ UploadId: 'upload-2' });
    s3Mock.on(UploadPartCommand).resolves({ ETag: '"part"' });
    s3Mock.on(CompleteMultipartUploadCommand).resolves({ ETag: '"whole-2"' });
    const store = new S3DerivativeStore(new S3Client({ region: 'us-east-1' }), BUCKET);

    // Act
    const pointer = await store.put({
      key: KEY,
      body: 'x'.repeat(MULTIPART_THRESHOLD_BYTES + 10),
      contentType: 'application/json; charset=utf-8',
    });

    // Assess
    expect(pointer).toEqual({ bucket: BUCKET, key: KEY });
    expect(s3Mock.commandCalls(CreateMultipartUploadCommand)[0]?.args[0].input).toMatchObject({
      Bucket: BUCKET,
      Key: KEY,
      ContentType: 'application/json; charset=utf-8',
    });
    expect(
      s3Mock
        .commandCalls(UploadPartCommand)
        .map((call) => (call.args[0].input.Body as Uint8Array).byteLength),
    ).toEqual([MULTIPART_THRESHOLD_BYTES, 10]);
  });
});
